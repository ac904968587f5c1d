"""What a prune keeps (pure: names and dates in, what stays out; `enrich.store.retention` reads
the folders and removes the rest).

- **Raw runs**: the newest ``keep_runs`` run folders of the raw layer. A warm run revalidates
  and reuses what the 7 runs before it received (`enrich.store.raw.RawStore.previous`), and
  ``enrich rebuild`` re-derives a run from its folder alone (a 304 records the body it
  revalidated), so those runs are what later runs and rebuilds read.
- **Snapshots** (``snapshots/YYYY-MM-DD.*``): every day's for ``daily_days`` days, then the
  newest of each ISO week (for ``weekly_days`` days, or for ever); and, whatever their age, the
  snapshot a kept run was compared with (what its rebuild compares with again).

Ages count back from the newest snapshot, not from today's clock: a dataset nobody ran for a
year loses nothing to a prune, and a prune run twice removes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Policy:
    """How much a prune keeps (`enrich.core.settings.Settings`: ``keep_runs``,
    ``keep_daily_days``, ``keep_weekly_days``)."""

    keep_runs: int = 7
    daily_days: int = 90
    weekly_days: int | None = None  # None: a weekly snapshot is kept for ever

    def __post_init__(self) -> None:
        if self.keep_runs < 1 or self.daily_days < 1:
            raise ValueError("a prune keeps at least the newest run and the newest day")


def runs_kept(run_ids: Iterable[str], keep: int) -> set[str]:
    """The newest ``keep`` run ids (run ids sort by the time the run started)."""
    return set(sorted(set(run_ids), reverse=True)[: max(keep, 1)])


def days_kept(days: Iterable[date], policy: Policy, needed: Iterable[date] = ()) -> set[date]:
    """The snapshot days to keep of ``days``: the young ones, each older week's newest, and
    ``needed`` (what a kept run's rebuild reads)."""
    present = sorted(set(days))
    if not present:
        return set()
    newest = present[-1]
    week_newest = {_week(day): day for day in present}  # ascending: the last of a week wins
    kept = set(needed) & set(present)
    for day in present:
        age = (newest - day).days
        weekly = week_newest[_week(day)] == day and (
            policy.weekly_days is None or age < policy.weekly_days
        )
        if age < policy.daily_days or weekly:
            kept.add(day)
    return kept


def _week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


__all__ = ["Policy", "days_kept", "runs_kept"]
