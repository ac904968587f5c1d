"""Tonight's budget, read before fetching, and handed out to the fetch tasks as shares.

The plan (`enrich.run.steps.plan`) orders each source's entries by staleness
(`enrich.core.budget.order`) before cutting them into tasks, so the first tasks hold the
stalest work; then this module gives each GitHub task its share of what GitHub says is left
(``GET /rate_limit``, free: it counts against no window) for REST requests (``core``) and
GraphQL points (``graphql``), in that order (`enrich.core.budget.shares`). A task carries its
share in its payload (`FetchTask.quota`) and admits its requests against it (and against the
windows its answers report, `enrich.sources.github.ratelimit.RateLimits`); what does not fit is
deferred without a request.

Why shares in the payload, not a counter every worker asks (a Prefect global concurrency limit
used as a rate limit, or a lock server): a share is plain data, so it holds on threads, on Dask
worker processes and on several machines alike, costs no round trip per request, needs no
server to be up (a run without Prefect has the same guarantee), and the shares add up to at
most what was left, so no 403 can be provoked by the run however its tasks are spread. What it
costs: a task that needs less than its estimate leaves some of its share unspent (measured in
``benches/RESULTS.md``, "Tonight's plan"); the estimate errs high only where a guess is needed.
Within a task nothing is lost: the share is charged with what the answers say was spent, so a
free 304 or a query cheaper than its estimate hands the difference back for the task's later
work (`RateLimits.release`); what one task leaves, another (elsewhere) cannot use.

The Hub and arXiv publish no endpoint that says what is left; their documented limits are what
the plan counts on (`DOCUMENTED`), and their requests are spaced to them (arXiv: one every
``arxiv_delay_seconds``; the Hub: ``hub_concurrency`` at a time): a night of the catalog stays
well under both, so they get no shares.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import httpx

from enrich.core import budget
from enrich.core.model import Entry
from enrich.core.settings import Settings
from enrich.run.state import FetchTask
from enrich.sources.bounded import Bound, DeadlineTransport, bounded, read_capped
from enrich.sources.github.graphql import FULL_CONNECTIONS, points
from enrich.sources.github.ratelimit import RateLimits
from enrich.sources.github.rest import PARTS
from enrich.sources.limits import RetryBudget

logger = logging.getLogger(__name__)

# The upstreams that say nothing of what is left, and what their documentation allows.
DOCUMENTED: Mapping[str, str] = {
    # huggingface.co/docs/hub/rate-limits: "Hub APIs" bucket, per 5-minute window (Sept. 2025).
    "huggingface": "500 API requests per 5 minutes anonymous, 1,000 with a free account's token",
    # info.arxiv.org/help/api/tou.html: "no more than one request every three seconds".
    "arxiv": "one request every 3 seconds, one connection at a time",
}

# A repository over REST cold: itself and its parts (languages, release, commit, contributors,
# activity); warm, one conditional request while it has not changed.
_REST_COLD = 1 + len(PARTS)


def read_left(settings: Settings) -> dict[str, int]:
    """What GitHub says is left now per resource (``core``, ``graphql``…), from
    ``GET /rate_limit`` (free); empty when it cannot say (rate limiting off, an error): the
    tasks then admit against the windows their answers report, as before."""
    url = f"{settings.github_api_url.rstrip('/')}/rate_limit"
    headers = {"Accept": "application/vnd.github+json", "User-Agent": settings.user_agent}
    if settings.github_token:
        headers["Authorization"] = f"Bearer {settings.github_token.get_secret_value()}"
    rate = RateLimits(RetryBudget(0))
    try:
        with (
            httpx.Client(headers=headers, timeout=settings.http_timeout_seconds,
                         transport=DeadlineTransport()) as client,
            bounded(Bound("GitHub", settings.github_deadline_seconds,
                          settings.github_max_bytes)) as call,
            client.stream("GET", url) as response,
        ):  # fmt: skip
            body = read_capped(response.iter_bytes(), call)
            if response.status_code != 200:
                return {}
            rate.learn(json.loads(body))
    except Exception as exc:  # what the plan could not read, the windows still guard
        logger.info("GitHub's rate limits could not be read for the plan (%s)", type(exc).__name__)
        return {}
    return {name: w.remaining for name, w in rate.windows.items()}


def graphql_path(settings: Settings) -> bool:
    """Whether GitHub is asked over GraphQL (a token) rather than REST."""
    return bool(settings.github_token) and settings.github_graphql


def demand(
    entries: Sequence[Entry], known: Mapping[str, Sequence[Entry]], settings: Settings
) -> dict[str, int]:
    """What a GitHub task over ``entries`` is estimated to spend per resource: cold (never
    fetched) the whole price; warm what a night that finds nothing moved costs, plus each
    field carried for a later night (a deferred contributor count)."""
    newest = {e.id: _newest(known.get(e.id, ())) for e in entries}
    cold = [e for e in entries if _cold(newest[e.id])]
    warm = len(entries) - len(cold)
    if not graphql_path(settings):
        # a part carried for a later night (or never fetched) is asked again: the whole price
        owing = sum(1 for e in entries if not _cold(newest[e.id]) and _owes_part(newest[e.id]))
        return {"core": _REST_COLD * (len(cold) + owing) + warm - owing}
    batch = settings.github_graphql_batch_size
    every = settings.github_graphql_full_every
    due = -(-warm // every) if warm else 0  # the rota's share of full queries tonight
    counts = sum(1 for e in entries if _owes_count(newest[e.id]))
    graphql = (
        points(len(cold), FULL_CONNECTIONS, batch)
        + points(warm, 0, batch)
        + points(due, FULL_CONNECTIONS, batch)
    )
    return {"core": counts, "graphql": graphql}


def apportion(
    tasks: Sequence[FetchTask],
    left: Mapping[str, int],
    known: Mapping[str, Sequence[Entry]],
    settings: Settings,
) -> list[FetchTask]:
    """The tasks, each GitHub task given its share of ``left`` (in plan order: the stalest
    first); the other tasks as they were."""
    github = [i for i, t in enumerate(tasks) if t.source == "github"]
    if not github or not left:
        return list(tasks)
    # The external repositories' task finds its repositories when it starts, from tonight's
    # answers (`enrich.run.external`): nothing to estimate here. It wants nothing, so it is
    # handed only its even part of what the list's estimates leave, never the list's part (its
    # limit, up to 200 repositories estimated cold, would take what a repository of the list
    # that moved needs beyond its estimate: its parts).
    wants = [
        {} if tasks[i].external_limit else demand(tasks[i].entries, known, settings) for i in github
    ]
    out = list(tasks)
    for resource in sorted({r for want in wants for r in want}):
        if resource not in left:
            continue
        given = budget.shares([want.get(resource, 0) for want in wants], left[resource])
        for i, share in zip(github, given, strict=True):
            out[i] = replace(out[i], quota={**out[i].quota, resource: share})
    logger.info(
        "tonight's plan: %s left; GitHub shares %s",
        ", ".join(f"{k} {v:,}" for k, v in sorted(left.items()) if k in ("core", "graphql")),
        [dict(out[i].quota) for i in github],
    )  # fmt: skip
    return out


def _newest(entries: Sequence[Entry]) -> Entry | None:
    fetched = [e for e in entries if e.fetched_at is not None]
    return max(fetched, key=_fetched) if fetched else None


def _fetched(entry: Entry) -> Any:
    return entry.fetched_at


def _cold(entry: Entry | None) -> bool:
    """No repository record yet: the whole price (the full query, every part)."""
    return entry is None or entry.repo is None


def _owes_part(entry: Entry | None) -> bool:
    """A part (languages, release, commit, contributors, activity) never fetched or carried
    for a later night: asked again tonight, a request each over REST."""
    return entry is None or entry.repo is None or bool(entry.deferred)


def _owes_count(entry: Entry | None) -> bool:
    """A contributor count this repository has never had, or carries for a later night."""
    if entry is None or entry.repo is None:
        return True
    return entry.repo.contributors is None or any(
        m.field in ("contributors", "repo") for m in entry.deferred
    )
