"""GitHub's rate-limit windows as its answers report them, and admission against them.

Every GitHub answer carries ``X-RateLimit-{Limit,Remaining,Reset,Used,Resource}``, and
``GET /rate_limit`` reports every window without costing any of them. A run learns its windows
from ``/rate_limit`` before it sends anything else (`RateLimits.learn`), so not even the first
requests of its workers can run into a spent budget; then it keeps the newest reading per
resource (``core`` for REST, ``graphql`` for query points) in `Windows`, shared by the run's
fetch tasks in this process. Before each unit of work a task asks `RateLimits.admit`: work that
fits in what is left (minus what other workers have reserved) goes ahead; work that does not
waits for the window's reset when the run's retry budget can pay for the wait, and is deferred
otherwise (its entry, or the part of it, keeps its last good values, with the reason). So a
run that cannot finish inside the budget stops asking instead of hammering into 403s, and the
night after picks up with a fresh window.

What a request costs: one, except a 304 to an authorized conditional request, which GitHub
does not count (an anonymous 304 it does count); a GraphQL query, the points its answer says it
cost (``rateLimit { cost }``).

A task's share of tonight's budget (``quota``) is charged with what the task spent, not with
what it was admitted at: an admission holds its estimate until its answers say what it cost
and it is released, then what it did not cost (a free 304, a query cheaper than estimated) is
handed back to the share, for the task's later work.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from enrich.core.rawdocs import Usage
from enrich.sources.limits import RetryBudget


@dataclass
class Window:
    limit: int
    remaining: int
    reset: float
    reserved: int = 0
    # Requests of reservations that a reading already counted (its remaining went down by
    # them) and that their holder has not released yet: released from here first, so a request
    # is never counted both as reserved and as spent (which deferred work that fitted).
    settled: int = 0


class Windows:
    """The run's view of GitHub's windows, shared by its fetch tasks in this process: what one
    task learns, every task admits against; reservations of one count for all."""

    def __init__(self) -> None:
        self.windows: dict[str, Window] = {}
        self.lock = threading.Lock()

    def update(self, resource: str, limit: int, remaining: int, reset: float) -> None:
        """A reading of one window (the caller holds ``lock``): the newest or lowest wins. A
        reading no window can have (`plausible`) teaches nothing: the window stays as it was
        known, or unknown (then admission goes ahead and the next answer or ``/rate_limit``
        says more), never a crash."""
        if not plausible(limit, remaining, reset):
            return
        window = self.windows.get(resource)
        if window is None:
            self.windows[resource] = Window(limit, remaining, reset)
        elif reset != window.reset:
            self.windows[resource] = Window(
                limit, remaining, reset, window.reserved, window.settled
            )
        elif remaining < window.remaining:
            spent = min(window.remaining - remaining, window.reserved)
            self.windows[resource] = Window(
                limit, remaining, reset, window.reserved - spent, window.settled + spent
            )

    def known(self, resource: str) -> bool:
        with self.lock:
            return resource in self.windows


# Readings outside these are not GitHub's: a limit of more than a billion requests, a reset
# after 2106 (``X-RateLimit-Reset: 1000000000000`` is the year 33658, past what a datetime
# holds) or before 1970; ``nan`` would make every wait NaN.
_MOST = 1_000_000_000
_RESETS = (0.0, float(2**32))


# A window with less than this share of its limit left is re-read before each admission.
LOW = 0.1


def plausible(limit: float, remaining: float, reset: float) -> bool:
    """Whether a window's reading can be GitHub's: numbers, in range."""
    numbers = (limit, remaining, reset)
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in numbers):
        return False
    return 0 <= remaining <= _MOST and 0 <= limit <= _MOST and _RESETS[0] <= reset <= _RESETS[1]


def readable_rate_header(name: str, value: str) -> bool:
    """Whether one ``X-RateLimit-{Limit,Remaining,Reset,Used}`` header holds what GitHub sends:
    a whole number in range (other ``X-RateLimit-*`` headers, like ``Resource``, are words)."""
    field = name.lower().removeprefix("x-ratelimit-")
    if field not in ("limit", "remaining", "reset", "used"):
        return True
    value = value.strip()
    if not value.isdigit():
        return False
    number = int(value)
    return _RESETS[0] <= number <= _RESETS[1] if field == "reset" else number <= _MOST


class RateLimits:
    """One fetch task's admission against the run's `Windows`, and what the task spent."""

    def __init__(
        self,
        budget: RetryBudget,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        *,
        windows: Windows | None = None,
        authorized: bool = False,
        quota: Mapping[str, int] | None = None,
    ) -> None:
        self.budget = budget
        # This task's share of tonight's budget per resource, handed out by the run's plan
        # (`enrich.core.budget.shares`): never more, whatever the windows say, so tasks in other
        # processes, each within its own share, never spend more than the budget together.
        # A resource without a share is admitted against the windows alone.
        self.quota = dict(quota or {})
        # Against the share: what admissions hold until released, less what their answers
        # already counted in ``spent`` (``settled``, released from first, as `Windows` does).
        self.held: Counter[str] = Counter()
        self.settled: Counter[str] = Counter()
        self.clock = clock
        self.sleep = sleep
        self.shared = windows or Windows()
        self.authorized = authorized
        self.spent: Counter[str] = Counter()
        self.deferred: Counter[str] = Counter()
        self._lock = self.shared.lock
        # Reads every window again (``GET /rate_limit``, free); set by the source once it has
        # a client. Asked before each admission once a window is low (`LOW`): another process
        # on the same token (two lists at once) spends the same window unseen, and what the
        # headers said a moment ago may no longer be there.
        self.refresh: Callable[[], None] | None = None

    @property
    def windows(self) -> dict[str, Window]:
        return self.shared.windows

    def observe(self, headers: Mapping[str, Any], status: int, cost: int | None = None) -> None:
        """Read one answer's headers; ``cost`` is what it spent, when the body says (GraphQL)."""
        lower = {k.lower(): v for k, v in headers.items()}
        resource = str(lower.get("x-ratelimit-resource") or "core")
        with self._lock:
            free = status == 0 or (status == 304 and self.authorized)
            if not free:
                spent = cost or 1
                self.spent[resource] += spent
                counted = min(spent, self.held[resource])  # now spent, no longer only held
                self.held[resource] -= counted
                self.settled[resource] += counted
            try:
                limit = int(str(lower["x-ratelimit-limit"]).strip())
                remaining = int(str(lower["x-ratelimit-remaining"]).strip())
                reset = float(int(str(lower["x-ratelimit-reset"]).strip()))
            except (KeyError, ValueError, OverflowError):
                return  # absent or not a number: unknown
            self.shared.update(resource, limit, remaining, reset)

    def learn(self, answer: Any) -> None:
        """Every window from a ``GET /rate_limit`` answer (``resources``: limit, remaining,
        reset per resource); an answer of another shape teaches nothing."""
        resources = answer.get("resources") if isinstance(answer, dict) else None
        if not isinstance(resources, dict):
            return
        with self._lock:
            for resource, values in resources.items():
                if not isinstance(values, dict):
                    continue
                limit, remaining, reset = (values.get(k) for k in ("limit", "remaining", "reset"))
                if isinstance(limit, int) and isinstance(remaining, int) and isinstance(reset, int):
                    self.shared.update(str(resource), limit, remaining, float(reset))

    def admit(self, resource: str, cost: int) -> str | None:
        """Reserve ``cost`` requests; None to go ahead, else why the work is deferred."""
        with self._lock:
            share = self.quota.get(resource)
            if share is not None and self.charged(resource) + cost > share:
                self.deferred[resource] += 1
                return (
                    f"deferred: tonight's plan gave this part of the run {share:,} of "
                    f"GitHub's {resource} budget, spent"
                )
            self.held[resource] += cost
        if self.refresh is not None and self._low(resource, cost):
            self.refresh()
        while True:
            with self._lock:
                window = self.windows.get(resource)
                if window is None or window.remaining - window.reserved >= cost:
                    if window is not None:
                        window.reserved += cost
                    return None
                wait = window.reset - self.clock() + 1
                if wait <= 0:  # the window rolled over: a fresh one until an answer says more
                    del self.windows[resource]
                    continue
                if not self.budget.take(wait):
                    self.deferred[resource] += 1
                    self.held[resource] -= cost  # not spent: the share keeps it
                    left = max(window.remaining - window.reserved, 0)
                    return (
                        f"deferred: GitHub's {resource} rate limit has {left} left until "
                        f"{reset_time(window.reset)}"
                    )
            self.sleep(wait)

    def _low(self, resource: str, cost: int) -> bool:
        with self._lock:
            window = self.windows.get(resource)
            return (
                window is not None
                and window.remaining - window.reserved - cost < LOW * window.limit
            )

    def charged(self, resource: str) -> int:
        """What the task's share is charged with: spent, and held by admissions not yet
        answered (the caller holds the lock)."""
        return self.spent[resource] + self.held[resource]

    def release(self, resource: str, cost: int) -> None:
        """The end of an admission of ``cost``: what its answers did not spend is handed back,
        to the window's reservations and to the task's share."""
        with self._lock:
            counted = min(self.settled[resource], cost)
            self.settled[resource] -= counted
            self.held[resource] = max(self.held[resource] - (cost - counted), 0)
            window = self.windows.get(resource)
            if window is not None:  # what it really cost, the headers have said by now
                counted = min(window.settled, cost)
                window.settled -= counted
                window.reserved = max(window.reserved - (cost - counted), 0)

    def usage(self) -> dict[str, Usage]:
        """Per resource: what this task spent and deferred, and the window as last seen."""
        out: dict[str, Usage] = {}
        with self._lock:
            for resource in sorted(set(self.spent) | set(self.windows) | set(self.deferred)):
                window = self.windows.get(resource)
                out[resource] = Usage(
                    spent=self.spent.get(resource, 0),
                    limit=window.limit if window else None,
                    remaining=window.remaining if window else None,
                    reset=datetime.fromtimestamp(window.reset, UTC).isoformat() if window else None,
                    deferred=self.deferred.get(resource, 0),
                )
        return out


def reset_time(reset: float) -> str:
    return datetime.fromtimestamp(reset, UTC).strftime("%H:%M UTC")


def merge(usages: list[dict[str, Usage]]) -> dict[str, Usage]:
    """Usage of one run from its fetch tasks' usages: spent and deferred add up, the lowest
    remaining wins."""
    out: dict[str, Usage] = {}
    for usage in usages:
        for resource, u in usage.items():
            seen = out.setdefault(
                resource, Usage(spent=0, limit=None, remaining=None, reset=None, deferred=0)
            )
            seen["spent"] += u["spent"]
            seen["deferred"] = seen.get("deferred", 0) + u.get("deferred", 0)
            if u["limit"] is not None:
                seen["limit"] = max(seen["limit"] or 0, u["limit"])
            if u["remaining"] is not None:
                seen["remaining"] = min(
                    u["remaining"], seen["remaining"] if seen["remaining"] is not None else 1 << 62
                )
            if u["reset"] is not None:
                seen["reset"] = max(seen["reset"] or "", u["reset"])
    return out
