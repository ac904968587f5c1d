"""A published dataset folder read back (no network, no raw layer; `enrich.store.publish` writes
it): what its views were rendered from (`read_published`, for ``enrich render``), and each entry's
newest runs (`recent_runs`, for ``enrich check``).

``enrich rebuild`` of a published run compares it with the snapshot that run compared against
(`published_before`), and refuses to replace a newer run's ``latest.*`` (`newer_latest`).

``enrich render`` regenerates the views from the folder alone: the snapshot (``latest.json``),
the diff of its run (``diffs/DAY.json``, when it is that run's), the snapshot that diff compared
against (``snapshots/DAY.json``, when it is still there: a rerun on the same day replaced it),
and the history's days the views read (`enrich.store.history.VIEW_DAYS`; the run layer adds
how many days it holds: `enrich.store.history.day_count`). These are the values a run hands its
views, so a render of an untouched folder writes the same bytes the run wrote.

For the check, statuses come from the history (``history/date=*/part-0.parquet``); why an entry
failed on an earlier day is not a history column (adding one would break readers of the
existing partitions), so the reasons of the newest days are read from that day's snapshot
(``snapshots/YYYY-MM-DD.parquet``, two columns). A day whose snapshot is gone counts as a run
whose reason is unknown, which ends a streak of "gone" answers there: never dead by guess.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, cast

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from enrich.core.check import Run
from enrich.core.diff import Diff
from enrich.core.errors import EnrichError, InputError
from enrich.core.model import Header, Snapshot, utc_date
from enrich.store import history
from enrich.store.codec import read_snapshot, read_table, to_arrow
from enrich.store.publish import run_name

logger = logging.getLogger(__name__)


def read_latest(out_dir: Path) -> Snapshot:
    """The published snapshot; a one-line `InputError` when there is none yet."""
    path = out_dir / "latest.json"
    if not path.is_file():
        raise InputError(
            f"{out_dir}: no published dataset yet (no latest.json): "
            "run `enrich run LIST --out DIR` (or `make demo`) first"
        )
    return read_snapshot(path)


def recent_runs(
    out_dir: Path, latest: Snapshot, days: int, reasons: int
) -> dict[str, list[Run | None]]:
    """Per entry of ``latest``, its ``days`` newest runs, newest first (None: not in the list
    that day); the ``reasons`` newest of them carry the failure reason."""
    today = utc_date(latest.header.generated_at)
    folder = out_dir / "history"
    dates = sorted(
        (p.name.removeprefix("date=") for p in folder.glob("date=*") if p.is_dir()), reverse=True
    )
    earlier = [d for d in dates if d < today][: max(days - 1, 0)]
    dates = [today, *earlier]
    statuses = _statuses(folder, dates[1:])
    why = {d: _reasons(out_dir / "snapshots" / f"{d}.parquet") for d in dates[1:reasons]}
    runs: dict[str, list[Run | None]] = {}
    for entry in latest.entries:
        track: list[Run | None] = [Run(entry.status.value, entry.status_reason)]
        for day in dates[1:]:
            status = statuses.get(day, {}).get(entry.id)
            reason = why.get(day, {}).get(entry.id)
            track.append(Run(status, reason) if status is not None else None)
        runs[entry.id] = track
    return runs


def _statuses(folder: Path, dates: list[str]) -> dict[str, dict[str, str]]:
    """``{date: {id: status}}`` of the given history days."""
    if not dates:
        return {}
    frames = []
    for day in dates:
        path = folder / f"date={day}" / "part-0.parquet"
        try:
            frame = pl.read_parquet(path, columns=["id", "status"])
        except (OSError, pl.exceptions.PolarsError) as exc:
            logger.warning("history of %s unreadable, not counted: %s", day, exc)
            continue
        frames.append(frame.with_columns(pl.lit(day).alias("date")))
    found: dict[str, dict[str, str]] = {}
    for row in pl.concat(frames).iter_rows() if frames else []:
        found.setdefault(row[2], {})[row[0]] = row[1]
    return found


def _reasons(path: Path) -> dict[str, str]:
    """``{id: status_reason}`` of one dated snapshot (empty when it is gone or unreadable)."""
    if not path.is_file():
        return {}
    try:
        table = pq.read_table(path, columns=["id", "status_reason"])
    except (OSError, pa.ArrowException) as exc:
        logger.warning("%s unreadable, its reasons unknown: %s", path, exc)
        return {}
    ids = table.column("id").to_pylist()
    reasons = table.column("status_reason").to_pylist()
    return {i: r for i, r in zip(ids, reasons, strict=True) if r is not None}


class Stored(NamedTuple):
    """The fields of `enrich.views.Published`, read from a folder (store/ does not import
    views: the run layer puts them together)."""

    snapshot: Snapshot
    diff: Diff | None
    previous: Snapshot | None
    history: pl.DataFrame  # the days the views read (`enrich.store.history.with_run`)


def read_published(out_dir: Path) -> Stored:
    snapshot = read_latest(out_dir)
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


def published_before(out_dir: Path, run_id: str, started: datetime) -> Snapshot | None:
    """The snapshot run ``run_id`` (started at ``started``) was compared with when it was
    published: the one its own diff names (``diffs/runs/<run-id>.json``), while that day's
    snapshot is still that one; else the newest dated snapshot of an earlier run. None: it was
    the folder's first run (or compared with nothing: its previous snapshot was unreadable), or
    nothing earlier is left."""
    own = _diff(out_dir / "diffs" / "runs" / f"{run_name(run_id)}.json", run_id)
    if own is not None:
        if own["from"] is None:
            return None
        found = _previous(out_dir, own)
        if found is not None:
            return found
    days = sorted((out_dir / "snapshots").glob("*.json"), reverse=True)
    for path in (p for p in days if p.stem <= utc_date(started)):
        header = _header(path)
        if header is not None and header.run_id != run_id and header.generated_at < started:
            try:
                return read_snapshot(path)
            except EnrichError as exc:
                logger.warning("%s unreadable, an older snapshot is used: %s", path, exc)
    return None


def newer_latest(out_dir: Path, started: datetime) -> Header | None:
    """The header of the folder's ``latest.*`` when it is of a run newer than one started at
    ``started`` (a rebuild of that run would roll it back); None otherwise, or unreadable."""
    header = _header(out_dir / "latest.json")
    return header if header is not None and header.generated_at > started else None


def _header(path: Path) -> Header | None:
    """A published snapshot's header, from the Parquet file beside it when there is one (no
    entry is read); None when neither reads."""
    for candidate in (path.with_suffix(".parquet"), path):
        if candidate.is_file():
            try:
                return read_table(candidate, columns=["id"])[0]
            except EnrichError:
                continue
    return None
