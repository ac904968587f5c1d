"""Publishing a run: every file of the dataset folder, each replaced atomically, ``latest.*`` last.

::

    data/enriched/
      snapshots/YYYY-MM-DD.{json,parquet}   the day's snapshot (a rerun replaces its day)
      diffs/YYYY-MM-DD.{json,md}            what changed since the previous snapshot
      history/date=YYYY-MM-DD/part-0.parquet  one row per entry per day (`enrich.store.history`)
      schema.json                           JSON Schema of the snapshot, from the models
      (views)                               files the views derived (`extra`), e.g. README.md
      latest.parquet, latest.json           the newest snapshot; written last
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from enrich.core.changelog import changelog
from enrich.core.diff import Diff
from enrich.core.model import Snapshot, utc_date
from enrich.store import history
from enrich.store.codec import json_schema, parquet_bytes, to_arrow, to_json
from enrich.store.compare import to_json_bytes
from enrich.store.files import atomic_write_bytes, sweep_temp_files

logger = logging.getLogger(__name__)


def publish(
    snapshot: Snapshot,
    out_dir: Path,
    diff: Diff | None = None,
    table: pa.Table | None = None,
    extra: Mapping[str, bytes] | None = None,
) -> list[Path]:
    """Write the run's files and return their paths: the dated snapshot, the diff and its
    changelog, the history partition, schema.json, the ``extra`` files (views, by path relative
    to ``out_dir``), then latest.parquet and latest.json.

    Each file is replaced atomically, and ``latest.*`` last, so that ``latest`` never names a
    day whose other files are missing. Callers hold the folder's lock (`files.exclusive`).
    """
    if out_dir.is_dir():
        sweep_temp_files(out_dir)
    day = utc_date(snapshot.header.generated_at)
    table = table if table is not None else to_arrow(snapshot)
    json_bytes = to_json(snapshot)
    snapshot_parquet = parquet_bytes(table)
    schema_bytes = (json.dumps(json_schema(), indent=2) + "\n").encode("utf-8")
    files = [
        (out_dir / "snapshots" / f"{day}.json", json_bytes),
        (out_dir / "snapshots" / f"{day}.parquet", snapshot_parquet),
    ]
    if diff is not None:
        files += [
            (out_dir / "diffs" / f"{day}.json", to_json_bytes(diff)),
            (out_dir / "diffs" / f"{day}.md", changelog(diff).encode("utf-8")),
        ]
    files += [
        (
            history.partition(out_dir, snapshot.header),
            parquet_bytes(history.rows(table, snapshot.header)),
        ),
        (out_dir / "schema.json", schema_bytes),
        *((out_dir / relative, data) for relative, data in (extra or {}).items()),
        (out_dir / "latest.parquet", snapshot_parquet),
        (out_dir / "latest.json", json_bytes),
    ]
    for path, data in files:
        atomic_write_bytes(path, data)
    logger.info("published %d entries to %s", len(snapshot.entries), out_dir)
    return [path for path, _ in files]
