"""GitHub over REST (no token: GraphQL needs one): the repository, then five parts.

The repository (PyGithub follows the 301 of a renamed repository, at most
``github_max_redirects`` hops), then its languages, latest release, newest commit,
contributors, and ``/stats/commit_activity``. That one answers 202 while GitHub computes it,
and PyGithub retries a 202 every 2 s without bound, so it is asked with httpx, with a bounded
number of doubling waits (``github_stats_retries``); then the activity fields keep their last
good values.

Every request path is built from a validated ``owner/name`` (`enrich.core.links.github_name`):
first the listed one, then the ``full_name`` GitHub answered, never a URL from a body.

Warm nights: the repository is asked conditionally. A 304 means nothing about it changed, its
``pushed_at`` included, so the parts are the previous run's, reused without a request (the
activity windows slide: normalize counts them from tonight). One conditional request per
unchanged repository: GitHub charges an anonymous 304, so that is one of the 60 an hour.

Rate limits: the repository is admitted alone (one request), then the parts it needs; parts
that do not fit are deferred (the entry is ``ok`` with its fresh repository fields, the parts
kept from the last run). A part that fails on its own (a timeout, a malformed answer) is
recorded as failed and the others go on: the entry keeps that part's last good values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from github import GithubException

from enrich.core.errors import SourceError
from enrich.core.links import github_name
from enrich.core.model import Entry
from enrich.core.rawdocs import OK, ErrorInfo, Exchange, GitHubDocument, exchange
from enrich.sources.base import load_json, malformed
from enrich.sources.bounded import bounded, read_capped
from enrich.sources.clock import RunClock
from enrich.sources.github.client import (
    GitHubContext,
    conditional,
    error_info,
    request,
    rest_bound,
    revalidated,
)
from enrich.sources.github.normalize import shape_problem

logger = logging.getLogger(__name__)

# The parts asked after the repository, in order.
PARTS = ("languages", "latest_release", "last_commit", "contributors", "commit_activity")
# Answers a part may reuse: a good one, or the statuses that are facts (no release; an empty
# repository has no commits).
_KEPT = {"latest_release": {404}, "last_commit": {409}}


def repo_path(full_name: str) -> str | None:
    """``/repos/{owner}/{name}`` of a valid name, each segment escaped; None otherwise."""
    name = github_name(full_name)
    if name is None:
        return None
    return f"/repos/{quote(name[0], safe='')}/{quote(name[1], safe='')}"


def fetch_rest(ctx: GitHubContext, entry: Entry) -> GitHubDocument:
    """Everything about one repository over REST: one request when it has not changed."""
    doc = GitHubDocument(entry_id=entry.id, requested=entry.source_id, exchanges=[])
    exchanges = doc["exchanges"]
    path = repo_path(entry.source_id)
    if path is None:
        doc["error"] = ErrorInfo(kind="rejected", message="not a GitHub owner/repository name")
        return doc
    earlier: GitHubDocument | None = ctx.previous.get(entry.id)
    before = {x["request"]: x for x in (earlier["exchanges"] if earlier else [])}
    deferred = ctx.rate.admit("core", 1)
    if deferred:
        doc["error"] = ErrorInfo(kind="deferred", message=deferred)
        return doc
    try:
        repo = request(ctx, exchanges, "repo", path, None, before.get("repo"))
    except Exception as exc:
        doc["error"] = error_info(exc)
        return doc
    finally:
        ctx.rate.release("core", 1)
    full_name = repo.get("full_name") if isinstance(repo, dict) else None
    base = repo_path(full_name) if isinstance(full_name, str) else None
    if base is None:
        doc["error"] = ErrorInfo(kind="malformed", message=malformed("GitHub", "no full_name"))
        return doc
    problem = shape_problem(repo)
    if problem:  # the parts would be asked for a record that cannot be made
        doc["error"] = ErrorInfo(kind="malformed", message=problem)
        return doc
    now = ctx.clock.now()
    todo: list[str] = []
    for part in PARTS:
        old = before.get(part)
        if exchanges[0]["status"] == 304 and old is not None and _reusable(part, old):
            since = exchanges[0].get("revalidated") or old["fetched_at"]
            why = f"repository unchanged (304) since {since}"
            exchanges.append({**old, "fetched_at": now.isoformat(), "reused": why})
        else:
            todo.append(part)
    if not todo:
        return doc
    deferred = ctx.rate.admit("core", len(todo))
    if deferred:
        exchanges.extend(_not_asked(part, base, deferred, now) for part in todo)
        return doc
    try:
        for part in todo:
            _part(ctx, exchanges, part, base, before.get(part))
    finally:
        ctx.rate.release("core", len(todo))
    return doc


def _reusable(part: str, old: Exchange) -> bool:
    if old.get("deferred"):
        return False
    if old.get("status") in _KEPT.get(part, set()):
        return True
    if part == "commit_activity" and not isinstance(old.get("body"), list):
        return False  # still computing last time: ask again
    return old.get("status") in OK


def _not_asked(part: str, base: str, why: str, now: datetime) -> Exchange:
    x = exchange(part, base, 0, {}, None, now)
    x["deferred"] = why
    return x


def _part(
    ctx: GitHubContext, exchanges: list[Exchange], part: str, base: str, old: Exchange | None
) -> None:
    """Ask one part; a failure is recorded as that part's (status 0 and why), never raised."""

    def get(
        url: str, params: dict[str, Any] | None = None, needs: str | None = None
    ) -> Callable[[], object]:
        return lambda: request(ctx, exchanges, part, url, params, old, needs=needs)

    def activity() -> object:
        exchanges.append(commit_activity(ctx, base, old))
        return None

    asks: dict[str, Callable[[], object]] = {
        "languages": get(f"{base}/languages"),
        "latest_release": get(f"{base}/releases/latest"),
        "last_commit": get(f"{base}/commits", {"per_page": 1}),
        "contributors": get(f"{base}/contributors", {"anon": "1", "per_page": 1}, "link"),
        "commit_activity": activity,
    }
    count = len(exchanges)
    try:
        asks[part]()
    except GithubException as exc:
        fact = (part, exc.status) in (("latest_release", 404), ("last_commit", 409))
        if not fact:  # no release, an empty repository: recorded answers, not failures
            _failed(exchanges, count, part, base, error_info(exc)["message"], ctx.clock)
    except Exception as exc:
        _failed(exchanges, count, part, base, error_info(exc)["message"], ctx.clock)


def _failed(
    exchanges: list[Exchange], count: int, part: str, url: str, why: str, clock: RunClock
) -> None:
    """A part that failed: its answer, when one was recorded (normalize reads its status or
    its malformed body); else a record of status 0 saying why."""
    if len(exchanges) == count:
        exchanges.append(exchange(part, url, 0, {}, {"error": why}, clock.now()))


def commit_activity(ctx: GitHubContext, base: str, previous: Exchange | None) -> Exchange:
    url = f"{ctx.settings.github_api_url.rstrip('/')}{base}/stats/commit_activity"
    headers = conditional(previous)
    wait = ctx.settings.github_stats_wait_seconds
    response: httpx.Response | None = None
    for attempt in range(ctx.settings.github_stats_retries + 1):
        if attempt and ctx.rate.admit("core", 1):
            break  # another try does not fit in the rate limit: the last answer (202) stands
        ctx.pace.wait()
        try:
            with (
                bounded(rest_bound(ctx.settings)) as call,
                ctx.stats_http.stream("GET", url, headers=headers) as response,
            ):
                content = read_capped(response.iter_bytes(), call)
        except (httpx.HTTPError, SourceError) as exc:
            why = error_info(exc)["message"] if isinstance(exc, SourceError) else type(exc).__name__
            return exchange("commit_activity", url, 0, {}, {"error": why}, ctx.clock.now())
        finally:
            if attempt:
                ctx.rate.release("core", 1)
        ctx.rate.observe(response.headers, response.status_code)
        if response.status_code != 202:
            break
        if attempt < ctx.settings.github_stats_retries:
            logger.debug("GitHub is computing %s; waiting %.1fs", url, wait)
            ctx.budget.sleep(wait)
            wait *= 2
    assert response is not None
    now = ctx.clock.now()
    if response.status_code == 304 and previous is not None:
        return revalidated("commit_activity", url, response.headers, previous, now)
    try:
        body = load_json(content) if content else None
    except ValueError:
        body = None
    return exchange("commit_activity", url, response.status_code, response.headers, body, now)
