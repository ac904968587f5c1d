"""Warm nights on GraphQL: a light query first, the full query only for what moved.

GraphQL has no conditional requests, and GitHub charges a query by its connections: the full
query asks seven per repository (languages, topics, watchers, open issues, open pull requests,
two commit-count windows), 7 points per 100 repositories; the light query asks none, so 100
repositories cost the minimum, one point. A warm night:

1. `plan`: a repository gets the full query when last night's raw documents (the runs the raw
   store looks back on) hold no good full answer for it, or when it is due: its turn in a rota
   of ``github_graphql_full_every`` nights (by a hash of its id, so each night takes 1/N of the
   list), or its full answer is that many nights old (nights were skipped). The others are
   screened. When screening cannot save a point (a list of a few dozen repositories: a query
   costs at least one), every repository gets the full query.
2. `screen`: one light query per 100 repositories. A repository whose light answer equals the
   same fields of its last full answer (`light_view`: id, name, pushedAt, updatedAt, stars,
   forks, archived, description, homepage, language, licence, latest release, default branch
   and its head) did not move: its full answer is reused as fetched (``reused`` says since
   when; the light answer is kept beside it). One renamed, transferred or recreated under its
   name has another name or id: it moved. One gone answers ``NOT_FOUND``: that is its answer.
   Any other failure of an alias, or of the whole light query, sends it to the full query.
3. The full query for what moved, what was due, and what failed, 100 a query.

What the light query cannot see (open issues and pull requests, watchers, languages, topics,
and the 30/365-day commit counts, which slide with time even when nothing is pushed) is as of
the repository's last full query: at most ``github_graphql_full_every`` nights old.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from enrich.core.model import Entry
from enrich.core.rawdocs import OK, Exchange, GitHubDocument
from enrich.core.settings import Settings
from enrich.sources.base import FetchContext, RawSink, chunks, parse_time
from enrich.sources.github.client import GitHubContext
from enrich.sources.github.graphql import FULL_CONNECTIONS, _query, fetch_batch, light_view, points
from enrich.sources.github.normalize import shape_problem
from enrich.sources.github.rest import repo_path

logger = logging.getLogger(__name__)

# A nightly run starts at about the same time; a full answer this much short of N nights old
# is N nights old.
_SLACK = timedelta(hours=12)


def rota_slot(entry_id: str, every: int) -> int:
    """The night of the rota this repository's full query falls on (stable across runs)."""
    return int(hashlib.sha256(entry_id.encode()).hexdigest()[:12], 16) % every


def rota_night(now: datetime, every: int) -> int:
    return now.astimezone(UTC).date().toordinal() % every


def last_full(doc: Any) -> Exchange | None:
    """The good full answer a previous run's document holds (asked then, or reused then)."""
    if not isinstance(doc, dict) or doc.get("error"):
        return None
    for x in doc.get("exchanges") or []:
        if x.get("request") == "graphql" and x.get("status") in OK:
            return None if shape_problem(x.get("body"), graphql=True) else x
    return None


def full_fetched_at(x: Exchange) -> str:
    return x.get("full_fetched_at") or x["fetched_at"]


def due(entry_id: str, x: Exchange, now: datetime, every: int) -> str | None:
    """Why this repository gets the full query tonight although it may not have moved."""
    if every <= 1:
        return "the full query every night"
    taken = parse_time(full_fetched_at(x))
    if taken is None or now - taken >= timedelta(days=every) - _SLACK:
        return f"its full answer is {every} nights old or more"
    if rota_slot(entry_id, every) == rota_night(now, every):
        return f"its night in the {every}-night rota"
    return None


@dataclass
class Plan:
    full: list[Entry]  # asked the full query at once
    screened: list[Entry]  # asked the light query first


def plan(entries: list[Entry], previous: dict[str, Any], now: datetime, settings: Settings) -> Plan:
    every, batch = settings.github_graphql_full_every, settings.github_graphql_batch_size
    full: list[Entry] = []
    screened: list[Entry] = []
    for entry in entries:
        x = last_full(previous.get(entry.id))
        if x is None or repo_path(entry.source_id) is None or due(entry.id, x, now, every):
            full.append(entry)
        else:
            screened.append(entry)
    if not screened:
        return Plan(full, [])
    light = points(len(screened), 0, batch) + points(len(full), FULL_CONNECTIONS, batch)
    if light >= points(len(entries), FULL_CONNECTIONS, batch):
        return Plan(list(entries), [])  # too few to save a point: a query costs one at least
    return Plan(full, screened)


def screen(
    ctx: GitHubContext, batch: list[Entry]
) -> tuple[dict[str, GitHubDocument], list[Entry], dict[str, Exchange]]:
    """One light query: the documents of the repositories that did not move (their last full
    answer, reused) or are gone; the ones that moved or whose light answer failed (for the
    full query); and every light answer, to keep beside the full one."""
    try:
        answers = _query(ctx, batch, light=True)
    except Exception:  # a bug, not an answer: the full query still asks them
        logger.exception("GitHub GraphQL light query failed")
        return {}, list(batch), {}
    now = ctx.clock.stamp()
    kept: dict[str, GitHubDocument] = {}
    moved: list[Entry] = []
    seen: dict[str, Exchange] = {}
    for entry in batch:
        doc = answers[entry.id]
        answer = doc["exchanges"][0] if doc["exchanges"] else None
        error = doc.get("error")
        if answer is not None and error is not None and error["kind"] == "not_found":
            kept[entry.id] = doc  # gone: the light answer is the full one's too
            continue
        if answer is not None:
            seen[entry.id] = answer
        old = last_full(ctx.previous.get(entry.id))
        if (
            error is not None or answer is None or old is None
            or light_view(answer["body"]) != light_view(old["body"])
        ):  # fmt: skip
            moved.append(entry)
            continue
        since = full_fetched_at(old)
        reused: Exchange = {
            **old, "fetched_at": now, "full_fetched_at": since,
            "reused": f"unchanged since the full query of {since} (light query)",
        }  # fmt: skip
        kept[entry.id] = GitHubDocument(
            entry_id=entry.id, requested=entry.source_id, api="graphql",
            exchanges=[reused, answer],
        )  # fmt: skip
    return kept, moved, seen


def fetch_graphql(
    ctx: GitHubContext, entries: list[Entry], raw: RawSink, fetch: FetchContext
) -> None:
    """Every repository over GraphQL: the light query for those last night's documents cover,
    the full query for the rest and for what moved; then the contributor counts."""
    night = plan(entries, ctx.previous, ctx.clock.now(), ctx.settings)
    size = ctx.settings.github_graphql_batch_size
    full = list(night.full)
    seen: dict[str, Exchange] = {}
    for batch in chunks(night.screened, size):
        kept, moved, answers = screen(ctx, batch)
        full.extend(moved)
        seen.update(answers)
        if kept:
            fetch_batch(ctx, [e for e in batch if e.id in kept], raw, fetch, kept)
    logger.info(
        "GitHub GraphQL: %d screened by the light query, %d asked the full query",
        len(night.screened), len(full),
    )  # fmt: skip
    for batch in chunks(full, size):
        fetch_batch(ctx, batch, raw, fetch, light=seen)
