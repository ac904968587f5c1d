"""GitHub's raw answers -> `Repo` (pure): from a GraphQL node, or from the REST answers.

Both give the same record for the same repository (a test compares them on the sample data).

Every answer is checked against the shape GitHub documents before a value is taken from it
(the models below, strict about types: ``"4,745"`` is not a star count). The repository's own
answer (the REST object or the GraphQL node) is the record: when it is malformed the entry
fails (and keeps its last good values, stale). A part (languages, release, newest commit,
contributors, commit activity) that is malformed, failed, was deferred, or still being computed
does not blank its fields: the outcome carries them (`enrich.core.outcome`), with the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)

from enrich.core.failures import failure_of
from enrich.core.model import Entry, Failure, Language, Release, Repo, Status
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import OK, Exchange, GitHubDocument
from enrich.sources.base import INT64_MAX, Count, malformed, parse_time


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- REST ---------------------------------------------------------------------------------


class _License(_Model):
    spdx_id: StrictStr | None = None


class _RestRepo(_Model):
    id: StrictInt
    full_name: StrictStr
    html_url: StrictStr
    description: StrictStr | None = None
    homepage: StrictStr | None = None
    stargazers_count: Count
    forks_count: Count
    subscribers_count: Count | None = None
    watchers_count: Count | None = None
    open_issues_count: Count
    language: StrictStr | None = None
    license: _License | None = None
    topics: list[StrictStr] | None = None
    created_at: StrictStr | None = None
    pushed_at: StrictStr | None = None
    archived: StrictBool | None = None
    fork: StrictBool | None = None
    default_branch: StrictStr | None = None


class _RestRelease(_Model):
    tag_name: StrictStr
    name: StrictStr | None = None
    published_at: StrictStr | None = None


class _Committer(_Model):
    date: StrictStr


class _GitCommit(_Model):
    committer: _Committer


class _Commit(_Model):
    commit: _GitCommit


class _Week(_Model):
    week: StrictInt
    days: list[Count] = Field(min_length=7, max_length=7)


_LANGUAGES = TypeAdapter(dict[StrictStr, Count])
_COMMITS = TypeAdapter(list[_Commit])
_WEEKS = TypeAdapter(list[_Week])
_LIST = TypeAdapter(list[Any])

# -- GraphQL ------------------------------------------------------------------------------


class _Total(_Model):
    totalCount: Count  # GitHub GraphQL's names


class _Named(_Model):
    name: StrictStr


class _LanguageEdge(_Model):
    size: Count
    node: _Named


class _Languages(_Model):
    edges: list[_LanguageEdge] | None = None


class _Topic(_Model):
    topic: _Named


class _Topics(_Model):
    nodes: list[_Topic] | None = None


class _Spdx(_Model):
    spdxId: StrictStr | None = None


class _Head(_Model):
    oid: StrictStr | None = None
    committedDate: StrictStr | None = None
    last30: _Total | None = None
    last365: _Total | None = None


class _Branch(_Model):
    name: StrictStr | None = None
    target: _Head | None = None


class _GraphRelease(_Model):
    tagName: StrictStr
    name: StrictStr | None = None
    publishedAt: StrictStr | None = None


class _Node(_Model):
    databaseId: StrictInt
    nameWithOwner: StrictStr
    url: StrictStr
    description: StrictStr | None = None
    homepageUrl: StrictStr | None = None
    stargazerCount: Count
    forkCount: Count
    watchers: _Total | None = None
    issues: _Total | None = None
    pullRequests: _Total | None = None
    primaryLanguage: _Named | None = None
    languages: _Languages | None = None
    licenseInfo: _Spdx | None = None
    repositoryTopics: _Topics | None = None
    createdAt: StrictStr | None = None
    pushedAt: StrictStr | None = None
    isArchived: StrictBool | None = None
    isFork: StrictBool | None = None
    defaultBranchRef: _Branch | None = None
    latestRelease: _GraphRelease | None = None


# -- outcome ------------------------------------------------------------------------------


class _Parts:
    """What the parts of one document gave: values, and which fields to carry, and why."""

    def __init__(self) -> None:
        self.carry: list[str] = []
        self.reasons: list[str] = []
        self.failure: Failure | None = None

    def missing(self, fields: tuple[str, ...], why: str, failure: Failure) -> None:
        self.carry.extend(fields)
        self.reasons.append(why)
        if self.failure in (None, Failure.DEFERRED):  # a failure outweighs a deferral
            self.failure = failure


def outcome(entry: Entry, doc: GitHubDocument) -> Outcome[Repo]:
    exchanges = {x["request"]: x for x in doc["exchanges"]}
    main = exchanges.get("graphql") or exchanges.get("repo")
    error = doc.get("error")
    if error or main is None or main.get("status") not in OK:
        message = error["message"] if error else "no answer"
        failure = failure_of(error) if error else Failure.UNREACHABLE
        return Outcome(Status.ERROR, reason=message, failure=failure)
    fetched_at = parse_time(main["fetched_at"])
    parts = _Parts()
    try:
        if "graphql" in exchanges:
            repo = _from_graphql(_Node.model_validate(main["body"]), exchanges, doc, parts)
        else:
            repo = _from_rest(_RestRepo.model_validate(main["body"]), exchanges, doc, parts)
    except ValidationError as exc:
        return Outcome(Status.ERROR, reason=malformed("GitHub", exc), failure=Failure.MALFORMED)
    return Outcome(
        Status.OK, repo, reason="; ".join(parts.reasons) or None, fetched_at=fetched_at,
        failure=parts.failure, carry=tuple(parts.carry),
    )  # fmt: skip


def shape_problem(body: Any, graphql: bool = False) -> str | None:
    """Why the repository's own answer (a REST object, a GraphQL node) is malformed, or None."""
    try:
        (_Node if graphql else _RestRepo).model_validate(body)
    except ValidationError as exc:
        return malformed("GitHub", exc)
    return None


def _renamed(full_name: str, requested: str) -> str | None:
    return None if full_name.lower() == requested.lower() else requested


def _from_rest(
    data: _RestRepo, exchanges: dict[str, Exchange], doc: GitHubDocument, parts: _Parts
) -> Repo:
    languages = _part(exchanges, "languages", ("languages",), parts, _LANGUAGES) or {}
    release = _part(exchanges, "latest_release", ("latest_release",), parts, _RestRelease)
    commits = _part(exchanges, "last_commit", ("last_commit_at",), parts, _COMMITS) or []
    counts = _part(exchanges, "contributors", ("contributors",), parts, _LIST, _count)
    activity = _activity(exchanges.get("commit_activity"), parts)
    langs = [Language(name=k, bytes=v) for k, v in languages.items()]
    return Repo(
        repo_id=data.id,
        full_name=data.full_name,
        renamed_from=_renamed(data.full_name, doc["requested"]),
        html_url=data.html_url,
        description=data.description,
        homepage=data.homepage or None,
        stars=data.stargazers_count,
        forks=data.forks_count,
        watchers=_first(data.subscribers_count, data.watchers_count, 0),
        open_issues=data.open_issues_count,
        language=data.language,
        languages=sorted(langs, key=lambda lang: (-lang.bytes, lang.name)),
        license=data.license.spdx_id if data.license else None,
        topics=list(data.topics or []),
        created_at=parse_time(data.created_at),
        pushed_at=parse_time(data.pushed_at),
        archived=bool(data.archived),
        fork=bool(data.fork),
        default_branch=data.default_branch,
        latest_release=Release(
            tag=release.tag_name, name=release.name, published_at=parse_time(release.published_at)
        )
        if isinstance(release, _RestRelease)
        else None,
        last_commit_at=parse_time(commits[0].commit.committer.date) if commits else None,
        commits_30d=activity[0],
        commits_365d=activity[1],
        contributors=counts,
    )


def _from_graphql(
    node: _Node, exchanges: dict[str, Exchange], doc: GitHubDocument, parts: _Parts
) -> Repo:
    branch = node.defaultBranchRef or _Branch()
    head = branch.target or _Head()
    release = node.latestRelease
    edges = (node.languages or _Languages()).edges or []
    langs = [Language(name=e.node.name, bytes=e.size) for e in edges]
    topics = (node.repositoryTopics or _Topics()).nodes or []

    def total(found: _Total | None) -> int:
        return found.totalCount if found else 0

    return Repo(
        repo_id=node.databaseId,
        full_name=node.nameWithOwner,
        renamed_from=_renamed(node.nameWithOwner, doc["requested"]),
        html_url=node.url,
        description=node.description,
        homepage=node.homepageUrl or None,
        stars=node.stargazerCount,
        forks=node.forkCount,
        watchers=total(node.watchers),
        # REST's open_issues_count: open issues and open pull requests together.
        open_issues=total(node.issues) + total(node.pullRequests),
        language=node.primaryLanguage.name if node.primaryLanguage else None,
        languages=sorted(langs, key=lambda lang: (-lang.bytes, lang.name)),
        license=node.licenseInfo.spdxId if node.licenseInfo else None,
        topics=[t.topic.name for t in topics],
        created_at=parse_time(node.createdAt),
        pushed_at=parse_time(node.pushedAt),
        archived=bool(node.isArchived),
        fork=bool(node.isFork),
        default_branch=branch.name,
        latest_release=Release(
            tag=release.tagName, name=release.name, published_at=parse_time(release.publishedAt)
        )
        if release
        else None,
        last_commit_at=parse_time(head.committedDate),
        commits_30d=head.last30.totalCount if head.last30 else None,
        commits_365d=head.last365.totalCount if head.last365 else None,
        contributors=_part(exchanges, "contributors", ("contributors",), parts, _LIST, _count),
    )


def _first(*values: int | None) -> int:
    return next(v for v in values if v is not None)


_LABELS = {
    "languages": "languages", "latest_release": "latest release", "last_commit": "newest commit",
    "contributors": "contributor count", "commit_activity": "commit activity",
}  # fmt: skip
# Answers of a part that are facts, not failures: no release; an empty repository.
_FACTS = {"latest_release": 404, "last_commit": 409}


def _part(
    exchanges: dict[str, Exchange],
    name: str,
    fields: tuple[str, ...],
    parts: _Parts,
    shape: Any,
    read: Any = None,
) -> Any:
    """One part's value, checked against ``shape`` (a model or a TypeAdapter) and turned into
    the field's value by ``read``; None when the part could not be read (its fields carried)."""
    x = exchanges.get(name)
    label = _LABELS[name]
    if x is None:
        parts.missing(fields, f"{label}: not read", Failure.UNREACHABLE)
        return None
    if x.get("deferred"):
        parts.missing(fields, f"{label} {x['deferred']}", Failure.DEFERRED)
        return None
    status = x.get("status")
    if status == _FACTS.get(name):
        return None
    if status not in OK:
        body = x.get("body")
        why = body.get("error") if isinstance(body, dict) and status == 0 else None
        failure = failure_of({"kind": "http", "status": status}) if status else None
        message = why or f"GitHub answered HTTP {status}"
        parts.missing(fields, f"{label}: {message}", failure or Failure.UNREACHABLE)
        return None
    check = shape.validate_python if isinstance(shape, TypeAdapter) else shape.model_validate
    try:
        value = check(x.get("body"))
        return read(x, value) if read else value
    except (ValidationError, ValueError, KeyError, IndexError) as exc:
        problem = exc if isinstance(exc, ValidationError) else f"{type(exc).__name__}"
        parts.missing(fields, f"{label}: {malformed('GitHub', problem)}", Failure.MALFORMED)
        return None


def _count(x: Exchange, items: list[Any]) -> int:
    """Items of a ``per_page=1`` listing: the ``last`` page number, else what came back."""
    link = str(x["headers"].get("link", ""))
    for part in link.split(","):
        if 'rel="last"' in part:
            url = part.split(";")[0].strip().strip("<>")
            count = int(parse_qs(urlsplit(url).query)["page"][0])
            if not 0 <= count <= INT64_MAX:  # a page GitHub cannot have (-3, 10**23)
                raise ValueError(f"no such last page: {count}")
            return count
    return len(items)


def _activity(x: Exchange | None, parts: _Parts) -> tuple[int | None, int | None]:
    """Commits in the 30 and 365 days before the answer (or before tonight, for an answer
    reused because the repository did not change), from GitHub's daily counts."""
    fields = ("commits_30d", "commits_365d")
    if x is not None and x.get("status") == 202:
        parts.missing(fields, "commit activity: GitHub was still computing it",
                      Failure.UNREACHABLE)  # fmt: skip
        return None, None
    if x is not None and x.get("status") == 204:  # an empty repository: no statistics
        return None, None
    weeks = _part({"commit_activity": x} if x else {}, "commit_activity", fields, parts, _WEEKS)
    if weeks is None or x is None:
        return None, None
    now = parse_time(x["fetched_at"])
    if now is None:  # no time it was read at: no window to count in (pure: no clock here)
        return None, None
    last_30 = last_365 = 0
    for week in weeks:
        start = datetime.fromtimestamp(week.week, UTC)
        for offset, count in enumerate(week.days):
            age = now - (start + timedelta(days=offset))
            if age < timedelta(days=30):
                last_30 += count
            if age < timedelta(days=365):
                last_365 += count
    return last_30, last_365
