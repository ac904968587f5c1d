"""A diff as a readable Markdown changelog, most significant events first.

Every title, section and value came from a list or an upstream: each goes through
`enrich.core.markdown` before it is put in Markdown.
"""

from __future__ import annotations

from datetime import datetime

from enrich.core.diff import EVENTS, CounterChange, Diff, Event, Listed, Value
from enrich.core.markdown import code, link, md
from enrich.core.spec import Registry
from enrich.core.specs import REGISTRY
from enrich.core.wording import number, span

# The counters with a top-movers table (their specs say: a repository's stars, a Hub
# repository's downloads, a paper's Hub upvotes; each kind's main counter).
MOVERS = REGISTRY.movers


def is_empty(diff: Diff) -> bool:
    # events too: a paper's code released is a change of its ties, not of a compared field
    return not (
        diff["added"] or diff["removed"] or diff["changes"] or diff["counters"] or diff["events"]
    )


def top_movers(diff: Diff, field: str = "stars", n: int = 20) -> list[CounterChange]:
    rows = [c for c in diff["counters"] if c["field"] == field]
    return sorted(rows, key=lambda c: (-abs(c["delta"]), c["id"]))[:n]


def changelog(diff: Diff, registry: Registry = REGISTRY) -> str:
    """The diff as a readable Markdown changelog, most significant events first."""
    to = _day(diff["to"]["generated_at"])
    if diff["first_run"]:
        lines = [
            f"# First snapshot ({to})",
            "",
            f"No previous snapshot: all {len(diff['added'])} entries are new.",
            "",
        ]
        lines += [f"- {_link(row)}" for row in diff["added"]]
        return "\n".join(lines) + "\n"
    start = diff["from"]
    assert start is not None  # not the first run
    since = _day(start["generated_at"])
    gap = datetime.fromisoformat(diff["to"]["generated_at"]) - datetime.fromisoformat(
        start["generated_at"]
    )
    lines = [f"# What changed since {since}", "", f"From {since} to {to} ({span(gap)})."]
    if is_empty(diff):
        return "\n".join([*lines, "", "Nothing changed."]) + "\n"
    by_event: dict[str, list[Event]] = {}
    for event in diff["events"]:
        by_event.setdefault(event["event"], []).append(event)
    for kind, title in EVENTS.items():
        rows = by_event.get(kind)
        if not rows:
            continue
        lines += ["", f"## {title} ({len(rows)})", ""]
        for row in rows:
            detail = ""
            if kind == "code_released":
                detail = f": {_code(row)}"
            elif kind == "hub_adoption":
                detail = f": {_value(row['old'])} → {_value(row['new'])} models and datasets"
            elif row["old"] is not None or row["new"] is not None:
                if kind in ("added", "removed"):
                    detail = f" (in {md(row['new'])})" if row["new"] else ""
                else:
                    detail = f": {_value(row['old'])} → {_value(row['new'])}"
            lines.append(f"- {_link(row)}{detail}")
    for field in registry.movers:
        movers = top_movers(diff, field, 10)
        if movers:
            lines += ["", f"## Top movers: {field}", ""]
            said = registry.counter(field).said
            if said:  # the list's total change, in words: "Cited +37 in 7 days (2 entries)."
                moved = [c["delta"] for c in diff["counters"] if c["field"] == field]
                many = "entry" if len(moved) == 1 else "entries"
                lines += [f"{said.capitalize()} {sum(moved):+,} in {span(gap)} "
                          f"({len(moved)} {many}).", ""]  # fmt: skip
            lines.append(f"| entry | {field} | change | per day |")
            lines.append("|---|---:|---:|---:|")
            for c in movers:
                per_day = "" if c["per_day"] is None else number(c["per_day"], signed=True)
                entry = f"{md(c['title'])} {code(c['id'])}" if c.get("title") else code(c["id"])
                lines.append(f"| {entry} | {c['new']} | {c['delta']:+d} | {per_day} |")
    return "\n".join(lines) + "\n"


def _value(value: Value) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    return md(str(value))


def _code(row: Event) -> str:
    """The repository a paper's code event names, linked, with its evidence."""
    repo = str(row["new"])
    shown = link(repo.removeprefix("github:"), row.get("code_url"))
    evidence = row.get("evidence") or []
    return shown + (f" (evidence: {', '.join(code(e) for e in evidence)})" if evidence else "")


def _link(row: Event | Listed) -> str:
    return f"{link(row.get('title') or row['id'], row.get('url'))} {code(row['id'])}"


def _day(stamp: str) -> str:
    return datetime.fromisoformat(stamp).date().isoformat()
