"""The parser's working records: a link as written, and the segments of an item's text.

An item's text (a list item's paragraphs, a table cell, a paragraph line, an HTML element) is
read into a flat list of `Seg`: plain text (marked when emphasized or code), links, and line
breaks. Titles and descriptions are computed from segments, whatever the source syntax was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from enrich.core.listing.words import is_generic, is_label


class SegKind(Enum):
    TEXT = 1
    LINK = 2
    BREAK = 3  # a line break: soft (newline in a paragraph) or hard (``<br>``, two spaces)


@dataclass(slots=True)
class RawLink:
    """One link as written in the list, before it is classified."""

    href: str
    text: str  # the link's plain text; empty for an image-only link (a badge)
    line: int
    seq: int  # document order of the link among all links of the file
    image: str | None = None  # src of an image inside the link (a badge or thumbnail)
    origin: str = "markdown"  # markdown, autolink or html
    alt: str = ""  # the alt text of that image
    _generic: bool | None = None
    _label: bool | None = None

    @property
    def generic(self) -> bool:
        """Its text says what kind of link it is, not what it links to (`words.is_generic`)."""
        if self._generic is None:
            self._generic = is_generic(self.text, self.href)
        return self._generic

    @property
    def label(self) -> bool:
        """Its text is a bare label, dropped from descriptions (`words.is_label`)."""
        if self._label is None:
            self._label = is_label(self.text, self.href)
        return self._label


@dataclass(slots=True)
class Seg:
    kind: SegKind
    text: str = ""
    emphasis: bool = False  # inside ** __ * _ <b> <strong> <em> <i>
    code: bool = False
    aside: bool = False  # inside <u>, <sup>, <sub>, <small>: a label, never a title
    hard: bool = False  # for breaks: <br> or a Markdown hard break
    newline: bool = False  # for breaks: the break is a new line of the file
    link: RawLink | None = None


@dataclass(slots=True)
class Skip:
    """A link of the file that is not an entry, with the reason (becomes a `Skipped`)."""

    url: str
    line: int
    reason: str


@dataclass(slots=True)
class Found:
    """What one inline run (or HTML fragment) holds: its segments and what was skipped."""

    segs: list[Seg] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def plain(segs: list[Seg]) -> str:
    """The text of segments as read: link texts included, breaks as spaces."""
    return " ".join("".join(" " if s.kind is SegKind.BREAK else s.text for s in segs).split())


def lines(segs: list[Seg]) -> list[list[Seg]]:
    """Segments split at line breaks (soft and hard)."""
    out: list[list[Seg]] = [[]]
    for seg in segs:
        if seg.kind is SegKind.BREAK:
            out.append([])
        else:
            out[-1].append(seg)
    return out
