"""The diff of snapshots as they are stored: two `Snapshot`s, or two files (JSON or Parquet).

The comparison itself is `enrich.core.diff` (pure); this module turns stored snapshots into the
flat frames it compares, reading only the compared columns of a Parquet file. (The diffs a run
published, read back for the feed, are `enrich.store.diffs`.)
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from enrich.core.diff import HUB_ADOPTION_MIN, Diff, columns, compare, frame, from_columns
from enrich.core.model import Snapshot
from enrich.store.codec import read_table, to_arrow


def diff_snapshots(
    old: Snapshot | None,
    new: Snapshot,
    new_table: pa.Table | None = None,
    *,
    new_frame: pl.DataFrame | None = None,
    hub_adoption_min: int = HUB_ADOPTION_MIN,
) -> Diff:
    """The diff of two snapshots in memory. ``new_table``: ``new`` as Arrow, ``new_frame``: its
    compared fields (`enrich.core.diff.frame`), when the caller has them already."""
    before = frame(to_arrow(old)) if old is not None else None
    if new_frame is not None:
        after = new_frame
    else:
        after = frame(new_table if new_table is not None else to_arrow(new))
    return compare(
        before, after, old.header if old else None, new.header, hub_adoption_min=hub_adoption_min
    )


def read_frame(path: Path) -> pl.DataFrame:
    """The compared fields of a Parquet snapshot, reading only their leaf columns (abstracts,
    cards and author lists are never loaded)."""
    wanted = columns(pq.read_schema(path).names)  # an older snapshot may lack a newer field
    return from_columns(pq.read_table(path, columns=wanted))


def diff_files(old: Path, new: Path, *, hub_adoption_min: int = HUB_ADOPTION_MIN) -> Diff:
    """The diff of two snapshot files, JSON or Parquet in any mix."""
    frames, headers = [], []
    for path in (old, new):
        if path.suffix == ".parquet":
            header, _ = read_table(path, columns=["id"])  # checks the header and version
            frames.append(read_frame(path))
        else:
            header, table = read_table(path)
            frames.append(frame(table))
        headers.append(header)
    return compare(frames[0], frames[1], headers[0], headers[1], hub_adoption_min=hub_adoption_min)


def to_json_bytes(diff: Diff) -> bytes:
    return (json.dumps(diff, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
