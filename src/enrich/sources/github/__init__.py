"""GitHub repositories, through PyGithub's requester: GraphQL batches with a token, REST without.

::

    client.py     PyGithub with the run's retry budget and bounded redirects; the one
                  conditional REST request
    graphql.py    one query per 100 repositories, then contributor counts when the branch moved
    light.py      warm nights: a light query first (1 point a 100), the full one for what moved
    rest.py       six conditional requests per repository cold, one when it has not changed
    normalize.py  raw answers, checked against GitHub's shapes -> `Repo` (pure)
    ratelimit.py  GitHub's rate-limit windows from /rate_limit and its headers: admit, wait or
                  defer

A fetch task first reads the windows from ``/rate_limit`` (free), unless the run has already;
before each unit of work it asks `RateLimits` whether the rate limit left covers it; if not it
waits for the reset (budget permitting) or defers the work (with the reason) rather than run
into 403s. The windows are the run's (`FetchContext.shared`): every task admits against what
any task has learnt. REST requests are paced to GitHub's secondary limit (900 a minute).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from enrich.core.model import Entry, Repo
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import GitHubDocument
from enrich.core.spec import SourceSpec
from enrich.core.specs.github import GITHUB
from enrich.sources.base import FetchContext, RawSink, SourceBase, fetch_each, per_entry
from enrich.sources.bounded import DeadlineTransport
from enrich.sources.github.client import (
    GitHubContext,
    learn_rate_limits,
    make_client,
    reread_rate_limits,
)
from enrich.sources.github.graphql import graphql_query
from enrich.sources.github.light import fetch_graphql
from enrich.sources.github.normalize import outcome
from enrich.sources.github.ratelimit import RateLimits, Windows
from enrich.sources.github.rest import fetch_rest

__all__ = ["GitHubSource", "graphql_query"]


class GitHubSource(SourceBase[Repo]):
    spec: SourceSpec[Repo] = GITHUB
    per_entry_documents: bool = True

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        settings = ctx.settings
        token = settings.github_token.get_secret_value() if settings.github_token else None
        headers = {"Accept": "application/vnd.github+json", "User-Agent": settings.user_agent}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        previous = raw.previous(self.name, {e.id for e in entries}, _usable)
        windows = ctx.shared.get("github-rate-limits", Windows, Windows)
        rate = RateLimits(
            ctx.budget,
            sleep=ctx.budget.sleep,
            windows=windows,
            authorized=bool(token),
            quota=ctx.quota,
        )
        pace = ctx.pacers.get("github-rest", settings.github_rest_per_minute)
        with httpx.Client(
            headers=headers, timeout=settings.http_timeout_seconds, transport=DeadlineTransport()
        ) as stats_http:
            # A 301 PyGithub follows inside its requester is a request GitHub charges too.
            client = make_client(settings, ctx.budget, on_redirect=lambda: rate.observe({}, 301))
            gh = GitHubContext(
                client, stats_http, settings, rate, ctx.budget, previous, pace, ctx.clock
            )
            rate.refresh = lambda: reread_rate_limits(gh)
            try:
                learn_rate_limits(gh)
                if token and settings.github_graphql:
                    fetch_graphql(gh, entries, raw, ctx)
                else:
                    fetch_each(
                        self.name, entries, raw, ctx, settings.github_concurrency,
                        lambda entry: fetch_rest(gh, entry),
                    )  # fmt: skip
            finally:
                client.close()
        raw.put_usage(self.name, rate.usage())

    def normalize(
        self, entries: list[Entry], documents: list[GitHubDocument]
    ) -> Mapping[str, Outcome[Repo]]:
        return per_entry(entries, documents, outcome)


def _usable(doc: Any) -> bool:
    return not doc.get("error") and bool(doc.get("exchanges"))
