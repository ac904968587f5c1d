"""What one run may spend, handed to every source: request slots, a retry budget, a pacer.

These are per-run objects. The run creates them (`enrich.run.context`), passes them in through
`enrich.sources.base.FetchContext`, and drops them when it ends; no source keeps any of them in
a module global.

- `Slots`: how many requests a source may have in flight. `LocalSlots` holds a semaphore per
  source in this process, sized by the settings (``github_concurrency``…); the fetch tasks of one
  run share them, so the upstream never sees more. A Prefect-backed implementation (global
  concurrency limits shared by every worker and flow run) lives in `enrich.run.prefect_limits`.
- `RetryBudget`: the total time the run may spend waiting before retries.
- `Pacer`: spaces requests to at most N a minute.
- `Shared`: any other per-run object by name (GitHub's rate-limit windows).

arXiv is not limited by slots: its one task spaces its own requests (``arxiv_delay_seconds``).

Why not pyrate-limiter or stamina (#23 item 10), weighed: pyrate-limiter's limiters count
requests in windows (N per interval, leaky bucket); `Pacer` is simpler (an even spacing, the
next slot under a lock) and a limiter would need a bucket and a clock set up per run to do the
same. stamina retries a call on exceptions with jittered backoff and a total timeout per call;
what the run needs is one budget of waiting shared by every request of every source and thread
(a night of 503s costs ``retry_budget_seconds``, not one wait per request), waits that an answer
asks for (``Retry-After``, a rate-limit reset) drawn from it with a maximum, and retries on
answers (statuses, malformed bodies) inside libraries that retry on their own (urllib3's
``Retry`` under PyGithub). stamina has no shared budget and no "wait the server asked for";
wrapping it would keep this class and add a layer. So both stay hand-written, small, and tested
(`tests/test_ratelimit.py`).
"""

from __future__ import annotations

import contextlib
import email.utils
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from enrich.core.settings import Settings

LIMITED = ("github", "huggingface", "web")


class Slots(Protocol):
    """A bound on the requests a source has in flight; hold one slot per request or entry."""

    def slot(self, source: str) -> AbstractContextManager[None]: ...


class LocalSlots:
    """One semaphore per limited source, in this process."""

    def __init__(self, settings: Settings) -> None:
        sizes = {
            "github": settings.github_concurrency,
            "huggingface": settings.hub_concurrency,
            "web": settings.web_concurrency,
        }
        self._local = {name: threading.BoundedSemaphore(max(n, 1)) for name, n in sizes.items()}

    @contextlib.contextmanager
    def slot(self, source: str) -> Iterator[None]:
        semaphore = self._local.get(source)
        if semaphore is None:
            yield
            return
        with semaphore:
            yield


class RetryBudget:
    """The total time one run may spend waiting before retries (backoff, Retry-After, rate-limit
    resets), shared by all of its requests: a night of 503s costs this much, not one wait per
    request. When it is spent, a request that would wait fails at once (its entry goes stale).

    ``scale`` multiplies every wait actually slept (``retry_wait_scale``; tests set it to 0 so
    that a fault table does not sleep for real); what is drawn from the budget is the full wait.
    """

    def __init__(
        self, seconds: float, scale: float = 1.0, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.total = seconds
        self.spent = 0.0
        self.scale = scale
        self._sleep = sleep
        self._lock = threading.Lock()

    def take(self, seconds: float, most: float | None = None) -> bool:
        """Draw ``seconds``; False when the budget cannot pay, or the wait is longer than
        ``most`` (one wait an upstream asks for, ``retry_max_wait_seconds``) or is no number."""
        if not math.isfinite(seconds) or seconds < 0 or (most is not None and seconds > most):
            return False
        with self._lock:
            if self.spent + seconds > self.total:
                return False
            self.spent += seconds
            return True

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` (already drawn with `take`), scaled."""
        if seconds > 0 and self.scale > 0:
            self._sleep(seconds * self.scale)

    def wait(self, seconds: float, most: float | None = None) -> bool:
        """Draw ``seconds`` and sleep them; False (no sleep) when the budget cannot pay."""
        if not self.take(seconds, most):
            return False
        self.sleep(seconds)
        return True


def refused_wait(seconds: float) -> str:
    """Why a wait was not waited (an entry's reason)."""
    return f"a wait of {seconds:,.0f} s is more than the run's retry budget allows"


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait an answer asks for (``Retry-After``: seconds, or an HTTP date), as asked, or None
    when it asks none or says nothing readable. Never trusted further: the caller draws it from
    the run's budget with a maximum (`RetryBudget.take`)."""
    value = str(headers.get("retry-after") or headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class Pacer:
    """Spaces requests evenly to at most ``per_minute`` (0: no pacing), across threads.

    GitHub's secondary rate limit allows no more than 900 points a minute to REST endpoints (a
    GET is one point); going over earns 403s and, repeated, a ban. Pacing is cheaper than
    recovering from either.
    """

    def __init__(self, per_minute: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.sleep = sleep
        self.next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self.next)
            self.next = slot + self.interval
        if slot > now:
            self.sleep(slot - now)


class Pacers:
    """The run's pacers by name (one per upstream), created on first use and shared by its
    fetch tasks in this process."""

    def __init__(self) -> None:
        self._pacers: dict[str, Pacer] = {}
        self._lock = threading.Lock()

    def get(self, name: str, per_minute: float) -> Pacer:
        with self._lock:
            if name not in self._pacers:
                self._pacers[name] = Pacer(per_minute)
            return self._pacers[name]


S = TypeVar("S")


class Shared:
    """Other per-run objects by name, created on first use and shared by the run's fetch tasks
    in this process (e.g. GitHub's rate-limit windows: what one task learns of the budget, every
    task admits against). Like the rest of this module: made by the run, dropped with it."""

    def __init__(self) -> None:
        self._objects: dict[str, object] = {}
        self._lock = threading.Lock()

    def get(self, name: str, factory: Callable[[], S], kind: type[S]) -> S:
        with self._lock:
            found = self._objects.get(name)
            if not isinstance(found, kind):
                found = self._objects[name] = factory()
            return found
