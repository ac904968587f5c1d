"""The HTML report, ``index.html``: one self-contained page, rendered with Jinja2.

The header facts of the snapshot, the last changelog, and a table of every entry that sorts and
filters by kind, status and section in the page itself, with a sparkline of each entry's main
counter over the history (`enrich.views.svg`). No CDN, no font, no request at all: styles and the
small script are inline, and a Content-Security-Policy allows only those two (by their hashes),
so the page opens from disk or a static host, and a script that an upstream managed to slip
into a title would not run even if escaping failed. Jinja2 escapes every value (autoescape);
links are made only to http(s) URLs.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from enrich.core.changelog import top_movers
from enrich.core.diff import EVENTS, Diff
from enrich.core.model import Status, utc_date
from enrich.core.spec import Registry
from enrich.core.wording import span
from enrich.views import Published
from enrich.views.facts import (
    DAY_US,
    KIND_NAMES,
    Facts,
    compact,
    counted,
    facts,
    list_name,
    trend_span,
)
from enrich.views.svg import sparkline

NAME = "index.html"
# Items shown per changelog group; the full changelog is diffs/DAY.md.
CHANGELOG_ITEMS = 50
DESCRIPTION_CHARS = 140


class ReportView:
    name = "report"

    def render(self, published: Published) -> Mapping[str, bytes]:
        return {NAME: render_report(published).encode("utf-8")}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("enrich.views", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _asset(name: str) -> tuple[str, str]:
    """A template asset's text and its CSP hash source."""
    text = (files("enrich.views") / "templates" / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
    return text, f"'sha256-{digest}'"


def _href(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def _short(text: str | None, limit: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _row(f: Facts, registry: Registry) -> dict[str, Any]:
    entry = f.entry
    section = " › ".join(entry.section)
    order = min((p.index for p in entry.positions), default=0)
    counter = registry.counter(f.counter).symbol if f.counter else ""
    delta = None
    if f.delta and f.delta_days is not None:
        delta = f"{f.delta:+,} in {trend_span(f.delta_days)}"
    label = ""
    if f.series:
        (start, first), (end, last) = f.series[0], f.series[-1]
        label = f"{f.counter}: {compact(first)} → {compact(last)}, {len(f.series)} points"
        label += f" over {trend_span((end - start) / DAY_US)}" if len(f.series) > 1 else ""
    parts = entry.score.parts if entry.score is not None else []
    return {
        "order": order,
        "name": f.name,
        "href": _href(f.url),
        "new": f.new,
        "marks": f.marks,
        "kind": entry.kind.value,
        "status": entry.status.value,
        "reason": entry.status_reason or "",
        "section": section,
        "counter": counter,
        "value": f.value,
        "value_text": compact(f.value) if f.value is not None else "",
        "delta": f.delta,
        "delta_text": delta,
        "spark": sparkline(f.series, label),
        "score": f.percentile,
        "score_title": _score_title(f, parts),
        "details": f.details,
        "code": f.code,
        "code_href": _href(f.code.url) if f.code else None,
        "code_stars": compact(f.code.stars) if f.code and f.code.stars is not None else None,
        "description": _short(entry.description, DESCRIPTION_CHARS),
    }


def _score_title(f: Facts, parts: list[Any]) -> str:
    """The hover text of a score: where it stands in its kind, and the total's parts."""
    if f.percentile is None or f.score is None:
        return ""
    sum_ = " + ".join(f"{p.name} {p.points:g}" for p in parts)
    return (
        f"percentile {f.percentile:.0f} among {f.peers} (100: the best of them); "
        f"score {f.score:g} = {sum_}"
    )


def _sections(rows: list[dict[str, Any]]) -> list[str]:
    """Every section and its parents, in the list's order."""
    seen: dict[str, None] = {}
    for row in sorted(rows, key=lambda r: r["order"]):
        parts = row["section"].split(" › ") if row["section"] else []
        for depth in range(1, len(parts) + 1):
            seen.setdefault(" › ".join(parts[:depth]), None)
    return list(seen)


def _changelog(diff: Diff | None) -> dict[str, Any] | None:
    if diff is None:
        return None
    start = diff["from"]
    groups = []
    by_event: dict[str, list[Any]] = {}
    for event in diff["events"]:
        by_event.setdefault(event["event"], []).append(event)
    for kind, title in EVENTS.items():
        rows = by_event.get(kind, [])
        if rows:
            shown = [
                {
                    "title": e["title"],
                    "id": e["id"],
                    "href": _href(e["url"]),
                    "old": e["old"],
                    "new": e["new"],
                    "listed": kind in ("added", "removed"),
                }
                for e in rows[:CHANGELOG_ITEMS]
            ]
            groups.append(
                {"title": title, "count": len(rows), "rows": shown, "more": len(rows) - len(shown)}
            )
    movers = {
        field: [
            {"id": c["id"], "new": c["new"], "delta": f"{c['delta']:+,}"}
            for c in top_movers(diff, field, 10)
        ]
        for field in ("stars", "downloads")
    }
    return {
        "first_run": diff["first_run"],
        "since": _day(start["generated_at"]) if start else None,
        "to": _day(diff["to"]["generated_at"]),
        "span": span(_time(diff["to"]["generated_at"]) - _time(start["generated_at"]))
        if start
        else None,
        "added": len(diff["added"]),
        "groups": groups,
        "movers": {k: v for k, v in movers.items() if v},
        "file": f"diffs/{_day(diff['to']['generated_at'])}.md",
    }


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _day(stamp: str) -> str:
    return _time(stamp).date().isoformat()


def render_report(published: Published) -> str:
    snapshot = published.snapshot
    header = snapshot.header
    registry = published.registry
    rows = [_row(f, registry) for f in facts(snapshot, published.diff, published.history, registry)]
    rows.sort(key=lambda r: (r["order"], r["name"]))
    style, style_hash = _asset("report.css")
    script, script_hash = _asset("report.js")
    csp = (
        f"default-src 'none'; style-src {style_hash}; script-src {script_hash}; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=list_name(header),
        notice=published.about.notice,
        header=header,
        kind_counts=counted(header.by_kind, KIND_NAMES),
        status_counts=counted(header.by_status),
        day=utc_date(header.generated_at),
        rows=rows,
        kinds=[c.name for c in header.by_kind],
        statuses=[s.value for s in Status if any(c.name == s.value for c in header.by_status)],
        sections=_sections(rows),
        changelog=_changelog(published.diff),
        csp=csp,
        style=style,
        script=script,
    )
