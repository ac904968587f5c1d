"""The report for people (Markdown), for programs (JSON) and for GitHub Actions (workflow
commands that annotate the list's lines in a pull request or a run).

Workflow commands (docs.github.com, "Workflow commands for GitHub Actions")::

    ::warning file={name},line={line},title={title}::{message}

The runner reads the properties up to the first ``::``, splits them on ``,`` and each on its
first ``=``, then un-escapes ``%0D %0A %3A %2C`` and last ``%25`` in property values, and
``%0D %0A`` and last ``%25`` in the message. So a property value escapes ``% \\r \\n : ,`` and
the message ``% \\r \\n``, percent sign first: no list text can end a command early or start
another one.
"""

from __future__ import annotations

from enrich.core.check.model import Finding, FindingKind, Report
from enrich.core.markdown import code, md

TITLES = {
    FindingKind.DEAD: "Dead",
    FindingKind.MOVED: "Moved",
    FindingKind.DUPLICATE: "Listed more than once",
    FindingKind.UNMAINTAINED: "Unmaintained",
    FindingKind.STALE: "Stale data",
    FindingKind.FLAKY: "Flaky (not dead yet)",
}
# The annotation level of each kind: dead links are errors, the rest what a reviewer weighs.
LEVELS = {
    FindingKind.DEAD: "error",
    FindingKind.MOVED: "warning",
    FindingKind.DUPLICATE: "warning",
    FindingKind.UNMAINTAINED: "warning",
    FindingKind.STALE: "notice",
    FindingKind.FLAKY: "notice",
}


def summary(report: Report) -> str:
    """One line: what was checked and how many of each finding."""
    counts = [f"{report.count(kind)} {kind.value}" for kind in FindingKind if report.count(kind)]
    found = ", ".join(counts) if counts else "nothing to report"
    extra = f" ({len(report.not_in_dataset)} added since that run, not checked)"
    return (
        f"{report.checked} of {report.entries} entries checked against the run of "
        f"{report.dataset_generated_at:%Y-%m-%d %H:%M} UTC: {found}"
        + (extra if report.not_in_dataset else "")
    )


def markdown(report: Report) -> str:
    """The report as Markdown (``check.md``, the Prefect artifact): every untrusted text escaped."""
    out = [f"# List check: {md(report.list_source)}", "", md(summary(report)), ""]
    fixable = sum(len(f.fix) for f in report.findings)
    if fixable:
        out += [f"`enrich check --fix` rewrites {fixable} link(s) in place.", ""]
    for kind in FindingKind:
        found = [f for f in report.findings if f.kind == kind]
        if not found:
            continue
        out += [f"## {TITLES[kind]} ({len(found)})", ""]
        out += [_item(f) for f in found]
        out.append("")
    if not report.findings:
        out += ["Every checked entry is alive, in place and listed once.", ""]
    return "\n".join(out)


def _item(finding: Finding) -> str:
    where = "line" if len(finding.lines) == 1 else "lines"
    numbers = ", ".join(map(str, finding.lines))
    text = f"- {where} {numbers}: {code(finding.url)} — {md(finding.message)}"
    if finding.fix:
        text += f" (fix: {code(finding.new_url or finding.fix[0].new)})"
    elif finding.not_fixed:
        text += f" (not rewritten: {md(finding.not_fixed)})"
    return text


def github(report: Report, file: str) -> str:
    """One workflow command per flagged line of ``file``, then the summary as a plain line."""
    out: list[str] = []
    for finding in report.findings:
        title = f"enrich check: {finding.kind.value}"
        message = f"{finding.url}: {finding.message}"
        if finding.fix:
            message += f" (enrich check --fix rewrites it: {finding.new_url or finding.fix[0].new})"
        for line in finding.annotated_lines:
            props = f"file={escape_property(file)},line={line},title={escape_property(title)}"
            out.append(f"::{LEVELS[finding.kind]} {props}::{escape_data(message)}")
    out.append(summary(report))  # a plain line (it starts with a digit, never with "::")
    return "\n".join(out) + "\n"


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped (``%`` first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ``:`` and ``,``, which end or split it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def json_text(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"
