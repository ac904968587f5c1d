"""Retention: `enrich prune`, and the prune a run ends with (``ENRICH_PRUNE``, on by default).
What is kept is `enrich.core.retention`'s; what is removed, `enrich.store.retention`'s.

``prune`` holds the output folder's lock and the raw folder's, so it never runs while a run
writes to either (a run of another output folder may share the raw folder), nor a run while it
prunes; the step a run ends with runs inside the run's own locks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from enrich.core.retention import Policy
from enrich.core.settings import Settings
from enrich.store import retention
from enrich.store.files import exclusive_all

logger = logging.getLogger(__name__)


def policy(settings: Settings) -> Policy:
    return Policy(settings.keep_runs, settings.keep_daily_days, settings.keep_weekly_days)


@dataclass(frozen=True)
class PruneInput:
    """What a prune receives: the folders and the policy (plain data, for a Prefect task)."""

    out_dir: Path
    raw_root: Path
    policy: Policy
    dry_run: bool = False


@dataclass(frozen=True)
class Pruned:
    """What a prune removed (or, ``dry_run``, would remove): the store's plan, and whether it
    was carried out."""

    plan: retention.PrunePlan
    dry_run: bool = False

    @property
    def removed(self) -> tuple[retention.Removal, ...]:
        return self.plan.removals

    @property
    def runs_kept(self) -> int:
        return self.plan.runs_kept

    @property
    def snapshot_days_kept(self) -> int:
        return self.plan.snapshot_days_kept

    @property
    def files(self) -> int:
        return self.plan.files

    @property
    def bytes(self) -> int:
        return self.plan.bytes

    def line(self) -> str:
        """The summary line: ``pruned 2 raw runs and 4 snapshot files: 37 files, 1.2 MB freed;
        kept 7 runs and 90 snapshot days``."""
        runs = sum(1 for r in self.removed if r.kind == "run")
        snapshots = len(self.removed) - runs
        verb, freed = ("would prune", "would be freed") if self.dry_run else ("pruned", "freed")
        return (
            f"{verb} {_count(runs, 'raw run')} and {_count(snapshots, 'snapshot file')}: "
            f"{_count(self.files, 'file')}, {_size(self.bytes)} {freed}; kept "
            f"{_count(self.runs_kept, 'run')} and {_count(self.snapshot_days_kept, 'snapshot day')}"
        )


def prune_step(given: PruneInput) -> Pruned:
    """Prune, the lock already held (the run's own, at its end)."""
    found = retention.plan(given.out_dir, given.raw_root, given.policy)
    if not given.dry_run:
        retention.apply(found)
    done = Pruned(found, given.dry_run)
    logger.info("%s", done.line())
    return done


def prune(out_dir: Path, raw_root: Path, settings: Settings, *, dry_run: bool = False) -> Pruned:
    """``enrich prune``: the output folder's and the raw folder's locks held throughout (a run
    there is refused, as a second run is, and the prune is refused while a run holds either)."""
    retention.datasets(out_dir)  # not an output folder: refused before a lock is made beside it
    with exclusive_all((out_dir, raw_root), "an enrich run or prune"):
        return prune_step(PruneInput(out_dir, raw_root, policy(settings), dry_run))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _size(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


__all__ = ["PruneInput", "Pruned", "policy", "prune", "prune_step"]
