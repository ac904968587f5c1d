"""The catalog's own tables, beside each list's dataset (``OUT/lists/<slug>/``)::

    OUT/catalog/
      entities.parquet     one row per entity of any list: ``id`` and its enriched fields (what
                           every list shares; the list-written fields are in memberships)
      memberships.parquet  one row per (list, entity): the list's slug, the entity's id, and the
                           section, line, title and description as that list wrote them
      lists.parquet        one row per list: slug, source, sha256, entries, counts per kind and
                           per status, when its text last changed, when its dataset was built
                           (``last_seen``), and why it was not published this run (null when it
                           was)
      history/entities/date=YYYY-MM-DD/part-0.parquet
                           one row per entity per run day: a list's history rows
                           (`enrich.store.history`: id, kind, status, observed_at, counters)
      history/memberships/date=YYYY-MM-DD/part-0.parquet
                           one row per (list, entity) per run day: ``memberships.parquet``'s
                           row of each list read and published that day, observed_at
      history/lists/date=YYYY-MM-DD/part-0.parquet
                           one row per list per run day: ``lists.parquet``'s row, observed_at
      index.html, feed.xml the catalog's page and feed (`enrich.views.catalog`), when given
    OUT/README.md          the catalog's dataset card (`enrich.views.catalogcard`), when given

A list not published this run (unreadable, refused by its guard, or not among this run's lists
at all) keeps its folder as it was: a catalog holds every list whose folder holds a dataset
(``lists/<slug>/latest.json``). Its row of ``lists.parquet`` describes the dataset still in its
folder (its sha256, counts, ``last_seen``) and says why in ``error``; its memberships stay, from
that dataset; an entity no list of this run links keeps the values of that dataset (its
``fetched_at`` says how old). The history holds what was observed: only the lists read and
published that day, and their entities. Removing a list's folder drops it from the catalog.

Each file is replaced atomically; the catalog is written after the lists' datasets, its tables
and history before its views. A rerun on one day replaces that day's partitions; earlier days
are never rewritten. Read a history as a list's is read::

    pl.read_parquet("OUT/catalog/history/entities/**/*.parquet", hive_partitioning=True)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from enrich.core.errors import EnrichError
from enrich.core.model import Entry, Header, Snapshot, utc_date
from enrich.store import history
from enrich.store.codec import parquet_bytes, read_snapshot, to_arrow
from enrich.store.files import atomic_write_bytes, signals_deferred

logger = logging.getLogger(__name__)

# The fields of an entry that its list wrote (or that depend on its list): memberships' columns,
# not the shared entity's.
LIST_FIELDS = (
    "title", "display_title", "description", "section", "positions", "items", "same_item",
    "urls", "url", "listed_version", "ties", "cross_links",
)  # fmt: skip
KINDS = ("paper", "repo", "dataset", "model", "space", "collection", "web")
STATUSES = ("ok", "stale", "error", "skipped", "pending")
# The catalog's tables, by name (a config of its dataset card each, with their history).
TABLES = ("entities", "memberships", "lists")
# Why a list whose folder holds a dataset has no row of this run: it was neither given nor
# linked (a --follow that no longer reaches it, a shorter --max-lists, a list dropped).
ABSENT = "not among this run's lists; its folder keeps the dataset it last published"
_STAMP = pa.timestamp("us", "UTC")


@dataclass(frozen=True)
class CatalogList:
    """One list of the catalog run, as the catalog records it."""

    slug: str
    source: str
    snapshot: Snapshot | None  # None: not published this run
    error: str | None = None  # why not
    # Not published this run: the dataset its folder still holds (`kept`), if any.
    kept: Snapshot | None = None
    # This run's memberships rows of the list, when its ``snapshot`` holds only the entities
    # no earlier list held (`FirstRecords.reduce`: its header is whole).
    members: pa.Table | None = None

    @property
    def shown(self) -> Snapshot | None:
        """The dataset its folder holds after this run: this run's, else the kept one."""
        return self.snapshot if self.snapshot is not None else self.kept


class FirstRecords:
    """What a catalog run keeps of each list it published, for the catalog's finish, rather
    than its snapshot: its header, its memberships rows (Arrow), and its entries that no
    earlier list held (`reduce`). The catalog's tables read only those: an entity's record is
    the first list's (`union`), the memberships are the lists' rows in order (`memberships`)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()  # every entity of the lists reduced, in any of them

    def reduce(self, slug: str, source: str, snapshot: Snapshot) -> CatalogList:
        members = memberships([CatalogList(slug, source, snapshot)])
        first = [e for e in snapshot.entries if e.id not in self.ids]
        self.ids.update(e.id for e in first)
        return CatalogList(slug, source, Snapshot(header=snapshot.header, entries=first),
                           members=members)  # fmt: skip


def write(
    out_dir: Path,
    lists: Sequence[CatalogList],
    now: datetime,
    views: Callable[[pa.Table], Mapping[str, bytes]] | None = None,
    root: Callable[[Mapping[str, pa.Table]], Mapping[str, bytes]] | None = None,
) -> list[Path]:
    """Write ``out_dir/catalog/``: the tables from the lists' snapshots (and the datasets kept
    in the folders of the lists not published: `with_kept`), the day's history partitions,
    then the files ``views`` renders from the lists' table (by path relative to the folder)
    and those ``root`` renders from the tables (by path relative to ``out_dir``: the card);
    returns the paths."""
    folder = out_dir / "catalog"
    every_list = with_kept(out_dir, lists)
    published = [one for one in every_list if one.snapshot is not None]
    tonight = union(published)
    every = union(every_list, shown=True)
    # Tonight's entities as Arrow once: the entities table too, unless a kept dataset adds some
    # (`union` of the shown datasets begins with tonight's, in the same order, same header).
    full = in_parts(tonight) if tonight is not None else None
    rows = list_rows(every_list, _previous(folder / "lists.parquet"), now)
    members = memberships(every_list)
    tables = {
        "entities": (
            _without_list_fields(full)
            if full is not None and every is not None and len(every.entries) == full.num_rows
            else entities_of(every)
        ),
        "memberships": members,
        "lists": rows,
    }
    del every
    day = utc_date(now)
    files = {folder / f"{name}.parquet": table for name, table in tables.items()}
    files[history.day_file(folder / "history" / "lists", day)] = _observed(rows, now)
    files[history.day_file(folder / "history" / "memberships", day)] = _observed(
        memberships(published), now
    )
    if tonight is not None and full is not None:
        files[history.day_file(folder / "history" / "entities", day)] = history.rows(
            full, tonight.header
        )
    del full
    written = {path: parquet_bytes(table) for path, table in files.items()}
    # Arrow's pool (mimalloc) keeps what the conversions freed: given back before the views.
    pa.default_memory_pool().release_unused()
    written |= {folder / name: data for name, data in (views(rows) if views else {}).items()}
    written |= {out_dir / name: data for name, data in (root(tables) if root else {}).items()}
    with signals_deferred():  # a SIGTERM lands before or after the catalog's files
        for path, data in written.items():
            atomic_write_bytes(path, data)
    return list(written)


def with_kept(out_dir: Path, lists: Sequence[CatalogList]) -> list[CatalogList]:
    """``lists``, each not published this run with the dataset its folder keeps, then every
    other list whose folder holds a dataset (not among this run's lists: `ABSENT`), by slug."""
    given = {one.slug for one in lists}
    found = [
        one if one.snapshot is not None else replace(one, kept=kept_dataset(out_dir, one.slug))
        for one in lists
    ]
    folders = out_dir / "lists"
    others = sorted(
        p.name for p in (folders.iterdir() if folders.is_dir() else ())
        if p.name not in given and not p.is_symlink() and (p / "latest.json").is_file()
    )  # fmt: skip
    for name in others:
        kept = kept_dataset(out_dir, name)
        if kept is not None:
            found.append(CatalogList(name, kept.header.list_source, None, ABSENT, kept))
    return found


def kept_dataset(out_dir: Path, slug: str) -> Snapshot | None:
    """The dataset ``lists/<slug>/`` holds (its ``latest.json``); None: none, or unreadable."""
    path = out_dir / "lists" / slug / "latest.json"
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return read_snapshot(path)
    except EnrichError as exc:
        logger.warning("catalog: %s unreadable, left out: %s", path, exc)
        return None


def union(lists: Sequence[CatalogList], *, shown: bool = False) -> Snapshot | None:
    """Every entity of the published lists once, the first list's record of it (every list's
    is the same fetch), under the first list's header (the run's time); None: no list.
    ``shown``: the kept datasets too, after every list published this run (an entity this run
    fetched has this run's values)."""
    order = sorted(lists, key=lambda one: one.snapshot is None) if shown else lists
    seen: dict[str, Entry] = {}
    first: Snapshot | None = None
    for one in order:
        snapshot = one.shown if shown else one.snapshot
        if snapshot is None:
            continue
        first = first or snapshot
        for entry in snapshot.entries:
            seen.setdefault(entry.id, entry)
    return None if first is None else Snapshot(header=first.header, entries=list(seen.values()))


def entities(lists: Sequence[CatalogList]) -> pa.Table:
    """One row per entity, the first list's record of it."""
    return entities_of(union(lists))


def entities_of(every: Snapshot | None) -> pa.Table:
    """``entities.parquet`` of the union of the lists (`union`): the list-written fields left
    to memberships."""
    if every is None:
        return pa.table({"id": pa.array([], pa.string())})
    return _without_list_fields(in_parts(every))


# Entities made Arrow at a time, in `in_parts`: the JSON reader's transient memory (about five
# times the table's) is a part's, not the whole catalog's.
PART = 2000


def in_parts(snapshot: Snapshot) -> pa.Table:
    """`to_arrow` of ``snapshot``, ``PART`` entries at a time, then one chunk: the same table
    (the same Parquet bytes), a lower peak for the catalog's tens of thousands of entities."""
    entries = snapshot.entries
    if len(entries) <= PART:
        return to_arrow(snapshot)
    parts = [
        to_arrow(Snapshot(header=snapshot.header, entries=entries[i : i + PART]))
        for i in range(0, len(entries), PART)
    ]
    whole = pa.concat_tables(parts).combine_chunks()
    del parts
    pa.default_memory_pool().release_unused()  # the parts' memory, kept by mimalloc otherwise
    return whole


def _without_list_fields(table: pa.Table) -> pa.Table:
    return table.drop_columns([c for c in LIST_FIELDS if c in table.column_names])


MEMBERSHIP_SCHEMA = pa.schema([
    ("list", pa.string()), ("id", pa.string()), ("section", pa.list_(pa.string())),
    ("line", pa.int64()), ("title", pa.string()), ("description", pa.string()),
])  # fmt: skip


def memberships(lists: Sequence[CatalogList]) -> pa.Table:
    """One row per (list, entity) of each list's dataset: this run's, else the kept one (its
    rows made once at its finish when `FirstRecords.reduce` kept them)."""
    parts = [
        one.members if one.members is not None and one.snapshot is not None else _members(one)
        for one in lists
    ]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return _members(None)
    return pa.concat_tables(parts).combine_chunks()


def _members(one: CatalogList | None) -> pa.Table:
    rows: dict[str, list[object]] = {name: [] for name in MEMBERSHIP_SCHEMA.names}
    snapshot = one.shown if one is not None else None
    if one is not None and snapshot is not None:
        for entry in snapshot.entries:
            rows["list"].append(one.slug)
            rows["id"].append(entry.id)
            rows["section"].append(list(entry.section))
            rows["line"].append(entry.positions[0].line if entry.positions else None)
            rows["title"].append(entry.title)
            rows["description"].append(entry.description)
    return pa.table(rows, schema=MEMBERSHIP_SCHEMA)


LIST_SCHEMA = pa.schema([
    ("slug", pa.string()), ("source", pa.string()), ("sha256", pa.string()),
    ("entries", pa.int64()),
    *((f"kind_{k}", pa.int64()) for k in KINDS),
    *((f"status_{s}", pa.int64()) for s in STATUSES),
    ("changed_at", _STAMP), ("last_seen", _STAMP), ("error", pa.string()),
])  # fmt: skip


def list_rows(
    lists: Sequence[CatalogList], before: Mapping[str, tuple[str, datetime]], now: datetime
) -> pa.Table:
    """One row per list, of the dataset its folder holds after this run (`CatalogList.shown`).
    ``before``: slug -> (sha256, changed_at) of the previous catalog, so that a list whose
    text did not change keeps when it last changed."""
    rows: list[dict[str, object]] = []
    for one in lists:
        shown = one.shown
        header: Header | None = shown.header if shown is not None else None
        sha = header.list_sha256 if header is not None else None
        known = before.get(one.slug)
        if known is not None and known[0] == sha:
            changed: datetime | None = known[1]
        elif one.snapshot is not None:
            changed = now
        else:  # a kept dataset, not known to the catalog: as old as that dataset, at least
            changed = header.generated_at if header is not None else None
        kinds = {c.name: c.count for c in header.by_kind} if header is not None else {}
        statuses = {c.name: c.count for c in header.by_status} if header is not None else {}
        rows.append({
            "slug": one.slug, "source": one.source, "sha256": sha,
            "entries": header.entries if header is not None else None,
            **{f"kind_{k}": kinds.get(k, 0) for k in KINDS},
            **{f"status_{s}": statuses.get(s, 0) for s in STATUSES},
            "changed_at": changed,
            "last_seen": header.generated_at if header is not None else None,
            "error": one.error,
        })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=LIST_SCHEMA)


def _observed(table: pa.Table, now: datetime) -> pa.Table:
    """A table's rows as a history day's: with when they were observed."""
    stamps = pa.array([now] * table.num_rows, _STAMP)
    return table.append_column(pa.field("observed_at", _STAMP), stamps)


def _previous(path: Path) -> dict[str, tuple[str, datetime]]:
    """The previous catalog's (sha256, changed_at) per list slug; nothing when unreadable."""
    try:
        table = pq.read_table(path, columns=["slug", "sha256", "changed_at"])
    except (OSError, pa.ArrowInvalid, KeyError):
        return {}
    return {
        row["slug"]: (row["sha256"], row["changed_at"])
        for row in table.to_pylist()
        if row["sha256"] is not None and row["changed_at"] is not None
    }
