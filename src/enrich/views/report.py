"""The HTML report, ``index.html``: self-contained pages, rendered with Jinja2.

The header facts of the snapshot, the last changelog, and a table of the entries that sorts and
filters by kind, status and section in the page itself, with a sparkline of each entry's main
counter over the history (`enrich.views.svg`). No CDN, no font, no request at all: styles and the
small script are inline, and a Content-Security-Policy allows only those two (by their hashes),
so the page opens from disk or a static host, and a script that an upstream managed to slip
into a title would not run even if escaping failed. Jinja2 escapes every value (autoescape);
links are made only to http(s) URLs (`enrich.views.html`).

A list longer than ``report_page_entries`` (1,000) is paged: ``index.html`` holds the header,
the changelog and the first entries, ``pages/2.html``, ``pages/3.html``… the next ones, each a
complete page with the same header, style and script, linked from every page with the
sections each holds. Static pages rather than rows loaded by script from a data file beside
the page: a browser reads no file beside a page opened from disk (``file://``), the pages need
no script to show their entries, and the CSP stays the same two hashes. A 10,000-entry list's
first page opens as fast as a 1,000-entry list (benches/RESULTS.md); sorting and filtering act
on the page shown (every entry: ``list.md``, ``latest.json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
    facts_of,
    list_name,
    trend_span,
)
from enrich.views.html import asset, csp, environment, href, short
from enrich.views.svg import sparkline

NAME = "index.html"
PAGES = "pages"  # the folder of a paged report's later pages: pages/2.html, pages/3.html…
# Items shown per changelog group; the full changelog is diffs/DAY.md.
CHANGELOG_ITEMS = 50
MOVERS_SHOWN = 10
DESCRIPTION_CHARS = 140


class ReportView:
    name = "report"

    def render(self, published: Published) -> Mapping[str, bytes]:
        return {path: html.encode("utf-8") for path, html in render_pages(published).items()}


def page_path(number: int) -> str:
    """Page ``number``'s file, relative to the dataset folder (the first: ``index.html``)."""
    return NAME if number == 1 else f"{PAGES}/{number}.html"


def _row(f: Facts, symbols: Mapping[str, str]) -> dict[str, Any]:
    entry = f.entry
    section = " › ".join(entry.section)
    order = min((p.index for p in entry.positions), default=0)
    counter = symbols[f.counter] if f.counter else ""
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
        "href": href(f.url),
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
        "code_href": href(f.code.url) if f.code else None,
        "code_stars": compact(f.code.stars) if f.code and f.code.stars is not None else None,
        "description": short(entry.description, DESCRIPTION_CHARS),
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


def _changelog(diff: Diff | None, registry: Registry) -> dict[str, Any] | None:
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
                    "href": href(e["url"]),
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
            {"id": c["id"], "title": c.get("title"), "new": c["new"], "delta": f"{c['delta']:+,}"}
            for c in top_movers(diff, field, MOVERS_SHOWN)
        ]
        for field in registry.movers  # each counter whose spec asks for movers: no name here
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
    """The report's first page, ``index.html`` (the whole report when the list is one page)."""
    return render_pages(published)[NAME]


def render_pages(published: Published) -> dict[str, str]:
    """The report's pages by path: ``index.html``, and ``pages/N.html`` for a list longer
    than ``report_page_entries``."""
    snapshot = published.snapshot
    header = snapshot.header
    registry = published.registry
    symbols = {name: registry.counter(name).symbol for name in registry.counters}
    rows = [_row(f, symbols) for f in facts_of(published)]
    rows.sort(key=lambda r: (r["order"], r["name"]))
    size = published.settings.report_page_entries
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
    nav = [_nav_item(n, chunk, size) for n, chunk in enumerate(chunks, start=1)]
    style, style_hash = asset("report.css")
    script, script_hash = asset("report.js")
    template = environment().get_template("report.html.j2")
    common = {
        "title": list_name(header),
        "notice": published.about.notice,
        "header": header,
        "kind_counts": counted(header.by_kind, KIND_NAMES),
        "status_counts": counted(header.by_status),
        "day": utc_date(header.generated_at),
        "csp": csp(style_hash, script_hash),
        "style": style,
        "script": script,
        "total": len(rows),
    }
    pages = {}
    for number, chunk in enumerate(chunks, start=1):
        kinds = {r["kind"] for r in chunk}
        statuses = {r["status"] for r in chunk}
        pages[page_path(number)] = template.render(
            **common,
            root="" if number == 1 else "../",
            rows=chunk,
            kinds=[c.name for c in header.by_kind if c.name in kinds],
            statuses=[s.value for s in Status if s.value in statuses],
            sections=_sections(chunk),
            changelog=_changelog(published.diff, registry) if number == 1 else None,
            paged=len(chunks) > 1,
            number=number,
            nav=nav,
        )
    return pages


def _nav_item(number: int, chunk: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """A page as the page list names it: which entries it holds, and their sections."""
    start = (number - 1) * size
    tops = [r["section"].split(" › ")[0] for r in chunk if r["section"]]
    sections = ""
    if tops:
        sections = tops[0] if tops[0] == tops[-1] else f"{tops[0]} … {tops[-1]}"
    return {
        "number": number,
        "href": page_path(number),
        "span": f"{start + 1:,}–{start + len(chunk):,}",
        "sections": sections,
    }
