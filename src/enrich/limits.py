"""One request budget per upstream, shared by everything fetching from it.

Each entry fetch holds one slot of its source's limit for as long as it talks to the upstream.
Two backends:

- ``local`` (the default): a semaphore per source in this process, sized by the settings
  (``github_concurrency``…). The flow's fetch tasks may run several chunks of one source at
  once on the thread pool; they share these slots, so the upstream never sees more.
- ``prefect``: a Prefect global concurrency limit per source (``enrich-github``,
  ``enrich-huggingface``, ``enrich-web``), held on the Prefect server, so every worker and every
  flow run of every list share one budget. A limit created with ``--slot-decay-per-second``
  is also a rate limit. The flow picks this backend only when a server is configured and the
  limits exist (see `prefect_limits_available`); otherwise it stays local.

arXiv is not limited here: its one task spaces its own requests (``arxiv_delay_seconds``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from enrich.settings import Settings

logger = logging.getLogger(__name__)

LIMITED = ("github", "huggingface", "web")


def limit_name(source: str) -> str:
    return f"enrich-{source}"


class Limits:
    """The slots of each limited source, local or on the Prefect server."""

    def __init__(self, settings: Settings, backend: str = "local") -> None:
        self.backend = backend
        sizes = {
            "github": settings.github_concurrency,
            "huggingface": settings.hub_concurrency,
            "web": settings.web_concurrency,
        }
        self.key = (backend, tuple(sorted(sizes.items())))
        self._local = {name: threading.BoundedSemaphore(max(n, 1)) for name, n in sizes.items()}

    @contextlib.contextmanager
    def slot(self, source: str) -> Iterator[None]:
        if source not in LIMITED:
            yield
            return
        if self.backend == "prefect":
            from prefect.concurrency.sync import concurrency

            with concurrency(limit_name(source), occupy=1, strict=True):
                yield
            return
        with self._local[source]:
            yield


_current: Limits | None = None
_lock = threading.Lock()


def use(settings: Settings, backend: str = "local") -> Limits:
    """Install the process-wide limits; tasks of one run (same settings) share them."""
    global _current
    wanted = Limits(settings, backend)
    with _lock:
        if _current is None or _current.key != wanted.key:
            _current = wanted
        return _current


def current() -> Limits | None:
    return _current


def prefect_limits_available() -> bool:
    """True when a Prefect server is configured and holds a limit for every limited source."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        return False
    missing = []
    with get_client(sync_client=True) as client:
        for source in LIMITED:
            try:
                client.read_global_concurrency_limit_by_name(limit_name(source))
            except Exception:  # ObjectNotFound, or a server too old to have them
                missing.append(limit_name(source))
    if missing:
        logger.warning(
            "Prefect server has no global concurrency limit %s; limiting in this process only "
            "(create them with `prefect gcl create NAME --limit N`)",
            ", ".join(missing),
        )
        return False
    return True


class RetryBudget:
    """The total time one run may spend waiting before retries (backoff, Retry-After, rate-limit
    resets), shared by all of its requests: a night of 503s costs this much, not one wait per
    request. When it is spent, a request that would wait fails at once (its entry goes stale)."""

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self.spent = 0.0
        self._lock = threading.Lock()

    def take(self, seconds: float) -> bool:
        with self._lock:
            if self.spent + seconds > self.total:
                return False
            self.spent += seconds
            return True


_budgets: dict[str, RetryBudget] = {}


def retry_budget(run_key: str, settings: Settings) -> RetryBudget:
    """The budget of one run (keyed by its raw folder), created on first use."""
    with _lock:
        if run_key not in _budgets:
            _budgets[run_key] = RetryBudget(settings.retry_budget_seconds)
        return _budgets[run_key]
