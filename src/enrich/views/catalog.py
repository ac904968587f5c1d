"""The catalog's own views, ``OUT/catalog/index.html`` and ``OUT/catalog/feed.xml``: what a run
over many lists published, seen across the lists.

- ``index.html``: the lists (slug, source, entries, counts per kind and status, when each last
  changed, a link to its own page ``lists/<slug>/index.html``); what changed across them
  tonight, from each list's diff of this run (entries added, removed, and every other event,
  each entity once with the lists it changed in; the biggest counter movers across the lists);
  and the entities most lists share (top `SHARED_TOP` by number of lists, with their stars and
  downloads). The same page as a list's report (`enrich.views.report`): its Jinja2
  environment (autoescape: list-written titles and descriptions are text, never markup), its
  stylesheet, its Content-Security-Policy (no script at all here), from `enrich.views.html`.
- ``feed.xml``: an Atom item per run that changed something in any list, naming the lists and
  what changed in each (`enrich.views.feed.what_changed`); a run where nothing changed is no
  item. Item ids are names of the run (``urn:uuid``, from the run id), so a reader never sees
  an item twice, and a rerender gives the same ids.

Pure: a function of `CatalogPublished` (the lists' table, their snapshots, tonight's diffs and
each list's published runs in a few words), gathered by the run (`enrich.run.catalog`) or read
back from the output folder (`enrich render`, `enrich.run.render`).
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from feedgen.feed import FeedGenerator

from enrich.core.diff import EVENTS, Diff
from enrich.core.model import Entry, Snapshot, utc_date
from enrich.core.spec import Registry
from enrich.core.specs import REGISTRY
from enrich.views.facts import KIND_NAMES, compact, list_name
from enrich.views.feed import changed, what_changed
from enrich.views.html import asset, csp, environment, href, short

INDEX = "index.html"
FEED = "feed.xml"
# How many shared entities the page shows: the head of the ranking is what tells lists apart.
SHARED_TOP = 25
# Rows shown per group of tonight's changes (the lists' own changelogs hold the rest).
CHANGES_SHOWN = 50
MOVERS_SHOWN = 10
DESCRIPTION_CHARS = 140
_NAMESPACE = uuid.UUID("4b8e1f0a-93c2-4d6e-8a57-2f1c9d0e6b31")  # the catalog feed's item ids
_LISTED = ("added", "removed")
_STATUSES = ("ok", "stale", "error", "skipped", "pending")


@dataclass(frozen=True)
class ListNight:
    """One run of one list, as the feed tells it: what changed, in a few words (a list's
    older diffs are read into these, one list at a time: a catalog of hundreds of lists keeps
    none of their entries in memory)."""

    run_id: str
    generated_at: str
    changed: bool  # the first snapshot, or anything that moved (`enrich.views.feed.changed`)
    what: str  # `enrich.views.feed.what_changed`
    first_run: bool = False


def night_of(diff: Diff) -> ListNight:
    return ListNight(diff["to"]["run_id"], diff["to"]["generated_at"], changed(diff),
                     what_changed(diff), diff["first_run"])  # fmt: skip


@dataclass(frozen=True)
class CatalogPublished:
    """What the catalog's views read: the run (its id and time), ``lists.parquet``'s rows,
    each published list's snapshot (by slug), each list's diff of this run when it changed
    something beyond its first snapshot (``tonight``), each list's published runs, newest
    first, this run's included (``nights``, `night_of`), the notice shown first (the demo's:
    sample data), and the sources' specs (which counters have movers)."""

    run_id: str
    generated_at: datetime
    lists: Sequence[Mapping[str, Any]]
    snapshots: Mapping[str, Snapshot]
    tonight: Mapping[str, Diff] = field(default_factory=dict)
    nights: Mapping[str, Sequence[ListNight]] = field(default_factory=dict)
    notice: str | None = None
    registry: Registry = REGISTRY
    # Each list's entity ids in its order, when its snapshot holds only the entities no earlier
    # list held (a catalog run's finish: `enrich.store.catalog.FirstRecords`); else its entries.
    linked: Mapping[str, Sequence[str]] = field(default_factory=dict)


def render(published: CatalogPublished) -> dict[str, bytes]:
    return {INDEX: index_html(published).encode("utf-8"), FEED: feed_xml(published)}


def this_run(published: CatalogPublished) -> dict[str, ListNight]:
    """Each list's night of this run (a list refused or unread this run has none)."""
    return {
        slug: runs[0]
        for slug, runs in published.nights.items()
        if runs and runs[0].run_id == published.run_id
    }


def shared(
    snapshots: Mapping[str, Snapshot],
    top: int = SHARED_TOP,
    linked: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """The entities most lists link, most first (ties: most stars, then downloads, then id),
    at most ``top``; each with the lists that link it (``linked``'s ids of a list, when given,
    else its entries': an entity's record is the first list's either way)."""
    lists: dict[str, list[str]] = {}
    first: dict[str, Entry] = {}
    for slug, snapshot in snapshots.items():
        for entry in snapshot.entries:
            first.setdefault(entry.id, entry)
        ids = (linked or {}).get(slug)
        for eid in ids if ids is not None else [e.id for e in snapshot.entries]:
            lists.setdefault(eid, []).append(slug)
    # Ranked first, rows made for the top only: a catalog of 61,199 entities made a row for each
    # to keep 50 (23% of the catalog's finish). Ids are unique, so the order is total.
    ranked = heapq.nsmallest(top, lists, key=lambda eid: _rank(first[eid], len(lists[eid])))
    return [_shared_row(first[eid], sorted(lists[eid])) for eid in ranked]


def _rank(entry: Entry, lists: int) -> tuple[int, int, int, str]:
    stars = entry.repo.stars if entry.repo is not None else None
    downloads = entry.hub.downloads if entry.hub is not None else None
    return -lists, -(stars or 0), -(downloads or 0), entry.id


def _shared_row(entry: Entry, lists: list[str]) -> dict[str, Any]:
    stars = entry.repo.stars if entry.repo is not None else None
    downloads = entry.hub.downloads if entry.hub is not None else None
    return {
        "id": entry.id, "name": _name(entry), "href": href(entry.url), "kind": entry.kind.value,
        "lists": lists, "stars": stars, "downloads": downloads,
        "stars_text": _compact(stars), "downloads_text": _compact(downloads),
    }  # fmt: skip


def changes(diffs: Mapping[str, Diff], registry: Registry = REGISTRY) -> dict[str, Any]:
    """Tonight's changes across the lists, each entity once per kind of change, with the lists
    it changed in: listed entries added and removed, every other event, the movers of each
    counter whose spec asks for them (`Registry.movers`). A list's first snapshot is not a
    change of its entries (the page names it a new list)."""
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    movers: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in registry.movers}
    for slug, diff in sorted(diffs.items()):
        if diff["first_run"]:
            continue
        for row in diff["added"]:
            _listed(groups, "added", row["id"], row["title"], row["url"], None, slug)
        for row in diff["removed"]:
            _listed(groups, "removed", row["id"], row["title"], row["url"], None, slug)
        for event in diff["events"]:
            if event["event"] not in _LISTED:
                shown = _change(event["old"], event["new"])
                _listed(groups, event["event"], event["id"], event["title"], event["url"], shown,
                        slug)  # fmt: skip
        for counter in diff["counters"]:
            if counter["field"] in movers:
                known = movers[counter["field"]].setdefault(counter["id"], {**counter, "lists": []})
                known["lists"].append(slug)
    shown_groups = []
    for kind, title in EVENTS.items():
        rows = list(groups.get(kind, {}).values())
        if rows:
            shown_groups.append({"title": title, "count": len(rows), "rows": rows[:CHANGES_SHOWN],
                                 "more": max(0, len(rows) - CHANGES_SHOWN)})  # fmt: skip
    top: dict[str, list[dict[str, Any]]] = {}
    for name, found in movers.items():
        ranked = sorted(found.values(), key=lambda c: (-abs(c["delta"]), c["id"]))
        top_rows = [
            {"id": c["id"], "title": c["title"], "new": c["new"], "delta": f"{c['delta']:+,}",
             "lists": c["lists"]}
            for c in ranked[:MOVERS_SHOWN]
        ]  # fmt: skip
        if top_rows:
            top[name] = top_rows
    return {
        "groups": shown_groups,
        "movers": top,
    }


def nights(published: CatalogPublished) -> list[tuple[str, dict[str, ListNight]]]:
    """Every run of the lists' published diffs, newest first, with the lists it changed (by
    slug); a run that changed nothing is left out."""
    runs: dict[str, dict[str, ListNight]] = {}
    stamps: dict[str, str] = {}
    for slug, listed in published.nights.items():
        for night in listed:
            stamps.setdefault(night.run_id, night.generated_at)
            if night.changed:
                runs.setdefault(night.run_id, {})[slug] = night
    ordered = sorted(runs, key=lambda r: (stamps[r], r), reverse=True)
    return [(run_id, dict(sorted(runs[run_id].items()))) for run_id in ordered]


def index_html(published: CatalogPublished) -> str:
    night = this_run(published)
    style, style_hash = asset("report.css")
    rows = [_list_row(row, night.get(str(row["slug"]))) for row in published.lists]
    for row in rows:  # the list's own title (its text: escaped as any other)
        snapshot = published.snapshots.get(row["slug"])
        row["name"] = list_name(snapshot.header) if snapshot is not None else None
    return (
        environment()
        .get_template("catalog.html.j2")
        .render(
            day=utc_date(published.generated_at),
            generated_at=published.generated_at,
            run_id=published.run_id,
            notice=published.notice,
            lists=rows,
            published=sum(1 for r in rows if r["href"]),
            entities=len({e.id for s in published.snapshots.values() for e in s.entries}),
            changes=changes(published.tonight, published.registry),
            new_lists=sorted(slug for slug, n in night.items() if n.first_run),
            changed=[r for r in rows if r["tonight"]],
            shared=shared(published.snapshots, SHARED_TOP, published.linked),
            shared_top=SHARED_TOP,
            csp=csp(style_hash),
            style=style,
        )
    )


def feed_xml(published: CatalogPublished) -> bytes:
    feed = FeedGenerator()
    feed.id(_urn("catalog-feed"))
    feed.title("The catalog of lists: what changed")
    feed.subtitle(
        "What changed in the catalog's awesome lists, enriched every night"
        + (f". {published.notice}" if published.notice else "")
    )
    feed.author({"name": "enrich"})
    feed.link(href=FEED, rel="self", type="application/atom+xml")
    feed.link(href=INDEX, rel="alternate")
    feed.generator("enrich")
    feed.updated(published.generated_at)
    for run_id, lists in nights(published):
        stamp = next(iter(lists.values())).generated_at
        day = datetime.fromisoformat(stamp).date().isoformat()
        item = feed.add_entry(order="append")  # newest first, as `nights` orders them
        item.id(_urn(f"catalog-run:{run_id}"))
        names = ", ".join(lists)
        item.title(f"{day}: {len(lists)} {'list' if len(lists) == 1 else 'lists'} changed "
                   f"({names})")  # fmt: skip
        item.updated(datetime.fromisoformat(stamp))
        item.link(href=INDEX, rel="alternate")
        lines = "".join(
            f'<li><a href="{escape(f"../lists/{slug}/diffs/runs/{run_id}.md")}">{escape(slug)}'
            f"</a>: {escape(night.what)}</li>"
            for slug, night in lists.items()
        )
        item.content(f"<ul>{lines}</ul>", type="html")
        item.category(term="run")
    return bytes(feed.atom_str(pretty=True))


def _list_row(row: Mapping[str, Any], night: ListNight | None) -> dict[str, Any]:
    slug = str(row["slug"])
    published = row["error"] is None and row["sha256"] is not None
    kinds = [
        f"{row[f'kind_{k}']:,} {names[0] if row[f'kind_{k}'] == 1 else names[1]}"
        for k, names in KIND_NAMES.items()
        if row.get(f"kind_{k}")
    ]
    statuses = [f"{row[f'status_{s}']:,} {s}" for s in _STATUSES if row.get(f"status_{s}")]
    when = row["changed_at"]
    return {
        "slug": slug,
        "source": row["source"],
        "source_href": href(row["source"]),
        "entries": row["entries"],
        "kinds": ", ".join(kinds),
        "statuses": ", ".join(statuses),
        "changed_at": utc_date(when) if isinstance(when, datetime) else None,
        "changed_iso": when.isoformat() if isinstance(when, datetime) else None,
        "error": short(row["error"], DESCRIPTION_CHARS) if row["error"] else None,
        "href": f"../lists/{slug}/index.html" if published else None,
        "tonight": night.what if night is not None and night.changed else None,
    }


def _listed(
    groups: dict[str, dict[str, dict[str, Any]]],
    kind: str,
    eid: str,
    title: str | None,
    url: str | None,
    shown: str | None,
    slug: str,
) -> None:
    row = groups.setdefault(kind, {}).setdefault(
        eid, {"id": eid, "title": title, "href": href(url), "change": shown, "lists": []}
    )
    if slug not in row["lists"]:
        row["lists"].append(slug)


def _change(old: object, new: object) -> str | None:
    if old is None and new is None:
        return None
    return f"{old if old is not None else '–'} → {new if new is not None else '–'}"


def _name(entry: Entry) -> str:
    return " ".join((entry.display_title or entry.title or entry.id).split())


def _compact(value: int | None) -> str:
    return compact(value) if value is not None else ""


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"
