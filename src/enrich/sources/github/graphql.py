"""GitHub over GraphQL (with a token): one query per ``github_graphql_batch_size`` (100)
repositories, aliases ``r0``…, owner and name passed as variables.

It reads everything we record but the contributor count, which only REST has
(``/contributors?anon=1&per_page=1``: the ``last`` page of the Link header is the count). That
count is computed from the default branch, so it is asked again only when the branch's head
commit moved since the run that took it. A deleted repository is ``null`` plus a ``NOT_FOUND``
error for its alias: that entry fails, the batch does not. ``repository`` follows renames; the
listed name is kept as ``renamed_from``. A batch that fails after the client's retries is split
in halves once per level (GitHub's advice for queries that time out).

PyGithub's ``graphql_query`` raises when any alias fails, so the batch is posted through its
requester (``requestJsonAndCheck``) and the partial answer (``data`` plus ``errors``) read here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from enrich.core.model import Entry
from enrich.core.rawdocs import OK, ErrorInfo, Exchange, GitHubDocument, exchange
from enrich.sources.base import FetchContext, RawSink, fetch_each
from enrich.sources.github.client import GitHubContext, error_info, request

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


def fetch_batch(ctx: GitHubContext, batch: list[Entry], raw: RawSink, fetch: FetchContext) -> None:
    """Up to ``github_graphql_batch_size`` repositories in one query; then each one's contributor
    count over REST, skipped when its default branch has not moved since the count was taken."""
    docs = query_batch(ctx, batch)

    def finish(entry: Entry) -> GitHubDocument:
        doc = docs[entry.id]
        if doc.get("error"):
            return doc
        deferred = ctx.rate.admit("core", 1)
        if deferred:
            doc["error"] = ErrorInfo(kind="deferred", message=deferred)
            return doc
        try:
            doc["exchanges"].append(contributors(ctx, entry, doc))
        except Exception as exc:
            doc["error"] = error_info(exc)
        finally:
            ctx.rate.release("core", 1)
        return doc

    fetch_each("github", batch, raw, fetch, ctx.settings.github_concurrency, finish)


def query_batch(ctx: GitHubContext, batch: list[Entry]) -> dict[str, GitHubDocument]:
    docs = {
        e.id: GitHubDocument(entry_id=e.id, requested=e.source_id, api="graphql", exchanges=[])
        for e in batch
    }
    deferred = ctx.rate.admit("graphql", 1)
    if deferred:
        for doc in docs.values():
            doc["error"] = ErrorInfo(kind="deferred", message=deferred)
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
            return query_batch(ctx, batch[:half]) | query_batch(ctx, batch[half:])
        for doc in docs.values():
            doc["error"] = error_info(exc)
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


def contributors(ctx: GitHubContext, entry: Entry, doc: GitHubDocument) -> Exchange:
    """The contributor count, which GraphQL does not offer. It is computed from the default
    branch's history, so while that branch's head commit is the same, so is the count."""
    node = doc["exchanges"][0]["body"]
    head = branch_head(node)
    before: GitHubDocument | dict[str, Any] = ctx.previous.get(entry.id) or {}
    old = {x["request"]: x for x in before.get("exchanges", [])}
    counted = old.get("contributors")
    if (
        head is not None and counted is not None and counted.get("status") in OK
        and "graphql" in old and branch_head(old["graphql"]["body"]) == head
    ):  # fmt: skip
        return {**counted, "reused": f"default branch still at {head[:12]}"}
    url = f"/repos/{node['nameWithOwner']}/contributors"
    scratch: list[Exchange] = []
    request(ctx, scratch, "contributors", url, {"anon": "1", "per_page": 1}, counted)
    return scratch[0]


def branch_head(node: dict[str, Any] | None) -> str | None:
    target = ((node or {}).get("defaultBranchRef") or {}).get("target") or {}
    oid = target.get("oid")
    return str(oid) if oid else None
