"""GitHub repositories, through PyGithub (REST v3).

Per repository: the repository (PyGithub follows GitHub's 301 for a renamed or transferred
repository to ``/repositories/{id}``; the current full name is read from the answer and the
listed one kept as ``renamed_from``), its languages, its latest release, the newest commit on
the default branch, the contributor count (``per_page=1``: the ``last`` page of the Link header
is the count) and the last year of commit activity.

``/stats/commit_activity`` answers 202 while GitHub computes it. PyGithub's requester retries a
202 every 2 s with no bound, so this one endpoint is asked with httpx, with a bounded number of
doubling waits (``github_stats_retries``); then the activity fields are left empty, not the run.

Retries: transient failures (5xx, 403/429 rate limits with Retry-After or a reset time) are
retried by PyGithub's ``GithubRetry`` (urllib3) — that layer owns them; this module does not
retry on top. Every wait draws from the run's `RetryBudget` (``retry_budget_seconds``): once
it is spent, failing requests give up at once and their entries go stale. 404 is permanent:
status ``error``, "not found".
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import httpx
import requests
from github import Auth, Github, GithubException, GithubRetry, UnknownObjectException
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import MaxRetryError, ResponseError

from enrich.limits import RetryBudget, retry_budget
from enrich.links import Kind
from enrich.model import Entry, Language, Release, Repo, Status
from enrich.raw import RawStore, exchange
from enrich.settings import Settings
from enrich.sources.base import Outcome, Progress, fetch_each, parse_time, per_entry

logger = logging.getLogger(__name__)


class GitHubSource:
    name: str = "github"
    kinds: tuple[Kind, ...] = (Kind.REPO,)

    def fetch(
        self, entries: list[Entry], store: RawStore, settings: Settings, progress: Progress
    ) -> None:
        client = _client(settings, retry_budget(str(store.run_dir), settings))
        token = settings.github_token.get_secret_value() if settings.github_token else None
        headers = {"Accept": "application/vnd.github+json", "User-Agent": settings.user_agent}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        with httpx.Client(headers=headers, timeout=settings.http_timeout_seconds) as stats_http:
            fetch_each(
                self.name, entries, store, settings.github_concurrency, progress,
                lambda entry: _fetch_repo(client, stats_http, entry, settings),
            )  # fmt: skip

    def normalize(
        self, entries: list[Entry], documents: list[dict[str, Any]]
    ) -> dict[str, Outcome]:
        return per_entry(entries, documents, _outcome)


class BudgetedRetry(GithubRetry):
    """PyGithub's retry (5xx, 429, primary and secondary rate limits, honouring Retry-After and
    the reset time), drawing every wait from the run's `RetryBudget`."""

    def __init__(self, *, budget: RetryBudget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget

    def new(self, **kw: Any) -> Self:
        kw["budget"] = self.budget
        return super().new(**kw)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        if not self.budget.take(wait):
            raise MaxRetryError(None, "", ResponseError("the run's retry budget is spent"))  # type: ignore[arg-type]
        super().sleep(response)


def _client(settings: Settings, budget: RetryBudget) -> Github:
    token = settings.github_token.get_secret_value() if settings.github_token else None
    if token is None:
        logger.warning("no GITHUB_TOKEN: anonymous GitHub requests are limited to 60 an hour")
    return Github(
        auth=Auth.Token(token) if token else None,
        base_url=settings.github_api_url.rstrip("/"),
        timeout=int(settings.http_timeout_seconds),
        user_agent=settings.user_agent,
        retry=BudgetedRetry(
            budget=budget,
            total=settings.http_retries,
            backoff_factor=0.5,
            max_rate_limit_wait=settings.github_max_rate_limit_wait,
        ),
        seconds_between_requests=settings.github_seconds_between_requests,
        pool_size=settings.github_concurrency,
    )


def _fetch_repo(
    client: Github, stats_http: httpx.Client, entry: Entry, settings: Settings
) -> dict[str, Any]:
    doc: dict[str, Any] = {"entry_id": entry.id, "requested": entry.source_id, "exchanges": []}
    exchanges: list[dict[str, Any]] = doc["exchanges"]
    requester = client.requester

    def get(name: str, url: str, params: dict[str, Any] | None = None) -> Any:
        try:
            headers, data = requester.requestJsonAndCheck("GET", url, parameters=params)
            status = 200
        except GithubException as exc:
            headers, data, status = exc.headers or {}, exc.data, exc.status
            exchanges.append(exchange(name, url, status, headers, data, datetime.now(UTC)))
            raise
        exchanges.append(exchange(name, url, status, headers, data, datetime.now(UTC)))
        return data

    try:
        repo = client.get_repo(entry.source_id)
        exchanges.append(
            exchange("repo", repo.url, 200, repo.raw_headers, repo.raw_data, datetime.now(UTC))
        )
        get("languages", f"{repo.url}/languages")
        with contextlib.suppress(UnknownObjectException):  # no release: recorded as such
            get("latest_release", f"{repo.url}/releases/latest")
        try:
            get("last_commit", f"{repo.url}/commits", {"per_page": 1})
        except GithubException as exc:
            if exc.status != 409:  # 409: an empty repository has no commits
                raise
        get("contributors", f"{repo.url}/contributors", {"anon": "1", "per_page": 1})
        exchanges.append(_commit_activity(stats_http, repo.url, settings))
    except UnknownObjectException:
        doc["error"] = {"kind": "not_found", "message": "not found on GitHub (deleted or private)"}
    except GithubException as exc:
        doc["error"] = {"kind": "http", "message": f"GitHub answered HTTP {exc.status}"}
    except requests.exceptions.RetryError as exc:
        # GithubRetry gave up on a 5xx / rate limit: urllib3 says which ("too many 503 …").
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        doc["error"] = {"kind": "transient", "message": f"GitHub kept failing: {reason or exc}"}
    except Exception as exc:  # connection errors and the like: a status, never a crash
        doc["error"] = {"kind": "network", "message": f"GitHub unreachable ({type(exc).__name__})"}
    return doc


def _commit_activity(http: httpx.Client, repo_url: str, settings: Settings) -> dict[str, Any]:
    url = f"{repo_url}/stats/commit_activity"
    wait = settings.github_stats_wait_seconds
    response: httpx.Response | None = None
    for attempt in range(settings.github_stats_retries + 1):
        try:
            response = http.get(url)
        except httpx.HTTPError as exc:
            return exchange(
                "commit_activity", url, 0, {}, {"error": type(exc).__name__}, datetime.now(UTC)
            )
        if response.status_code != 202:
            break
        if attempt < settings.github_stats_retries:
            logger.debug("GitHub is computing %s; waiting %.1fs", url, wait)
            time.sleep(wait)
            wait *= 2
    assert response is not None
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return exchange(
        "commit_activity", url, response.status_code, response.headers, body, datetime.now(UTC)
    )


def _outcome(entry: Entry, doc: dict[str, Any]) -> Outcome:
    exchanges = {x["request"]: x for x in doc["exchanges"]}
    if doc.get("error") or "repo" not in exchanges:
        message = (doc.get("error") or {}).get("message", "no answer")
        return Outcome(Status.ERROR, reason=message)
    repo_x = exchanges["repo"]
    data = repo_x["body"]
    fetched_at = parse_time(repo_x["fetched_at"])
    requested = doc["requested"]
    renamed = None if data["full_name"].lower() == requested.lower() else requested
    license_info = data.get("license") or {}
    languages = exchanges.get("languages", {}).get("body") or {}
    langs = [Language(name=k, bytes=v) for k, v in languages.items() if isinstance(v, int)]
    release = exchanges.get("latest_release")
    commits = (exchanges.get("last_commit") or {}).get("body") or []
    last_commit = commits[0]["commit"]["committer"]["date"] if commits else None
    activity = exchanges.get("commit_activity") or {}
    commits_30d, commits_365d = _activity(activity)
    repo = Repo(
        repo_id=data["id"],
        full_name=data["full_name"],
        renamed_from=renamed,
        html_url=data["html_url"],
        description=data.get("description"),
        homepage=data.get("homepage") or None,
        stars=data["stargazers_count"],
        forks=data["forks_count"],
        watchers=data.get("subscribers_count", data.get("watchers_count", 0)),
        open_issues=data["open_issues_count"],
        language=data.get("language"),
        languages=sorted(langs, key=lambda lang: (-lang.bytes, lang.name)),
        license=license_info.get("spdx_id"),
        topics=list(data.get("topics") or []),
        created_at=parse_time(data.get("created_at")),
        pushed_at=parse_time(data.get("pushed_at")),
        archived=bool(data.get("archived")),
        fork=bool(data.get("fork")),
        default_branch=data.get("default_branch"),
        latest_release=_release(release["body"]) if release and release["status"] == 200 else None,
        last_commit_at=parse_time(last_commit),
        commits_30d=commits_30d,
        commits_365d=commits_365d,
        contributors=_count(exchanges.get("contributors")),
    )
    return Outcome(Status.OK, repo, fetched_at=fetched_at)


def _release(data: dict[str, Any]) -> Release:
    return Release(
        tag=data["tag_name"],
        name=data.get("name"),
        published_at=parse_time(data.get("published_at")),
    )


def _count(x: dict[str, Any] | None) -> int | None:
    """Items of a ``per_page=1`` listing: the ``last`` page number, else what came back."""
    if not x or x["status"] != 200:
        return None
    link = x["headers"].get("link", "")
    for part in link.split(","):
        if 'rel="last"' in part:
            url = part.split(";")[0].strip().strip("<>")
            return int(parse_qs(urlsplit(url).query)["page"][0])
    return len(x["body"] or [])


def _activity(x: dict[str, Any]) -> tuple[int | None, int | None]:
    """Commits in the 30 and 365 days before the answer, from GitHub's daily counts."""
    if not x or x.get("status") != 200 or not isinstance(x.get("body"), list):
        return None, None
    now = parse_time(x["fetched_at"])
    assert now is not None
    last_30 = last_365 = 0
    for week in x["body"]:
        start = datetime.fromtimestamp(week["week"], UTC)
        for offset, count in enumerate(week["days"]):
            age = now - (start + timedelta(days=offset))
            if age < timedelta(days=30):
                last_30 += count
            if age < timedelta(days=365):
                last_365 += count
    return last_30, last_365
