"""arXiv's papers (`enrich.sources.arxiv`): the ``paper`` slot, its facts line and the paper
score (whose parts read the paper's Hub page, its code ties and its Semantic Scholar citations
too)."""

from __future__ import annotations

from datetime import UTC, datetime

from enrich.core.graph import code_repos
from enrich.core.links import HUB_KINDS, Kind
from enrich.core.model import Entry, HubPaper, Paper
from enrich.core.points import days, lg
from enrich.core.spec import Context, Scheme, Shown, Slot, SourceSpec, compared, read


def _hub_page(entry: Entry) -> HubPaper | None:
    page = entry.hub_paper
    return page if page is not None and page.on_hub else None


def _attention(entry: Entry, _: Context) -> float:
    page = _hub_page(entry)
    return 2 * lg(page.upvotes if page is not None else None)


def _code(entry: Entry, c: Context) -> float:
    stars = [r.repo.stars for r in code_repos(entry, c.related) if r.repo is not None]
    page = _hub_page(entry)
    if not stars and page is not None and page.github_stars is not None:
        stars = [page.github_stars]
    return 1 + lg(max(stars)) if stars else 0.0


def _adoption(entry: Entry, c: Context) -> float:
    tied = [c.related[i] for i in entry.cross_links if i in c.related]
    hub_ties = sum(1 for t in tied if t.kind in HUB_KINDS)
    page = _hub_page(entry)
    hub_counts = (page.num_models or 0) + (page.num_datasets or 0) if page is not None else 0
    return lg(hub_ties + hub_counts)


def _maturity(entry: Entry, _: Context) -> float:
    paper = entry.paper
    assert paper is not None
    return 0.5 * min(max(paper.version - 1, 0), 4) + (
        1.0 if paper.journal_ref or paper.doi else 0.0
    )


def _citations(entry: Entry, c: Context) -> float:
    """2·lg(citations a year since publication): a paper's popularity by the measure people
    judge papers by, age-normalized so that last month's paper is not outranked by a decade's
    accumulation alone (a paper under a year old counts as one year old)."""
    found = entry.scholar
    if found is None or not found.found or not found.citations:
        return 0.0
    age = days(c.now, _published(entry))
    years = max((age or 0.0) / 365.25, 1.0)
    return 2 * lg(found.citations / years)


def _published(entry: Entry) -> datetime | None:
    """When the paper came out: Semantic Scholar's publication date, else its year (mid-year),
    else arXiv's first version."""
    found = entry.scholar
    if found is not None and found.publication_date:
        try:
            return datetime.fromisoformat(found.publication_date).replace(tzinfo=UTC)
        except ValueError:
            pass
    if found is not None and found.year:
        return datetime(found.year, 7, 1, tzinfo=UTC)
    return entry.paper.published if entry.paper is not None else None


def _details(entry: Entry, paper: Paper, shown: Shown) -> list[str]:
    out: list[str] = []
    if paper.published is not None:
        out.append(str(paper.published.year))
    if paper.authors:
        first = paper.authors[0].name.split()[-1] if paper.authors[0].name.split() else "?"
        out.append(f"{first} et al." if len(paper.authors) > 1 else first)
    version = f"v{paper.version}"
    if entry.listed_version and entry.listed_version != paper.version:
        version += f" (list links v{entry.listed_version})"
    out.append(version)
    if not shown.has_code and paper.journal_ref:
        out.append(paper.journal_ref)
    return out


PAPER = Slot(
    "paper",
    Paper,
    columns=(compared("version"), read("versioned_id")),
    name=lambda paper: paper.title,
    details=_details,
    scheme=Scheme("paper", "papers", (Kind.PAPER,), "paper", (
        ("attention", _attention),
        ("code", _code),
        ("adoption", _adoption),
        ("maturity", _maturity),
        ("citations", _citations),
    ), version=2),
)  # fmt: skip

# One client, so one spacing: arXiv asks for a request every few seconds.
ARXIV = SourceSpec("arxiv", (Kind.PAPER,), PAPER, single_task=True)
