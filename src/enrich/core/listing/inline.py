"""One run of inline Markdown (a paragraph, heading or table cell) -> segments.

markdown-it-py parses the run; links come from Markdown links and references, from raw HTML
``<a href>`` (read with lxml), and from bare URLs as GitHub autolinks them (`autolinks`).
Images outside a link are reported as skipped. Every URL-looking string of the run that is
none of these (in code, in a comment, in a link's title, not autolinked by GitHub) is reported
too, so no link of the file goes unaccounted for.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import unquote

import lxml.html
from markdown_it import MarkdownIt
from markdown_it.token import Token

from enrich.core.listing.autolinks import CANDIDATE, Autolinker, unescape
from enrich.core.listing.runs import Piece, simple_tokens
from enrich.core.listing.segments import Found, RawLink, Seg, SegKind, Skip

_EMPHASIS_TAGS = frozenset({"b", "strong", "em", "i"})
# Text in these is a label (a tag, a note mark): kept as text, never taken for a title.
ASIDE_TAGS = frozenset({"u", "sup", "sub", "small"})
# <kbd> holds a badge (stars, a licence, a count): its text is left out of the item's text.
BADGE_TAGS = frozenset({"kbd"})
_CLOSING_TAG = re.compile(r"^</\s*([a-zA-Z][a-zA-Z0-9]*)\s*>$")
_TRAILING = ".,;:!?)]}'\"*_~>"
_WWW = re.compile(r"www\.", re.IGNORECASE)
# "[x]([https://…)": a destination that lost its way behind a stray bracket.
_STRAY_OPENER = re.compile(r"^(?:%5B|%3C|\[|<|\(|%28)+(?=https?://)", re.IGNORECASE)
_PASTED_LINK = re.compile(r"(?:\]|%5D)(?:\(|%28)(https?://.+?)(?:\)|%29)?$", re.IGNORECASE)
_STRAY_CLOSER = re.compile(r"(?:%5D|%3E|\]|>)+$", re.IGNORECASE)


class InlineReader:
    """Reads inline runs for one parse (holds the parser, the autolinker and the link counter)."""

    def __init__(self, md: MarkdownIt, env: dict[str, Any], seq: Iterator[int]) -> None:
        self.md = md
        self.env = env
        self.seq = seq
        self.autolinker = Autolinker()
        self.readable: Callable[[str], str] = md.normalizeLinkText

    def read(self, token: Token) -> Found:
        """The segments of one ``inline`` block token (its children are parsed here, then
        dropped: block tokens are kept, inline ones are not, which keeps memory linear)."""
        children: Sequence[Token | Piece] | None = simple_tokens(
            token.content, self.md.normalizeLink
        )
        if children is None:
            parsed: list[Token] = []
            self.md.inline.parse(token.content, self.md, self.env, parsed)
            children = parsed
        found = Found()
        line = (token.map[0] if token.map else 0) + 1
        state = _State(line)
        pending: list[str] = []  # consecutive text pieces, joined before autolinking
        for child in children:
            kind = child.type
            if kind in ("text", "text_special"):
                pending.append(child.content)
                continue
            if pending:
                self._text("".join(pending), state, found)
                pending = []
            if kind in ("softbreak", "hardbreak"):
                found.segs.append(Seg(SegKind.BREAK, hard=kind == "hardbreak"))
                state.line += 1
            elif kind == "link_open":
                state.open_link(_recover(str(child.attrs.get("href", ""))), "markdown")
            elif kind == "link_close":
                self._close_link(state, found)
            elif kind == "image":
                self._image(str(child.attrs.get("src", "")), state, found, child.content)
            elif kind in ("strong_open", "em_open"):
                state.emphasis += 1
            elif kind in ("strong_close", "em_close"):
                state.emphasis = max(0, state.emphasis - 1)
            elif kind == "code_inline":
                self._code(child.content, state, found)
            elif kind == "html_inline":
                self._html(child.content, state, found)
        if pending:
            self._text("".join(pending), state, found)
        if state.link is not None:  # an HTML <a> never closed
            self._close_link(state, found)
        self._census(token.content, state, found, (token.map[0] if token.map else 0) + 1)
        return found

    # -- pieces ------------------------------------------------------------------------------

    def _text(self, text: str, state: _State, found: Found) -> None:
        if state.link is not None:
            state.label.append(text)
            return
        if state.badge:
            return
        at = 0
        for auto in self.autolinker.find(text):
            if auto.start > at:
                found.segs.append(state.seg(text[at : auto.start]))
            href = self.md.normalizeLink(auto.url)
            link = RawLink(href, auto.text, state.line, next(self.seq), origin="autolink")
            found.segs.append(Seg(SegKind.LINK, auto.text, state.emphasis > 0, link=link))
            state.hrefs.append(href)
            at = auto.end
        if at < len(text):
            found.segs.append(state.seg(text[at:]))

    def _code(self, text: str, state: _State, found: Found) -> None:
        if state.link is not None:
            state.label.append(text)
        elif not state.badge:
            found.segs.append(Seg(SegKind.TEXT, text, state.emphasis > 0, code=True))
        state.code.append(text)

    def _close_link(self, state: _State, found: Found) -> None:
        assert state.link is not None
        href, origin, line, image = state.link
        text = " ".join("".join(state.label).split())
        link = RawLink(href, text, line, next(self.seq), image, origin, " ".join(state.alt.split()))
        found.segs.append(Seg(SegKind.LINK, text, state.emphasis > 0, link=link))
        state.hrefs.append(href)
        state.link, state.label, state.alt = None, [], ""

    def _image(self, src: str, state: _State, found: Found, alt: str = "") -> None:
        state.hrefs.append(src)
        if state.link is not None:
            href, origin, line, _ = state.link
            state.link = (href, origin, line, src)
            state.alt = alt
        else:
            found.skipped.append(Skip(src, state.line, "image"))

    def _html(self, tag: str, state: _State, found: Found) -> None:
        """One raw HTML tag inside a run: ``<a href>``, ``</a>``, ``<img>``, ``<br>``, bold."""
        lines = tag.count("\n")
        text = tag.strip()
        if text.startswith("<!--"):
            state.comments.append(text)
        elif closing := _CLOSING_TAG.match(text):
            name = closing.group(1).lower()
            if name == "a" and state.link is not None:
                self._close_link(state, found)
            elif name in _EMPHASIS_TAGS:
                state.emphasis = max(0, state.emphasis - 1)
            elif name in ASIDE_TAGS:
                state.aside = max(0, state.aside - 1)
            elif name in BADGE_TAGS:
                state.badge = max(0, state.badge - 1)
        else:
            element = _element(text)
            if element is not None:
                name = str(element.tag).lower()
                if name == "a" and element.get("href") is not None:
                    if state.link is not None:
                        self._close_link(state, found)
                    state.open_link(_recover(str(element.get("href")).strip()), "html")
                elif name == "img":
                    self._image(
                        str(element.get("src") or ""), state, found, str(element.get("alt") or "")
                    )
                elif name == "br":
                    found.segs.append(Seg(SegKind.BREAK, hard=True))
                elif name in _EMPHASIS_TAGS:
                    state.emphasis += 1
                elif name in ASIDE_TAGS:
                    state.aside += 1
                elif name in BADGE_TAGS:
                    state.badge += 1
        state.line += lines

    def _census(self, source: str, state: _State, found: Found, first_line: int) -> None:
        """Report every URL-looking string of the run that is not one of its links."""
        schemes = source.count("://")
        www = _WWW.search(source) is not None
        if not www and schemes <= sum("://" in h for h in state.hrefs):
            return  # no more URLs than links and images: each is one of them
        keys = sorted({k for h in state.hrefs for k in (h, unquote(h))})
        code = " ".join(state.code)
        comments = " ".join(state.comments)
        for match in CANDIDATE.finditer(source):
            candidate = unescape(match.group().replace("\\", "")).rstrip(_TRAILING)
            if len(candidate) <= len("https://") or _accounted(
                candidate, keys, self.readable, state.hrefs
            ):
                continue
            line = first_line + source.count("\n", 0, match.start())
            if candidate in code:
                reason = "in code (not a link)"
            elif candidate in comments:
                reason = "in an HTML comment (not shown)"
            else:
                reason = "not a link as GitHub shows it"
            found.skipped.append(Skip(candidate, line, reason))


class _State:
    __slots__ = (
        "alt", "aside", "badge", "code", "comments", "emphasis", "hrefs", "label", "line", "link",
    )  # fmt: skip

    def __init__(self, line: int) -> None:
        self.line = line
        self.emphasis = 0
        self.aside = 0
        self.badge = 0
        self.link: tuple[str, str, int, str | None] | None = None  # href, origin, line, image
        self.label: list[str] = []
        self.alt = ""
        self.hrefs: list[str] = []
        self.code: list[str] = []
        self.comments: list[str] = []

    def seg(self, text: str) -> Seg:
        return Seg(SegKind.TEXT, text, self.emphasis > 0, aside=self.aside > 0)

    def open_link(self, href: str, origin: str) -> None:
        self.link, self.label = (href, origin, self.line, None), []


def _accounted(
    candidate: str, keys: list[str], readable: Callable[[str], str], hrefs: list[str]
) -> bool:
    for spelling in (candidate, unquote(candidate)):
        at = bisect_left(keys, spelling)
        if at < len(keys) and keys[at].startswith(spelling):
            return True
    # an internationalized host is punycode in the href: compare the readable spelling
    return any(readable(h).startswith(candidate) for h in hrefs if "xn--" in h)


def _element(tag: str) -> Any:
    """The element of one start tag, read by lxml (None for anything else)."""
    try:
        parsed = lxml.html.fragments_fromstring(tag)
    except Exception:  # lxml raises several types on odd markup; a tag we cannot read is text
        return None
    first = parsed[0] if parsed else None
    return first if first is not None and not isinstance(first, str) else None


def _recover(href: str) -> str:
    """A destination such as ``[https://…`` (a stray bracket before the URL) read as the URL;
    one that is a whole Markdown link (``[https://a](https://b)``, pasted into the brackets)
    read as that link's target."""
    if href and not href.startswith(("http://", "https://")):
        fixed = _STRAY_OPENER.sub("", href)
        if fixed != href:
            pasted = _PASTED_LINK.search(fixed)
            if pasted:
                return pasted.group(1)
            return _STRAY_CLOSER.sub("", fixed)
    return href
