"""The run's clock: what a fetch task stamps its answers with (``fetched_at``).

A run has its own time, the manifest's ``started_at`` (a night the tests or the benchmarks
simulate gives it). Every answer a task records is stamped from it: the run's start, plus
the real time that had passed when the task began (the task may wait behind others), plus the
time elapsed since, on the monotonic clock. A real night's stamps are the real time; a
simulated night's are that night's, so the next night's plan sees the ages it would have seen.
Upstream times (a rate limit's reset, ``Retry-After``) are the upstream's: the wall clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class RunClock:
    """One fetch task's clock: ``started`` (the run's time when the task began) advanced on
    the monotonic clock from ``began``. Plain data; `begin` makes one at a task's start."""

    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    began: float = field(default_factory=time.monotonic)

    @classmethod
    def begin(cls, run_started: datetime, real_started: datetime | None = None) -> RunClock:
        """A task's clock of a run that started at ``run_started`` (the run's time), when the
        real time was ``real_started`` (the same on a real night): the real time that has
        passed since is added (None: unknown, nothing added)."""
        waited = timedelta(0)
        if real_started is not None:
            waited = max(datetime.now(UTC) - real_started, timedelta(0))
        return cls(run_started + waited, time.monotonic())

    def now(self) -> datetime:
        """The run's time now (UTC)."""
        return self.started + timedelta(seconds=max(time.monotonic() - self.began, 0.0))

    def stamp(self) -> str:
        """`now` as ISO 8601 (what raw documents carry)."""
        return self.now().isoformat()
