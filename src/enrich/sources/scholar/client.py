"""Semantic Scholar's paper batch endpoint, through httpx: one request per 500 papers.

``POST {S2_API_URL}/graph/v1/paper/batch?fields=…`` with ``{"ids": [...]}`` answers a JSON list
aligned with the ids, ``null`` for an id it does not know. Every request

- is paced (``s2_per_minute``: a key's introductory rate is one request a second) and holds the
  run's ``scholar`` slot;
- ends within ``s2_deadline_seconds`` in all (`enrich.sources.bounded`: a server that drips
  its answer gets "timed out", not the night) and is read up to ``s2_max_bytes`` decoded (a small
  gzip answer can decode to gigabytes);
- is asked again on a 429, a 5xx, no answer or a malformed one, up to ``http_retries`` times,
  while the run's retry budget pays for the wait (``Retry-After`` when the answer gives one, else
  a doubling backoff) and for the time a timed-out attempt cost; a wait the budget cannot pay
  is not waited: the batch keeps its last values (stale), the run goes on;
- is split in halves when Semantic Scholar answers 400 "Response would exceed maximum size" (an
  answer is at most 10 MB, and at most 9,999 references and citations), until the halves fit;
  the run's later batches are no larger than the halves that fit (`Batches.fits`).

The ``semanticscholar`` package is not used: its requester makes a client of its own per call
(no transport of ours, so no total deadline and no size cap), reads the whole answer with
``r.json()``, and on a 429 waits a fixed 30 s up to ten times, ignoring ``Retry-After`` and any
budget (``retry=False`` gives a single attempt and no retry at all).

Raw: one document per batch (`enrich.core.rawdocs.ScholarBatch`): the ids asked, which entry
asked which id, the last answer as received (parsed JSON) and how many attempts it took.
Semantic Scholar sends no ETag: nothing is asked conditionally.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from enrich.core.errors import TimedOutError, TooLargeError
from enrich.core.rawdocs import ErrorInfo, ScholarBatch, exchange
from enrich.sources.base import FetchContext, RawSink, load_json
from enrich.sources.bounded import Bound, DeadlineTransport, bounded, read_capped
from enrich.sources.limits import refused_wait, retry_after
from enrich.sources.scholar.record import FIELDS

logger = logging.getLogger(__name__)

SOURCE = "scholar"
BATCH_PATH = "/graph/v1/paper/batch"
# The beginning of Semantic Scholar's 400 for an answer past its 10 MB (and 9,999 references).
TOO_LARGE = "Response would exceed maximum size"
# A malformed body is kept up to this many characters (an HTML error page, a truncated list).
KEPT_TEXT = 2_000


@dataclass
class _Answer:
    """One attempt: the HTTP answer (status 0: none), or why there was none worth reading."""

    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    error: ErrorInfo | None = None
    timed_out: bool = False

    @property
    def retryable(self) -> bool:
        kind = self.error["kind"] if self.error else ""
        return self.status == 429 or self.status >= 500 or kind in ("network", "malformed")


class Batches:
    """The source's client for one fetch: an httpx client with a total deadline per request."""

    def __init__(self, raw: RawSink, ctx: FetchContext) -> None:
        self.raw = raw
        self.ctx = ctx
        self.settings = settings = ctx.settings
        headers = {"User-Agent": settings.user_agent, "Accept": "application/json"}
        if settings.s2_api_key is not None:
            headers["x-api-key"] = settings.s2_api_key.get_secret_value()
        self.transport = DeadlineTransport()
        self.bound = Bound("Semantic Scholar", settings.s2_deadline_seconds, settings.s2_max_bytes)
        self.http = httpx.Client(
            headers=headers, timeout=httpx.Timeout(settings.http_timeout_seconds),
            transport=self.transport, follow_redirects=False,
        )  # fmt: skip
        self.url = settings.s2_api_url.rstrip("/") + BATCH_PATH
        self.pacer = ctx.pacers.get(SOURCE, settings.s2_per_minute)
        self.count = 0
        # The most ids a batch of this run's papers may have: halved with each "too large", so
        # the batches after one are not refused again (their papers cite as much).
        self.fits = settings.s2_batch_size

    def __enter__(self) -> Batches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def ask(self, ids: list[str], entries: Mapping[str, list[str]]) -> None:
        """Ask for ``ids`` (entries: id -> the entries asking it) and store the answer."""
        settings = self.settings
        wait = settings.http_backoff_seconds
        attempts = 0
        while True:
            attempts += 1
            answer = self._send(ids)
            if answer.status == 400 and len(ids) > 1 and _too_large(answer.body):
                logger.info("Semantic Scholar: %d ids make too large an answer; halves", len(ids))
                self._store(ids, entries, answer, attempts, split=True)
                half = len(ids) // 2
                self.fits = min(self.fits, half)
                self.ask(ids[:half], entries)
                self.ask(ids[half:], entries)
                return
            if not answer.retryable or attempts > settings.http_retries:
                break
            asked = retry_after(answer.headers) if answer.status == 429 else None
            pause = asked if asked is not None else wait
            cost = settings.s2_deadline_seconds if answer.timed_out else 0.0
            most = settings.retry_max_wait_seconds
            if not (self.ctx.budget.take(cost) and self.ctx.budget.wait(pause, most)):
                answer.error = _gave_up(answer, pause)
                break
            logger.info("Semantic Scholar: %s; asking again in %.0f s", _what(answer), pause)
            wait *= 2
        self._store(ids, entries, answer, attempts)

    def _send(self, ids: list[str]) -> _Answer:
        self.pacer.wait()
        settings = self.settings
        params = {"fields": ",".join(FIELDS)}
        try:
            with (
                self.ctx.slots.slot(SOURCE),
                bounded(self.bound) as call,
                self.http.stream("POST", self.url, params=params, json={"ids": ids}) as resp,
            ):
                data = read_capped(resp.iter_bytes(), call)
                status, headers = resp.status_code, resp.headers
        except (httpx.TimeoutException, TimedOutError):
            seconds = settings.s2_deadline_seconds
            why = f"Semantic Scholar timed out (no whole answer within {seconds:g} s)"
            return _Answer(error=ErrorInfo(kind="network", message=why), timed_out=True)
        except TooLargeError:
            why = f"Semantic Scholar sent an answer larger than {settings.s2_max_bytes:,} bytes"
            return _Answer(error=ErrorInfo(kind="malformed", message=why))
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # InvalidURL: a redirect's Location httpx cannot parse (``data:…``), read even
            # though it is not followed; no HTTPError, it ended the source.
            why = f"Semantic Scholar unreachable ({type(exc).__name__})"
            return _Answer(error=ErrorInfo(kind="network", message=why))
        text = data.decode("utf-8", errors="replace")
        try:
            body: Any = load_json(text) if text.strip() else None
        except ValueError:
            body = None
        answer = _Answer(status=status, headers=headers, body=body)
        if status == 200:
            problem = _shape(body, len(ids))
            if problem is not None:
                answer.body = body if body is not None else text[:KEPT_TEXT]
                answer.error = ErrorInfo(
                    kind="malformed",
                    message=f"Semantic Scholar sent a malformed answer ({problem})",
                )
        elif body is None:
            answer.body = text[:KEPT_TEXT]
        return answer

    def _store(
        self, ids: list[str], entries: Mapping[str, list[str]], answer: _Answer, attempts: int,
        split: bool = False,
    ) -> None:  # fmt: skip
        self.count += 1
        url = f"{self.url}?fields={','.join(FIELDS)}"
        x = exchange("batch", url, answer.status, answer.headers, answer.body,
                     self.ctx.clock.now())  # fmt: skip
        asked = {entry: s2 for s2 in ids for entry in entries.get(s2, [])}
        doc = ScholarBatch(
            request=x["request"], url=x["url"], status=x["status"], etag=x["etag"],
            headers=x["headers"], fetched_at=x["fetched_at"], body=x["body"], ids=list(ids),
            asked=asked, attempts=attempts,
        )  # fmt: skip
        if answer.error is not None:
            doc["error"] = answer.error
        elif answer.status != 200:
            message = _message(answer.body) or f"Semantic Scholar answered HTTP {answer.status}"
            doc["error"] = ErrorInfo(kind="http", message=message, status=answer.status)
        if split:
            doc["split"] = True
        self.raw.put(SOURCE, f"batch-{self.count:05d}", doc)


def _shape(body: Any, size: int) -> str | None:
    """What is wrong with a 200's body, or None: a list aligned with the ids asked."""
    if not isinstance(body, list):
        return "not a JSON list" if body is None else f"a JSON {type(body).__name__}, not a list"
    if len(body) != size:
        return f"{len(body)} items for {size} ids"
    return None


def _too_large(body: Any) -> bool:
    message = _message(body) or ""
    return message.startswith(TOO_LARGE) or "9999" in message


def _message(body: Any) -> str | None:
    """The error text of Semantic Scholar's error body (``error``; a 429's ``message``)."""
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return " ".join(str(body[key]).split())[:300]
    return None


def _what(answer: _Answer) -> str:
    if answer.error is not None:
        return answer.error["message"]
    return f"HTTP {answer.status}"


def _gave_up(answer: _Answer, pause: float) -> ErrorInfo:
    """Why the batch was not asked again: the budget could not pay the wait (or the time)."""
    why = f"{_what(answer)}; {refused_wait(pause)}"
    kind = answer.error["kind"] if answer.error else "transient"
    return ErrorInfo(kind=kind, message=why)
