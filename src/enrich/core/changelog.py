"""A diff as a readable Markdown changelog, most significant events first.

Every title, section and value came from a list or an upstream: each goes through
`enrich.core.markdown` before it is put in Markdown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from enrich.core.diff import EVENTS, CounterChange, Diff, Event, Listed, Value
from enrich.core.markdown import code, link, md

# The counters with a top-movers table: a repository's stars, a Hub repository's downloads, a
# paper's Hub upvotes (each kind's main counter).
MOVERS = ("stars", "downloads", "upvotes")


def is_empty(diff: Diff) -> bool:
    # events too: a paper's code released is a change of its ties, not of a compared field
    return not (
        diff["added"] or diff["removed"] or diff["changes"] or diff["counters"] or diff["events"]
    )


def top_movers(diff: Diff, field: str = "stars", n: int = 20) -> list[CounterChange]:
    rows = [c for c in diff["counters"] if c["field"] == field]
    return sorted(rows, key=lambda c: (-abs(c["delta"]), c["id"]))[:n]


def changelog(diff: Diff) -> str:
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
    for field in MOVERS:
        movers = top_movers(diff, field, 10)
        if movers:
            lines += ["", f"## Top movers: {field}", "", f"| entry | {field} | change | per day |"]
            lines.append("|---|---:|---:|---:|")
            for c in movers:
                per_day = "" if c["per_day"] is None else number(c["per_day"], signed=True)
                entry = f"{md(c['title'])} {code(c['id'])}" if c.get("title") else code(c["id"])
                lines.append(f"| {entry} | {c['new']} | {c['delta']:+d} | {per_day} |")
    return "\n".join(lines) + "\n"


def number(value: float, *, signed: bool = False) -> str:
    """A figure as people write it: ``+544960``, ``-3.333``, ``2.5``; never ``5.4e+05``."""
    text = f"{value:+.3f}" if signed else f"{value:.3f}"
    return text.rstrip("0").rstrip(".")


# The units a span is said in, each with the least of it worth that unit: months and years
# only from two of them, so that a 40-day trend reads "40 days", not "1.3 months".
_UNITS = (
    ("year", 365.25 * 86400, 2.0),
    ("month", 30.44 * 86400, 2.0),
    ("day", 86400.0, 1.0),
    ("hour", 3600.0, 1.0),
    ("minute", 60.0, 1.0),
)


def span(gap: timedelta) -> str:
    """A length of time, worded one way wherever a person reads one (the changelog, list.md,
    index.html, ages): ``3 days``, ``1.5 days``, ``5 hours``, ``12 minutes``, ``23 seconds``,
    ``40 days``, ``4 months``, ``2.2 years``; one decimal below ten, whole numbers above."""
    seconds = gap.total_seconds()
    for unit, size, least in _UNITS:
        if abs(seconds) >= least * size:
            return _amount(seconds / size, unit)
    return _amount(seconds, "second")


def _amount(value: float, unit: str) -> str:
    text = number(round(value, 1) if abs(value) < 10 else round(value))
    return f"{text} {unit}" + ("" if text in ("1", "-1") else "s")


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
