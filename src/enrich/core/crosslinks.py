"""Cross-links: a dataset, model or repo that names a listed paper, and the paper back.

Pure. Evidence, in order of trust: the Hub's ``arxiv:`` tags; arXiv ids or URLs in a card's
text, a repo's description or homepage; listed URLs in a paper's comment ("Data available at
https://github.com/…").
"""

from __future__ import annotations

import re

from enrich.core.errors import InputError
from enrich.core.links import classify
from enrich.core.model import Entry

_ARXIV_MENTION = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*)(\d{4}\.\d{4,5})", re.IGNORECASE
)
_URL = re.compile(r"https?://[^\s<>()\"']+")


def mentions(entry: Entry) -> set[str]:
    """Entry ids this entry's enrichment names (may include ids not in the list)."""
    found: set[str] = set()
    texts: list[str] = []
    if entry.hub:
        found |= {f"arxiv:{i}" for i in entry.hub.arxiv_ids}
        if entry.hub.card and entry.hub.card.text:
            texts.append(entry.hub.card.text)
    if entry.repo:
        texts += [entry.repo.description or "", entry.repo.homepage or ""]
    if entry.paper and entry.paper.comment:
        for url in _URL.findall(entry.paper.comment):
            try:
                found.add(classify(url.rstrip(".,;")).entry_id)
            except InputError:
                continue
    for text in texts:
        found |= {f"arxiv:{i}" for i in _ARXIV_MENTION.findall(text)}
    found.discard(entry.id)
    return found


def link(entries: list[Entry]) -> list[Entry]:
    """Entries with ``cross_links`` set both ways between listed entries."""
    listed = {e.id for e in entries}
    pairs: dict[str, set[str]] = {e.id: set() for e in entries}
    for entry in entries:
        for other in mentions(entry) & listed:
            pairs[entry.id].add(other)
            pairs[other].add(entry.id)
    return [e.model_copy(update={"cross_links": sorted(pairs[e.id])}) for e in entries]
