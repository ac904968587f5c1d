"""The external code repositories of a run: the repositories that are a listed paper's code but
that the list does not link, fetched through the GitHub source (its client, the run's budgets,
slots, rate-limit windows and pacers, the ETags of earlier runs).

One fetch task, planned last (`enrich.run.steps.plan`) and started by the composition once the
sources whose documents name the code have ended (the ``after`` mechanism): it normalizes those
documents as `enrich.run.build` does, asks the graph for the external repositories
(`enrich.core.graph.external_repos`, most-named first), keeps the first
``external_code_repos``, records them in the raw folder (``external.json``: what build reads,
so a rebuild needs nothing else) and fetches them into the github source's folder, under their
entry ids. A failure of that fetch is recorded under ``github-external``, never raised.

"External" names three things, one repository set seen at three moments: this module (the task
that plans and fetches them; `FetchTask.external_limit` says how many), the snapshot's
``external`` field (their records, published as ``external.parquet``; a name in the dataset's
schema, kept) and `enrich.run.build.external_entries` (that field built from the raw folder).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from enrich.core import graph
from enrich.core.errors import EnrichError
from enrich.core.model import Entry
from enrich.core.rawdocs import ExternalPlan
from enrich.run.build import CODE_SOURCES, EXTERNAL, Outcomes, enriched, normalize_source
from enrich.run.state import Listing
from enrich.sources.base import FetchContext
from enrich.sources.registry import SOURCES

logger = logging.getLogger(__name__)

SOURCE = "github"
# The sources the external task waits for: those naming the code, and the web source that the
# papers source reads (so a paper on another host has its arXiv version's Hub page by then).
AFTER = (*CODE_SOURCES, "web")


def planned(listing: Listing, limit: int) -> list[Entry]:
    """The run's external repositories (the first ``limit``), recorded in the raw folder.

    Its graph is of the code sources' records only, as they stand when this task starts (the
    failures recorded so far): the snapshot's graph, built at finish from every source, is
    another."""
    store = listing.store
    failures = store.failures()
    found: list[tuple[str, str]] = []
    if named_by_papers(listing, failures):
        _, edges = graph.with_graph(enriched(listing, failures, only=CODE_SOURCES))
        found = graph.external_repos(edges)
    chosen = found[:limit]
    store.write_external(
        ExternalPlan(limit=limit, found=len(found), planned=[[i, url] for i, url in chosen])
    )
    logger.info("%d external code repositories, %d enriched this run", len(found), len(chosen))
    return [graph.external_entry(i, url) for i, url in chosen]


def named_by_papers(listing: Listing, failures: Mapping[str, str]) -> bool:
    """Whether the papers' records alone name a repository the list does not link. The graph
    with GitHub's records (its renames) can only find fewer: a rename makes a named repository
    a listed one, and a repository's record names no code of its own. So when the papers name
    none, the GitHub documents (every listed repository's: 61,000 in a catalog of 100,000
    links) are not normalized for nothing."""
    papers = tuple(name for name in CODE_SOURCES if name != SOURCE)
    _, edges = graph.with_graph(enriched(listing, failures, only=papers))
    return bool(graph.external_repos(edges))


def fetch(listing: Listing, ctx: FetchContext, limit: int) -> Outcomes:
    """Plan the run's external repositories and fetch them: their outcomes (none when the fetch
    failed as a whole: the raw folder says why, and build gives it to each of them)."""
    store = listing.store
    try:
        entries = planned(listing, limit)
        if not entries:
            return {}
        SOURCES[SOURCE].fetch(entries, store, ctx)
    except Exception as exc:
        ours = isinstance(exc, EnrichError)
        message = str(exc) if ours else f"{type(exc).__name__}: {exc}"
        logger.error("external code repositories failed: %s", message, exc_info=not ours)
        store.put_failure(EXTERNAL, f"{SOURCE} failed: {message}")
        return {}
    return normalize_source(SOURCE, entries, store)
