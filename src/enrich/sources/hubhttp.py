"""The Hub's HTTP for the Hub, collections and papers sources: huggingface_hub's headers and
error mapping, our client (every request a bounded call), our retries (every wait bounded and
paid).

huggingface_hub's ``http_backoff`` reads whole bodies with no cap, through a process-wide client
with no total deadline, and sleeps whatever ``Retry-After`` asks (``Retry-After: 999999`` stalled
a run). So the requests are sent here: through an httpx2 client (the library's HTTP package, so
that ``hf_raise_for_status`` maps the answers as it does its own) whose connections are bounded
by the call's deadline (``hub_deadline_seconds``), the body read decoded up to a cap
(``hub_max_bytes``; a card: ``web_max_bytes``). 408, 429, 5xx and no answer are asked again up
to ``http_retries`` times, each wait (``Retry-After`` when the answer gives one, else a doubling
backoff) drawn from the run's retry budget and at most ``retry_max_wait_seconds``; a wait that
is not paid is not waited: the last answer stands, the entry keeps its last values with the
reason.

``HF_HUB_OFFLINE`` (huggingface_hub's offline mode, as the library reads it:
``constants.is_offline_mode()``) is honoured as the library honours it for its own calls: the
Hub sources ask nothing (`offline`) and their entries are ``skipped`` with the reason, and a
request sent all the same is refused here before it leaves (unreachable, as the library's
``OfflineModeIsEnabled``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx2
from huggingface_hub import constants

from enrich.core.errors import (
    SourceError,
    TimedOutError,
    TooLargeError,
    TransientError,
    UnreachableError,
)
from enrich.core.settings import Settings
from enrich.sources.bounded import Bound, bounded, hub_client, read_capped
from enrich.sources.limits import RetryBudget, refused_wait, retry_after

logger = logging.getLogger(__name__)

RETRIED = frozenset({408, 429, 500, 502, 503, 504})
# Headers about how the body was sent, not what it is: dropped once it is read and decoded.
_FRAMING = ("content-encoding", "content-length", "transfer-encoding")


OFFLINE = "HF_HUB_OFFLINE is set: the Hub is not asked"


def offline() -> str | None:
    """Why the Hub is not to be asked (`OFFLINE`), or None: huggingface_hub's offline mode, read
    where the library reads it, at each fetch (a test or a caller may set it after import)."""
    return OFFLINE if constants.is_offline_mode() else None


class HubHTTP:
    """One fetch task's client for the Hub (close it, or use it as a context manager)."""

    def __init__(self, settings: Settings, budget: RetryBudget) -> None:
        self.settings = settings
        self.budget = budget
        self.bound = Bound("the Hub", settings.hub_deadline_seconds, settings.hub_max_bytes)
        self.client = hub_client()

    def __enter__(self) -> HubHTTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(
        self,
        url: str,
        headers: Mapping[str, str],
        params: Any = None,
        extensions: Mapping[str, Any] | None = None,
        max_bytes: int | None = None,
    ) -> httpx2.Response:
        """GET ``url``: the last answer, read whole (within the bound), retried as above.
        Raises `TimedOutError`, `TooLargeError` or httpx2's error when no answer came, and
        `TransientError` when a retry was due but its wait was not paid."""
        settings = self.settings
        if offline():  # a source asks `offline` first; this is the guard, never the path
            raise UnreachableError(OFFLINE, source="huggingface", url=url)
        bound = (
            self.bound
            if max_bytes is None
            else dataclasses.replace(self.bound, max_bytes=max_bytes)
        )
        wait = settings.http_backoff_seconds
        for attempt in range(settings.http_retries + 1):
            failure: Exception | None = None
            response: httpx2.Response | None = None
            try:
                response = self._once(url, headers, params, extensions, bound)
            except (httpx2.TransportError, TimedOutError, TooLargeError) as exc:
                failure = exc
            if response is not None and response.status_code not in RETRIED:
                return response
            if attempt == settings.http_retries:
                break
            asked = retry_after(response.headers) if response is not None else None
            pause = asked if asked is not None else wait
            if not self.budget.wait(pause, settings.retry_max_wait_seconds):
                what = f"HTTP {response.status_code}" if response is not None else str(failure)
                status = response.status_code if response is not None else None
                raise TransientError(f"the Hub answered {what}; {refused_wait(pause)}",
                                     source="huggingface", url=url, status=status)  # fmt: skip
            logger.info("the Hub: %s for %s; asking again", failure or response, url)
            wait = min(wait * 2, 30)
        if failure is not None:
            raise failure
        assert response is not None
        return response

    def _once(
        self,
        url: str,
        headers: Mapping[str, str],
        params: Any,
        extensions: Mapping[str, Any] | None,
        bound: Bound,
    ) -> httpx2.Response:
        with bounded(bound) as call:
            try:
                with self.client.stream(
                    "GET", url, headers=dict(headers), params=params,
                    extensions=dict(extensions or {}), timeout=self.settings.http_timeout_seconds,
                ) as streamed:  # fmt: skip
                    body = read_capped(streamed.iter_bytes(), call)
            except httpx2.TimeoutException as exc:
                if call.deadline <= time.monotonic():  # the call's deadline, not one read's
                    raise call.timed_out() from exc
                raise
        # The body is decoded: the answer as if sent so (what hf_raise_for_status reads).
        kept = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _FRAMING]
        return httpx2.Response(
            streamed.status_code, headers=kept, content=body, request=streamed.request,
            extensions={"http_version": streamed.extensions.get("http_version", b"HTTP/1.1")},
        )  # fmt: skip


def is_failure(exc: BaseException) -> bool:
    """An error `HubHTTP.get` raises for a request that got no usable answer."""
    return isinstance(exc, httpx2.TransportError | SourceError)
