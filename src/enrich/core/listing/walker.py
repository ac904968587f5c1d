"""The block walk: markdown-it-py's block tokens -> items, their links, and skipped links.

Block tokens are made one top-level block at a time (`blocks`, with the inline rule off) and
read as they come, a long list's or table's item by item; each inline run is parsed, read and
dropped as the walk reaches it, so the block tokens of the whole file never exist at once (on a
list of 100,000 links they would be some 200 MB). A file that may define link references (it
holds ``]:``) is tokenized whole first: an inline run may use a reference defined below it.
Lists nest up to `MAX_NESTING` levels (markdown-it's own limit is 20 tokens, about nine lists);
whatever lies deeper, or anywhere markdown-it did not read, is found by a census of the lines
no block covers and reported as skipped, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore, normalize
from markdown_it.token import Token

from enrich.core.listing.autolinks import CANDIDATE
from enrich.core.listing.html import Block, HtmlReader
from enrich.core.listing.inline import InlineReader
from enrich.core.listing.items import (
    Draft,
    Read,
    paragraph_groups,
    strip_markers,
    tidy,
    title_and_rest,
)
from enrich.core.listing.sections import Sections
from enrich.core.listing.segments import RawLink, Seg, SegKind, Skip, plain
from enrich.core.listing.words import fold, is_generic, title_case
from enrich.core.model import ItemKind

# markdown-it nesting levels (each list is two: the list and its item); deeper content is
# reported as skipped. GitHub renders deeper lists, but no real list nests 50 levels.
MAX_NESTING = 100
_SENTENCE_END = (".", "!", "?", "。", "！", "？", "…")
_BRACKETED = re.compile(r"^[(（\[【].*[)）\]】]$", re.DOTALL)
# A link reference definition, at the top level or in a quote or list item ("> [1]: url").
_REFERENCE = re.compile(r"^[\s>]*(?:(?:[-*+]|\d{1,9}[.)])\s+)?\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
# A pseudo-heading is a short label; a longer emphasized paragraph is prose.
_MAX_PSEUDO = 150
# A line of text above a paragraph of badges is its title when it is this short.
_MAX_TITLE = 120


def markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
    md.disable(["inline", "text_join"])  # inline runs are parsed one by one by the walk
    # markdown-it drops javascript:/data: links to plain text (it guards HTML output). We never
    # render its HTML; we want to see such links so they are reported as rejected, not lost.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = _fast_normalize(md.normalizeLink)  # type: ignore[method-assign]
    for rule in md.block.ruler.__rules__:
        if rule.name in _OPENERS:
            rule.fn = _opened_by(rule.fn, _OPENERS[rule.name])
        elif rule.name == "lheading":
            rule.fn = _underlined(rule.fn)
    md.block.ruler.__cache__ = None  # the chains (and the paragraph's terminators) rebuilt
    md.block.tokenize = _one_line_items(md.block.tokenize)  # type: ignore[method-assign]
    # What `blocks` runs in place of md.parse: normalize, then the block rules; nothing else.
    core = [rule.name for rule in md.core.ruler.__rules__ if rule.enabled]
    assert core == ["normalize", "block"], core
    return md


def blocks(
    md: MarkdownIt, text: str, env: dict[str, Any], take: Take | None = None
) -> Iterator[list[Token]]:
    """``md.parse(text, env)``'s block tokens, one top-level block at a time (its core rules
    are normalize and block only: `markdown`). The loop is markdown-it's own top-level loop
    (``ParserBlock.tokenize``; nested blocks are tokenized by it): each block rule reads only
    the tokens it pushes itself, so the tokens of the blocks before it can be let go.

    With ``take``, a top-level list or table is handed over while it is tokenized, each time
    an item or a row begins (`_Streamed`): what ``take`` reads is not yielded again."""
    core = StateCore(text, md, env)
    normalize(core)
    if not core.src:
        return
    if take is None:
        state = StateBlock(core.src, md, env, [])
    else:
        state = _Streamed(core.src, md, env, take)
    rules = md.block.ruler.getRules("")
    line, end, empty_before = state.line, state.lineMax, False
    while line < end:
        state.line = line = state.skipEmptyLines(line)
        if line >= end:
            break
        if not any(rule(state, line, end, False) for rule in rules):
            raise AssertionError("no block rule matched")  # the paragraph rule always does
        state.tight = not empty_before
        line = state.line
        if line - 1 < end and state.isEmpty(line - 1):
            empty_before = True
        if line < end and state.isEmpty(line):
            empty_before = True
            line += 1
            state.line = line
        tokens, state.tokens = state.tokens, []
        if isinstance(state, _Streamed):
            tokens, state.taken = tokens[state.taken :], 0
        yield tokens


# Reads ``tokens[start:]`` (a top-level block so far, every structure in it closed), puts
# `_TAKEN` in their place and says True; or says False and reads none (then they are given
# again, with what follows).
Take = Callable[[list[Token], int], bool]
# What stands in the tokenizer's list for a token already read: markdown-it's list rule looks
# back over its items' tokens at the end (tight paragraphs: a paragraph_open of their level).
_TAKEN = Token("taken", "", 0, level=-1)


class _Streamed(StateBlock):
    """Block state that hands a top-level list's tokens over as each item begins, and a
    top-level table's as each row begins: 100,000 bullets are one block, whose 500,000 tokens
    (about 400 bytes each) would otherwise all exist before the first is read."""

    def __init__(self, src: str, md: MarkdownIt, env: dict[str, Any], take: Take) -> None:
        super().__init__(src, md, env, [])
        self.take = take
        self.taken = 0  # tokens[:taken] are read (and stand as _TAKEN)

    def push(self, ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        # an item of a top-level list, a row of a top-level table (their levels: 1 and 2)
        if (ttype == "list_item_open" and self.level == 1) or (
            ttype == "tr_open" and self.level == 2
        ):
            tokens, taken = self.tokens, self.taken
            if len(tokens) > taken and self.take(tokens, taken):
                self.taken = len(tokens)
        return super().push(ttype, tag, nesting)


# The characters a block must start with (its first one after indentation), per block rule of
# markdown-it's that reads nothing else: a line that starts otherwise is not tried by it.
_OPENERS = {
    "fence": "`~", "blockquote": ">", "hr": "*-_", "list": "*-+0123456789", "reference": "[",
    "html_block": "<", "heading": "#",
}  # fmt: skip


def _opened_by(rule: Any, openers: str) -> Any:
    """A block rule that answers "no" at once on a line whose first character cannot open its
    block (what the rule itself checks first, after its logging and bookkeeping): most lines of
    a long list are tried by every rule in turn, in every list item."""

    def rule_if_opened(state: Any, start: int, end: int, silent: bool) -> Any:
        at = state.bMarks[start] + state.tShift[start]
        if at < len(state.src) and state.src[at] not in openers:
            return False
        if openers == "[" and not _may_define(state.src, at + 1, state.eMarks[start]):
            return False
        if openers == "*-_" and _NOT_RULE.search(state.src, at + 1, state.eMarks[start]):
            return False  # a character a thematic break cannot hold (the rule's own test)
        return rule(state, start, end, silent)

    return rule_if_opened


# A thematic break's line holds its marker and spaces or tabs only: any other character, and
# the hr rule answers no (a list item's line "- [Name](…)" is tried by it twice: as a block,
# and as what may end the item before it).
_NOT_RULE = re.compile(r"[^*\-_ \t]")


def _may_define(src: str, start: int, end: int) -> bool:
    """Whether ``[`` at ``start - 1`` may open a reference definition: its label is not
    closed on this line by a ``]`` without a colon after it, nor broken by another ``[``
    (the label can go on over the next lines, or hold an escape: then the rule reads it)."""
    found = _LABEL_STOP.search(src, start, end)
    if found is None or found.group() == "\\":
        return True
    return found.group() == "]" and src[found.end() : found.end() + 1] == ":"


_LABEL_STOP = re.compile(r"[\[\]\\]")


def _underlined(rule: Any) -> Any:
    """The setext heading rule, answering "no" at once when no line follows (a one-line
    paragraph, a list item's line): it looks for an underline on the lines below. Like the
    rule, it leaves ``parentType`` "paragraph" when it answers no."""

    def rule_if_underlined(state: Any, start: int, end: int, silent: bool) -> Any:
        below = start + 1
        if (below >= end or state.isEmpty(below)) and not state.is_code_block(start):
            state.parentType = "paragraph"
            return False
        return rule(state, start, end, silent)

    return rule_if_underlined


def _one_line_items(tokenize: Any) -> Any:
    """markdown-it's block tokenizer, with a list item of one line of text read at once: most
    items of a long list (``- [Name](…) - What it does.``) are one paragraph on one line, for
    which the tokenizer tries every block rule in turn, then the paragraph rule tries the
    paragraph's terminators on the next line. Here the line's first character rules out every
    block but a paragraph, and the next line ends it (blank, the end, or a block that
    interrupts a paragraph, less indented than the item's content): the same three tokens and
    the same state as the tokenizer leaves. Anything else is tokenized as before."""

    def tokenize_items(state: Any, start: int, end: int) -> None:
        tokens = state.tokens
        if not (tokens and tokens[-1].type == "list_item_open" and _one_line(state, start, end)):
            tokenize(state, start, end)

    return tokenize_items


def _one_line(state: Any, start: int, end: int) -> bool:
    """The item's content at ``start`` read as one paragraph of that line, when it is one."""
    src, at, stop = state.src, state.bMarks[start] + state.tShift[start], state.eMarks[start]
    indent = state.sCount[start] - state.blkIndent
    if at >= stop or not 0 <= indent < 4 or state.level >= state.md.options.maxNesting:
        return False
    first = src[at]
    if first == "[":
        if _may_define(src, at + 1, stop):
            return False
    elif first == "*":
        if not _BOLD.match(src, at, stop):
            return False
    elif not (first.isalpha() or (not first.isascii() and not first.isspace())):
        return False
    below, last = start + 1, state.lineMax
    old_parent = state.parentType
    state.parentType = "paragraph"  # where the heading rule (setext) leaves it, answering no
    if below < last and not state.isEmpty(below):
        if not 0 <= state.sCount[below] < state.blkIndent:
            state.parentType = old_parent
            return False  # a lazy continuation line, or the item's own next block
        rules = state.md.block.ruler.getRules("paragraph")
        if not any(rule(state, below, last, True) for rule in rules):
            state.parentType = old_parent
            return False
        after = below
    elif below < last and below + 1 < end:  # a blank line: the item ends at the next text
        after = state.skipEmptyLines(below + 1)
        if after < end and state.sCount[after] >= state.blkIndent:
            state.parentType = old_parent
            return False  # the item goes on after the blank line
    else:
        after = below + (below < end and below < last)
    state.parentType = "paragraph"
    content = mdTrim(state.getLines(start, below, state.blkIndent, False))
    token = state.push("paragraph_open", "p", 1)
    token.map = [start, below]
    token = state.push("inline", "", 0)
    token.content, token.map, token.children = content, [start, below], []
    state.push("paragraph_close", "p", -1)
    state.tight = True
    state.line = after
    return True


# A line that opens with bold text: no thematic break (text follows), no list marker.
_BOLD = re.compile(r"\*\*[^*\s]")


_PLAIN_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]*$")


def _fast_normalize(normalize: Any) -> Any:
    """markdown-it's link normalizer, skipped for a URL it would return unchanged (ASCII, no
    character to escape): a fifth of the parse time of a long list otherwise."""

    def fast(url: str) -> str:
        return url if _PLAIN_URL.match(url) and "%" not in url else str(normalize(url))

    return fast


@dataclass
class Loose:
    """A link outside any item (in a heading)."""

    link: RawLink
    section: tuple[str, ...]
    parent: str | None = None
    description: str | None = None  # a heading link's: the line of text right under it


@dataclass
class Walk:
    items: list[Read] = field(default_factory=list)  # items that hold links
    loose: list[Loose] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    header_links: list[RawLink] = field(default_factory=list)  # before the first item
    # the list's header (its title heading and what comes before the next heading) ends on
    # this line; 0 while no heading after it is seen
    header_end: int = 0
    sections: Sections = field(default_factory=Sections)


class Walker:
    def __init__(self, text: str, whole: bool = False) -> None:
        """``whole``: tokenize the whole text before reading it (as a text that may define
        link references is), not block by block."""
        self.md = markdown()
        self.whole = whole
        self.covered = bytearray()
        self.env: dict[str, Any] = {}
        self.text = text
        self.seq = count(1)
        self.inline = InlineReader(self.md, self.env, self.seq)
        self.html = HtmlReader(self.seq, self.md.normalizeLink)
        self.out = Walk()
        self.sections = self.out.sections
        self.index = count(1)
        self.open: list[Draft] = []  # open list items, innermost last
        self.pending: str | None = None  # a pseudo-heading waiting for the next block
        # a title just above a paragraph: a pseudo-heading, or a short line of text
        self.above: str | None = None
        self.after_heading = False
        self.in_header = True
        self.table_headers: list[str] = []
        self.table_map: list[int] | None = None
        self.row: list[list[Seg]] | None = None
        self.row_line = 0
        self.in_thead = False
        # a bold line over a list of labelled links ("**Title**" / "- Paper: …"): their item,
        # open while that list is, and the level of the list's tokens
        self.holder: tuple[Draft, int] | None = None
        self.pending_line = 0
        # a heading that is a link names the thing its section is about: (level, name)
        self.subject: tuple[int, str] | None = None
        self.subject_link: Loose | None = None  # the heading link a line of text may describe
        self.pending_subject: RawLink | None = None
        self.title_seen = False

    def walk(self) -> Walk:
        covered = bytearray(self.text.count("\n") + 2)
        self.covered = covered
        if self.whole or "]:" in self.text:  # a reference may be defined below its use
            self._read(self.md.parse(self.text, self.env))
        else:
            for tokens in blocks(self.md, self.text, self.env, self._take):
                self._read(tokens)
        if self.pending is not None:
            self.sections.pseudo(self.pending)
        self._uncovered(covered)
        return self.out

    def _take(self, tokens: list[Token], start: int) -> bool:
        """Read the tokens of a top-level list or table so far; not a list that may be labelled
        links under a bold line (`_labelled_list` reads the whole list at its start)."""
        if tokens[start].type in _LISTS and self.pending is not None and not self.open:
            return False
        self._read(tokens, start, _TAKEN)
        return True

    def _read(self, tokens: list[Token], i: int = 0, gone: Token | None = None) -> None:
        """Read ``tokens[i:]``, each one let go once read (``gone`` in its place)."""
        covered = self.covered
        n = len(tokens)
        while i < n:
            token = tokens[i]
            if token.map and token.type in _LEAVES:
                start, end = token.map
                covered[start:end] = b"\x01" * (end - start)
            elif token.type == "table_close" and self.table_map:  # whole now (see _LEAVES)
                start, end = self.table_map
                covered[start:end] = b"\x01" * (end - start)
            read = self._token(tokens, i)
            tokens[i:read] = [gone] * (read - i)  # type: ignore[list-item]
            i = read

    # -- tokens ----------------------------------------------------------------------------

    def _token(self, tokens: list[Token], i: int) -> int:
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            self._heading(int(token.tag[1:]), tokens[i + 1])
            return i + 3
        if kind == "paragraph_open":
            self._paragraph(token, tokens[i + 1])
            return i + 3
        if kind == "list_item_open":
            self._block()
            self._list_item(token)
        elif kind == "list_item_close":
            self._close_item()
        elif kind in _LISTS:
            if self.pending is not None and not self.open and _labelled_list(tokens, i):
                self._hold(token)
            else:
                self._block()
        elif kind in ("bullet_list_close", "ordered_list_close"):
            if self.holder is not None and self.holder[1] == token.level:
                self._release()
        elif kind == "blockquote_open":  # a quote under a title line still has that title
            self._resolve()
            self.after_heading = False
        elif kind == "hr":
            self._block()
            self.sections.rule()
        elif kind == "table_open":
            self._block()
            self.table_headers = []
            self.table_map = token.map
        elif kind == "thead_open":
            self.in_thead = True
        elif kind == "thead_close":
            self.in_thead = False
        elif kind == "tr_open":
            self.row, self.row_line = [], (token.map[0] if token.map else 0) + 1
        elif kind == "inline":  # a table cell
            self._cell(token)
        elif kind == "tr_close":
            self._close_row()
        elif kind == "html_block":
            self._html(token)
        elif kind in ("fence", "code_block"):
            self._block()
            self._code(token)
        return i + 1

    def _header(self, level: int, line: int) -> None:
        """The list's header ends at its first heading, or at the one after its H1 title."""
        if self.out.header_end == 0:
            if level == 1 and not self.title_seen:
                self.title_seen = True
            else:
                self.out.header_end = line

    def _heading(self, level: int, inline: Token) -> None:
        self._header(level, (inline.map[0] if inline.map else 0) + 1)
        found = self.inline.read(inline)
        self.out.skipped += found.skipped
        self._label(level)
        self.sections.heading(level, _heading_text(found.segs))
        self._about(level, found.segs)
        self._loose(found.segs)
        self.subject_link = self._subject_loose()
        self.after_heading = True
        self.above = None

    def _about(self, level: int, segs: list[Seg]) -> None:
        """A heading that is one named link (``## [Agent4Rec](…)``) names what its section is
        about: untitled items under it ("[Paper](…)" in its "Links") take that name."""
        if self.subject is not None and level <= self.subject[0]:
            self.subject = None
        links = [s for s in segs if s.link is not None]
        others = "".join(s.text for s in segs if s.link is None)
        if (
            len(links) == 1
            and links[0].link is not None
            and not links[0].link.generic
            and not links[0].link.href.startswith("#")
            and not strip_markers(others).strip()
        ):
            self.subject = (level, links[0].text)
            self.pending_subject = links[0].link

    def _subject_loose(self) -> Loose | None:
        """The heading's link when the heading names a subject (its last loose link)."""
        link, self.pending_subject = self.pending_subject, None
        if link is not None and self.out.loose and self.out.loose[-1].link is link:
            return self.out.loose[-1]
        return None

    def _hint(self) -> str | None:
        return self.subject[1] if self.subject is not None else None

    def _hold(self, token: Token) -> None:
        """The bold line above is the title of the labelled links below, not a section."""
        label, self.pending = self.pending or "", None
        self.above, self.after_heading = None, False
        title = [[Seg(SegKind.TEXT, label, True)]]
        holder = Draft(ItemKind.LIST_ITEM, next(self.index), self.pending_line,
                       self.sections.path, None, parts=title)  # fmt: skip
        self.open.append(holder)
        self.holder = (holder, token.level)

    def _release(self) -> None:
        assert self.holder is not None
        holder, self.holder = self.holder[0], None
        if self.open and self.open[-1] is holder:
            self.open.pop()
        links = holder.links()
        if links:
            self.out.items.append(holder.close(links))

    def _label(self, level: int) -> None:
        """A pseudo-heading right above a heading that has a parent heading labels a group of
        such headings (``**AI & ML**`` above ``### Deep Learning`` under ``## Projects``);
        otherwise the heading simply closes it."""
        if self.pending is not None and self.sections.has_parent(level):
            self.sections.group(self.pending, level)
        self.pending = None

    def _loose(self, segs: list[Seg]) -> None:
        for seg in segs:
            if seg.link is not None:
                parent = self.open[-1].label() if self.open else None
                self.out.loose.append(Loose(seg.link, self.sections.path, parent))
                if self.in_header:
                    self.out.header_links.append(seg.link)

    def _paragraph(self, token: Token, inline: Token) -> None:
        found = self.inline.read(inline)
        self.out.skipped += found.skipped
        if self.open:
            self._block()
            self.open[-1].add(found.segs)
            return
        after_heading, self.after_heading = self.after_heading, False
        text = plain(found.segs)
        if (
            after_heading
            and self.subject_link is not None
            and not any(s.link is not None for s in found.segs)
        ):
            self.subject_link.description = tidy(text)  # "## [Godmode](…)" / "What it is"
        self.subject_link = None
        if token.level == 0 and _emphasis_only(found.segs) and len(text) <= _MAX_PSEUDO:
            label = strip_markers(text).strip()
            if _sentence(label) or (after_heading and _tagline(label)):
                if after_heading:
                    self.sections.describe(label)
                return
            self._resolve()
            self.pending = label.rstrip(":：").strip()
            self.pending_line = (token.map[0] if token.map else 0) + 1
            return
        self._resolve()
        if after_heading and _emphasized(found.segs) and _sentence(text):
            self.sections.describe(text)
        hint, self.above = self.above, None
        for group in paragraph_groups(found.segs):
            if any(s.link is not None for s in group):
                self._emit_new(ItemKind.PARAGRAPH, group, hint)
                hint = None  # the title above is the first item's (lines of text before it)
        if not any(s.link is not None for s in found.segs):
            if not text:
                self.above = hint  # an image between a title and its badges
            elif len(text) <= _MAX_TITLE and not _sentence_end(text) and "\n" not in text:
                self.above = strip_markers(text).strip()  # a title line above a line of badges

    def _resolve(self) -> None:
        """The waiting pseudo-heading is not followed by a heading: it is a pseudo-heading."""
        if self.pending is not None:
            self.sections.pseudo(self.pending)
            self.above, self.pending = self.pending, None

    def _block(self) -> None:
        """Any block but a paragraph: a waiting pseudo-heading is one, a title above is spent."""
        self._resolve()
        self.above = None
        self.after_heading = False

    def _list_item(self, token: Token) -> None:
        self.in_header = False
        parent = self.open[-1].label() if self.open else None
        line = (token.map[0] if token.map else 0) + 1
        hint = None if self.open else self._hint()  # a sub-item's title is its parent's
        draft = Draft(ItemKind.LIST_ITEM, next(self.index), line, self.sections.path, parent,
                      hint=hint)  # fmt: skip
        self.open.append(draft)

    def _close_item(self) -> None:
        draft = self.open.pop()
        links = draft.links()
        if not links:
            if self.open:
                self.open[-1].field(draft)  # "- Title: X", "- Description: …"
            return
        if draft.title is None and self.open:
            self.open[-1].folded += links  # "- Code: [Official](…)" belongs to its parent
            return
        self.out.items.append(draft.close(links))

    def _cell(self, token: Token) -> None:
        found = self.inline.read(token)
        self.out.skipped += found.skipped
        if self.in_thead:
            self.table_headers.append(plain(found.segs))
            self._loose(found.segs)
        elif self.row is not None:
            self.row.append(found.segs)

    def _close_row(self) -> None:
        row, self.row = self.row, None
        if self.in_thead or row is None:
            return
        self.in_header = False
        parent = self.open[-1].label() if self.open else None
        draft = Draft(ItemKind.TABLE_ROW, next(self.index), self.row_line, self.sections.path,
                      parent, parts=row, headers=list(self.table_headers),
                      hint=self._hint())  # fmt: skip
        links = draft.links()
        if links:
            self.out.items.append(draft.close(links))

    def _emit_new(self, kind: ItemKind, segs: list[Seg], hint: str | None, line: int = 0) -> None:
        links = [s.link for s in segs if s.link is not None]
        if not links:
            return
        parent = self.open[-1].label() if self.open else None
        draft = Draft(kind, next(self.index), line or min(link.line for link in links),
                      self.sections.path, parent, parts=[segs],
                      hint=hint or self._hint())  # fmt: skip
        if kind is ItemKind.LIST_ITEM:
            self.in_header = False
        if self.in_header:
            self.out.header_links += links
        self.out.items.append(draft.close(links))

    def _html(self, token: Token) -> None:
        first_line = (token.map[0] if token.map else 0) + 1
        block = self.html.read(token.content, first_line)
        self.out.skipped += block.skipped
        visible = block.heading is not None or block.paragraphs or block.lists or block.rows
        for event, text in block.details:
            if event == "open":
                self.sections.open_details()
            elif event == "close":
                self.sections.close_details()
            elif text and not _restates(text, self.sections.path):
                self._resolve()
                self.sections.pseudo(text, summary=True)
        if block.heading is not None:
            level, title, segs = block.heading
            self._header(level, first_line)
            self._heading_from_html(level, title, segs)
            return
        if not visible:
            return
        self._block()
        self._html_items(block)

    def _heading_from_html(self, level: int, title: str, segs: list[Seg]) -> None:
        self._label(level)
        self.sections.heading(level, title)
        self._about(level, segs)
        self._loose(segs)
        self.subject_link = self._subject_loose()
        self.after_heading = True

    def _html_items(self, block: Block) -> None:
        if self.open:  # HTML inside a list item is part of that item's text
            for _, segs in block.paragraphs:
                self.open[-1].add(segs)
            for _, segs in block.lists:
                self.open[-1].add(segs)
            for _, parts, _ in block.rows:
                for part in parts:
                    self.open[-1].add(part)
            return
        for line, segs in block.lists:
            self.in_header = False
            self._emit_new(ItemKind.LIST_ITEM, segs, None, line)
        for line, parts, headers in block.rows:
            self.in_header = False
            draft = Draft(ItemKind.TABLE_ROW, next(self.index), line, self.sections.path,
                          None, parts=parts, headers=headers)  # fmt: skip
            links = draft.links()
            if links:
                self.out.items.append(draft.close(links))
        for line, segs in block.paragraphs:
            for group in paragraph_groups(segs):
                self._emit_new(ItemKind.PARAGRAPH, group, None, line)

    def _code(self, token: Token) -> None:
        first_line = (token.map[0] if token.map else 0) + 1
        content = token.content
        for match in CANDIDATE.finditer(content):
            line = first_line + content.count("\n", 0, match.start()) + (token.type == "fence")
            self.out.skipped.append(
                Skip(match.group().rstrip(".,;:!?)]}'\"*_~>"), line, "in code (not a link)")
            )

    def _uncovered(self, covered: bytearray) -> None:
        """Links on lines no block token covers: nested too deep, or a reference definition."""
        used = {link.href for item in self.out.items for link in item.links}
        used |= {loose.link.href for loose in self.out.loose}
        used |= {draft_link.href for d in self.open for draft_link in d.links()}
        for number, line in enumerate(self.text.split("\n")):
            if covered[number] or ("://" not in line and "www." not in line.lower()):
                continue
            reference = _REFERENCE.match(line)
            if reference:
                if self.md.normalizeLink(reference.group(1)) not in used:
                    self.out.skipped.append(Skip(reference.group(1), number + 1,
                                                 "reference definition never used"))  # fmt: skip
                continue
            for match in CANDIDATE.finditer(line):
                url = match.group().rstrip(".,;:!?)]}'\"*_~>")
                self.out.skipped.append(
                    Skip(
                        url, number + 1, f"not parsed: nested deeper than {MAX_NESTING // 2} lists"
                    )
                )


_LISTS = ("bullet_list_open", "ordered_list_open")
# Blocks whose lines are read (covered) as a whole; a table's are counted at its end: its map
# is completed then (a table is read row by row as it is tokenized: `_Streamed`).
_LEAVES = frozenset({
    "paragraph_open", "heading_open", "html_block", "fence", "code_block", "hr",
})  # fmt: skip


# "- Paper: https://…", "- Code: [GitHub](…)", "- [Paper](…)": a label and its link, no name.
_LABEL_LINE = re.compile(
    r"^\s*(?P<label>[^:：\[\]]{0,40}?)\s*[:：]?\s*(?:<?https?://\S+?>?|\[(?P<text>[^\]]*)\]\([^)\s]*\))\s*$"
)
_ASIDE = re.compile(r"\s*[(（][^)）]*[)）]\s*")


def _labelled_list(tokens: list[Token], at: int) -> bool:
    """Whether each item of the list that opens at ``tokens[at]`` is a short label and one link,
    some labels generic ("Paper:", "Code:"; a typo such as "Homeoage:" does not break it)."""
    level, items, generic = tokens[at].level, 0, 0
    for token in tokens[at + 1 :]:
        if token is None or (token.type.endswith("_list_close") and token.level == level):
            break
        if token.type == "inline" and token.level == level + 3:
            found = _LABEL_LINE.match(token.content.split("\n", 1)[0])
            if found is None:
                return False
            label = _ASIDE.sub(" ", found.group("label")).strip()  # "Paper(Oral)"
            text = found.group("text")
            if len(label.split()) > 3 or (not label and text is not None and not is_generic(text)):
                return False
            items += 1
            generic += bool(label) and is_generic(label)
    return items > 0 and generic > 0


def _tagline(text: str) -> bool:
    """Emphasized words right under a heading that read as a phrase, not a label: four words or
    more, not in title case ("*Libraries for building GUIs*", not "**Large Language Models**")."""
    words = text.split()
    return len(words) >= 4 and not title_case(text)


def _heading_text(segs: list[Seg]) -> str:
    """A heading's text without its links back to the contents ("[[TOC]](#contents)", "[↑]
    (#top)": a marker or a few words of navigation), unless that is all it says."""
    kept = [s for s in segs if s.link is None or not _back_link(s)]
    return plain(kept) or plain(segs)


def _back_link(seg: Seg) -> bool:
    link = seg.link
    if link is None or not link.href.startswith("#"):
        return False
    text = seg.text.strip()
    return not any(c.isalnum() for c in text) or text[:1] in "[(" or fold(text) in _BACK


_BACK = frozenset({"toc", "top", "back to top", "to top", "contents", "table of contents"})


def _emphasis_only(segs: list[Seg]) -> bool:
    """Only emphasized text (emoji and spaces aside), no link: a pseudo-heading's shape."""
    emphasized = False
    for seg in segs:
        if seg.kind is SegKind.LINK:
            return False
        if seg.kind is SegKind.TEXT and seg.text.strip():
            if seg.emphasis and not seg.code:
                emphasized = True
            elif strip_markers(seg.text).strip():
                return False
    return emphasized


def _emphasized(segs: list[Seg]) -> bool:
    texts = [s for s in segs if s.kind is SegKind.TEXT and s.text.strip()]
    return bool(texts) and all(s.emphasis for s in texts)


def _sentence_end(text: str) -> bool:
    return text.rstrip().endswith((".", "。"))


def _sentence(text: str) -> bool:
    """Prose, not a label: ends like a sentence, or is bracketed (a gloss)."""
    text = text.strip().strip("*_").strip()
    return text.endswith(_SENTENCE_END) or bool(_BRACKETED.match(text))


_EXPAND = re.compile(
    r"^(?:click\s+(?:here\s+)?to\s+(?:expand|see|view|show|open)|expand|show(?:\s+more)?|more)"
    r"\s*[:：\-–]?\s*",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r"^[\d.]+\s+")


def _restates(summary: str, path: tuple[str, ...]) -> bool:
    """A ``<summary>`` that only repeats its section's heading ("Click to expand: X")."""
    if not path:
        return False
    said = _NUMBERING.sub("", _EXPAND.sub("", " ".join(summary.split()).casefold()))
    heading = _NUMBERING.sub("", " ".join(path[-1].split()).casefold())
    return not said or said in heading or heading in said


__all__ = ["Loose", "Walk", "Walker", "title_and_rest"]
