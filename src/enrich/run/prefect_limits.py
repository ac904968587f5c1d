"""Request slots held on the Prefect server: one global concurrency limit per upstream
(``enrich-github``, ``enrich-huggingface``, ``enrich-web``), so every worker and every flow run
of every list share one budget. A limit created with ``--slot-decay-per-second`` is also a rate
limit. A run uses them only when a server is configured and holds all three
(`available`); otherwise its slots are in the process (`enrich.sources.limits.LocalSlots`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from enrich.sources.limits import LIMITED

logger = logging.getLogger(__name__)


def limit_name(source: str) -> str:
    return f"enrich-{source}"


class PrefectSlots:
    @contextlib.contextmanager
    def slot(self, source: str) -> Iterator[None]:
        if source not in LIMITED:
            yield
            return
        from prefect.concurrency.sync import concurrency

        with concurrency(limit_name(source), occupy=1, strict=True):
            yield


def available() -> bool:
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
