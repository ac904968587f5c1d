"""GitHub over GraphQL (with a token): one query per ``github_graphql_batch_size`` (100)
repositories, aliases ``r0``…, owner and name passed as variables.

It reads everything we record but the contributor count, which only REST has
(``/contributors?anon=1&per_page=1``: the ``last`` page of the Link header is the count). That
count is computed from the default branch, so it is asked again only when the branch's head
commit moved since the run that took it. A deleted repository is ``null`` plus a ``NOT_FOUND``
error for its alias: that entry fails, the batch does not. ``repository`` follows renames; the
listed name is kept as ``renamed_from``. A batch that times out (502, 504, a read timeout) after
the client's retries is split in halves once per level (GitHub's advice for queries that time
out); any other failure (401, 403, …) is the batch's, at the cost of one query, not 2n-1. An
answer that is not GraphQL's JSON (a 200 HTML page) is asked again like any malformed body,
then that batch's repositories fail (stale, with their last good values); the other batches go
on.

PyGithub's ``graphql_query`` raises when any alias fails, so the batch is posted through its
requester (``requestJson``) and the partial answer (``data`` plus ``errors``) read here.

Contributor counts are admitted one by one against the core rate limit; one that does not fit
is deferred to a later night: the entry is ``ok`` with its GraphQL fields, the count kept from
the last run (or not yet counted), with the reason. None is ever asked into a 403.
"""

from __future__ import annotations

import logging
import math
import re
import uuid
from datetime import timedelta
from typing import Any

import requests
from github import GithubException
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from enrich.core.errors import MalformedBodyError, TooLargeError
from enrich.core.model import Entry
from enrich.core.rawdocs import OK, ErrorInfo, Exchange, GitHubDocument, exchange
from enrich.sources.base import FetchContext, RawSink, fetch_each, load_json
from enrich.sources.bounded import bounded
from enrich.sources.github.client import GitHubContext, error_info, graphql_bound, request
from enrich.sources.github.normalize import shape_problem
from enrich.sources.github.rest import repo_path

logger = logging.getLogger(__name__)

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
  updatedAt
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


# The light query: what says whether a repository moved, and no connection (GitHub charges
# points for connections only, so 100 repositories cost the minimum, one point). `light_view`
# reads the same fields out of a full node: the two are compared field by field.
_LIGHT_FIELDS = """
fragment LightFields on Repository {
  databaseId
  nameWithOwner
  pushedAt
  updatedAt
  stargazerCount
  forkCount
  isArchived
  description
  homepageUrl
  primaryLanguage { name }
  licenseInfo { spdxId }
  latestRelease { tagName name publishedAt }
  defaultBranchRef { name target { ... on Commit { oid } } }
}
"""
_LIGHT: dict[str, Any] = {
    "databaseId": None, "nameWithOwner": None, "pushedAt": None, "updatedAt": None,
    "stargazerCount": None, "forkCount": None, "isArchived": None, "description": None,
    "homepageUrl": None, "primaryLanguage": {"name": None}, "licenseInfo": {"spdxId": None},
    "latestRelease": {"tagName": None, "name": None, "publishedAt": None},
    "defaultBranchRef": {"name": None, "target": {"oid": None}},
}  # fmt: skip


# Connections per repository in the full query, what GitHub charges it by (a test checks this
# against the fake, which counts them the documented way); the light query has none.
FULL_CONNECTIONS = 7


def points(count: int, connections: int, batch: int) -> int:
    """GitHub's documented price of ``count`` repositories asked ``batch`` a query: requests
    (one per connection per repository) / 100, rounded to the nearest whole number, at least 1
    a query."""
    total = 0
    for start in range(0, count, batch):
        size = min(batch, count - start)
        total += max(1, math.floor(size * connections / 100 + 0.5))
    return total


def graphql_query(count: int, light: bool = False) -> str:
    """One query for ``count`` repositories: aliases ``r0``…, owner and name as variables (list
    text never becomes query text). ``light``: only what says whether each one moved."""
    params = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(count))
    fragment = "LightFields" if light else "RepoFields"
    aliases = "\n".join(
        f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...{fragment} }}" for i in range(count)
    )
    if light:
        return (
            f"query Moved({params}) {{\n"
            f"  rateLimit {{ cost remaining resetAt }}\n{aliases}\n}}\n{_LIGHT_FIELDS}"
        )
    return (
        f"query Repositories($since30: GitTimestamp!, $since365: GitTimestamp!, {params}) {{\n"
        f"  rateLimit {{ cost remaining resetAt }}\n{aliases}\n}}\n{_REPO_FIELDS}"
    )


def light_view(node: Any, spec: dict[str, Any] | None = None) -> Any:
    """The light query's fields of ``node`` (a light answer or a full one), absent ones None."""
    if not isinstance(node, dict):
        return None
    spec = _LIGHT if spec is None else spec
    return {k: node.get(k) if sub is None else light_view(node.get(k), sub)
            for k, sub in spec.items()}  # fmt: skip


def fetch_batch(
    ctx: GitHubContext,
    batch: list[Entry],
    raw: RawSink,
    fetch: FetchContext,
    docs: dict[str, GitHubDocument] | None = None,
    light: dict[str, Exchange] | None = None,
) -> None:
    """Up to ``github_graphql_batch_size`` repositories in one query (or ``docs`` already made:
    the light query's reused ones); then each one's contributor count over REST, skipped when
    its default branch has not moved since the count was taken. ``light``: tonight's light
    answers of these repositories, kept after the full one's."""
    if docs is None:
        try:
            docs = query_batch(ctx, batch)
        except Exception as exc:  # a bug, not an answer: this batch's, not the run's
            logger.exception("GitHub GraphQL batch failed")
            docs = _documents(batch, error_info(exc))
        for entry in batch:
            if light and entry.id in light and docs[entry.id]["exchanges"]:
                docs[entry.id]["exchanges"].append(light[entry.id])

    def finish(entry: Entry) -> GitHubDocument:
        doc = docs[entry.id]
        if doc.get("error") or shape_problem(doc["exchanges"][0]["body"], graphql=True):
            return doc  # no count for a repository that failed (normalize says why)
        kept = still_counted(ctx, entry, doc)
        if kept is not None:  # no request: nothing to admit, never deferred
            doc["exchanges"].append(kept)
            return doc
        deferred = ctx.rate.admit("core", 1)
        if deferred:
            x = exchange("contributors", "", 0, {}, None, ctx.clock.now())
            x["deferred"] = deferred
            doc["exchanges"].append(x)
            return doc
        try:
            doc["exchanges"].append(contributors(ctx, entry, doc))
        except Exception as exc:
            failed = exchange("contributors", "", 0, {}, {"error": error_info(exc)["message"]},
                              ctx.clock.now())  # fmt: skip
            doc["exchanges"].append(failed)
        finally:
            ctx.rate.release("core", 1)
        return doc

    fetch_each("github", batch, raw, fetch, ctx.settings.github_concurrency, finish)


def _documents(batch: list[Entry], error: ErrorInfo | None = None) -> dict[str, GitHubDocument]:
    docs = {
        e.id: GitHubDocument(entry_id=e.id, requested=e.source_id, api="graphql", exchanges=[])
        for e in batch
    }
    if error is not None:
        for doc in docs.values():
            doc["error"] = ErrorInfo(**error)
    return docs


def query_batch(ctx: GitHubContext, batch: list[Entry]) -> dict[str, GitHubDocument]:
    named = [e for e in batch if repo_path(e.source_id) is not None]
    docs = _documents(batch)
    for entry in batch:
        if repo_path(entry.source_id) is None:
            docs[entry.id]["error"] = ErrorInfo(
                kind="rejected", message="not a GitHub owner/repository name"
            )
    if named:
        docs.update(_query(ctx, named))
    return docs


def _query(
    ctx: GitHubContext, batch: list[Entry], light: bool = False
) -> dict[str, GitHubDocument]:
    """One query (the full one, or the light one: exchanges named ``graphql_light``)."""
    # Admitted at what GitHub will charge it (its connections), not as one.
    cost = points(len(batch), 0 if light else FULL_CONNECTIONS, len(batch))
    deferred = ctx.rate.admit("graphql", cost)
    if deferred:
        return _documents(batch, ErrorInfo(kind="deferred", message=deferred))
    now = ctx.clock.now()
    variables: dict[str, Any] = {} if light else {
        "since30": (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "since365": (now - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }  # fmt: skip
    for i, entry in enumerate(batch):
        owner, _, name = entry.source_id.partition("/")
        variables[f"o{i}"], variables[f"n{i}"] = owner, name
    try:
        headers, body = _post(ctx, graphql_query(len(batch), light), variables)
        data = body.get("data") or {}
        limits = data.get("rateLimit")
        charged = limits.get("cost") if isinstance(limits, dict) else None
        # Before the release: what the estimate held beyond the real cost goes back to the share.
        ctx.rate.observe(headers, 200, charged if isinstance(charged, int) else None)
    except Exception as exc:
        if len(batch) > 1 and _timed_out(exc):  # GitHub's advice for a query that times out
            half = len(batch) // 2
            return _query(ctx, batch[:half], light) | _query(ctx, batch[half:], light)
        return _documents(batch, error_info(exc))
    finally:
        ctx.rate.release("graphql", cost)
    docs = _documents(batch)
    problems: dict[str, dict[str, Any]] = {}
    for error in body.get("errors") or []:
        path = error.get("path") if isinstance(error, dict) else None
        if isinstance(path, list) and path:
            problems.setdefault(str(path[0]), error)
    fetched = ctx.clock.now()
    query_id = uuid.uuid4().hex  # the batch's entries share one request
    requester = ctx.client.requester
    for i, entry in enumerate(batch):
        doc = docs[entry.id]
        node = data.get(f"r{i}")
        name = "graphql_light" if light else "graphql"
        x = exchange(name, requester.graphql_url, 200, headers, node, fetched)
        x["query_id"], x["alias"] = query_id, f"r{i}"
        doc["exchanges"].append(x)
        if node is None:
            error = problems.get(f"r{i}") or {}
            if error.get("type") == "NOT_FOUND":
                doc["error"] = ErrorInfo(
                    kind="not_found", message="not found on GitHub (deleted or private)"
                )
            else:
                message = " ".join(str(error.get("message") or "no data").split())[:200]
                doc["error"] = ErrorInfo(kind="graphql", message=f"GitHub GraphQL: {message}")
    return docs


def _post(
    ctx: GitHubContext, query: str, variables: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """POST one query through PyGithub's requester (its retries for 5xx, 429 and rate limits);
    an answer that is not GraphQL's JSON is asked again, waits drawn from the run's budget."""
    requester = ctx.client.requester
    wait = ctx.settings.http_backoff_seconds / 2
    too_large: TooLargeError | None = None
    for attempt in range(ctx.settings.http_retries + 1):
        too_large = None
        try:
            with bounded(graphql_bound(ctx.settings)):
                status, headers, output = requester.requestJson(
                    "POST", requester.graphql_url, input={"query": query, "variables": variables}
                )
        except TooLargeError as exc:  # a malformed answer: asked again like one
            status, headers, output, too_large = 200, {}, None, exc
        try:
            body = load_json(output) if isinstance(output, str) and output else None
        except ValueError:
            body = None
        if status >= 400:
            ctx.rate.observe(headers, status)
            data = body if isinstance(body, dict) else {"message": str(output)[:200]}
            raise requester.createException(status, headers, data)
        if isinstance(body, dict) and _well_formed(body):
            return headers, body
        ctx.rate.observe(headers, status)
        if attempt < ctx.settings.http_retries and ctx.budget.wait(wait):
            logger.info("GitHub sent a malformed GraphQL answer; asking again")
            wait *= 2
            continue
        break
    if too_large is not None:
        raise too_large
    raise MalformedBodyError(
        f"GitHub sent a malformed GraphQL answer {attempt + 1} times",
        source="github", url=requester.graphql_url,
    )  # fmt: skip


def _well_formed(body: Any) -> bool:
    """GraphQL's answer: an object with ``data`` (an object, or null with ``errors``)."""
    if not isinstance(body, dict) or not ("data" in body or "errors" in body):
        return False
    data, errors = body.get("data"), body.get("errors")
    return isinstance(data, dict | None) and isinstance(errors, list | None)


_TIMEOUT_STATUS = re.compile(r"too many (502|504) error responses")


def _timed_out(exc: BaseException) -> bool:
    """A batch worth splitting: GitHub timed out computing it (502, 504) or did not answer in
    time. Anything else (401, 403, a malformed answer) would fail the halves as well."""
    if isinstance(exc, GithubException):
        return exc.status in (502, 504)
    if isinstance(exc, requests.Timeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.exceptions.RetryError):
        return bool(_TIMEOUT_STATUS.search(str(reason)))
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, Urllib3Timeout)


def still_counted(ctx: GitHubContext, entry: Entry, doc: GitHubDocument) -> Exchange | None:
    """The last run's contributor count, when it still holds: GraphQL does not offer the count,
    which is computed from the default branch's history, so while that branch's head commit is
    the same, so is the count. Decided before a request is admitted: a count kept costs none
    and is never deferred when the night's share is spent."""
    head = branch_head(doc["exchanges"][0]["body"])
    before: GitHubDocument | dict[str, Any] = ctx.previous.get(entry.id) or {}
    old = {x["request"]: x for x in before.get("exchanges", [])}
    counted = old.get("contributors")
    if (
        head is not None and counted is not None and counted.get("status") in OK
        and "graphql" in old and branch_head(old["graphql"]["body"]) == head
    ):  # fmt: skip
        return {**counted, "reused": f"default branch still at {head[:12]}"}
    return None


def contributors(ctx: GitHubContext, entry: Entry, doc: GitHubDocument) -> Exchange:
    """The contributor count asked over REST (one request, admitted by the caller), revalidated
    with the last count's ETag."""
    node = doc["exchanges"][0]["body"]
    before: GitHubDocument | dict[str, Any] = ctx.previous.get(entry.id) or {}
    counted = {x["request"]: x for x in before.get("exchanges", [])}.get("contributors")
    name = node.get("nameWithOwner") if isinstance(node, dict) else None
    path = repo_path(name) if isinstance(name, str) else None
    if path is None:
        raise MalformedBodyError("GitHub GraphQL: no valid nameWithOwner", source="github")
    scratch: list[Exchange] = []
    request(ctx, scratch, "contributors", f"{path}/contributors", {"anon": "1", "per_page": 1},
            counted, needs="link")  # fmt: skip
    return scratch[0]


def branch_head(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    target = (node.get("defaultBranchRef") or {}).get("target") or {}
    oid = target.get("oid") if isinstance(target, dict) else None
    return str(oid) if oid else None
