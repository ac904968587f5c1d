"""Raw HTML blocks of a list, read with lxml: links, images, headings, tables, details.

GitHub renders a README's HTML blocks as HTML (no Markdown inside), so they are read as HTML:
``<a href>`` is a link (its text is the element's text, an ``<img>`` inside makes it an image
link), ``<img>``/``<source srcset>`` outside a link are images, ``<li>`` and ``<tr>`` are items
like Markdown's, and the text of other block elements (``<p>``, ``<div>``, ``<h2>``…) forms
paragraph items, split at ``<br>``. A block that is only a heading (``<h1 align=center>``) is a
heading. URLs in comments or plain text are reported, not dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import unquote

import lxml.html
from lxml import etree

from enrich.core.listing.autolinks import CANDIDATE, unescape
from enrich.core.listing.inline import ASIDE_TAGS, BADGE_TAGS, _recover
from enrich.core.listing.segments import RawLink, Seg, SegKind, Skip, plain

_BLOCKS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "details", "summary",
    "section", "center", "dl", "dd", "dt", "figure", "figcaption", "header", "footer",
    "article", "nav", "aside", "main", "pre", "ul", "ol", "li", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "hr", "body", "html",
})  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_EMPHASIS = frozenset({"b", "strong", "em", "i"})
_SKIP = frozenset({"script", "style", "template"})
_DETAILS = re.compile(
    r"<(/?)details\b[^>]*>|<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL
)


@dataclass
class Block:
    """What an HTML block holds: its items as (kind, line, segment parts) and what it skips."""

    heading: tuple[int, str, list[Seg]] | None = None
    lists: list[tuple[int, list[Seg]]] = field(default_factory=list)
    rows: list[tuple[int, list[list[Seg]], list[str]]] = field(default_factory=list)
    paragraphs: list[tuple[int, list[Seg]]] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)  # ("open"|"close"|"summary", text)


def details_events(content: str) -> list[tuple[str, str]]:
    """``<details>`` opened and closed, and ``<summary>`` texts, in order (tags may span blocks)."""
    events: list[tuple[str, str]] = []
    for match in _DETAILS.finditer(content):
        if match.group(2) is not None:
            events.append(("summary", _text_of(match.group(2))))
        else:
            events.append(("close" if match.group(1) else "open", ""))
    return events


def _text_of(fragment: str) -> str:
    """The text of an HTML fragment, badges (``<kbd>5 projects</kbd>``) left out."""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return " ".join(fragment.split())
    for badge in root.iter(*BADGE_TAGS):
        badge.drop_tree()
    return " ".join(str(root.text_content()).split())


class HtmlReader:
    """Reads HTML blocks for one parse (shares the link counter and link normalizer)."""

    def __init__(self, seq: count[int], normalize: Callable[[str], str]) -> None:
        self.seq = seq
        self.normalize = normalize

    def read(self, content: str, first_line: int) -> Block:
        block = Block(details=details_events(content))
        try:
            root = lxml.html.fragment_fromstring(content, create_parent="div")
        except (etree.ParserError, ValueError):
            return block
        hrefs: list[str] = []
        comments: list[str] = []
        ctx = _Ctx(self, first_line, block, hrefs, comments)
        elements = [c for c in root if not isinstance(c, etree._Comment)]
        loose_text = (root.text or "").strip() or any((c.tail or "").strip() for c in root)
        if len(elements) == 1 and str(elements[0].tag).lower() in _HEADINGS and not loose_text:
            heading = elements[0]
            segs: list[Seg] = []
            ctx.inline(heading, segs, False)
            block.heading = (_HEADINGS[str(heading.tag).lower()], plain(segs), segs)
        else:
            ctx.block(root)
        for comment in root.iter(etree.Comment):
            comments.append(str(comment.text or ""))
        self._census(content, first_line, hrefs, " ".join(comments), block)
        return block

    def _census(
        self, content: str, first_line: int, hrefs: list[str], comments: str, block: Block
    ) -> None:
        keys = sorted({k for h in hrefs if h for k in (h, unquote(h))})
        reported: set[str] = set()
        for match in CANDIDATE.finditer(content):
            candidate = unescape(match.group()).rstrip(".,;:!?)]}'\"*_~>")
            if candidate in reported or any(
                (at := bisect_left(keys, spelling)) < len(keys) and keys[at].startswith(spelling)
                for spelling in (candidate, unquote(candidate))
            ):
                continue
            line = first_line + content.count("\n", 0, match.start())
            reason = (
                "in an HTML comment (not shown)"
                if candidate in comments
                else "in HTML text or an attribute (not a link)"
            )
            block.skipped.append(Skip(candidate, line, reason))
            reported.add(candidate)


@dataclass
class _Ctx:
    reader: HtmlReader
    first_line: int
    out: Block
    hrefs: list[str]
    comments: list[str]

    def line(self, element: Any) -> int:
        return self.first_line + max(0, int(element.sourceline or 1) - 1)

    def block(self, element: Any) -> None:
        """A block element: its own text as paragraph items, its child blocks in turn."""
        segs: list[Seg] = []
        self.inline(element, segs, False, nested=self._nested)
        if any(s.kind is SegKind.LINK for s in segs):
            self.out.paragraphs.append((self.line(element), segs))

    def _nested(self, element: Any) -> None:
        tag = str(element.tag).lower()
        if tag == "li":
            segs: list[Seg] = []
            self.inline(element, segs, False, nested=self._nested)
            self.out.lists.append((self.line(element), segs))
        elif tag == "table":
            self._table_rows(element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"))
        elif tag == "tr":
            self._table_rows([element])
        else:
            self.block(element)

    def _table_rows(self, rows: list[Any]) -> None:
        """Table rows as items, cells placed in their columns as a browser does: a cell that
        spans rows is repeated (as text) in the rows below, one that spans columns fills them.
        Leading rows of header cells, or a first row without links and the rows its spanning
        cells reach down to, name the columns ("Memory" over "Operation": "Memory Operation")."""
        headers: list[str] = []
        carry: dict[int, tuple[int, list[Seg]]] = {}  # column -> (rows left, its text)
        heading = True
        for row in rows:
            cells = [c for c in row if str(c.tag).lower() in ("td", "th")]
            if not cells:
                continue
            real: list[tuple[list[Seg], int, int]] = []
            for cell in cells:
                segs: list[Seg] = []
                self.inline(cell, segs, False, nested=self._nested)
                real.append((segs, _span(cell, "rowspan"), _span(cell, "colspan")))
            links = any(s.kind is SegKind.LINK for segs, _, _ in real for s in segs)
            all_th = all(str(c.tag).lower() == "th" for c in cells)
            spanned = bool(carry)
            grid = _place(real, carry, copy_spans=not links)
            if not links and (all_th or (heading and (not headers or spanned))):
                headers = _merge_headers(headers, [plain(p) for p in grid])
                continue
            heading = False
            if all_th:
                headers = [plain(p) for p in grid]
            self.out.rows.append((self.line(row), grid, headers))

    def inline(
        self,
        element: Any,
        segs: list[Seg],
        emphasis: bool,
        nested: Callable[[Any], None] | None = None,
        aside: bool = False,
    ) -> None:
        """The text, links and breaks of an element, child blocks handed to ``nested``."""
        badge = str(element.tag).lower() in BADGE_TAGS
        if element.text and not badge:
            segs.append(Seg(SegKind.TEXT, element.text, emphasis, aside=aside))
        for child in element:
            if isinstance(child, etree._Comment):
                self.comments.append(str(child.text or ""))
            elif isinstance(child.tag, str):
                self._child(child, segs, emphasis, nested, aside)
            if child.tail and not badge:
                segs.append(Seg(SegKind.TEXT, child.tail, emphasis, aside=aside))

    def _child(
        self,
        child: Any,
        segs: list[Seg],
        emphasis: bool,
        nested: Callable[[Any], None] | None,
        aside: bool = False,
    ) -> None:
        tag = str(child.tag).lower()
        if tag in _SKIP:
            return
        if tag == "a" and child.get("href") is not None:
            self._link(child, segs, emphasis)
        elif tag == "img":
            self._image(str(child.get("src") or ""), child)
        elif tag == "source":
            for src in str(child.get("srcset") or "").split(","):
                if src.strip():
                    self._image(src.split()[0], child)
        elif tag == "br":
            segs.append(Seg(SegKind.BREAK, hard=True))
        elif tag in _BLOCKS and nested is not None:
            segs.append(Seg(SegKind.BREAK, hard=True))
            nested(child)
            segs.append(Seg(SegKind.BREAK, hard=True))
        else:
            emphasized, labelled = emphasis or tag in _EMPHASIS, aside or tag in ASIDE_TAGS
            self.inline(child, segs, emphasized, nested, labelled)

    def _link(self, element: Any, segs: list[Seg], emphasis: bool) -> None:
        href = self.reader.normalize(_recover(str(element.get("href")).strip()))
        image, alt = None, ""
        for img in element.iter("img"):
            image, alt = str(img.get("src") or ""), " ".join(str(img.get("alt") or "").split())
            self.hrefs.append(image)
            break
        for source in element.iter("source"):
            srcset = str(source.get("srcset") or "").split(",")
            self.hrefs += [s.split()[0] for s in srcset if s.strip()]
        text = " ".join(str(element.text_content()).split())
        link = RawLink(href, text, self.line(element), next(self.reader.seq), image, "html", alt)
        self.hrefs.append(href)
        emphasized = emphasis or any(str(c.tag).lower() in _EMPHASIS for c in element)
        segs.append(Seg(SegKind.LINK, text, emphasized, link=link))

    def _image(self, src: str, element: Any) -> None:
        self.hrefs.append(src)
        if src:
            self.out.skipped.append(Skip(src, self.line(element), "image"))


def _span(cell: Any, attribute: str) -> int:
    """A cell's rowspan or colspan (1 when absent or unreadable; at most 100)."""
    try:
        return max(1, min(100, int(str(cell.get(attribute) or "1").strip())))
    except ValueError:
        return 1


def _place(
    real: list[tuple[list[Seg], int, int]],
    carry: dict[int, tuple[int, list[Seg]]],
    *,
    copy_spans: bool,
) -> list[list[Seg]]:
    """One row's cells by column: cells carried down from rows above take their columns, the
    row's own cells fill the others (a colspan's extra columns are empty, or a header's copy)."""
    grid: list[list[Seg]] = []
    queue = list(real)
    while queue or any(column >= len(grid) for column in carry):
        column = len(grid)
        if column in carry:
            left, text = carry.pop(column)
            if left > 1:
                carry[column] = (left - 1, text)
            grid.append(text)
            continue
        if not queue:
            grid.append([])
            continue
        segs, rows, columns = queue.pop(0)
        for extra in range(columns):
            grid.append(segs if extra == 0 else (_text(segs) if copy_spans else []))
            if rows > 1:
                carry[len(grid) - 1] = (rows - 1, _text(segs))
    return grid


def _text(segs: list[Seg]) -> list[Seg]:
    text = plain(segs)
    return [Seg(SegKind.TEXT, text)] if text else []


def _merge_headers(above: list[str], names: list[str]) -> list[str]:
    """Column names from one more header row: a name under another one completes it."""
    if not above:
        return names
    merged = []
    for column in range(max(len(above), len(names))):
        top = above[column] if column < len(above) else ""
        below = names[column] if column < len(names) else ""
        merged.append(top if not below or below == top else f"{top} {below}".strip())
    return merged
