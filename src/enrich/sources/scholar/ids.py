"""Which id Semantic Scholar is asked for a listed paper. Pure.

The paper batch endpoint takes ``ARXIV:<id>``, ``DOI:<doi>``, ``ACL:<id>``, ``PMID:``,
``PMCID:``, ``MAG:``, ``CorpusId:``, a bare paper id (40 hex digits) and ``URL:<url>`` for a few
hosts (semanticscholar.org, arxiv.org, aclweb.org, acm.org, biorxiv.org). A listed paper is asked
by its own id when its scheme is one of those (``arxiv:``, ``doi:``, ``acl:``, ``s2:``); a paper
on another host (OpenReview, NeurIPS, PMLR, CVF, IEEE, JMLR) by the DOI its landing page
declares, else by its arXiv version (`enrich.core.model.ArxivMatch`); else it is not asked.
"""

from __future__ import annotations

from enrich.core.model import Entry

# Entry id scheme -> Semantic Scholar's id prefix ("" for its own paper id, asked bare).
_PREFIX = {"arxiv": "ARXIV:", "doi": "DOI:", "acl": "ACL:", "s2": ""}


def s2_id(entry: Entry) -> str | None:
    """The id ``entry`` is asked under, or None when the paper has none Semantic Scholar takes."""
    scheme, _, key = entry.id.partition(":")
    if scheme in _PREFIX and key:
        return f"{_PREFIX[scheme]}{key}"
    meta = entry.web.paper_meta if entry.web is not None else None
    if meta is not None and meta.doi:
        return f"DOI:{meta.doi.lower()}"
    if entry.arxiv_match is not None:
        return f"ARXIV:{entry.arxiv_match.arxiv_id}"
    return None


def why_not_asked(entry: Entry) -> str:
    """The reason an entry without an id is skipped (one line, for its status)."""
    scheme = entry.id.partition(":")[0]
    return (
        f"not asked of Semantic Scholar: a {scheme} paper whose page declares no DOI and "
        "whose arXiv version is not known"
    )
