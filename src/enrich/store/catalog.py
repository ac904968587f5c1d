"""The catalog's own tables, beside each list's dataset (``OUT/lists/<slug>/``)::

    OUT/catalog/
      entities.parquet     one row per entity of any list: ``id`` and its enriched fields (what
                           every list shares; the list-written fields are in memberships)
      memberships.parquet  one row per (list, entity): the list's slug, the entity's id, and the
                           section, line, title and description as that list wrote them
      lists.parquet        one row per list: slug, source, sha256, entries, counts per kind and
                           per status, when its text last changed, and why it was not published
                           this run (null when it was)
      history/entities/date=YYYY-MM-DD/part-0.parquet
                           one row per entity per run day: a list's history rows
                           (`enrich.store.history`: id, kind, status, observed_at, counters)
      history/lists/date=YYYY-MM-DD/part-0.parquet
                           one row per list per run day: ``lists.parquet``'s row, observed_at
      index.html, feed.xml the catalog's page and feed (`enrich.views.catalog`), when given

Each file is replaced atomically; the catalog is written after the lists' datasets, its tables
and history before its views. A rerun on one day replaces that day's partitions; earlier days
are never rewritten. Read a history as a list's is read::

    pl.read_parquet("OUT/catalog/history/entities/**/*.parquet", hive_partitioning=True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from enrich.core.model import Entry, Snapshot, utc_date
from enrich.store import history
from enrich.store.codec import parquet_bytes, to_arrow
from enrich.store.files import atomic_write_bytes, signals_deferred

# The fields of an entry that its list wrote (or that depend on its list): memberships' columns,
# not the shared entity's.
LIST_FIELDS = (
    "title", "display_title", "description", "section", "positions", "items", "same_item",
    "urls", "url", "listed_version", "ties", "cross_links",
)  # fmt: skip
KINDS = ("paper", "repo", "dataset", "model", "space", "collection", "web")
STATUSES = ("ok", "stale", "error", "skipped", "pending")


@dataclass(frozen=True)
class CatalogList:
    """One list of the catalog run, as the catalog records it."""

    slug: str
    source: str
    snapshot: Snapshot | None  # None: not published this run
    error: str | None = None  # why not


def write(
    out_dir: Path,
    lists: Sequence[CatalogList],
    now: datetime,
    views: Callable[[pa.Table], Mapping[str, bytes]] | None = None,
) -> list[Path]:
    """Write ``out_dir/catalog/``: the tables from the lists' snapshots, the day's history
    partitions, then the files ``views`` renders from the lists' table (by path relative to
    the folder); returns the paths."""
    folder = out_dir / "catalog"
    published = [one for one in lists if one.snapshot is not None]
    every = union(published)
    rows = list_rows(lists, _previous(folder / "lists.parquet"), now)
    day = utc_date(now)
    files = {
        folder / "entities.parquet": entities_of(every),
        folder / "memberships.parquet": memberships(published),
        folder / "lists.parquet": rows,
        history.day_file(folder / "history" / "lists", day): rows.append_column(
            pa.field("observed_at", pa.timestamp("us", "UTC")),
            pa.array([now] * rows.num_rows, pa.timestamp("us", "UTC")),
        ),
    }
    if every is not None:
        files[history.day_file(folder / "history" / "entities", day)] = history.rows(
            to_arrow(every), every.header
        )
    written = {path: parquet_bytes(table) for path, table in files.items()}
    written |= {folder / name: data for name, data in (views(rows) if views else {}).items()}
    with signals_deferred():  # a SIGTERM lands before or after the catalog's files
        for path, data in written.items():
            atomic_write_bytes(path, data)
    return list(written)


def union(lists: Sequence[CatalogList]) -> Snapshot | None:
    """Every entity of the published lists once, the first list's record of it (every list's
    is the same fetch), under the first list's header (the run's time); None: no list."""
    seen: dict[str, Entry] = {}
    first: Snapshot | None = None
    for one in lists:
        if one.snapshot is None:
            continue
        first = first or one.snapshot
        for entry in one.snapshot.entries:
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
    table = to_arrow(every)
    return table.drop_columns([c for c in LIST_FIELDS if c in table.column_names])


def memberships(lists: Sequence[CatalogList]) -> pa.Table:
    rows: dict[str, list[object]] = {
        k: [] for k in ("list", "id", "section", "line", "title", "description")
    }
    for one in lists:
        assert one.snapshot is not None
        for entry in one.snapshot.entries:
            rows["list"].append(one.slug)
            rows["id"].append(entry.id)
            rows["section"].append(list(entry.section))
            rows["line"].append(entry.positions[0].line if entry.positions else None)
            rows["title"].append(entry.title)
            rows["description"].append(entry.description)
    schema = pa.schema([
        ("list", pa.string()), ("id", pa.string()), ("section", pa.list_(pa.string())),
        ("line", pa.int64()), ("title", pa.string()), ("description", pa.string()),
    ])  # fmt: skip
    return pa.table(rows, schema=schema)


def list_rows(
    lists: Sequence[CatalogList], before: Mapping[str, tuple[str, datetime]], now: datetime
) -> pa.Table:
    """``before``: slug -> (sha256, changed_at) of the previous catalog, so that a list whose
    text did not change keeps when it last changed."""
    rows: list[dict[str, object]] = []
    for one in lists:
        header = one.snapshot.header if one.snapshot is not None else None
        sha = header.list_sha256 if header is not None else None
        known = before.get(one.slug)
        changed = known[1] if known is not None and known[0] == sha else now
        kinds = {c.name: c.count for c in header.by_kind} if header is not None else {}
        statuses = {c.name: c.count for c in header.by_status} if header is not None else {}
        rows.append({
            "slug": one.slug, "source": one.source, "sha256": sha,
            "entries": header.entries if header is not None else None,
            **{f"kind_{k}": kinds.get(k, 0) for k in KINDS},
            **{f"status_{s}": statuses.get(s, 0) for s in STATUSES},
            "changed_at": changed if sha is not None else None, "error": one.error,
        })  # fmt: skip
    schema = pa.schema([
        ("slug", pa.string()), ("source", pa.string()), ("sha256", pa.string()),
        ("entries", pa.int64()),
        *((f"kind_{k}", pa.int64()) for k in KINDS),
        *((f"status_{s}", pa.int64()) for s in STATUSES),
        ("changed_at", pa.timestamp("us", "UTC")), ("error", pa.string()),
    ])  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


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
