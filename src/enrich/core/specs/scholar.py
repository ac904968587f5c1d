"""Semantic Scholar's papers (`enrich.sources.scholar`): the ``scholar`` slot, whose citation
count is a paper's main counter when known (before its Hub upvotes), and its facts line for a
paper that has no arXiv record. A supplement: the arxiv and web sources decide the status."""

from __future__ import annotations

from enrich.core.links import Kind
from enrich.core.model import Entry, ScholarPaper
from enrich.core.spec import Shown, Slot, SourceSpec, compared, counter


def _details(_: Entry, paper: ScholarPaper, __: Shown) -> list[str]:
    out: list[str] = []
    if paper.year is not None:
        out.append(str(paper.year))
    venue = paper.publication_venue.name if paper.publication_venue is not None else None
    if venue or paper.venue:
        out.append(str(venue or paper.venue))
    return out


S2 = Slot(
    "scholar",
    ScholarPaper,
    columns=(
        counter("citations", main=(Kind.PAPER,), prefer=1, symbol="❝", movers=True,
                legend="❝ citations (Semantic Scholar)", said="cited"),
        counter("influential_citations"),
        compared("venue"),
    ),
    name=lambda paper: paper.title,
    details=_details,
)  # fmt: skip

# Every paper in one task after the sources it reads (a conference paper is asked by the DOI its
# page declares, or by its arXiv version): one request per 500 papers a night.
SCHOLAR = SourceSpec(
    "scholar", (Kind.PAPER,), S2, supplement=True, single_task=True,
    after=("web", "arxiv", "papers"),
)  # fmt: skip


def citations(entry: Entry) -> int | None:
    """The paper's citations, when Semantic Scholar knows it."""
    found = entry.scholar
    return found.citations if found is not None and found.found else None
