"""A diff as a readable Markdown changelog, most significant events first.

Every title, section and value came from a list or an upstream: each goes through
`enrich.core.markdown` before it is put in Markdown.
"""

from __future__ import annotations

from datetime import datetime

from enrich.core.diff import EVENTS, CounterChange, Diff, Event, Listed
from enrich.core.markdown import code, link, md


def is_empty(diff: Diff) -> bool:
    return not (diff["added"] or diff["removed"] or diff["changes"] or diff["counters"])


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
    days = diff["days"]
    lines = [f"# What changed since {since}", "", f"From {since} to {to} ({days:g} days)."]
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
            if row["old"] is not None or row["new"] is not None:
                if kind in ("added", "removed"):
                    detail = f" (in {md(row['new'])})" if row["new"] else ""
                else:
                    detail = f": {md(row['old'] or '–')} → {md(row['new'] or '–')}"
            lines.append(f"- {_link(row)}{detail}")
    for field in ("stars", "downloads"):
        movers = top_movers(diff, field, 10)
        if movers:
            lines += ["", f"## Top movers: {field}", "", f"| entry | {field} | change | per day |"]
            lines.append("|---|---:|---:|---:|")
            for c in movers:
                per_day = "" if c["per_day"] is None else f"{c['per_day']:+g}"
                lines.append(f"| {code(c['id'])} | {c['new']} | {c['delta']:+d} | {per_day} |")
    return "\n".join(lines) + "\n"


def _link(row: Event | Listed) -> str:
    return f"{link(row.get('title') or row['id'], row.get('url'))} {code(row['id'])}"


def _day(stamp: str) -> str:
    return datetime.fromisoformat(stamp).date().isoformat()
