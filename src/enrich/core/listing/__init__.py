"""Markdown awesome list -> entries, on markdown-it-py's CommonMark token stream and lxml.

Every link of the file is an entry or is in ``skipped`` with a reason (links in prose count:
a paper cited in a paragraph is part of the list). Each link stands in an *item* (a bullet, a
table row, a paragraph line) whose title and description it records; the entries of one item
are tied. Headings give the section path (pseudo-headings and group labels included). See the
README, "Lists the parser reads".

Modules, one job each: `walker` (block tokens -> items), `inline` (an inline run -> segments),
`html` (HTML blocks), `autolinks` (bare URLs as GitHub links them), `sections` (the heading
path), `items` (titles and descriptions), `words` (generic texts, dates, sizes), `entries`
(links -> entries, skip reasons, ties).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from enrich.core.errors import InputError
from enrich.core.listing.entries import ListedLink, build_entries, iter_listed, listed_links
from enrich.core.listing.segments import Skip
from enrich.core.listing.walker import Walker
from enrich.core.model import Entry, Skipped

__all__ = [
    "ListedLink",
    "ParsedList",
    "build_entries",
    "decode_list",
    "extract_links",
    "parse_list",
]


@dataclass(frozen=True)
class ParsedList:
    """A list parsed: frozen, its entries and skipped links tuples (a run holds one and hands
    it to every step: `enrich.run.state`)."""

    source: str
    sha256: str
    entries: tuple[Entry, ...]
    skipped: tuple[Skipped, ...] = ()
    # The list's own name: the text of its first level-1 heading (None when it has none).
    title: str | None = None
    # Section path -> its description (an emphasized sentence right under its heading).
    section_descriptions: dict[tuple[str, ...], str] = field(default_factory=dict)


def decode_list(data: bytes, source: str) -> str:
    """The list's text; a clear `InputError` for binary, non-UTF-8 or empty input."""
    if b"\x00" in data:
        raise InputError(f"{source}: is a binary file, not a Markdown list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{source}: is empty")
    return text


# Texts from this size on have their parse's objects moved to the oldest generation at once
# (see `_no_cycle_collection`); below it the move saves nothing measurable, and asking whether a
# caller keeps objects frozen (`gc.get_freeze_count`) walks every frozen object: ~20-60 ms a
# parse in a process that froze half a million (a test session does), for a ten-line list.
_MOVE_FROM = 1_000_000


@contextlib.contextmanager
def _no_cycle_collection(size: int) -> Iterator[None]:
    """The cyclic garbage collector paused for one parse, then restored as it was.

    A long list's parse allocates millions of small objects that form no cycles (tokens,
    segments, records); the collector would scan all of them again at every full collection
    (a third of the time of a 100,000-link list) and find nothing. Reference counting still
    frees everything; a cycle made meanwhile anywhere is collected once it is back on.

    The objects made meanwhile are all in the youngest generation then, which the collector's
    first pass would scan whole (a tenth of a second per 20,000 links); they are moved to the
    oldest at once instead (`gc.freeze` then `gc.unfreeze`, two list splices), where they
    would be after that pass anyway, unless some caller keeps objects frozen. Only for texts of
    ``_MOVE_FROM`` characters or more (``size``)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            if size >= _MOVE_FROM and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def parse_list(data: bytes, source: str) -> ParsedList:
    """Parse a list file's bytes into entries; raises `InputError` when it has no links.

    Each call parses: a run parses its list once and holds the answer (`enrich.run.state.Run`),
    so nothing is cached here to be shared, and changed, behind a caller's back."""
    text = decode_list(data, source)
    with _no_cycle_collection(len(text)):
        walk = Walker(_lines(text)).walk()
        skips: list[Skip] = []
        entries, rejected = build_entries(iter_listed(walk, source, skips))
    skipped = [Skipped(url=s.url, line=s.line, reason=s.reason) for s in walk.skipped + skips]
    skipped.extend(rejected)
    descriptions = walk.sections.descriptions
    if not entries:
        raise InputError(f"{source}: has no links to enrich")
    return ParsedList(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        entries=tuple(entries),
        skipped=tuple(sorted(skipped, key=lambda s: (s.line, s.url))),
        section_descriptions=descriptions,
        title=walk.sections.title,
    )


def extract_links(text: str, source: str = "") -> tuple[list[ListedLink], list[Skipped]]:
    """The links of a list in document order (with title, item and section), and the skipped."""
    links, skipped, _ = _extract(text, source)
    return links, skipped


def _extract(
    text: str, source: str
) -> tuple[list[ListedLink], list[Skipped], dict[tuple[str, ...], str]]:
    with _no_cycle_collection(len(text)):
        walk = Walker(_lines(text)).walk()
        links, skips = listed_links(walk, source)
    skipped = [Skipped(url=s.url, line=s.line, reason=s.reason) for s in walk.skipped + skips]
    return links, skipped, walk.sections.descriptions


def _lines(text: str) -> str:
    """One line ending, as markdown-it counts lines (line numbers are counted on this text)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
