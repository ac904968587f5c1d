"""GitHub's repositories (`enrich.sources.github`): the ``repo`` slot, its counters and facts."""

from __future__ import annotations

from enrich.core.links import Kind
from enrich.core.model import Entry, Repo
from enrich.core.points import days, lg, within
from enrich.core.spec import Context, Scheme, Shown, Slot, SourceSpec, compared, counter, read
from enrich.core.wording import ago


def _repo(entry: Entry) -> Repo:
    assert entry.repo is not None  # the scheme scores only entries with the record
    return entry.repo


def _popularity(entry: Entry, _: Context) -> float:
    repo = _repo(entry)
    return 2 * lg(repo.stars) + lg(repo.forks)


def _activity(entry: Entry, c: Context) -> float:
    repo = _repo(entry)
    last = repo.last_commit_at or repo.pushed_at
    recent = within(c.now, last, (30, 2.0), (90, 1.0), (365, 0.5))
    return lg(repo.commits_365d) + lg(repo.commits_30d) + recent


def _maintenance(entry: Entry, c: Context) -> float:
    repo = _repo(entry)
    release = repo.latest_release
    created = days(c.now, repo.created_at)
    return (
        (1.0 if repo.license and repo.license != "NOASSERTION" else 0.0)
        + (1.0 if release is not None else 0.0)
        + (within(c.now, release.published_at, (365, 1.0)) if release is not None else 0.0)
        + (1.0 if created is not None and created >= 180 else 0.0)
        - (5.0 if repo.archived else 0.0)
    )


def _community(entry: Entry, _: Context) -> float:
    repo = _repo(entry)
    return 2 * lg(repo.contributors) + lg(repo.watchers)


def _details(_: Entry, repo: Repo, shown: Shown) -> list[str]:
    out: list[str] = []
    age = ago(shown.now, repo.last_commit_at or repo.pushed_at)
    if age:
        out.append(f"last commit {age}")
    if repo.license and repo.license != "NOASSERTION":
        out.append(repo.license)
    if repo.latest_release is not None:
        out.append(f"release {repo.latest_release.tag}")
    return out


def _marks(_: Entry, repo: Repo) -> list[str]:
    marks = ["archived"] if repo.archived else []
    if repo.renamed_from:
        marks.append(f"renamed from {repo.renamed_from}")
    return marks


REPO = Slot(
    "repo",
    Repo,
    columns=(
        read("repo_id"),  # matches a renamed repository to its earlier self
        compared("full_name"),
        read("html_url"),
        counter("stars", main=(Kind.REPO,), symbol="★", movers=True,
                legend="★ stars (their change over the last 30 days)"),
        counter("forks"),
        counter("watchers"),
        counter("open_issues"),
        counter("commits_30d"),
        counter("commits_365d"),
        counter("contributors"),
        compared("archived"),
        compared("license"),
        compared("release", "latest_release.tag"),
    ),
    name=lambda repo: repo.full_name,
    link=lambda repo: repo.html_url,
    details=_details,
    marks=_marks,
    scheme=Scheme("repo", "repositories", (Kind.REPO,), "repo", (
        ("popularity", _popularity),
        ("activity", _activity),
        ("maintenance", _maintenance),
        ("community", _community),
    )),
)  # fmt: skip

GITHUB = SourceSpec("github", (Kind.REPO,), REPO)
