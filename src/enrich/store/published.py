"""A published dataset folder read back: what its views were rendered from.

``enrich render`` regenerates the views from the folder alone, with no network and no raw
layer: the snapshot (``latest.json``), the diff of its run (``diffs/DAY.json``, when it is that
run's), the snapshot that diff compared against (``snapshots/DAY.json``, when it is still there:
a rerun on the same day replaced it), and every day's history. These are the values a run hands
its views, so a render of an untouched folder writes the same bytes the run wrote.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, cast

import polars as pl

from enrich.core.diff import Diff
from enrich.core.errors import EnrichError, InputError
from enrich.core.model import Snapshot, utc_date
from enrich.store import history
from enrich.store.codec import read_snapshot, to_arrow


class Stored(NamedTuple):
    """The fields of `enrich.views.Published`, read from a folder (store/ does not import
    views: the run layer puts them together)."""

    snapshot: Snapshot
    diff: Diff | None
    previous: Snapshot | None
    history: pl.DataFrame


def read_published(out_dir: Path) -> Stored:
    latest = out_dir / "latest.json"
    if not latest.is_file():
        raise InputError(f"{out_dir}: no published dataset (latest.json); run enrich run first")
    snapshot = read_snapshot(latest)
    header = snapshot.header
    diff = _diff(out_dir / "diffs" / f"{utc_date(header.generated_at)}.json", header.run_id)
    return Stored(
        snapshot,
        diff,
        _previous(out_dir, diff),
        history.with_run(out_dir, to_arrow(snapshot), header),
    )


def _diff(path: Path, run_id: str) -> Diff | None:
    """The day's diff, when it is the diff of this snapshot's run."""
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable diff ({exc})") from None
    if not isinstance(document, dict) or document.get("to", {}).get("run_id") != run_id:
        return None
    return cast(Diff, document)


def _previous(out_dir: Path, diff: Diff | None) -> Snapshot | None:
    start = diff["from"] if diff is not None else None
    if start is None:
        return None
    path = out_dir / "snapshots" / f"{utc_date(datetime.fromisoformat(start['generated_at']))}.json"
    if not path.is_file():
        return None
    try:
        snapshot = read_snapshot(path)
    except EnrichError:
        return None
    return snapshot if snapshot.header.run_id == start["run_id"] else None
