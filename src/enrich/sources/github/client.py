"""GitHub's client for one fetch task: PyGithub's requester with the run's retry budget, and the
one conditional REST request every part of the source goes through.

Transient failures (5xx, 403/429 rate limits with Retry-After or a reset time) are retried by
PyGithub's ``GithubRetry`` (urllib3), every wait drawn from the run's `RetryBudget`
(``retry_budget_seconds``); a 200 whose body is not JSON is asked again here, from the same
budget. Every request carries the ETag of the last good answer (``If-None-Match``); a 304 costs
no rate limit (with a token) and records the previous body, marked ``revalidated``.

PyGithub follows a 301 (a renamed repository) by calling itself again, without a bound: a
redirect loop is ~1,000 requests, then ``RecursionError``. `bound_redirects` caps the nesting
of its requester at ``github_max_redirects`` hops, then the entry fails with "redirect loop".

Every request is a bounded call (`enrich.sources.bounded`): at most ``github_deadline_seconds``
in all and ``github_max_bytes`` decoded (``github_graphql_max_bytes`` for a GraphQL batch).
PyGithub's requester takes no session of ours; its public ``injectConnectionClasses`` swaps the
connection classes it makes sessions from, here for ones whose session mounts our
`BoundedAdapter` (outside a bounded call it is requests' own). An answer past its cap is asked
again like a malformed one; one that timed out is not (the entry goes stale).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

import httpx
import requests
from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, Requester
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError

from enrich.core.errors import (
    ErrorTable,
    MalformedBodyError,
    NotFoundError,
    RedirectLoopError,
    SourceError,
    TooLargeError,
    TransientError,
    UnreachableError,
    translate,
)
from enrich.core.rawdocs import OK, ErrorInfo, Exchange, describe, exchange
from enrich.core.settings import Settings
from enrich.sources.base import load_json
from enrich.sources.bounded import CHUNK, Bound, BoundedAdapter, bounded, current, read_capped
from enrich.sources.clock import RunClock
from enrich.sources.github.ratelimit import RateLimits, readable_rate_header
from enrich.sources.limits import Pacer, RetryBudget, refused_wait

logger = logging.getLogger(__name__)


class BudgetedRetry(GithubRetry):
    """PyGithub's retry (5xx, 429, primary and secondary rate limits, honouring Retry-After and
    the reset time), drawing every wait from the run's `RetryBudget`."""

    def __init__(self, *, budget: RetryBudget, most: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget
        self.most = most

    def new(self, **kw: Any) -> Self:
        kw["budget"] = self.budget
        kw["most"] = self.most
        return super().new(**kw)

    def parse_retry_after(self, retry_after: str) -> float:
        """Seconds to wait; a Retry-After no one can read (``-5``, ``nan``) is none, the
        backoff's wait instead (urllib3 raised InvalidHeader: that entry failed, not retried)."""
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return self.get_backoff_time()

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        if not self.budget.take(wait, self.most):
            reason = ResponseError(refused_wait(wait))
            raise MaxRetryError(None, "", reason)  # type: ignore[arg-type]
        self.budget.sleep(wait)

    @staticmethod
    def get_content(resp: BaseHTTPResponse, url: str) -> bytes:
        """The body of a 403 that GithubRetry reads for a rate-limit message, counted against
        the call's cap (PyGithub's own reads it whole)."""
        return read_capped(resp.stream(CHUNK, decode_content=True), current())


def screen_rate_headers(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Drop each rate-limit header no window can have (a session's response hook), before
    PyGithub reads it: it parses ``X-RateLimit-Reset: nan`` with ``int()`` and raises. Such a
    reading is unknown (`enrich.sources.github.ratelimit.plausible`); the readable ones stay
    (a spent window still says it is spent)."""
    for name in [k for k in response.headers if k.lower().startswith("x-ratelimit-")]:
        if not readable_rate_header(name, str(response.headers[name])):
            del response.headers[name]


class _HTTPSConnection(HTTPSRequestsConnectionClass):
    """PyGithub's connection, its session on our `BoundedAdapter` (same retry, same pool) and
    its answers' rate-limit headers screened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adapter = BoundedAdapter(
            max_retries=self.retry, pool_connections=self.pool_size, pool_maxsize=self.pool_size
        )
        self.session.mount("https://", self.adapter)
        self.session.hooks["response"].append(screen_rate_headers)


class _HTTPConnection(HTTPRequestsConnectionClass):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adapter = BoundedAdapter(
            max_retries=self.retry, pool_connections=self.pool_size, pool_maxsize=self.pool_size
        )
        self.session.mount("http://", self.adapter)
        self.session.hooks["response"].append(screen_rate_headers)


# For every Requester of this process (the only public way in): outside a bounded call our
# adapter is requests' own, so nothing else that uses PyGithub here changes.
Requester.injectConnectionClasses(_HTTPConnection, _HTTPSConnection)


def rest_bound(settings: Settings) -> Bound:
    return Bound("GitHub", settings.github_deadline_seconds, settings.github_max_bytes)


def graphql_bound(settings: Settings) -> Bound:
    return Bound(
        "GitHub GraphQL", settings.github_deadline_seconds, settings.github_graphql_max_bytes
    )


def bound_redirects(
    client: Github, hops: int, on_redirect: Callable[[], None] | None = None
) -> Github:
    """Cap how deep ``client``'s requester follows 301s (it recurses through one private
    method, wrapped here on this instance only): at most ``hops`` redirects per request.
    ``on_redirect`` is told of each redirect followed (the answers our code never sees)."""
    requester = client.requester
    name = "_Requester__requestRaw"
    raw = getattr(requester, name, None)
    if raw is None:  # pragma: no cover - a PyGithub that no longer recurses this way
        logger.warning("PyGithub's requester changed: redirects are not bounded")
        return client
    depth = threading.local()

    def bounded(*args: Any, **kwargs: Any) -> Any:
        level: int = getattr(depth, "level", 0)
        if level > hops:
            raise RedirectLoopError(f"redirect loop: more than {hops} redirects", source="github")
        if level > 0 and on_redirect is not None:  # a nested call: the answer was a redirect
            on_redirect()
        depth.level = level + 1
        try:
            return raw(*args, **kwargs)
        finally:
            depth.level = level

    setattr(requester, name, bounded)  # a name-mangled attribute: set by its name
    return client


def make_client(
    settings: Settings, budget: RetryBudget, on_redirect: Callable[[], None] | None = None
) -> Github:
    # (No token: the run says so once, `enrich.run.flow`; every task makes a client.)
    token = settings.github_token.get_secret_value() if settings.github_token else None
    client = _client(settings, budget, token)
    return bound_redirects(client, settings.github_max_redirects, on_redirect)


def _client(settings: Settings, budget: RetryBudget, token: str | None) -> Github:
    return Github(
        auth=Auth.Token(token) if token else None,
        base_url=settings.github_api_url.rstrip("/"),
        timeout=int(settings.http_timeout_seconds),
        user_agent=settings.user_agent,
        retry=BudgetedRetry(
            budget=budget,
            most=settings.retry_max_wait_seconds,
            total=settings.http_retries,
            # urllib3 waits backoff_factor * 2**(n-1) before try n+1: the first wait is this.
            backoff_factor=settings.http_backoff_seconds / 2,
            max_rate_limit_wait=settings.github_max_rate_limit_wait,
        ),
        seconds_between_requests=settings.github_seconds_between_requests,
        seconds_between_writes=settings.github_seconds_between_writes,
        pool_size=settings.github_concurrency,
    )


@dataclass
class GitHubContext:
    """What every request of one fetch task shares."""

    client: Github
    stats_http: httpx.Client
    settings: Settings
    rate: RateLimits
    budget: RetryBudget
    previous: dict[str, Any]
    pace: Pacer
    clock: RunClock = field(default_factory=RunClock)  # the run's (`FetchContext.clock`)


def conditional(previous: Exchange | None) -> dict[str, str]:
    """``If-None-Match`` with the ETag of the last good answer, when there is one."""
    if previous and previous.get("etag") and previous.get("status") in OK:
        return {"If-None-Match": str(previous["etag"])}
    return {}


def revalidated(
    name: str, url: str, headers: Mapping[str, Any], previous: Exchange, now: datetime
) -> Exchange:
    """A 304's record: the previous body, still current, and since when it was read."""
    x = exchange(name, url, 304, headers, previous["body"], now)
    x["etag"] = x["etag"] or previous["etag"]
    x["revalidated"] = previous["fetched_at"]
    return x


def request(
    ctx: GitHubContext,
    exchanges: list[Exchange],
    name: str,
    url: str,
    params: dict[str, Any] | None = None,
    previous: Exchange | None = None,
    *,
    needs: str | None = None,
) -> Any:
    """One REST request through PyGithub's requester, conditional on ``previous``'s ETag.

    A 304 records the previous body (GitHub does not count it against the rate limit); a 200
    whose body is not JSON is asked again, waits drawn from the run's budget.

    ``needs``: a header the record is read from that the ETag does not cover. A listing's ETag
    is its page's content, not its ``Link`` (a ``per_page=1`` listing's count is its last page
    number: a new contributor changes the count, not the first page), and GitHub's 304s do not
    always carry it; a 304 without it (when the last answer had one: a listing of one page has
    none) is asked again unconditionally, so the count is never the length of the cached page.
    """
    headers = conditional(previous)
    if not url.startswith("http"):
        url = f"{ctx.settings.github_api_url.rstrip('/')}{url}"
    wait = ctx.settings.http_backoff_seconds / 2
    for attempt in range(ctx.settings.http_retries + 1):
        ctx.pace.wait()
        try:
            with bounded(rest_bound(ctx.settings)):
                status, answer_headers, output = ctx.client.requester.requestJson(
                    "GET", url, parameters=params, headers=headers
                )
        except TooLargeError:
            if attempt < ctx.settings.http_retries and ctx.budget.wait(wait):
                logger.info("GitHub sent too large an answer for %s; asking again", url)
                wait *= 2
                continue
            raise
        ctx.rate.observe(answer_headers, status)
        now = ctx.clock.now()
        if status == 304 and previous is not None:
            answered = {k.lower() for k in answer_headers}
            if needs is not None and needs in previous["headers"] and needs not in answered:
                logger.info("GitHub's 304 for %s carries no %s; asking again", url, needs)
                return request(ctx, exchanges, name, url, params, None)
            exchanges.append(revalidated(name, url, answer_headers, previous, now))
            return previous["body"]
        try:
            data = load_json(output) if output else None
        except ValueError:
            if status < 400:
                if attempt < ctx.settings.http_retries and ctx.budget.wait(wait):
                    logger.info("GitHub sent a malformed body for %s; asking again", url)
                    wait *= 2
                    continue
                exchanges.append(exchange(name, url, status, answer_headers, None, now))
                raise MalformedBodyError(
                    f"GitHub sent malformed JSON {attempt + 1} times", source="github", url=url
                ) from None
            data = {"message": output[:200]}
        exchanges.append(exchange(name, url, status, answer_headers, data, now))
        if status >= 400:
            raise ctx.client.requester.createException(status, answer_headers, data or {})
        return data
    raise AssertionError("unreachable")


def _kept_failing(exc: BaseException) -> SourceError:
    # GithubRetry gave up on a 5xx / rate limit: urllib3 says which ("too many 503 …").
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return TransientError(f"GitHub kept failing: {reason or exc}", source="github")


def _http(exc: BaseException) -> SourceError:
    status = getattr(exc, "status", None)
    return SourceError(f"GitHub answered HTTP {status}", source="github", status=status)


# PyGithub's (and requests', urllib3's) exceptions as ours: the boundary of the source. Our own
# (a malformed or too large body, a timed-out call, a redirect loop) pass as they are.
GITHUB_ERRORS: ErrorTable = (
    (UnknownObjectException,
     lambda e: NotFoundError("not found on GitHub (deleted or private)", source="github")),
    (GithubException, _http),
    (requests.exceptions.RetryError, _kept_failing),
    (Exception,
     lambda e: UnreachableError(f"GitHub unreachable ({type(e).__name__})", source="github")),
)  # fmt: skip


def source_error(exc: Exception) -> SourceError:
    """PyGithub's exception as ours (`GITHUB_ERRORS`)."""
    return translate(exc, GITHUB_ERRORS)


def error_info(exc: Exception) -> ErrorInfo:
    """A failed request as an entry's error: a status, never a crash."""
    return describe(source_error(exc))


def learn_rate_limits(ctx: GitHubContext) -> None:
    """Read every rate-limit window from ``GET /rate_limit`` (free: GitHub does not count it)
    before the first unit of work, unless the run already knows them; an error teaches
    nothing (rate limiting may be off, on GitHub Enterprise), and admission then goes ahead."""
    if ctx.rate.shared.known("core"):
        return
    reread_rate_limits(ctx)


def reread_rate_limits(ctx: GitHubContext) -> None:
    """Every window from ``GET /rate_limit`` (free), whatever the run knows."""
    url = f"{ctx.settings.github_api_url.rstrip('/')}/rate_limit"
    try:
        with bounded(rest_bound(ctx.settings)):
            status, _, output = ctx.client.requester.requestJson("GET", url)
        if status == 200:
            ctx.rate.learn(load_json(output))
    except Exception as exc:
        logger.info("GitHub's rate limits could not be read first (%s)", type(exc).__name__)
