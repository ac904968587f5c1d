"""Citations from Semantic Scholar's Academic Graph API: how often each paper is cited, and
which papers it cites.

A supplementary source for papers (its record adds to entries whose status the arxiv and web
sources decide). One task asks every paper of the run, 500 ids a request
(`enrich.sources.scholar.client`), by the id Semantic Scholar takes for it
(`enrich.sources.scholar.ids`), after the web, arxiv and papers sources: a paper on another host
is asked by the DOI its page declares or by its arXiv version, read from their documents of
this run. Normalize reads the stored answers (`enrich.sources.scholar.normalize`) into the
core's `enrich.core.model.ScholarPaper` records (`enrich.sources.scholar.record`); the spec, its
counters and its slot are `enrich.core.specs.scholar`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enrich.core import pagemeta
from enrich.core.model import ArxivMatch, Entry, ScholarPaper, WebPage, updated
from enrich.core.outcome import Outcome
from enrich.core.rawdocs import OK, PaperInput, ScholarBatch, WebDocument
from enrich.core.spec import SourceSpec
from enrich.core.specs.scholar import SCHOLAR
from enrich.sources.base import FetchContext, RawSink, SourceBase
from enrich.sources.scholar.client import Batches
from enrich.sources.scholar.ids import s2_id
from enrich.sources.scholar.normalize import normalize
from enrich.sources.scholar.record import FIELDS, cited_ids, read_paper

__all__ = [
    "FIELDS", "ScholarBatch", "ScholarPaper", "ScholarSource", "cited_ids", "normalize",
    "read_paper", "s2_id",
]  # fmt: skip


class ScholarSource(SourceBase[ScholarPaper]):
    spec: SourceSpec[ScholarPaper] = SCHOLAR
    per_entry_documents: bool = False

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        asking: dict[str, list[str]] = {}
        skipped = 0
        for entry in _informed(entries, raw):
            paper = s2_id(entry)
            if paper is None:
                skipped += 1
            else:
                asking.setdefault(paper, []).append(entry.id)
        if skipped:
            ctx.progress(skipped)
        pending = list(asking)  # in batches of s2_batch_size, or what fits (Batches.fits)
        with Batches(raw, ctx) as batches:
            while pending:
                batch, pending = pending[: batches.fits], pending[batches.fits :]
                batches.ask(batch, asking)
                ctx.progress(sum(len(asking[i]) for i in batch))

    def normalize(
        self, entries: list[Entry], documents: list[Any]
    ) -> dict[str, Outcome[ScholarPaper]]:
        return normalize(entries, documents)


def _informed(entries: list[Entry], raw: RawSink) -> list[Entry]:
    """The entries with what this run's other sources found that names their paper for
    Semantic Scholar: the DOI a landing page declares (the web source's documents) and the
    arXiv version the papers source concluded (its ``input-…`` documents). An arXiv, DOI, ACL
    or Semantic Scholar link names its paper itself: no document is read for it."""
    others = [e for e in entries if s2_id(e) is None]
    if not others:
        return entries
    keys = {e.id for e in others}
    pages: dict[str, WebDocument] = {d["entry_id"]: d for d in raw.documents("web", keys)}
    inputs: dict[str, PaperInput] = {
        d["entry_id"]: d for d in raw.documents("papers", {f"input-{k}" for k in keys})
    }
    found = {e.id: _with_facts(e, pages.get(e.id), inputs.get(e.id)) for e in others}
    return [found.get(e.id, e) for e in entries]


def _with_facts(entry: Entry, page: WebDocument | None, made: PaperInput | None) -> Entry:
    changes: dict[str, Any] = {}
    hops = page["hops"] if page is not None else []
    last = hops[-1] if hops else None
    if last is not None and last["status"] in OK:
        meta = pagemeta.paper_meta(last["body"], last["url"])
        if meta is not None:
            changes["web"] = WebPage(paper_meta=meta)
    hint: Mapping[str, Any] | None = made.get("resolved") if made is not None else None
    if hint is not None:
        arxiv_id = str(hint["arxiv_id"])
        changes["arxiv_match"] = ArxivMatch(
            arxiv_id=arxiv_id, entry_id=f"arxiv:{arxiv_id}", evidence=str(hint["evidence"]),
            detail=hint.get("detail"),
        )  # fmt: skip
    return updated(entry, **changes) if changes else entry
