"""Publishing a run: every file of the dataset folder, each replaced atomically, ``latest.*`` last.
(Writing the folder; `enrich.store.published` reads it back, `enrich.store.hub` uploads it.)

::

    data/enriched/
      snapshots/YYYY-MM-DD.{json,parquet}   the day's snapshot (a rerun replaces its day)
      diffs/runs/<run-id>.{json,md}         what changed since the previous snapshot, every run
      diffs/YYYY-MM-DD.{json,md}            the same, of the day's latest run
      history/date=YYYY-MM-DD/part-0.parquet  one row per entry per day (`enrich.store.history`)
      schema.json                           JSON Schema of the snapshot, from the models
      links.{parquet,json}                  the graph: ties between entries (`enrich.core.graph`)
      (views)                               files the views derived (`extra`), e.g. README.md
      external.parquet                      the newest snapshot's external repositories
                                            (also in latest.json and the day's JSON)
      latest.parquet, latest.json           the newest snapshot; written last
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from enrich.core import graph
from enrich.core.changelog import changelog
from enrich.core.diff import Diff
from enrich.core.errors import InputError
from enrich.core.model import Link, Snapshot, Status, utc_date
from enrich.store import history
from enrich.store.codec import (
    EXTERNAL_FILE,
    external_arrow,
    json_schema,
    links_json,
    parquet_bytes,
    read_table,
    records_table,
    to_arrow,
    to_json,
)
from enrich.store.compare import to_json_bytes
from enrich.store.files import (
    atomic_link,
    atomic_write_bytes,
    folders_synced_once,
    holds,
    safe_name,
    signals_deferred,
    sweep_temp_files,
)

logger = logging.getLogger(__name__)


def publish(
    snapshot: Snapshot,
    out_dir: Path,
    diff: Diff | None = None,
    table: pa.Table | None = None,
    extra: Mapping[str, bytes] | None = None,
    history_rows: pa.Table | None = None,
) -> list[Path]:
    """Write the run's files and return their paths: the dated snapshot, the diff and its
    changelog, the history partition, schema.json, the ``extra`` files (views, by path relative
    to ``out_dir``), external.parquet, then latest.parquet and latest.json. ``table`` and
    ``history_rows``: the snapshot as Arrow and its history rows, when the caller has them.

    Each file is replaced atomically, and ``latest.*`` last, so that ``latest`` never names a
    day whose other files are missing. Callers hold the folder's lock (`files.exclusive`).
    """
    if out_dir.is_dir():
        sweep_temp_files(out_dir)
    day = utc_date(snapshot.header.generated_at)
    table = table if table is not None else to_arrow(snapshot)
    json_bytes = to_json(snapshot)
    snapshot_parquet = parquet_bytes(table)
    edges = graph.edges(snapshot.entries)
    files = [
        (out_dir / "snapshots" / f"{day}.json", json_bytes),
        (out_dir / "snapshots" / f"{day}.parquet", snapshot_parquet),
    ]
    if diff is not None:
        diff_json, diff_md = to_json_bytes(diff), changelog(diff).encode("utf-8")
        run = run_name(snapshot.header.run_id)
        files += [
            (out_dir / "diffs" / "runs" / f"{run}.json", diff_json),
            (out_dir / "diffs" / "runs" / f"{run}.md", diff_md),
            (out_dir / "diffs" / f"{day}.json", diff_json),
            (out_dir / "diffs" / f"{day}.md", diff_md),
        ]
    files += [
        (
            history.partition(out_dir, snapshot.header),
            parquet_bytes(
                history_rows if history_rows is not None else history.rows(table, snapshot.header)
            ),
        ),
        (out_dir / "schema.json", schema_bytes()),
        (out_dir / "links.parquet", parquet_bytes(records_table(Link, edges, snapshot.header))),
        (out_dir / "links.json", links_json(snapshot.header, edges)),
        *((out_dir / relative, data) for relative, data in (extra or {}).items()),
        (out_dir / EXTERNAL_FILE, parquet_bytes(external_arrow(snapshot))),
        (out_dir / "latest.parquet", snapshot_parquet),
        (out_dir / "latest.json", json_bytes),
    ]
    # The files whose bytes often repeat from one night to the next (the schema, views of a
    # list that did not change): left as they are when they hold these bytes already.
    kept = {out_dir / "schema.json", *(out_dir / relative for relative in extra or {})}
    with signals_deferred():  # a SIGTERM lands before or after the run's files, not between
        write_all(files, kept)
    logger.info("published %d entries to %s", len(snapshot.entries), out_dir)
    return [path for path, _ in files]


def write_all(files: list[tuple[Path, bytes]], kept: set[Path]) -> None:
    """Each file replaced atomically, in order, the last two (``latest.*``) after every
    other's rename is durable: the folders of the others are fsynced once each, not once a
    file (`folders_synced_once`; a list's finish wrote ~20 files, each with two fsyncs). A file
    of ``kept`` that holds its bytes already is not rewritten; a file with the very bytes of
    one written before it (``latest.*`` are the day's snapshot, the day's diff is the run's) is
    a hard link to it, not a second copy."""
    *others, parquet, last = files
    written: dict[int, Path] = {}  # id of the bytes -> the file that holds them

    def put(path: Path, data: bytes) -> None:
        first = written.get(id(data))
        if first is not None:
            atomic_link(first, path)
        else:
            atomic_write_bytes(path, data)
            written[id(data)] = path

    with folders_synced_once():
        for path, data in others:
            if not (path in kept and holds(path, data)):
                put(path, data)
    put(*parquet)
    put(*last)


@functools.cache
def schema_bytes() -> bytes:
    """``schema.json``: made once per process (it depends on the models only)."""
    return (json.dumps(json_schema(), indent=2) + "\n").encode("utf-8")


_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def run_name(run_id: str) -> str:
    """A run id as a file name: as it is (``20261126T030000123456Z``), else made safe."""
    return run_id if _RUN_ID.fullmatch(run_id) else safe_name(run_id)


def refuse_enriched(out_dir: Path) -> None:
    """An unenriched snapshot (`enrich snapshot`: every entry ``pending``) must never replace a
    published dataset: refuse a folder whose ``latest.*`` holds an enriched entry (or cannot be
    read, so cannot be known not to)."""
    for name in ("latest.parquet", "latest.json"):
        path = out_dir / name
        if path.is_file():
            header, _ = read_table(path, columns=["id"])
            enriched = sum(c.count for c in header.by_status if c.name != Status.PENDING)
            if enriched:
                raise InputError(
                    f"{out_dir}: holds an enriched dataset ({enriched} entries enriched); "
                    "an unenriched snapshot goes to another --out"
                )
            return
