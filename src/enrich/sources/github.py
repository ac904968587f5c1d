"""GitHub repositories, through PyGithub's requester: GraphQL batches with a token, REST without.

**With a token** (``github_graphql``): one GraphQL query per ``github_graphql_batch_size`` (100)
repositories, aliases ``r0``…, owner and name passed as variables. It reads everything we record
but the contributor count, which only REST has (``/contributors?anon=1&per_page=1``: the
``last`` page of the Link header is the count). That count is computed from the default branch,
so it is asked again only when the branch's head commit moved since the run that took it. A
deleted repository is ``null`` plus a ``NOT_FOUND`` error for its alias: that entry fails, the
batch does not. ``repository`` follows renames; the listed name is kept as ``renamed_from``. A
batch that fails after the client's retries is split in halves once per level (GitHub's advice
for queries that time out).

**Without a token** (GraphQL needs one): six REST requests per repository: the repository
(PyGithub follows the 301 of a renamed repository), languages, latest release, newest commit,
contributors, and ``/stats/commit_activity``. That one answers 202 while GitHub computes it, and
PyGithub retries a 202 every 2 s without bound, so it is asked with httpx, with a bounded number
of doubling waits (``github_stats_retries``); then the activity fields stay empty.

**Warm runs**: every REST request carries the ETag of the last good answer (``If-None-Match``);
a 304 costs no rate limit and records the previous body, marked ``revalidated``.

Retries: transient failures (5xx, 403/429 rate limits with Retry-After or a reset time) are
retried by PyGithub's ``GithubRetry`` (urllib3), every wait drawn from the run's `RetryBudget`
(``retry_budget_seconds``); a 200 whose body is not JSON is asked again here, from the same
budget. 404 is permanent: status ``error``, "not found". Before each repository the run asks
`RateLimits` whether the rate limit left covers it; if not it waits for the reset (budget
permitting) or defers the entry (stale, with the reason) rather than run into 403s.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
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
from enrich.ratelimit import Pacer, RateLimits, pacer
from enrich.raw import RawStore, exchange
from enrich.settings import Settings
from enrich.sources.base import Outcome, Progress, chunks, fetch_each, parse_time, per_entry

logger = logging.getLogger(__name__)

# A 304 answer carries the body it revalidated: as good as a 200.
OK = (200, 304)
# The REST requests one repository costs (repo, languages, release, last commit, contributors,
# commit activity): what a run reserves from the core rate limit before starting it.
REST_REQUESTS = 6


class GitHubSource:
    name: str = "github"
    kinds: tuple[Kind, ...] = (Kind.REPO,)
    per_entry_documents: bool = True

    def fetch(
        self, entries: list[Entry], store: RawStore, settings: Settings, progress: Progress
    ) -> None:
        budget = retry_budget(str(store.run_dir), settings)
        token = settings.github_token.get_secret_value() if settings.github_token else None
        headers = {"Accept": "application/vnd.github+json", "User-Agent": settings.user_agent}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        previous = store.previous(self.name, {e.id for e in entries}, _usable)
        rate = RateLimits(budget)
        pace = pacer(f"{store.run_dir}:github-rest", settings.github_rest_per_minute)
        with httpx.Client(headers=headers, timeout=settings.http_timeout_seconds) as stats_http:
            client = _client(settings, budget)
            ctx = _Context(client, stats_http, settings, rate, budget, previous, pace)
            if token and settings.github_graphql:
                for batch in chunks(entries, settings.github_graphql_batch_size):
                    _fetch_batch(ctx, batch, store, progress)
            else:
                fetch_each(
                    self.name, entries, store, settings.github_concurrency, progress,
                    lambda entry: _fetch_rest(ctx, entry),
                )  # fmt: skip
        store.put_usage(self.name, rate.usage())

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


@dataclass
class _Context:
    """What every request of one fetch task shares."""

    client: Github
    stats_http: httpx.Client
    settings: Settings
    rate: RateLimits
    budget: RetryBudget
    previous: dict[str, dict[str, Any]]
    pace: Pacer


class MalformedBody(Exception):
    """GitHub answered 200 with a body that is not JSON (truncated, an HTML error page)."""


def _usable(doc: dict[str, Any]) -> bool:
    return not doc.get("error") and bool(doc.get("exchanges"))


def _conditional(previous: dict[str, Any] | None) -> dict[str, str]:
    """``If-None-Match`` with the ETag of the last good answer, when there is one."""
    if previous and previous.get("etag") and previous.get("status") in OK:
        return {"If-None-Match": previous["etag"]}
    return {}


def _revalidated(
    name: str, url: str, headers: Mapping[str, Any], previous: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A 304's record: the previous body, still current, and since when it was read."""
    x = exchange(name, url, 304, headers, previous["body"], now)
    x["etag"] = x["etag"] or previous["etag"]
    x["revalidated"] = previous["fetched_at"]
    return x


def _request(
    ctx: _Context,
    exchanges: list[dict[str, Any]],
    name: str,
    url: str,
    params: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
) -> Any:
    """One REST request through PyGithub's requester, conditional on ``previous``'s ETag.

    A 304 records the previous body (GitHub does not count it against the rate limit); a 200
    whose body is not JSON is asked again, waits drawn from the run's budget.
    """
    headers = _conditional(previous)
    if not url.startswith("http"):
        url = f"{ctx.settings.github_api_url.rstrip('/')}{url}"
    wait = 0.5
    for attempt in range(ctx.settings.http_retries + 1):
        ctx.pace.wait()
        status, answer_headers, output = ctx.client.requester.requestJson(
            "GET", url, parameters=params, headers=headers
        )
        ctx.rate.observe(answer_headers, status)
        now = datetime.now(UTC)
        if status == 304 and previous is not None:
            exchanges.append(_revalidated(name, url, answer_headers, previous, now))
            return previous["body"]
        try:
            data = json.loads(output) if output else None
        except ValueError:
            if status < 400:
                if attempt < ctx.settings.http_retries and ctx.budget.take(wait):
                    logger.info("GitHub sent a malformed body for %s; asking again", url)
                    time.sleep(wait)
                    wait *= 2
                    continue
                exchanges.append(exchange(name, url, status, answer_headers, None, now))
                raise MalformedBody(f"GitHub sent malformed JSON {attempt + 1} times") from None
            data = {"message": output[:200]}
        exchanges.append(exchange(name, url, status, answer_headers, data, now))
        if status >= 400:
            raise ctx.client.requester.createException(status, answer_headers, data or {})
        return data
    raise AssertionError("unreachable")


def _fetch_rest(ctx: _Context, entry: Entry) -> dict[str, Any]:
    """Everything about one repository over REST: six conditional requests."""
    doc: dict[str, Any] = {"entry_id": entry.id, "requested": entry.source_id, "exchanges": []}
    exchanges: list[dict[str, Any]] = doc["exchanges"]
    before = {x["request"]: x for x in (ctx.previous.get(entry.id) or {}).get("exchanges", [])}
    deferred = ctx.rate.admit("core", REST_REQUESTS)
    if deferred:
        doc["error"] = {"kind": "deferred", "message": deferred}
        return doc

    def get(name: str, url: str, params: dict[str, Any] | None = None) -> Any:
        return _request(ctx, exchanges, name, url, params, before.get(name))

    try:
        repo = get("repo", f"/repos/{entry.source_id}")
        url = repo["url"]
        get("languages", f"{url}/languages")
        with contextlib.suppress(UnknownObjectException):  # no release: recorded as such
            get("latest_release", f"{url}/releases/latest")
        try:
            get("last_commit", f"{url}/commits", {"per_page": 1})
        except GithubException as exc:
            if exc.status != 409:  # 409: an empty repository has no commits
                raise
        get("contributors", f"{url}/contributors", {"anon": "1", "per_page": 1})
        exchanges.append(_commit_activity(ctx, url, before.get("commit_activity")))
    except Exception as exc:
        doc["error"] = _error(exc)
    finally:
        ctx.rate.release("core", REST_REQUESTS)
    return doc


def _error(exc: Exception) -> dict[str, str]:
    """A failed request as an entry's error: a status, never a crash."""
    if isinstance(exc, UnknownObjectException):
        return {"kind": "not_found", "message": "not found on GitHub (deleted or private)"}
    if isinstance(exc, GithubException):
        return {"kind": "http", "message": f"GitHub answered HTTP {exc.status}"}
    if isinstance(exc, MalformedBody):
        return {"kind": "transient", "message": str(exc)}
    if isinstance(exc, requests.exceptions.RetryError):
        # GithubRetry gave up on a 5xx / rate limit: urllib3 says which ("too many 503 …").
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return {"kind": "transient", "message": f"GitHub kept failing: {reason or exc}"}
    return {"kind": "network", "message": f"GitHub unreachable ({type(exc).__name__})"}


def _commit_activity(
    ctx: _Context, repo_url: str, previous: dict[str, Any] | None
) -> dict[str, Any]:
    url = f"{repo_url}/stats/commit_activity"
    headers = _conditional(previous)
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
            time.sleep(wait)
            wait *= 2
    assert response is not None
    now = datetime.now(UTC)
    if response.status_code == 304 and previous is not None:
        return _revalidated("commit_activity", url, response.headers, previous, now)
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return exchange("commit_activity", url, response.status_code, response.headers, body, now)


# -- GraphQL ----------------------------------------------------------------------------------

_REPO_FIELDS = """
fragment RepoFields on Repository {
  databaseId
  nameWithOwner
  url
  description
  homepageUrl
  stargazerCount
  forkCount
  watchers { totalCount }
  issues(states: OPEN) { totalCount }
  pullRequests(states: OPEN) { totalCount }
  primaryLanguage { name }
  languages(first: 100, orderBy: {field: SIZE, direction: DESC}) { edges { size node { name } } }
  licenseInfo { spdxId }
  repositoryTopics(first: 100) { nodes { topic { name } } }
  createdAt
  pushedAt
  isArchived
  isFork
  defaultBranchRef {
    name
    target {
      ... on Commit {
        oid
        committedDate
        last30: history(since: $since30) { totalCount }
        last365: history(since: $since365) { totalCount }
      }
    }
  }
  latestRelease { tagName name publishedAt }
}
"""


def graphql_query(count: int) -> str:
    """One query for ``count`` repositories: aliases ``r0``…, owner and name as variables (list
    text never becomes query text)."""
    params = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(count))
    aliases = "\n".join(
        f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...RepoFields }}" for i in range(count)
    )
    return (
        f"query Repositories($since30: GitTimestamp!, $since365: GitTimestamp!, {params}) {{\n"
        f"  rateLimit {{ cost remaining resetAt }}\n{aliases}\n}}\n{_REPO_FIELDS}"
    )


def _fetch_batch(ctx: _Context, batch: list[Entry], store: RawStore, progress: Progress) -> None:
    """Up to ``github_graphql_batch_size`` repositories in one query; then each one's contributor
    count over REST, skipped when its default branch has not moved since the count was taken."""
    docs = _query_batch(ctx, batch)

    def finish(entry: Entry) -> dict[str, Any]:
        doc = docs[entry.id]
        if doc.get("error"):
            return doc
        deferred = ctx.rate.admit("core", 1)
        if deferred:
            doc["error"] = {"kind": "deferred", "message": deferred}
            return doc
        try:
            doc["exchanges"].append(_contributors(ctx, entry, doc))
        except Exception as exc:
            doc["error"] = _error(exc)
        finally:
            ctx.rate.release("core", 1)
        return doc

    fetch_each("github", batch, store, ctx.settings.github_concurrency, progress, finish)


def _query_batch(ctx: _Context, batch: list[Entry]) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {
        e.id: {"entry_id": e.id, "requested": e.source_id, "api": "graphql", "exchanges": []}
        for e in batch
    }
    deferred = ctx.rate.admit("graphql", 1)
    if deferred:
        for doc in docs.values():
            doc["error"] = {"kind": "deferred", "message": deferred}
        return docs
    now = datetime.now(UTC)
    variables: dict[str, Any] = {
        "since30": (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "since365": (now - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for i, entry in enumerate(batch):
        owner, _, name = entry.source_id.partition("/")
        variables[f"o{i}"], variables[f"n{i}"] = owner, name
    requester = ctx.client.requester
    try:
        headers, body = requester.requestJsonAndCheck(
            "POST", requester.graphql_url,
            input={"query": graphql_query(len(batch)), "variables": variables},
        )  # fmt: skip
    except Exception as exc:
        if len(batch) > 1:  # GitHub's advice for a query that times out: ask for less
            half = len(batch) // 2
            return _query_batch(ctx, batch[:half]) | _query_batch(ctx, batch[half:])
        for doc in docs.values():
            doc["error"] = _error(exc)
        return docs
    finally:
        ctx.rate.release("graphql", 1)
    data = (body or {}).get("data") or {}
    cost = (data.get("rateLimit") or {}).get("cost")
    ctx.rate.observe(headers, 200, cost)
    problems: dict[str, dict[str, Any]] = {}
    for error in (body or {}).get("errors") or []:
        path = error.get("path") or []
        if path:
            problems.setdefault(str(path[0]), error)
    fetched = datetime.now(UTC)
    query_id = uuid.uuid4().hex  # the batch's entries share one request
    for i, entry in enumerate(batch):
        doc = docs[entry.id]
        node = data.get(f"r{i}")
        x = exchange("graphql", requester.graphql_url, 200, headers, node, fetched)
        doc["exchanges"].append({**x, "query_id": query_id, "alias": f"r{i}"})
        if node is None:
            error = problems.get(f"r{i}") or {}
            if error.get("type") == "NOT_FOUND":
                doc["error"] = {"kind": "not_found",
                                "message": "not found on GitHub (deleted or private)"}  # fmt: skip
            else:
                message = " ".join(str(error.get("message") or "no data").split())[:200]
                doc["error"] = {"kind": "graphql", "message": f"GitHub GraphQL: {message}"}
    return docs


def _contributors(ctx: _Context, entry: Entry, doc: dict[str, Any]) -> dict[str, Any]:
    """The contributor count, which GraphQL does not offer. It is computed from the default
    branch's history, so while that branch's head commit is the same, so is the count."""
    node = doc["exchanges"][0]["body"]
    head = _head(node)
    before = ctx.previous.get(entry.id) or {}
    old = {x["request"]: x for x in before.get("exchanges", [])}
    counted = old.get("contributors")
    if (
        head is not None and counted is not None and counted.get("status") in OK
        and "graphql" in old and _head(old["graphql"]["body"]) == head
    ):  # fmt: skip
        return {**counted, "reused": f"default branch still at {head[:12]}"}
    url = f"/repos/{node['nameWithOwner']}/contributors"
    scratch: list[dict[str, Any]] = []
    _request(ctx, scratch, "contributors", url, {"anon": "1", "per_page": 1}, counted)
    return scratch[0]


def _head(node: dict[str, Any] | None) -> str | None:
    target = ((node or {}).get("defaultBranchRef") or {}).get("target") or {}
    oid = target.get("oid")
    return str(oid) if oid else None


def _outcome(entry: Entry, doc: dict[str, Any]) -> Outcome:
    exchanges = {x["request"]: x for x in doc["exchanges"]}
    main = exchanges.get("graphql") or exchanges.get("repo")
    if doc.get("error") or main is None or not isinstance(main.get("body"), dict):
        message = (doc.get("error") or {}).get("message", "no answer")
        return Outcome(Status.ERROR, reason=message)
    fetched_at = parse_time(main["fetched_at"])
    if "graphql" in exchanges:
        repo = _from_graphql(main["body"], exchanges, doc["requested"])
    else:
        repo = _from_rest(main["body"], exchanges, doc["requested"])
    return Outcome(Status.OK, repo, fetched_at=fetched_at)


def _from_rest(data: dict[str, Any], exchanges: dict[str, Any], requested: str) -> Repo:
    license_info = data.get("license") or {}
    languages = _ok_body(exchanges.get("languages")) or {}
    langs = [Language(name=k, bytes=v) for k, v in languages.items() if isinstance(v, int)]
    release = _ok_body(exchanges.get("latest_release"))
    commits = _ok_body(exchanges.get("last_commit")) or []
    last_commit = commits[0]["commit"]["committer"]["date"] if commits else None
    commits_30d, commits_365d = _activity(exchanges.get("commit_activity") or {})
    return Repo(
        repo_id=data["id"],
        full_name=data["full_name"],
        renamed_from=None if data["full_name"].lower() == requested.lower() else requested,
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
        latest_release=_release(release) if release else None,
        last_commit_at=parse_time(last_commit),
        commits_30d=commits_30d,
        commits_365d=commits_365d,
        contributors=_count(exchanges.get("contributors")),
    )


def _from_graphql(node: dict[str, Any], exchanges: dict[str, Any], requested: str) -> Repo:
    branch = node.get("defaultBranchRef") or {}
    head = branch.get("target") or {}
    release = node.get("latestRelease")
    langs = [
        Language(name=e["node"]["name"], bytes=e["size"])
        for e in (node.get("languages") or {}).get("edges") or []
    ]
    topics = (node.get("repositoryTopics") or {}).get("nodes") or []

    def total(key: str) -> int:
        return int((node.get(key) or {}).get("totalCount") or 0)

    def history(key: str) -> int | None:
        found = head.get(key)
        return int(found["totalCount"]) if isinstance(found, dict) else None

    return Repo(
        repo_id=node["databaseId"],
        full_name=node["nameWithOwner"],
        renamed_from=None if node["nameWithOwner"].lower() == requested.lower() else requested,
        html_url=node["url"],
        description=node.get("description"),
        homepage=node.get("homepageUrl") or None,
        stars=node["stargazerCount"],
        forks=node["forkCount"],
        watchers=total("watchers"),
        # REST's open_issues_count: open issues and open pull requests together.
        open_issues=total("issues") + total("pullRequests"),
        language=(node.get("primaryLanguage") or {}).get("name"),
        languages=sorted(langs, key=lambda lang: (-lang.bytes, lang.name)),
        license=(node.get("licenseInfo") or {}).get("spdxId"),
        topics=[t["topic"]["name"] for t in topics],
        created_at=parse_time(node.get("createdAt")),
        pushed_at=parse_time(node.get("pushedAt")),
        archived=bool(node.get("isArchived")),
        fork=bool(node.get("isFork")),
        default_branch=branch.get("name"),
        latest_release=(
            Release(
                tag=release["tagName"],
                name=release.get("name"),
                published_at=parse_time(release.get("publishedAt")),
            )
            if release
            else None
        ),
        last_commit_at=parse_time(head.get("committedDate")),
        commits_30d=history("last30"),
        commits_365d=history("last365"),
        contributors=_count(exchanges.get("contributors")),
    )


def _ok_body(x: dict[str, Any] | None) -> Any:
    return x["body"] if x and x.get("status") in OK else None


def _release(data: dict[str, Any]) -> Release:
    return Release(
        tag=data["tag_name"],
        name=data.get("name"),
        published_at=parse_time(data.get("published_at")),
    )


def _count(x: dict[str, Any] | None) -> int | None:
    """Items of a ``per_page=1`` listing: the ``last`` page number, else what came back."""
    if not x or x["status"] not in OK:
        return None
    link = x["headers"].get("link", "")
    for part in link.split(","):
        if 'rel="last"' in part:
            url = part.split(";")[0].strip().strip("<>")
            return int(parse_qs(urlsplit(url).query)["page"][0])
    return len(x["body"] or [])


def _activity(x: dict[str, Any]) -> tuple[int | None, int | None]:
    """Commits in the 30 and 365 days before the answer, from GitHub's daily counts."""
    if not x or x.get("status") not in OK or not isinstance(x.get("body"), list):
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
