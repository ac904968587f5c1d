"""Citations from Semantic Scholar's Academic Graph API: how often each paper is cited, and
which papers it cites.

A supplementary source for papers (its record adds to entries whose status the arxiv and web
sources decide). One task asks every paper of the run, 500 ids a request
(`enrich.sources.scholar.client`), by the id Semantic Scholar takes for it
(`enrich.sources.scholar.ids`); normalize reads the stored answers
(`enrich.sources.scholar.normalize`) into `ScholarPaper` records
(`enrich.sources.scholar.record`).
"""

from __future__ import annotations

from typing import Any

from enrich.core.links import Kind
from enrich.core.model import Entry
from enrich.core.outcome import Outcome
from enrich.sources.base import FetchContext, RawSink
from enrich.sources.scholar.client import SOURCE, Batches, ScholarBatch
from enrich.sources.scholar.ids import s2_id
from enrich.sources.scholar.normalize import normalize
from enrich.sources.scholar.record import FIELDS, ScholarPaper, cited_ids, read_paper

__all__ = [
    "FIELDS", "ScholarBatch", "ScholarPaper", "ScholarSource", "cited_ids", "normalize",
    "read_paper", "s2_id",
]  # fmt: skip


class ScholarSource:
    name: str = SOURCE
    kinds: tuple[Kind, ...] = (Kind.PAPER,)
    field: str = "scholar"
    per_entry_documents: bool = False
    # One task asks every paper: a request per 500 papers, one pacing.
    single_task: bool = True
    supplement: bool = True

    def fetch(self, entries: list[Entry], raw: RawSink, ctx: FetchContext) -> None:
        asking: dict[str, list[str]] = {}
        skipped = 0
        for entry in entries:
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
