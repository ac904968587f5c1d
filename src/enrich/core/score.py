"""The score of an entry, and why: the one place its formula lives (README, "Score").

In the spirit of best-of-generator's project-quality score: a sum of points from what the
upstream says, counters on a log scale so that a tenfold count is one more step, not ten times
the points. One scheme per kind, each a few named parts, each part's points kept in the dataset
(`Score.parts`), so a reader can see why an entry ranks where it does and redo the sum from the
entry's own fields.

``lg(n) = log10(1 + n)``: 0 for none, 1 for 9, 2 for 99, 3 for 999… Ages are counted from the
snapshot's ``generated_at`` (never the clock), so a snapshot's scores are reproducible.

===========  =================================================================================
repo         popularity  = 2·lg(stars) + lg(forks)
             activity    = lg(commits in 365 days) + lg(commits in 30 days)
                           + 2 if the last commit is ≤ 30 days old, 1 if ≤ 90, 0.5 if ≤ 365
             maintenance = 1 licensed (not NOASSERTION) + 1 has a release
                           + 1 release ≤ 365 days old + 1 created ≥ 180 days ago;
                           - 5 when archived
             community   = 2·lg(contributors) + lg(watchers)
paper        attention   = 2·lg(Hub upvotes)
             code        = 1 + lg(stars) of its most-starred code repository (listed or
                           external), else the Hub paper page's stars, when it has one
             adoption    = lg(tied Hub datasets and models + those the Hub paper page counts)
             maturity    = 0.5 per revision (at most 4) + 1 with a journal reference or DOI
hub          usage       = 2·lg(downloads in 30 days)
             appreciation = 2·lg(likes)
             documentation = 1 card text + 1 license + 1 ties to a paper (arxiv: tags)
             freshness   = 1 if modified ≤ 90 days ago, 0.5 if ≤ 365
===========  =================================================================================

Web pages, and entries with nothing fetched, have no score. Each part is rounded to one
decimal and the total is the sum of the rounded parts.

The schemes' ranges differ (a paper's total is rarely above 10, a busy repository's above 20),
so totals compare only within a kind. Across kinds the views compare percentiles
(`percentiles`: where an entry stands among the list's entries of its kind), and so does
``--min-score``. Each scheme is data (`SCHEMES`): a part is a name and a function, so a new
one slots in as one line, and the percentile keeps the kinds comparable.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from enrich.core.diff import Diff
from enrich.core.links import Kind
from enrich.core.model import (
    Direction,
    Entry,
    HubPaper,
    HubRepo,
    Relation,
    Repo,
    Score,
    ScorePart,
    Snapshot,
)

# The formula's version, in every score: a reader comparing two nights knows a change of
# formula from a change of the entry.
VERSION = 1

HUB_KINDS = (Kind.DATASET, Kind.MODEL, Kind.SPACE)


def lg(count: int | float | None) -> float:
    """log10(1 + count): a step per tenfold; 0 for none or a negative count."""
    return math.log10(1 + count) if count and count > 0 else 0.0


def _days(now: datetime, then: datetime | None) -> float | None:
    return (now - then).total_seconds() / 86400 if then is not None else None


def _within(now: datetime, then: datetime | None, *steps: tuple[float, float]) -> float:
    """The points of the first (days, points) step that ``then`` is within."""
    age = _days(now, then)
    if age is None:
        return 0.0
    return next((points for days, points in steps if age <= days), 0.0)


def upvotes(entry: Entry) -> int | None:
    """The paper's upvotes on its Hub page, when it has one."""
    page = entry.hub_paper
    return page.upvotes if page is not None and page.on_hub else None


@dataclass(frozen=True)
class Context:
    """What a part may read besides its entry: the snapshot's start (ages count from it) and
    the list's entries and external repositories by id (a paper's code, its Hub ties)."""

    now: datetime
    related: Mapping[str, Entry]


# A part's points for an entry that has its scheme's record.
Points = Callable[[Entry, Context], float]


@dataclass(frozen=True)
class Scheme:
    """One kind's formula: the kinds it scores, the record it reads (an entry without it has no
    score), and its parts, in the order they are shown. A new part (a paper's citations) is one
    more ``(name, points)`` here and a `VERSION` bump; percentiles keep the kinds comparable
    whatever a scheme's range."""

    name: str
    plural: str  # what its entries are called, for "percentile 86 of the list's 7 repositories"
    kinds: tuple[Kind, ...]
    record: str
    parts: tuple[tuple[str, Points], ...]

    def score(self, entry: Entry, context: Context) -> Score | None:
        if entry.kind not in self.kinds or getattr(entry, self.record) is None:
            return None
        rounded = [ScorePart(name=name, points=round(points(entry, context), 1))
                   for name, points in self.parts]  # fmt: skip
        return Score(
            scheme=f"{self.name}-{VERSION}",
            total=round(sum(p.points for p in rounded), 1),
            parts=rounded,
        )


def _repo(entry: Entry) -> Repo:
    assert entry.repo is not None  # the scheme scores only entries with the record
    return entry.repo


def _repo_popularity(entry: Entry, _: Context) -> float:
    repo = _repo(entry)
    return 2 * lg(repo.stars) + lg(repo.forks)


def _repo_activity(entry: Entry, c: Context) -> float:
    repo = _repo(entry)
    last = repo.last_commit_at or repo.pushed_at
    recent = _within(c.now, last, (30, 2.0), (90, 1.0), (365, 0.5))
    return lg(repo.commits_365d) + lg(repo.commits_30d) + recent


def _repo_maintenance(entry: Entry, c: Context) -> float:
    repo = _repo(entry)
    release = repo.latest_release
    created = _days(c.now, repo.created_at)
    return (
        (1.0 if repo.license and repo.license != "NOASSERTION" else 0.0)
        + (1.0 if release is not None else 0.0)
        + (_within(c.now, release.published_at, (365, 1.0)) if release is not None else 0.0)
        + (1.0 if created is not None and created >= 180 else 0.0)
        - (5.0 if repo.archived else 0.0)
    )


def _repo_community(entry: Entry, _: Context) -> float:
    repo = _repo(entry)
    return 2 * lg(repo.contributors) + lg(repo.watchers)


def _hub_page(entry: Entry) -> HubPaper | None:
    page = entry.hub_paper
    return page if page is not None and page.on_hub else None


def _paper_attention(entry: Entry, _: Context) -> float:
    return 2 * lg(upvotes(entry))


def _paper_code(entry: Entry, c: Context) -> float:
    stars = [r.repo.stars for r in code_repos(entry, c.related) if r.repo is not None]
    page = _hub_page(entry)
    if not stars and page is not None and page.github_stars is not None:
        stars = [page.github_stars]
    return 1 + lg(max(stars)) if stars else 0.0


def _paper_adoption(entry: Entry, c: Context) -> float:
    tied = [c.related[i] for i in entry.cross_links if i in c.related]
    hub_ties = sum(1 for t in tied if t.kind in HUB_KINDS)
    page = _hub_page(entry)
    hub_counts = (page.num_models or 0) + (page.num_datasets or 0) if page is not None else 0
    return lg(hub_ties + hub_counts)


def _paper_maturity(entry: Entry, _: Context) -> float:
    paper = entry.paper
    assert paper is not None
    return 0.5 * min(max(paper.version - 1, 0), 4) + (
        1.0 if paper.journal_ref or paper.doi else 0.0
    )


def _hub(entry: Entry) -> HubRepo:
    assert entry.hub is not None
    return entry.hub


def _hub_usage(entry: Entry, _: Context) -> float:
    return 2 * lg(_hub(entry).downloads)


def _hub_appreciation(entry: Entry, _: Context) -> float:
    return 2 * lg(_hub(entry).likes)


def _hub_documentation(entry: Entry, _: Context) -> float:
    hub = _hub(entry)
    card = hub.card
    return (
        (1.0 if card is not None and (card.text or "").strip() else 0.0)
        + (1.0 if card is not None and card.license else 0.0)
        + (1.0 if hub.arxiv_ids else 0.0)
    )


def _hub_freshness(entry: Entry, c: Context) -> float:
    return _within(c.now, _hub(entry).last_modified, (90, 1.0), (365, 0.5))


SCHEMES: tuple[Scheme, ...] = (
    Scheme("repo", "repositories", (Kind.REPO,), "repo", (
        ("popularity", _repo_popularity),
        ("activity", _repo_activity),
        ("maintenance", _repo_maintenance),
        ("community", _repo_community),
    )),
    Scheme("paper", "papers", (Kind.PAPER,), "paper", (
        ("attention", _paper_attention),
        ("code", _paper_code),
        ("adoption", _paper_adoption),
        ("maturity", _paper_maturity),
    )),
    Scheme("hub", "Hub datasets, models and spaces", HUB_KINDS, "hub", (
        ("usage", _hub_usage),
        ("appreciation", _hub_appreciation),
        ("documentation", _hub_documentation),
        ("freshness", _hub_freshness),
    )),
)  # fmt: skip


def score(entry: Entry, now: datetime, related: Mapping[str, Entry] | None = None) -> Score | None:
    """The entry's score as of ``now`` (``related``: the list's entries by id, for ties)."""
    context = Context(now, related or {})
    for scheme in SCHEMES:
        found = scheme.score(entry, context)
        if found is not None:
            return found
    return None


def percentiles(entries: Iterable[Entry]) -> dict[str, float]:
    """Each scored entry's percentile within its scheme (its kind's formula), by id: the share,
    0 to 100, of the scheme's scored entries whose total is at most its own (the best of a kind
    is 100; ties share the higher value). It is what makes a paper's 9.4 and a repository's 26
    comparable: both are "better than or level with N% of their kind in this list". The same
    figure as SQL's ``cume_dist() over (partition by score.scheme order by score.total)``."""
    by_scheme: dict[str, list[tuple[str, float]]] = {}
    for entry in entries:
        if entry.score is not None:
            by_scheme.setdefault(entry.score.scheme, []).append((entry.id, entry.score.total))
    out: dict[str, float] = {}
    for rows in by_scheme.values():
        totals = sorted(total for _, total in rows)
        for entry_id, total in rows:
            out[entry_id] = 100 * bisect_right(totals, total) / len(totals)
    return out


def code_repos(entry: Entry, related: Mapping[str, Entry]) -> list[Entry]:
    """The enriched repositories that are ``entry``'s code (its ``code`` ties out), listed or
    external, in tie order. A snapshot older than the ties (schema 1.3) has its cross links."""
    named = (
        [
            t.other
            for t in entry.ties
            if t.relation is Relation.CODE and t.direction is Direction.OUT
        ]
        if entry.ties
        else entry.cross_links
    )
    return [found for i in named if (found := related.get(i)) is not None and found.repo]


def scored(entries: list[Entry], now: datetime, external: Iterable[Entry] = ()) -> list[Entry]:
    """``entries`` with their scores as of ``now`` (the snapshot's start); ``external``: the
    repositories outside the list that ties name (a paper's code stars)."""
    by_id = {e.id: e for e in external} | {e.id: e for e in entries}
    return [e.model_copy(update={"score": score(e, now, by_id)}) for e in entries]


def totals(snapshot: Snapshot) -> dict[str, float]:
    """Each scored entry's total, by id, as this formula computes it for that snapshot (so a
    snapshot written before the score existed, or by an older formula, compares fairly)."""
    now = snapshot.header.generated_at
    by_id = {e.id: e for e in snapshot.external} | {e.id: e for e in snapshot.entries}
    out: dict[str, float] = {}
    for entry in snapshot.entries:
        value = score(entry, now, by_id)
        if value is not None:
            out[entry.id] = value.total
    return out


class Mover(TypedDict):
    """An entry that moved since the previous snapshot: its score, and what moved it."""

    id: str
    kind: str
    title: str | None
    score: float | None
    score_delta: float | None
    stars_delta: int | None
    downloads_delta: int | None


def movers(
    previous: Snapshot | None, current: Snapshot, diff: Diff | None, n: int = 20
) -> list[Mover]:
    """The ``n`` entries whose score moved most since ``previous`` (ties: the larger counter
    change first), with their star and download changes from the diff."""
    if previous is None or diff is None:
        return []
    before = totals(previous)
    by_repo_id = {e.repo.repo_id: e.id for e in previous.entries if e.repo is not None}
    now = totals(current)
    deltas: dict[tuple[str, str], int] = {
        (c["id"], c["field"]): c["delta"] for c in diff["counters"]
    }
    rows: list[Mover] = []
    for entry in current.entries:
        old_id = entry.id
        if old_id not in before and entry.repo is not None:
            old_id = by_repo_id.get(entry.repo.repo_id, old_id)
        new_total, old_total = now.get(entry.id), before.get(old_id)
        moved = (
            round(new_total - old_total, 1)
            if new_total is not None and old_total is not None
            else None
        )
        stars = deltas.get((entry.id, "stars"))
        downloads = deltas.get((entry.id, "downloads"))
        if not moved and stars is None and downloads is None:
            continue
        rows.append(
            Mover(
                id=entry.id,
                kind=entry.kind.value,
                title=entry.title,
                score=new_total,
                score_delta=moved,
                stars_delta=stars,
                downloads_delta=downloads,
            )
        )
    rows.sort(
        key=lambda m: (
            -abs(m["score_delta"] or 0.0),
            -abs(m["stars_delta"] or m["downloads_delta"] or 0),
            m["id"],
        )
    )
    return rows[:n]
