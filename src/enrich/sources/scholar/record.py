"""The record of a paper in Semantic Scholar's Academic Graph, read from one batch item. Pure.

`FIELDS` is what the batch request asks (``?fields=…``): the API returns only those (and
``paperId``), so a field missing from an answer is one we did not ask, never a zero.
``references.externalIds`` brings each reference's ids (``ArXiv``, ``DOI``, ``ACL``…): what the
graph needs to tie a paper to the listed papers it cites (`cited_ids`).

An answer is validated at this boundary: a wrong type (a count that is not a number, a list that is
an object) raises (`ValueError`), which costs that paper only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from enrich.core.links import ARXIV_ID
from enrich.core.model import Record

# The batch request's field selection, in the API's names (the order does not matter to it).
FIELDS = (
    "paperId", "corpusId", "externalIds", "url", "title", "venue", "publicationVenue", "year",
    "publicationDate", "citationCount", "influentialCitationCount", "referenceCount",
    "isOpenAccess", "openAccessPdf", "fieldsOfStudy", "s2FieldsOfStudy", "publicationTypes",
    "tldr", "references.externalIds",
)  # fmt: skip

# externalIds keys the record keeps, and their field names. Semantic Scholar adds sources now
# and then; a key not listed here is dropped, never a validation error.
_EXTERNAL = {
    "ArXiv": "arxiv", "DOI": "doi", "DBLP": "dblp", "ACL": "acl", "PubMed": "pubmed",
    "PubMedCentral": "pubmed_central", "MAG": "mag",
}  # fmt: skip


class ExternalIds(Record):
    """The paper's ids elsewhere, as Semantic Scholar links them (DOI lower-cased)."""

    arxiv: str | None = Field(default=None, description="Versionless arXiv id")
    doi: str | None = Field(default=None, description="Lower-case, no doi.org prefix")
    dblp: str | None = Field(default=None, description="DBLP key, e.g. conf/acl/LoWNKW20")
    acl: str | None = Field(default=None, description="ACL Anthology id")
    pubmed: str | None = None
    pubmed_central: str | None = None
    mag: str | None = Field(default=None, description="Microsoft Academic Graph id")


class Venue(Record):
    """Where the paper was published, as Semantic Scholar's venue records have it."""

    id: str | None = Field(default=None, description="Semantic Scholar's venue id")
    name: str | None = None
    type: str | None = Field(default=None, description="conference, journal…")
    url: str | None = None


class OpenAccessPdf(Record):
    url: str | None = None
    status: str | None = Field(default=None, description="GREEN, GOLD, HYBRID, BRONZE…")
    license: str | None = None


class FieldOfStudy(Record):
    category: str
    source: str | None = Field(default=None, description="external or s2-fos-model")


class Reference(Record):
    """A paper this one cites, by its ids (only references with some id are kept)."""

    paper_id: str | None = Field(default=None, description="Semantic Scholar paper id")
    arxiv: str | None = None
    doi: str | None = None
    acl: str | None = None


class ScholarPaper(Record):
    """A paper in Semantic Scholar's Academic Graph (``POST /graph/v1/paper/batch``)."""

    asked_as: str = Field(description="The id Semantic Scholar was asked: ARXIV:…, DOI:…, ACL:…")
    found: bool = Field(description="False: Semantic Scholar does not know the id (not an error)")
    paper_id: str | None = Field(default=None, description="Semantic Scholar's paper id (sha)")
    corpus_id: int | None = Field(default=None, description="Semantic Scholar's numeric id")
    url: str | None = None
    title: str | None = None
    citations: int | None = Field(default=None, description="Papers citing this one (a counter)")
    influential_citations: int | None = Field(
        default=None, description="Citations Semantic Scholar judges influential"
    )
    reference_count: int | None = Field(default=None, description="Papers this one cites")
    venue: str | None = None
    publication_venue: Venue | None = None
    year: int | None = None
    publication_date: str | None = Field(default=None, description="ISO date, YYYY-MM-DD")
    fields_of_study: list[str] = Field(default_factory=list)
    s2_fields_of_study: list[FieldOfStudy] = Field(default_factory=list)
    publication_types: list[str] = Field(
        default_factory=list, description="JournalArticle, Conference, Review…"
    )
    is_open_access: bool | None = None
    open_access_pdf: OpenAccessPdf | None = None
    tldr: str | None = Field(default=None, description="Semantic Scholar's one-sentence summary")
    tldr_model: str | None = None
    external_ids: ExternalIds = Field(default_factory=ExternalIds)
    references: list[Reference] = Field(
        default_factory=list, description="The cited papers Semantic Scholar could identify"
    )


def unknown(asked_as: str) -> ScholarPaper:
    """A ``null`` batch item: Semantic Scholar does not know the id."""
    return ScholarPaper(asked_as=asked_as, found=False)


def read_paper(asked_as: str, item: Mapping[str, Any]) -> ScholarPaper:
    """The record of one batch item; `ValueError` when it is not what the API sends."""
    if not isinstance(item, Mapping) or not isinstance(item.get("paperId"), str):
        raise ValueError("an item without a paperId")
    venue = _object(item, "publicationVenue")
    pdf = _object(item, "openAccessPdf")
    tldr = _object(item, "tldr")
    return ScholarPaper(
        asked_as=asked_as,
        found=True,
        paper_id=item["paperId"],
        corpus_id=item.get("corpusId"),
        url=item.get("url"),
        title=" ".join(item["title"].split()) if isinstance(item.get("title"), str) else None,
        citations=item.get("citationCount"),
        influential_citations=item.get("influentialCitationCount"),
        reference_count=item.get("referenceCount"),
        venue=item.get("venue") or None,
        publication_venue=Venue(**{k: venue.get(k) for k in Venue.model_fields}) if venue else None,
        year=item.get("year"),
        publication_date=item.get("publicationDate"),
        fields_of_study=list(item.get("fieldsOfStudy") or []),
        s2_fields_of_study=[
            FieldOfStudy(category=f.get("category"), source=f.get("source"))
            for f in _list(item, "s2FieldsOfStudy")
        ],
        publication_types=list(item.get("publicationTypes") or []),
        is_open_access=item.get("isOpenAccess"),
        open_access_pdf=(
            OpenAccessPdf(
                url=pdf.get("url") or None, status=pdf.get("status"), license=pdf.get("license")
            )
            if pdf
            else None
        ),
        tldr=tldr.get("text") if tldr else None,
        tldr_model=tldr.get("model") if tldr else None,
        external_ids=ExternalIds(**external_ids(_object(item, "externalIds") or {})),
        references=[r for r in map(_reference, _list(item, "references")) if r is not None],
    )


def external_ids(ids: Mapping[str, Any]) -> dict[str, str]:
    """The kept external ids, as the record names them: a versionless arXiv id, a lower-case
    DOI; numbers (MAG, PubMed) as text."""
    kept: dict[str, str] = {}
    for key, name in _EXTERNAL.items():
        value = ids.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int):
            raise ValueError(f"externalIds.{key} is {type(value).__name__}")
        text = str(value).strip()
        if name == "arxiv":
            match = ARXIV_ID.match(text)
            text = match.group("id") if match else text
        elif name == "doi":
            text = text.lower()
        kept[name] = text
    return kept


def cited_ids(paper: ScholarPaper) -> list[str]:
    """The entry ids the paper's references may have in a list (``arxiv:…``, ``doi:…``,
    ``acl:…``, ``s2:…``), each once, in reference order: what ``cites`` edges join."""
    found: dict[str, None] = {}
    for ref in paper.references:
        for scheme, value in (("arxiv", ref.arxiv), ("doi", ref.doi), ("acl", ref.acl),
                              ("s2", ref.paper_id)):  # fmt: skip
            if value:
                found.setdefault(f"{scheme}:{value}", None)
    return list(found)


def _reference(item: Any) -> Reference | None:
    if not isinstance(item, Mapping):
        raise ValueError("a reference that is not an object")
    ids = external_ids(_object(item, "externalIds") or {})
    paper_id = item.get("paperId")
    if paper_id is not None and not isinstance(paper_id, str):
        raise ValueError("a reference's paperId is not text")
    if not paper_id and not ids:
        return None  # a reference Semantic Scholar could not identify: nothing to tie
    s2 = paper_id.lower() if paper_id else None
    return Reference(paper_id=s2, arxiv=ids.get("arxiv"), doi=ids.get("doi"), acl=ids.get("acl"))


def _object(item: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"{key} is {type(value).__name__}, not an object")
    return value


def _list(item: Mapping[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{key} is {type(value).__name__}, not a list")
    return value
