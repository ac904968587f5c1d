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
             citations   = 2·lg(citations a year since publication, Semantic Scholar's;
                           a paper under a year old counts as a year old)
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
``--min-score``. Each scheme is data (`enrich.core.spec.Scheme`), owned by its source's slot
(`enrich.core.specs`): a part is a name and a function, so a new one slots in as one line, and
the percentile keeps the kinds comparable.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TypedDict

from enrich.core.diff import Diff
from enrich.core.graph import code_repos
from enrich.core.links import HUB_KINDS
from enrich.core.model import Entry, Score, Snapshot, updated
from enrich.core.points import lg
from enrich.core.spec import SCORE_VERSION, Context, Points, Registry, Scheme
from enrich.core.specs import REGISTRY
from enrich.core.specs.papers import upvotes

__all__ = [
    "HUB_KINDS", "SCHEMES", "VERSION", "Context", "Mover", "Points", "Scheme", "code_repos", "lg",
    "movers", "percentiles", "score", "scored", "totals", "upvotes",
]  # fmt: skip

# The formula's version, in every score (`enrich.core.spec.SCORE_VERSION`).
VERSION = SCORE_VERSION

# Each scheme is its slot's (`enrich.core.specs`): the built-in sources' schemes.
SCHEMES: tuple[Scheme, ...] = REGISTRY.schemes


def score(
    entry: Entry,
    now: datetime,
    related: Mapping[str, Entry] | None = None,
    registry: Registry = REGISTRY,
) -> Score | None:
    """The entry's score as of ``now`` (``related``: the list's entries by id, for ties), by
    the scheme of its kind's slot (``registry``)."""
    context = Context(now, related or {})
    for scheme in registry.schemes:
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


def scored(
    entries: list[Entry],
    now: datetime,
    external: Iterable[Entry] = (),
    registry: Registry = REGISTRY,
) -> list[Entry]:
    """``entries`` with their scores as of ``now`` (the snapshot's start); ``external``: the
    repositories outside the list that ties name (a paper's code stars)."""
    by_id = {e.id: e for e in external} | {e.id: e for e in entries}
    return [updated(e, score=score(e, now, by_id, registry)) for e in entries]


def totals(snapshot: Snapshot, registry: Registry = REGISTRY) -> dict[str, float]:
    """Each scored entry's total, by id, as this formula computes it for that snapshot (so a
    snapshot written before the score existed, or by an older formula, compares fairly)."""
    now = snapshot.header.generated_at
    by_id = {e.id: e for e in snapshot.external} | {e.id: e for e in snapshot.entries}
    out: dict[str, float] = {}
    for entry in snapshot.entries:
        value = score(entry, now, by_id, registry)
        if value is not None:
            out[entry.id] = value.total
    return out


class Mover(TypedDict):
    """An entry that moved since the previous snapshot: its score, and what moved it (the
    change of each counter whose spec asks for movers, `Registry.movers`: stars, downloads,
    upvotes, citations…, by name; the counters that did not move are absent)."""

    id: str
    kind: str
    title: str | None
    score: float | None
    score_delta: float | None
    deltas: dict[str, int]


def movers(
    previous: Snapshot | None,
    current: Snapshot,
    diff: Diff | None,
    n: int = 20,
    registry: Registry = REGISTRY,
) -> list[Mover]:
    """The ``n`` entries whose score moved most since ``previous`` (ties: the larger counter
    change first), with their counters' changes from the diff."""
    if previous is None or diff is None:
        return []
    before = totals(previous, registry)
    by_repo_id = {e.repo.repo_id: e.id for e in previous.entries if e.repo is not None}
    now = totals(current, registry)
    counted = set(registry.movers)
    deltas: dict[str, dict[str, int]] = {}
    for c in diff["counters"]:
        if c["field"] in counted:
            deltas.setdefault(c["id"], {})[c["field"]] = c["delta"]
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
        changed = {f: deltas[entry.id][f] for f in registry.movers if f in deltas.get(entry.id, {})}
        if not moved and not changed:
            continue
        rows.append(
            Mover(
                id=entry.id,
                kind=entry.kind.value,
                title=entry.title,
                score=new_total,
                score_delta=moved,
                deltas=changed,
            )
        )
    rows.sort(
        key=lambda m: (
            -abs(m["score_delta"] or 0.0),
            -max((abs(d) for d in m["deltas"].values()), default=0),
            m["id"],
        )
    )
    return rows[:n]
