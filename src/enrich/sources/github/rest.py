"""GitHub over REST (no token: GraphQL needs one): six conditional requests per repository.

The repository (PyGithub follows the 301 of a renamed repository), languages, latest release,
newest commit, contributors, and ``/stats/commit_activity``. That one answers 202 while GitHub
computes it, and PyGithub retries a 202 every 2 s without bound, so it is asked with httpx, with
a bounded number of doubling waits (``github_stats_retries``); then the activity fields stay
empty. Before each repository the run asks `RateLimits` whether what is left covers it.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

import httpx
from github import GithubException, UnknownObjectException

from enrich.core.model import Entry
from enrich.core.rawdocs import ErrorInfo, Exchange, GitHubDocument, exchange
from enrich.sources.github.client import (
    GitHubContext,
    conditional,
    error_info,
    request,
    revalidated,
)

logger = logging.getLogger(__name__)

# The REST requests one repository costs (repo, languages, release, last commit, contributors,
# commit activity): what a run reserves from the core rate limit before starting it.
REST_REQUESTS = 6


def fetch_rest(ctx: GitHubContext, entry: Entry) -> GitHubDocument:
    """Everything about one repository over REST: six conditional requests."""
    doc = GitHubDocument(entry_id=entry.id, requested=entry.source_id, exchanges=[])
    exchanges = doc["exchanges"]
    earlier: GitHubDocument | None = ctx.previous.get(entry.id)
    before = {x["request"]: x for x in (earlier["exchanges"] if earlier else [])}
    deferred = ctx.rate.admit("core", REST_REQUESTS)
    if deferred:
        doc["error"] = ErrorInfo(kind="deferred", message=deferred)
        return doc

    def get(name: str, url: str, params: dict[str, object] | None = None) -> object:
        return request(ctx, exchanges, name, url, params, before.get(name))

    try:
        repo = get("repo", f"/repos/{entry.source_id}")
        url = repo["url"]  # type: ignore[index]
        get("languages", f"{url}/languages")
        with contextlib.suppress(UnknownObjectException):  # no release: recorded as such
            get("latest_release", f"{url}/releases/latest")
        try:
            get("last_commit", f"{url}/commits", {"per_page": 1})
        except GithubException as exc:
            if exc.status != 409:  # 409: an empty repository has no commits
                raise
        get("contributors", f"{url}/contributors", {"anon": "1", "per_page": 1})
        exchanges.append(commit_activity(ctx, url, before.get("commit_activity")))
    except Exception as exc:
        doc["error"] = error_info(exc)
    finally:
        ctx.rate.release("core", REST_REQUESTS)
    return doc


def commit_activity(ctx: GitHubContext, repo_url: str, previous: Exchange | None) -> Exchange:
    url = f"{repo_url}/stats/commit_activity"
    headers = conditional(previous)
    wait = ctx.settings.github_stats_wait_seconds
    response: httpx.Response | None = None
    for attempt in range(ctx.settings.github_stats_retries + 1):
        ctx.pace.wait()
        try:
            response = ctx.stats_http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            return exchange(
                "commit_activity", url, 0, {}, {"error": type(exc).__name__}, datetime.now(UTC)
            )
        ctx.rate.observe(response.headers, response.status_code)
        if response.status_code != 202:
            break
        if attempt < ctx.settings.github_stats_retries:
            logger.debug("GitHub is computing %s; waiting %.1fs", url, wait)
            ctx.budget.sleep(wait)
            wait *= 2
    assert response is not None
    now = datetime.now(UTC)
    if response.status_code == 304 and previous is not None:
        return revalidated("commit_activity", url, response.headers, previous, now)
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return exchange("commit_activity", url, response.status_code, response.headers, body, now)
