"""Papers listed anywhere (`enrich.sources.papers`): the ``hub_paper`` slot (a paper's Hub
page and its upvotes) and ``arxiv_match`` (a conference paper's arXiv version, whose record
fills the ``paper`` slot). A supplement: the arxiv and web sources decide the status."""

from __future__ import annotations

from enrich.core.links import Kind
from enrich.core.model import ArxivMatch, Entry, HubPaper
from enrich.core.spec import Slot, SourceSpec, counter, read
from enrich.core.specs.arxiv import PAPER

HUB_PAPER = Slot(
    "hub_paper",
    HubPaper,
    columns=(
        counter("upvotes", main=(Kind.PAPER,), symbol="▲", movers=True, legend="▲ Hub upvotes"),
        read("num_models"),  # a paper's Hub adoption (the diff's hub_adoption event)
        read("num_datasets"),
    ),
)

ARXIV_MATCH = Slot("arxiv_match", ArxivMatch)

PAPERS = SourceSpec(
    "papers",
    (Kind.PAPER,),
    HUB_PAPER,
    extra=(PAPER, ARXIV_MATCH),
    supplement=True,
    after=("web", "arxiv"),
)


def upvotes(entry: Entry) -> int | None:
    """The paper's upvotes on its Hub page, when it has one."""
    page = entry.hub_paper
    return page.upvotes if page is not None and page.on_hub else None
