"""GitHub's rate-limit windows as its response headers report them, and admission against them.

Every GitHub answer carries ``X-RateLimit-{Limit,Remaining,Reset,Used,Resource}``. A run keeps
the newest reading per resource (``core`` for REST, ``graphql`` for query points) and asks
`RateLimits.admit` before each unit of work: work that fits in what is left goes ahead; work that
does not waits for the window's reset when the run's retry budget can pay for the wait, and is
deferred otherwise (its entry keeps its last good values, stale, with the reason). So a run that
cannot finish inside the budget stops asking instead of hammering into 403s, and the night
after picks up with a fresh window.
"""

from __future__ import annotations

import threading
import time
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


class RateLimits:
    def __init__(
        self,
        budget: RetryBudget,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.budget = budget
        self.clock = clock
        self.sleep = sleep
        self.windows: dict[str, Window] = {}
        self.spent: dict[str, int] = {}
        self.deferred = 0
        self._lock = threading.Lock()

    def observe(self, headers: Mapping[str, Any], status: int, cost: int | None = None) -> None:
        """Read one answer's headers; ``cost`` is what it spent, when the body says (GraphQL)."""
        lower = {k.lower(): v for k, v in headers.items()}
        resource = str(lower.get("x-ratelimit-resource") or "core")
        with self._lock:
            if status not in (0, 304):  # a 304 to a conditional request is free on GitHub
                self.spent[resource] = self.spent.get(resource, 0) + (cost or 1)
            try:
                limit = int(lower["x-ratelimit-limit"])
                remaining = int(lower["x-ratelimit-remaining"])
                reset = float(lower["x-ratelimit-reset"])
            except (KeyError, ValueError):
                return
            window = self.windows.get(resource)
            if window is None or reset != window.reset or remaining < window.remaining:
                reserved = window.reserved if window else 0
                self.windows[resource] = Window(limit, remaining, reset, reserved)

    def admit(self, resource: str, cost: int) -> str | None:
        """Reserve ``cost`` requests; None to go ahead, else why the work is deferred."""
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
                    self.deferred += 1
                    at = datetime.fromtimestamp(window.reset, UTC).strftime("%H:%M UTC")
                    return (
                        f"deferred: GitHub's {resource} rate limit has {window.remaining} "
                        f"left until {at}, not enough for this entry"
                    )
            self.sleep(wait)

    def release(self, resource: str, cost: int) -> None:
        with self._lock:
            window = self.windows.get(resource)
            if window is not None:  # what it really cost, the headers have said by now
                window.reserved = max(window.reserved - cost, 0)

    def usage(self) -> dict[str, Usage]:
        """Per resource: what this run spent, and the window as last seen."""
        out: dict[str, Usage] = {}
        with self._lock:
            for resource in sorted(set(self.spent) | set(self.windows)):
                window = self.windows.get(resource)
                out[resource] = Usage(
                    spent=self.spent.get(resource, 0),
                    limit=window.limit if window else None,
                    remaining=window.remaining if window else None,
                    reset=datetime.fromtimestamp(window.reset, UTC).isoformat() if window else None,
                )
        return out


def merge(usages: list[dict[str, Usage]]) -> dict[str, Usage]:
    """Usage of one run from its fetch tasks' usages: spent adds up, the lowest remaining wins."""
    out: dict[str, Usage] = {}
    for usage in usages:
        for resource, u in usage.items():
            seen = out.setdefault(resource, Usage(spent=0, limit=None, remaining=None, reset=None))
            seen["spent"] += u["spent"]
            if u["limit"] is not None:
                seen["limit"] = max(seen["limit"] or 0, u["limit"])
            if u["remaining"] is not None:
                seen["remaining"] = min(
                    u["remaining"], seen["remaining"] if seen["remaining"] is not None else 1 << 62
                )
            if u["reset"] is not None:
                seen["reset"] = max(seen["reset"] or "", u["reset"])
    return out
