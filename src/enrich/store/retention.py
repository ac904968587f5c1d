"""Pruning an output folder and its raw layer (`enrich prune`, and the nightly run after its
publish): what `enrich.core.retention` decides, read from the folders and removed.

What it may remove, and nothing else:

    RAW/<run-id>/                          a run folder (its name a run id, a manifest inside)
    OUT/snapshots/YYYY-MM-DD.{json,parquet}    a dated snapshot (one list)
    OUT/lists/<slug>/snapshots/…           the same, for each list of a catalog

``latest.*``, ``history/``, ``diffs/``, the views, the catalog's tables and whatever else is in
the folders stay. Nothing behind a symbolic link is read or removed: a run folder, a ``lists/``
entry or a ``snapshots/`` folder that is a link is left as it is, and a removed tree's links are
removed as links (their size is the link's).

The bytes a prune reports are the bytes it frees: ``latest.*`` and the day's diff are hard links
to the day's files (`enrich.store.publish`), and a copy of a folder may be too (``cp -al``), so
a file's bytes count once however many names it has, and only when the prune removes its last
name (a name left elsewhere keeps the bytes on disk). Callers hold the output folder's lock
(`enrich.store.files.exclusive`), so no run writes while it prunes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from enrich.core.errors import InputError, PublishError
from enrich.core.model import utc_date
from enrich.core.retention import Policy, days_kept, runs_kept
from enrich.store.publish import run_name

logger = logging.getLogger(__name__)

# A run folder's name: the run's start, `enrich.run.steps.prepare`'s "%Y%m%dT%H%M%S%fZ".
_RUN_ID = re.compile(r"(\d{4})(\d{2})(\d{2})T\d{6}\d*Z")
_SNAPSHOT = re.compile(r"(\d{4}-\d{2}-\d{2})\.(?:json|parquet)")


@dataclass(frozen=True)
class Removal:
    """One thing a prune removes: a raw run folder (``files`` in it) or a snapshot file;
    ``bytes``: what removing it frees, given the rest of the plan (see the module)."""

    kind: Literal["run", "snapshot"]
    path: Path
    files: int
    bytes: int
    why: str


@dataclass(frozen=True)
class PrunePlan:
    """What a prune of one output folder and its raw layer removes, and what it keeps."""

    removals: tuple[Removal, ...]
    runs_kept: int
    snapshot_days_kept: int

    @property
    def files(self) -> int:
        return sum(r.files for r in self.removals)

    @property
    def bytes(self) -> int:
        return sum(r.bytes for r in self.removals)


def datasets(out_dir: Path) -> list[Path]:
    """The dataset folders of an output folder: itself (a run of one list), and each list's of a
    catalog (``lists/<slug>/``). A folder that is neither is refused (`InputError`): a prune
    pointed at the wrong folder removes nothing."""
    if not out_dir.is_dir():
        raise InputError(f"{out_dir}: not an enrich output folder (no such folder)")
    found = [out_dir] if (out_dir / "latest.json").is_file() else []
    lists = out_dir / "lists"
    catalog = (out_dir / "catalog").is_dir() and lists.is_dir() and not lists.is_symlink()
    if catalog:
        found += sorted(
            p for p in lists.iterdir()
            if p.is_dir() and not p.is_symlink() and (p / "latest.json").is_file()
        )  # fmt: skip
    if not found and not catalog:
        raise InputError(
            f"{out_dir}: not an enrich output folder (no latest.json, no catalog/ and lists/)"
        )
    return found


def run_folders(raw_root: Path) -> dict[str, Path]:
    """The raw layer's run folders by run id (a folder named by a run id with a manifest; the
    checkout's ``lists/`` and anything else are not runs)."""
    if not raw_root.is_dir():
        return {}
    return {
        p.name: p
        for p in raw_root.iterdir()
        if _RUN_ID.fullmatch(p.name) and not p.is_symlink() and p.is_dir()
        and (p / "manifest.json").is_file()
    }  # fmt: skip


def plan(out_dir: Path, raw_root: Path, policy: Policy) -> PrunePlan:
    """What `prune` would remove (nothing is removed here)."""
    folders = datasets(out_dir)
    runs = run_folders(raw_root)
    kept = runs_kept(runs, policy.keep_runs)
    found: list[tuple[Literal["run", "snapshot"], Path, list[os.stat_result], str]] = [
        ("run", path, _tree(path), f"raw run older than the newest {policy.keep_runs}")
        for name, path in sorted(runs.items())
        if name not in kept
    ]
    days_left = 0
    for folder in folders:
        snapshots = _snapshots(folder)
        needed = {d for run_id in kept for d in _compared_with(folder, run_id, set(snapshots))}
        keep = days_kept(snapshots, policy, needed)
        days_left += len(keep)
        for day in sorted(set(snapshots) - keep):
            why = f"snapshot of {day}: older than {policy.daily_days} days, not its week's newest"
            if policy.weekly_days is not None:
                why += f" (or older than {policy.weekly_days} days)"
            found += [("snapshot", p, [p.lstat()], why) for p in snapshots[day]]
    return PrunePlan(_freed(found), len(kept), days_left)


def _freed(
    found: list[tuple[Literal["run", "snapshot"], Path, list[os.stat_result], str]],
) -> tuple[Removal, ...]:
    """Each removal with the bytes it frees: a file's once (at the first removal naming it),
    and only when the plan removes every name it has (its link count)."""
    names = Counter((s.st_dev, s.st_ino) for *_, stats, _ in found for s in stats)
    counted: set[tuple[int, int]] = set()
    removals = []
    for kind, path, stats, why in found:
        freed = 0
        for s in stats:
            inode = (s.st_dev, s.st_ino)
            if inode not in counted:
                counted.add(inode)
                freed += s.st_size if names[inode] >= s.st_nlink else 0
        removals.append(Removal(kind, path, len(stats), freed, why))
    return tuple(removals)


def apply(plan: PrunePlan) -> None:
    """Remove what ``plan`` names; what is gone already is skipped (a prune is idempotent)."""
    for removal in plan.removals:
        path = removal.path
        try:
            if path.is_symlink() or not path.exists():
                continue  # never followed; gone already
            if path.is_dir():
                shutil.rmtree(path)  # removes links inside as links, never what they name
            else:
                path.unlink()
        except OSError as exc:
            raise PublishError(f"could not remove {path}: {exc.strerror or exc}") from exc
        logger.info("removed %s (%s)", path, removal.why)


def _snapshots(folder: Path) -> dict[date, list[Path]]:
    """The dated snapshot files of a dataset folder by day (JSON first: readers find a day by
    its JSON file, so it goes first and a half-pruned day is no day). Links are left out."""
    where = folder / "snapshots"
    found: dict[date, list[Path]] = {}
    if where.is_symlink() or not where.is_dir():
        return found
    for path in sorted(where.iterdir(), key=lambda p: (p.suffix != ".json", p.name)):
        match = _SNAPSHOT.fullmatch(path.name)
        if match and not path.is_symlink() and path.is_file():
            found.setdefault(date.fromisoformat(match.group(1)), []).append(path)
    return found


def _compared_with(folder: Path, run_id: str, days: set[date]) -> set[date]:
    """The snapshot day run ``run_id``'s rebuild compares with (`enrich.store.published.
    published_before`): the one its diff names; without one, the newest day before the run's
    and the run's own (an earlier run of that day)."""
    diff = folder / "diffs" / "runs" / f"{run_name(run_id)}.json"
    try:
        start = json.loads(diff.read_bytes()).get("from")
        if not start:
            return set()  # the folder's first run: compared with nothing
        return {date.fromisoformat(utc_date(datetime.fromisoformat(start["generated_at"])))}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        pass
    match = _RUN_ID.fullmatch(run_id)
    if match is None:
        return set()
    day = date(*map(int, match.groups()))
    earlier = [d for d in days if d < day]
    return {day, max(earlier)} if earlier else {day}


def _tree(folder: Path) -> list[os.stat_result]:
    """The files under ``folder``, symbolic links as links (never followed)."""
    found = []
    for root, dirs, names in os.walk(folder):  # followlinks=False: a linked folder is a name
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            found.append(os.lstat(os.path.join(root, name)))
    return found


__all__ = ["PrunePlan", "Removal", "apply", "datasets", "plan", "run_folders"]
