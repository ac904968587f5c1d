"""GitHub's raw answers -> `Repo` (pure): from a GraphQL node, or from the six REST answers.

Both give the same record for the same repository (a test compares them on the sample data).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from enrich.core.model import Entry, Language, Release, Repo, Status
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import OK, Exchange, GitHubDocument
from enrich.sources.base import parse_time


def outcome(entry: Entry, doc: GitHubDocument) -> Outcome[Repo]:
    exchanges = {x["request"]: x for x in doc["exchanges"]}
    main = exchanges.get("graphql") or exchanges.get("repo")
    if doc.get("error") or main is None or not isinstance(main.get("body"), dict):
        error = doc.get("error")
        message = error["message"] if error else "no answer"
        return Outcome(Status.ERROR, reason=message)
    fetched_at = parse_time(main["fetched_at"])
    if "graphql" in exchanges:
        repo = _from_graphql(main["body"], exchanges, doc["requested"])
    else:
        repo = _from_rest(main["body"], exchanges, doc["requested"])
    return Outcome(Status.OK, repo, fetched_at=fetched_at)


def _from_rest(data: dict[str, Any], exchanges: dict[str, Exchange], requested: str) -> Repo:
    license_info = data.get("license") or {}
    languages = _ok_body(exchanges.get("languages")) or {}
    langs = [Language(name=k, bytes=v) for k, v in languages.items() if isinstance(v, int)]
    release = _ok_body(exchanges.get("latest_release"))
    commits = _ok_body(exchanges.get("last_commit")) or []
    last_commit = commits[0]["commit"]["committer"]["date"] if commits else None
    commits_30d, commits_365d = _activity(exchanges.get("commit_activity"))
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


def _from_graphql(node: dict[str, Any], exchanges: dict[str, Exchange], requested: str) -> Repo:
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


def _ok_body(x: Exchange | None) -> Any:
    return x["body"] if x and x.get("status") in OK else None


def _release(data: dict[str, Any]) -> Release:
    return Release(
        tag=data["tag_name"],
        name=data.get("name"),
        published_at=parse_time(data.get("published_at")),
    )


def _count(x: Exchange | None) -> int | None:
    """Items of a ``per_page=1`` listing: the ``last`` page number, else what came back."""
    if not x or x["status"] not in OK:
        return None
    link = x["headers"].get("link", "")
    for part in link.split(","):
        if 'rel="last"' in part:
            url = part.split(";")[0].strip().strip("<>")
            return int(parse_qs(urlsplit(url).query)["page"][0])
    return len(x["body"] or [])


def _activity(x: Exchange | None) -> tuple[int | None, int | None]:
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
