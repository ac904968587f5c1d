"""The enriched list, ``list.md``: the list again, in its own order and sections, each entry on
one line with what matters for its kind (stars and their trend, last commit, license, release;
a paper's year, authors, version and code; a dataset's downloads, likes, license, gating; a web
page's broken or redirected link) and a mark on what is new since the last run.

Options (settings, or ``enrich render``): ``list_sort`` orders the entries of each section by
``stars`` or ``score`` instead of the list's own order; ``list_min_score`` leaves out the entries
scoring below it. The score shown, sorted and filtered by is the percentile within the entry's
kind (`enrich.core.score.percentiles`): a paper's and a repository's totals are on different
scales, their percentiles are not. The demo's notice (sample data) stands under the title.

Every title, name and value from the list or an upstream goes through `enrich.core.markdown`,
so that on GitHub nothing becomes a link, an image, HTML or emphasis that the list did not mean.
"""

from __future__ import annotations

from collections.abc import Mapping

from enrich.core.markdown import link, md
from enrich.core.model import Entry, utc_date
from enrich.core.spec import Registry
from enrich.views import Published
from enrich.views.facts import KIND_NAMES, Facts, compact, counted, facts_of, list_name, trend_span

NAME = "list.md"
DESCRIPTION_CHARS = 90


class ListView:
    name = "list"

    def render(self, published: Published) -> Mapping[str, bytes]:
        return {NAME: render_list(published).encode("utf-8")}


def render_list(published: Published) -> str:
    settings = published.settings
    snapshot = published.snapshot
    header = snapshot.header
    registry = published.registry
    rows = facts_of(published)
    by_id = {f.entry.id: f for f in rows}
    threshold = settings.list_min_score
    kinds = counted(header.by_kind, KIND_NAMES)
    day = utc_date(header.generated_at)
    changes = f"What changed: [diffs/{day}.md](<diffs/{day}.md>). " if published.diff else ""
    lines = [f"# {md(list_name(header))}, enriched", ""]
    if published.about.notice:  # the demo's: sample data, not live facts
        lines += [f"> **{md(published.about.notice)}**", ""]
    lines += [
        f"{header.entries:,} entries ({md(kinds)}), "
        f"refreshed {header.generated_at:%Y-%m-%d %H:%M} UTC. "
        f"{changes}The report with trends: [index.html](<index.html>).",
        "",
        f"{registry.legend}; "
        "**new**: added since the last run; score: its percentile among the list's entries of "
        "its kind (100: the best of them; README of enrich, section Score).",
    ]
    hidden = 0
    previous: list[str] = []
    for section, group in _sections(snapshot.entries):
        shown = [by_id[e.id] for e in group]
        if threshold is not None:
            kept = [f for f in shown if f.percentile is None or f.percentile >= threshold]
            hidden += len(shown) - len(kept)
            shown = kept
        if not shown:
            continue
        lines += _headings(previous, section)
        previous = section
        lines += [_line(f, registry) for f in _sorted(shown, settings.list_sort)]
    if hidden:
        lines += [
            "",
            f"{hidden} entries scoring below {threshold:g} (their percentile within "
            "their kind) are not shown.",
        ]
    # One blank line between blocks, however the headings met.
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"


def _sections(entries: list[Entry]) -> list[tuple[list[str], list[Entry]]]:
    """Runs of consecutive positions in one section, in the list's order (an entry listed twice
    stands at both places)."""
    placed = sorted(
        ((p.index, p.section, e) for e in entries for p in e.positions), key=lambda t: t[0]
    )
    runs: list[tuple[list[str], list[Entry]]] = []
    for _, section, entry in placed:
        if runs and runs[-1][0] == section:
            runs[-1][1].append(entry)
        else:
            runs.append((section, [entry]))
    return runs


def _headings(previous: list[str], section: list[str]) -> list[str]:
    """Headings for the parts of ``section`` that differ from the section before it."""
    same = 0
    while same < min(len(previous), len(section)) and previous[same] == section[same]:
        same += 1
    if same == len(section) and section:
        same -= 1  # the same section again after another one: repeat its heading
    out: list[str] = []
    for depth in range(same, len(section)):
        out += ["", f"{'#' * min(depth + 2, 6)} {md(section[depth])}", ""]
    if not section:
        out += [""]
    return out


def _sorted(rows: list[Facts], order: str) -> list[Facts]:
    if order == "list":
        return rows
    if order == "stars":

        def key(f: Facts) -> float | None:
            if f.counter == "stars":
                return f.value
            return f.code.stars if f.code is not None else None

    else:

        def key(f: Facts) -> float | None:
            return f.percentile

    # Highest first; entries without the value keep their order, after the others.
    return sorted(rows, key=lambda f: (key(f) is None, -(key(f) or 0)))


def _line(f: Facts, registry: Registry) -> str:
    parts = [link(f.name, f.url)]
    if f.new:
        parts.insert(0, "**new**")
    facts_ = []
    if f.value is not None and f.counter:
        shown = registry.counter(f.counter)
        text = f"{shown.symbol} {compact(f.value)}{shown.unit}"
        if f.delta and f.delta_days is not None:
            text += f" ({f.delta:+,} in {trend_span(f.delta_days)})"
        facts_.append(text)
    facts_ += [md(d) for d in f.details]
    if f.code is not None:
        stars = f" ★ {compact(f.code.stars)}" if f.code.stars is not None else ""
        facts_.append(f"code: {link(f.code.name, f.code.url)}{stars}")
    if f.percentile is not None:
        facts_.append(f"score {f.percentile:.0f}")
    facts_ += [f"**{md(m)}**" for m in f.marks]
    line = " ".join(parts)
    if facts_:
        line += " · " + " · ".join(facts_)
    description = (f.entry.description or "").strip()
    if description:
        short = " ".join(description.split())
        if len(short) > DESCRIPTION_CHARS:
            short = short[: DESCRIPTION_CHARS - 1].rstrip() + "…"
        line += f" — {md(short)}"
    return f"- {line}"
