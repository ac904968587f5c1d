"""A raw run folder -> its snapshot, with no network: what a run publishes and what
``enrich rebuild`` re-derives, byte for byte.

Pure over the folder's contents and the previous snapshot: the list as the run parsed it and the
manifest (`enrich.run.state.Listing`, read once), each source's documents through its
``normalize``, the failures recorded (read once, by the caller), the graph
(`enrich.core.graph`), scores (`enrich.core.score`), then `enrich.core.assemble`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple

from pydantic import BaseModel

from enrich.core import graph, score
from enrich.core.assemble import apply_outcome, assemble
from enrich.core.model import Entry, Failure, Link, Snapshot, Status
from enrich.core.outcome import Outcome
from enrich.run.guard import failed_as_a_whole
from enrich.run.state import Listing
from enrich.sources.base import claims, settle, unreadable
from enrich.sources.registry import SOURCES
from enrich.store.raw import RawStore

logger = logging.getLogger(__name__)

Outcomes = Mapping[str, Outcome[BaseModel]]
# By source, then by entry id: an entry can have outcomes from two sources (an arXiv paper's
# record, and its Hub page from the papers source).
SourceOutcomes = Mapping[str, Outcomes]


def normalize_source(name: str, entries: list[Entry], store: RawStore) -> Outcomes:
    """``entries``' outcomes from their raw documents: pure, so a fetch task can compute them
    while slower sources are still fetching, and `build` gets the same answer from the folder.

    Never raises for what is in the folder: a source whose normalize fails on the batch is asked
    again entry by entry, so a bug met by one entry's documents is that entry's error (the same
    in a run and in ``enrich rebuild``), and an unreadable document is the entry's too."""
    source = SOURCES[name]
    keys = {e.id for e in entries} if source.per_entry_documents else None
    try:
        documents = store.documents(name, keys)
    except (OSError, ValueError) as exc:
        logger.error("%s: raw documents unreadable: %s", name, exc)
        return _one_by_one(name, entries, store)
    try:
        return source.normalize(entries, documents)
    except Exception:
        logger.exception("%s: normalize failed; normalizing entry by entry", name)
        return _one_by_one(name, entries, store, documents)


def _one_by_one(
    name: str, entries: list[Entry], store: RawStore, documents: list[object] | None = None
) -> Outcomes:
    source = SOURCES[name]
    out: dict[str, Outcome[BaseModel]] = {}
    for entry in entries:
        try:
            docs = (
                store.documents(name, {entry.id})
                if source.per_entry_documents or documents is None
                else documents
            )
            out.update(source.normalize([entry], docs))
        except Exception as exc:
            out[entry.id] = unreadable(exc)
    return out


# The sources whose documents name a paper's code (arXiv comments and abstracts, the Hub's
# paper pages) and say which repositories the list links under another name (GitHub's renames).
CODE_SOURCES = ("arxiv", "github", "papers")
EXTERNAL = "github-external"  # the failures key of the external repositories' fetch


def enriched(
    listing: Listing,
    failures: Mapping[str, str],
    previous: Snapshot | None = None,
    outcomes: SourceOutcomes | None = None,
    only: Collection[str] | None = None,
) -> list[Entry]:
    """The list's entries with their sources' outcomes applied (``only`` these sources), in
    list order: what `build` scores, and what the run computes its external repositories from.
    Sources are applied in `SOURCES` order, supplementary ones after those that decide the
    status. ``failures``: the sources' recorded failures (`RawStore.failures`)."""
    return _enriched(listing, failures, previous, outcomes, only)[0]


def _enriched(
    listing: Listing,
    failures: Mapping[str, str],
    previous: Snapshot | None = None,
    outcomes: SourceOutcomes | None = None,
    only: Collection[str] | None = None,
) -> tuple[list[Entry], dict[str, str]]:
    """`enriched`, and the sources that failed as a whole (`failed_as_a_whole`), with why."""
    parsed, store = listing.parsed, listing.store
    skipped, left_out = listing.skipped_sources, listing.skipped_entries
    before = {e.id: e for e in previous.entries} if previous else {}
    entries: dict[str, Entry] = {e.id: e for e in parsed.entries}
    failed: dict[str, str] = {}
    for name, source in SOURCES.items():
        if only is not None and name not in only:
            continue
        todo = [e for e in parsed.entries if claims(source, e)]
        known = (outcomes or {}).get(name, {})
        if name in skipped:
            # A supplementary source's reason stands beside another source's status: named.
            why = f"{name}: {skipped[name]}" if source.spec.supplement else skipped[name]
            made: Outcomes = {e.id: Outcome(Status.SKIPPED, reason=why) for e in todo}
        else:
            asked = [e for e in todo if e.id not in left_out]
            made = settle(source, _made(name, asked, known, store, failures.get(name)))
            lost = failed_as_a_whole(made.values())
            if lost is not None:
                failed[name] = lost
            made = {
                **made,
                **{i: Outcome(Status.SKIPPED, reason=why) for i, why in left_out.items()},
            }
        for entry in todo:
            entries[entry.id] = apply_outcome(
                entries[entry.id], made.get(entry.id), source.spec, before.get(entry.id)
            )
    return [entries[e.id] for e in parsed.entries], failed


def external_entries(
    listing: Listing,
    failures: Mapping[str, str],
    previous: Snapshot | None = None,
    outcomes: SourceOutcomes | None = None,
    edges: Iterable[Link] = (),
) -> list[Entry]:
    """The external repositories the run planned (``external.json``), enriched from the github
    source's documents; one whose fetch failed keeps its record from the previous snapshot's
    ``external``, stale, like a listed entry. One the graph (``edges``) still names that was not
    fetched this run (GitHub left out, or named by a source's kept values only) keeps its last
    values, ``skipped``. (The snapshot's ``external`` field; `enrich.run.external` plans and
    fetches them.)"""
    store = listing.store
    plan = store.external()
    pairs = plan["planned"] if plan is not None else []
    planned = [graph.external_entry(entry_id, url) for entry_id, url in pairs]
    if listing.list_file != "list.md":  # a catalog's list: the run's repositories its graph names
        ours = {entry_id for entry_id, _ in graph.external_repos(edges)}
        planned = [e for e in planned if e.id in ours]
    known = (outcomes or {}).get("github", {})
    made = _made("github", planned, known, store, failures.get(EXTERNAL))
    before = {e.id: e for e in previous.external} if previous else {}
    spec = SOURCES["github"].spec
    fetched = [apply_outcome(e, made[e.id], spec, before.get(e.id)) for e in planned]
    skipped = listing.skipped_sources
    if plan is None and "github" not in skipped:  # none asked for (external_code_repos 0)
        return fetched
    why = skipped.get("github", "not fetched this run")
    named = {entry_id for entry_id, _ in graph.external_repos(edges)} - {e.id for e in planned}
    kept = [
        apply_outcome(graph.external_entry(e.id, e.url), Outcome(Status.SKIPPED, reason=why),
                      spec, e)
        for e in before.values()
        if e.id in named and e.fetched_at is not None
    ]  # fmt: skip
    return fetched + kept


def _made(
    name: str, todo: list[Entry], known: Outcomes, store: RawStore, failure: str | None
) -> Outcomes:
    """``todo``'s outcomes: what the fetch task already made, else normalized from the folder,
    else an error with the source's recorded failure (``failure``)."""
    rest = [e for e in todo if e.id not in known]
    found = normalize_source(name, rest, store) if rest else {}
    missing = Outcome[BaseModel](
        Status.ERROR, reason=failure or "no answer recorded", failure=Failure.UNREACHABLE
    )
    return {e.id: known.get(e.id) or found.get(e.id) or missing for e in todo}


def build(
    store: RawStore, previous: Snapshot | None = None, outcomes: SourceOutcomes | None = None
) -> Snapshot:
    """The snapshot of one raw run folder, read once here. ``outcomes``: what
    `normalize_source` already made of some entries (by source, then id); the rest are
    normalized here."""
    return build_run(Listing.read(store.run_dir), previous, outcomes).snapshot


class Built(NamedTuple):
    snapshot: Snapshot
    # The sources that failed as a whole this run, with why (their entries keep their last
    # values: the run names them in its summary).
    failed: dict[str, str]


def build_run(
    listing: Listing,
    previous: Snapshot | None = None,
    outcomes: SourceOutcomes | None = None,
    failures: Mapping[str, str] | None = None,
) -> Built:
    """`build` of a run's list, and the sources that failed as a whole. ``failures``: the
    recorded failures, when the caller read them (else read here)."""
    known = failures if failures is not None else listing.store.failures()
    parsed, started = listing.parsed, listing.started
    listed, failed = _enriched(listing, known, previous, outcomes)
    entries, edges = graph.with_graph(listed)
    outside = graph.ties(external_entries(listing, known, previous, outcomes, edges), edges)
    snapshot = assemble(
        score.scored(entries, started, outside),
        generated_at=started,
        run_id=listing.run_id,
        list_source=listing.manifest["list_source"],
        list_title=parsed.title,
        list_sha256=parsed.sha256,
        skipped=list(parsed.skipped),
        external=score.scored(outside, started),
    )
    return Built(snapshot, failed)
