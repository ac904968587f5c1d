"""Is this arXiv paper the one a landing page describes? Pure, and strict on purpose.

A wrong tie (a conference paper given another paper's arXiv record, its code, its Hub
adoption) is worse than none, so a candidate is accepted only when

- its title, normalized, equals the page's title, normalized: accents and case folded, hyphens
  and apostrophes dropped (``Pre-training`` = ``Pretraining``), every other punctuation mark a
  space (``BERT: Pre-training`` = ``BERT - Pre-training``), whitespace collapsed; a word more
  or less (a subtitle, "In Speech Separation") is another paper;
- and the first author's surname is the same on both (``Yu, Tianyu`` and ``Tianyu Yu`` are
  one surname; a page without authors matches nothing);
- and no other candidate matches as well (two arXiv papers of one title and first author:
  which one is unknowable from the title, so none).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from enrich.core.model import Paper

_DROPPED = re.compile(r"[-\u2010\u2011\u2012\u2013'\u2019`]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def fold(text: str) -> str:
    """Accents stripped, case folded (``Kiantè`` -> ``kiante``, ``Łukasz`` -> ``lukasz``)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def normalize_title(title: str) -> str:
    """A title as compared: folded, hyphens and apostrophes dropped, other marks spaces."""
    return " ".join(_NON_WORD.sub(" ", _DROPPED.sub("", fold(title))).split())


def surname(name: str) -> str:
    """The family name as compared: before the comma of ``Last, First``, else the last word
    (a ``Jr.`` or ``III`` skipped); folded, letters and digits only."""
    text = " ".join(name.split())
    if "," in text:
        family = text.split(",", 1)[0]
    else:
        words = [w for w in text.split(" ") if w]
        while len(words) > 1 and _NON_WORD.sub("", fold(words[-1])) in _SUFFIXES:
            words.pop()
        family = words[-1] if words else ""
    return _NON_WORD.sub("", fold(family))


def same_paper(title: str, authors: list[str], paper: Paper) -> bool:
    """Whether ``paper`` has the page's title and first author's surname."""
    if not title or not authors or not paper.authors:
        return False
    words = normalize_title(title)
    if not words or words != normalize_title(paper.title):
        return False
    ours = surname(authors[0])
    return bool(ours) and ours == surname(paper.authors[0].name)


def pick(title: str | None, authors: list[str], candidates: Iterable[Paper]) -> Paper | None:
    """The one candidate that is the page's paper, or None (none, or more than one)."""
    if not title:
        return None
    found = {p.arxiv_id: p for p in candidates if same_paper(title, authors, p)}
    return next(iter(found.values())) if len(found) == 1 else None
