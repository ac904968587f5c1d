"""The per-run objects of a process: the retry budget, the request slots, the pacers and where
progress goes, created for a run and dropped when it ends.

A fetch task receives only plain data (paths, settings, ids: `enrich.run.steps.FetchTask`), so
it can run in another process; it finds its run's objects here with `scope`, which creates them
on first use in that process and drops them when the last holder lets go. The run's composition
holds its scope open for the whole run, so the tasks it runs on threads of its own process share
one budget, one set of slots and one pacer; tasks on other processes (Dask workers) have their
own per process, for as long as they run. A process that runs the job night after night holds
nothing of the nights before (tested).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from enrich.core.settings import Settings
from enrich.run.state import Limits
from enrich.sources.base import FetchContext
from enrich.sources.clock import RunClock
from enrich.sources.limits import LocalSlots, Pacers, RetryBudget, Shared, Slots

Progress = Callable[[int], None]


class RunScope:
    """One run's shared objects in this process."""

    def __init__(self, run_id: str, settings: Settings, limits: Limits) -> None:
        self.run_id = run_id
        self.budget = RetryBudget(settings.retry_budget_seconds, settings.retry_wait_scale)
        self.slots = _slots(settings, limits)
        self.pacers = Pacers()
        self.shared = Shared()
        # Progress callbacks by source, registered by the composition (the CLI's bars); tasks
        # in this process tick them, and the ticks per task let the composition top up the bar
        # for tasks that ran elsewhere.
        self.progress: dict[str, Progress] = {}
        self.ticks: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()

    def fetch_context(
        self,
        settings: Settings,
        source: str,
        part: int,
        quota: Mapping[str, int] | None = None,
        clock: RunClock | None = None,
    ) -> FetchContext:
        def tick(n: int) -> None:
            with self._lock:
                self.ticks[(source, part)] += n
            report = self.progress.get(source)
            if report is not None:
                report(n)

        return FetchContext(
            settings,
            self.budget,
            self.slots,
            self.pacers,
            tick,
            self.shared,
            dict(quota or {}),
            clock or RunClock(),
        )


def _slots(settings: Settings, limits: Limits) -> Slots:
    if limits == "prefect":
        from enrich.run.prefect_limits import PrefectSlots

        return PrefectSlots()
    return LocalSlots(settings)


_scopes: dict[str, RunScope] = {}
_holders: Counter[str] = Counter()
_lock = threading.Lock()


@contextmanager
def scope(run_id: str, settings: Settings, limits: Limits = "local") -> Iterator[RunScope]:
    """The run's scope in this process, created on first use, dropped with its last holder."""
    with _lock:
        found = _scopes.get(run_id)
        if found is None:
            found = _scopes[run_id] = RunScope(run_id, settings, limits)
        _holders[run_id] += 1
    try:
        yield found
    finally:
        with _lock:
            _holders[run_id] -= 1
            if _holders[run_id] <= 0:
                del _holders[run_id]
                _scopes.pop(run_id, None)


def active() -> list[str]:
    """The runs that hold a scope in this process now."""
    with _lock:
        return sorted(_scopes)
