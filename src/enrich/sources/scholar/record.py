"""A paper in Semantic Scholar's Academic Graph, read from one batch item into its record
(`enrich.core.model.ScholarPaper`, the core's: the ``scholar`` slot of an entry). Pure.

`FIELDS` is what the batch request asks (``?fields=…``): the API returns only those (and
``paperId``), so a field missing from an answer is one we did not ask, never a zero.
``references.externalIds`` brings each reference's ids (``ArXiv``, ``DOI``, ``ACL``…): what the
graph needs to tie a paper to the listed papers it cites (`enrich.core.graph.cited_ids`).

An answer is validated at this boundary: a wrong type (a count that is not a number, a list that is
an object) raises (`ValueError`), which costs that paper only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from enrich.core.graph import cited_ids
from enrich.core.links import ARXIV_ID
from enrich.core.model import (
    ExternalIds,
    FieldOfStudy,
    OpenAccessPdf,
    Reference,
    ScholarPaper,
    Venue,
)
from enrich.sources.base import INT64_MAX

__all__ = ["FIELDS", "ScholarPaper", "cited_ids", "external_ids", "read_paper", "unknown"]

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


def unknown(asked_as: str, fetched_at: datetime | None = None) -> ScholarPaper:
    """A ``null`` batch item: Semantic Scholar does not know the id."""
    return ScholarPaper(asked_as=asked_as, found=False, fetched_at=fetched_at)


def read_paper(
    asked_as: str, item: Mapping[str, Any], fetched_at: datetime | None = None
) -> ScholarPaper:
    """The record of one batch item; `ValueError` when it is not what the API sends."""
    if not isinstance(item, Mapping) or not isinstance(item.get("paperId"), str):
        raise ValueError("an item without a paperId")
    for key in _COUNTS:
        _count(item, key)
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
        fetched_at=fetched_at,
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


# The API's counts, by the record's field each fills.
_COUNTS = {
    "citationCount": "citations", "influentialCitationCount": "influential_citations",
    "referenceCount": "reference_count",
}  # fmt: skip


def _count(item: Mapping[str, Any], key: str) -> None:
    """A whole number out of a count's range (-3, or 2^70: it failed the publish) is no count;
    one of another type is the record's to refuse."""
    value = item.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= INT64_MAX:
        raise ValueError(f"{_COUNTS[key]}: {key} is {str(value)[:40]}, not a count")


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
