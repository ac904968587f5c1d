"""Tonight's plan over a budget: which entities are asked first, and how a budget is shared.

The night's scarce resource is an upstream's budget (one GitHub token: 5,000 REST requests and
5,000 GraphQL points an hour). When the work wanted is more than the budget, what is asked
first is what is stalest, so that no entity starves night after night however its lists are
ordered (`order`):

1. never fetched (no earlier values at all, or a field never filled: a contributor count
   deferred since the entity was first seen);
2. then the oldest ``fetched_at`` of its fields: an entry's own ``fetched_at``, or the older
   one each deferred field carries (`enrich.core.model.Deferred`), whichever is oldest. What a
   night defers keeps its old age while the rest is refreshed, so it goes first the next night;
3. ties: the entity more lists link first (a catalog run: it serves more lists);
4. then its id (a stable key: the same state plans the same night).

How a budget is handed out (`shares`): fetch tasks, in that order, each with an estimate of
what its entities need; each is given its estimate while the budget lasts, the task at the edge
what is left, the ones after it nothing (their entities are deferred without a request). When
the budget covers every estimate, what is over is split evenly among the tasks (an estimate is
a guess: a repository that moved costs more than one that did not, and a task estimated small
is as likely to need more as a large one).
The shares add up to at most the budget, so tasks in separate processes, each spending only
its share, can never spend more than the budget together.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from enrich.core.model import Entry, Repo


@dataclass(frozen=True)
class Candidate:
    """One entity as the plan sees it: its age (None: never fetched) and how many lists link
    it."""

    id: str
    age: datetime | None = None
    lists: int = 1


def sort_key(candidate: Candidate) -> tuple[bool, float, int, str]:
    """Never fetched first, then oldest, then linked by more lists, then by id."""
    never = candidate.age is None
    stamp = candidate.age.timestamp() if candidate.age is not None else 0.0
    return (not never, stamp, -candidate.lists, candidate.id)


def order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates in the order tonight's budget serves them (see the module)."""
    return sorted(candidates, key=sort_key)


def age(entry: Entry | None) -> datetime | None:
    """How old the values an entry carries are: the oldest ``fetched_at`` of its fields (its
    own, or an older one a deferred field carries); None when it has none yet, or when a
    field it carries for a later night was never fetched."""
    if entry is None or entry.fetched_at is None:
        return None
    oldest = entry.fetched_at
    for deferred in entry.deferred:
        if deferred.fetched_at is None:
            return None
        oldest = min(oldest, deferred.fetched_at)
    return oldest


def candidates(
    ids: Iterable[str], known: Mapping[str, Sequence[Entry]], lists: Mapping[str, int]
) -> list[Candidate]:
    """A candidate per id from what the lists published before (``known``: an id's entries
    in each list's previous snapshot; the newest of them is what the entity carries now) and
    how many lists link it tonight."""
    out = []
    for entity in ids:
        seen = [a for a in (age(e) for e in known.get(entity, ())) if a is not None]
        fetched = [e for e in known.get(entity, ()) if e.fetched_at is not None]
        # Its newest snapshot says its age (a list published earlier holds older values), and a
        # field deferred there with no age makes it never fetched.
        newest = max(fetched, key=lambda e: e.fetched_at or datetime.min) if fetched else None
        out.append(Candidate(entity, age(newest) if newest is not None and seen else None,
                             lists.get(entity, 1)))  # fmt: skip
    return out


def planned(entry: Entry) -> Entry:
    """What the plan reads of an entry published before (`candidates`, and the estimates of
    `enrich.run.budgets.demand`): its id, ``fetched_at``, deferred fields, and whether it holds
    a repository record with a contributor count; the rest dropped. A catalog's plan keeps one
    such entry per entity, not every list's previous snapshot (``16 KB`` a link)."""
    repo = entry.repo
    kept = None
    if repo is not None:  # a stand-in: only that a record exists, and its count, are read
        kept = Repo(repo_id=repo.repo_id, full_name=repo.full_name, html_url=repo.html_url,
                    stars=0, forks=0, watchers=0, open_issues=0,
                    contributors=repo.contributors)  # fmt: skip
    return Entry(id=entry.id, kind=entry.kind, source_id=entry.source_id, url=entry.url, urls=[],
                 section=[], positions=[], status=entry.status, fetched_at=entry.fetched_at,
                 deferred=entry.deferred, repo=kept)  # fmt: skip


def keep_newest(known: dict[str, list[Entry]], entries: Iterable[Entry]) -> None:
    """Fold a previous snapshot's ``entries`` into ``known`` (id -> [its newest entry], as
    `planned`): what `candidates` and the estimates read of all an id's entries is its newest
    by ``fetched_at`` (the first of equals, in the order the snapshots are folded), so that one
    is all a catalog's plan keeps."""
    for entry in entries:
        held = known.get(entry.id)
        if held is None:
            known[entry.id] = [planned(entry)]
        elif entry.fetched_at is not None and (
            held[0].fetched_at is None or entry.fetched_at > held[0].fetched_at
        ):
            held[0] = planned(entry)


def shares(demands: Sequence[int], budget: int) -> list[int]:
    """What each task (in plan order, ``demands`` its estimate) may spend of ``budget``: see
    the module. Never negative; their sum is at most ``budget``."""
    left = max(budget, 0)
    wanted = [max(d, 0) for d in demands]
    total = sum(wanted)
    if total <= left:
        spare, count = left - total, max(len(wanted), 1)
        return [w + spare // count + (1 if n < spare % count else 0) for n, w in enumerate(wanted)]
    out = []
    for want in wanted:
        take = min(want, left)
        out.append(take)
        left -= take
    return out


__all__ = [
    "Candidate", "age", "candidates", "keep_newest", "order", "planned", "shares", "sort_key",
]  # fmt: skip
