"""Items: a list item, a table row or a paragraph line, and its title and description.

Title (the item's own name): its leading bold or emphasized text; or its first link when that
link's text names something; or the text before its links, up to a separator (a dash,
``: ``, two spaces, ``(`` before a link). In a table row, that of the title cell: the
column named Title/Name/Paper/Model/Dataset…, else the first cell with a named link, else the
first cell with text. A title that is itself generic ("Code:") leaves the item untitled.

Description: the item's prose after its title, with the text of named links kept and generic
ones ("Paper", "[pdf]", badges, bare URLs) dropped, brackets balanced, separators trimmed. In
a table row, also the other cells that are prose, not a date, a size, a count or links only:
only the description-like columns (Notes, Description, Summary…) when the table has one,
otherwise each as ``Header: text``.

A nested list item without a title of its own (``- Code: [Official](…)`` under a paper) is
part of its parent item: its links join the parent's, so the paper and its code are tied.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from enrich.core.listing.segments import RawLink, Seg, SegKind, lines, plain
from enrich.core.listing.words import (
    DESCRIPTION_HEADERS,
    SEPARATOR_CHARS,
    TITLE_HEADERS,
    fold,
    is_data_value,
    is_generic,
)
from enrich.core.model import ItemKind

_SHORTCODES = re.compile(r"^\s*(?::[a-z0-9_+\-]+:\s*)+")  # GitHub emoji: ":star: "
_ENUMERATOR = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|[-*+•·▪►]|#\d+)\s+")
_SEPARATORS = (  # in order of precedence: the first kind found splits the title off
    re.compile(r"(?<=\S)\s{2,}(?=\S)"),
    re.compile(r"\s+[-–—]{1,2}\s+|\s*——\s*|\s+[-–—]$"),
    re.compile(r":\s+|：\s*|:$"),
    re.compile(r"\s+\|\s+"),
)
_OPENER_AT_END = re.compile(r"\s*[(（\[]\s*$")
# A lead that ends with one of these words runs into its link ("Use [this] thread"): prose.
_PROSE_ENDS = frozenset({
    "the", "a", "an", "this", "that", "these", "to", "me", "us", "see", "use", "via", "at",
    "in", "on", "of", "for", "from", "by", "with", "and", "or", "visit", "check", "out",
    "here", "read", "please", "try", "our", "my", "your", "its", "their", "is", "are", "as",
})  # fmt: skip
_PROSE_STARTS = frozenset({
    "you", "we", "i", "it", "this", "that", "there", "here", "please", "see", "check", "visit",
    "use", "read", "follow", "click", "for", "if", "to", "and", "also", "join", "subscribe",
    "参见", "详见", "见", "更多",
})  # fmt: skip
# Labels that introduce a title: "Title: X", "Paper: X", and their CJK spellings.
TITLE_LABELS = frozenset({
    "title", "name", "paper", "paper title", "paper name", "论文名称", "论文标题", "标题", "名称",
})  # fmt: skip
_SENTENCE = re.compile(r"[.。]$")
_PAIRS = {"(": ")", "[": "]", "{": "}", "（": "）", "【": "】"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_ANY_BRACKET = re.compile(r"[()\[\]{}（）【】]")
_EMPTY_BRACKETS = re.compile(r"[(\[{（【][\s,;:|·/\-–—]*[)\]}）】]")
_SEPARATOR_RUN = re.compile(r"\s*([,;|·/])(?:\s*[,;|·/])+\s*")
_TIDY_NEEDED = re.compile(r"[(\[{（【][\s,;:|·/\-–—]*[)\]}）】]|[,;|·/]\s*[,;|·/]")
_LABEL_BEFORE_LINK = re.compile(r"(\S+?)\s*[:：]\s*$")
_LABEL_SPLIT = re.compile(r"[\s:：|,;·/•]+")
_LEADING_ASIDE = re.compile(r"^(\([^()]*\))\s*(?:[-–—:|]\s+|[-–—]{2}\s*)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]）】])")


@dataclass(slots=True)
class Read:
    """A finished item: what became of a `Draft` once its text was read."""

    kind: ItemKind
    index: int
    line: int
    section: tuple[str, ...]
    parent: str | None
    title: str | None
    description: str | None
    cells: list[tuple[str, str]]
    links: list[RawLink]


@dataclass
class Draft:
    """An item being read; ``parts`` is one segment list, or one per cell for a table row."""

    kind: ItemKind
    index: int
    line: int
    section: tuple[str, ...]
    parent: str | None = None
    parts: list[list[Seg]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    folded: list[RawLink] = field(default_factory=list)  # links of untitled sub-items
    hint: str | None = None  # a title from just above (a pseudo-heading over a badge line)
    _read: tuple[str | None, str | None] | None = None

    def links(self) -> list[RawLink]:
        own = [s.link for part in self.parts for s in part if s.link is not None]
        return sorted(own + self.folded, key=lambda link: link.seq)

    def add(self, segs: list[Seg]) -> None:
        """Append a paragraph to a list item's text."""
        if not self.parts:
            self.parts.append([])
        elif self.parts[0]:
            self.parts[0].append(Seg(SegKind.BREAK, newline=True))
        self.parts[0].extend(segs)
        self._read = None

    @property
    def title(self) -> str | None:
        return self.read()[0]

    @property
    def description(self) -> str | None:
        return self.read()[1]

    def label(self) -> str | None:
        """What a nested item records as its parent: the title, else the text."""
        return self.title or (plain(self.parts[0]) if self.parts and self.parts[0] else None)

    def read(self) -> tuple[str | None, str | None]:
        if self._read is None:
            if self.kind is ItemKind.TABLE_ROW:
                self._read = _row(self.parts, self.headers)
            else:
                segs = self.parts[0] if self.parts else []
                title, rest = title_and_rest(segs)
                self._read = (title or self.hint, describe(rest))
        return self._read

    def close(self, links: list[RawLink]) -> Read:
        """What the item says, computed once; its segments are let go."""
        title, description = self.read()
        done = Read(self.kind, self.index, self.line, self.section, self.parent, title,
                    description, self.cells(), links)  # fmt: skip
        self.parts = []
        return done

    def cells(self) -> list[tuple[str, str]]:
        if self.kind is not ItemKind.TABLE_ROW:
            return []
        return [
            (self.headers[k] if k < len(self.headers) and self.headers[k] else f"column {k + 1}",
             plain(part))
            for k, part in enumerate(self.parts)
        ]  # fmt: skip


def title_and_rest(segs: list[Seg]) -> tuple[str | None, list[Seg]]:
    """The title of a run of segments, and the segments after it (its description)."""
    segs = list(segs)
    i, n = 0, len(segs)
    while i < n and segs[i].kind is not SegKind.LINK:  # markers, spaces, a leading <br>
        if segs[i].kind is SegKind.TEXT:
            stripped = strip_markers(segs[i].text)
            if stripped.strip():
                if stripped != segs[i].text:
                    segs[i] = replace(segs[i], text=stripped)
                break
        i += 1
    if i == n:
        return None, segs[i:]
    first = segs[i]
    if first.kind is SegKind.LINK:
        link = first.link
        if link is not None and not link.generic:
            return _clean(first.text), segs[i + 1 :]
        return None, segs[i:]
    if first.emphasis and not first.code:
        j = i
        while j < n and segs[j].kind is SegKind.TEXT and segs[j].emphasis:
            j += 1
        title = _clean("".join(s.text for s in segs[i:j]))
        wraps_link = j < n and segs[j].kind is SegKind.LINK and segs[j].emphasis
        if title and not wraps_link:  # "**Title** - …", not "**Visit the [site](…)**"
            return (None if is_generic(title) else title), segs[j:]
    j = i
    while j < n and segs[j].kind is SegKind.TEXT:
        j += 1
    lead = "".join(s.text for s in segs[i:j])
    after = segs[j] if j < n else None
    for separator in _SEPARATORS:
        found = separator.search(lead)
        if found:
            title = _clean(lead[: found.start()])
            rest = [Seg(SegKind.TEXT, lead[found.end() :]), *segs[j:]]
            if fold(title) in TITLE_LABELS:  # "Paper name: X" (or a CJK colon) is titled X
                value = lead[found.end() :]
                cut = _SEPARATORS[0].search(value) or _SEPARATORS[1].search(value)
                named = _clean(value[: cut.start()] if cut else value)
                after_value = value[cut.end() :] if cut else ""
                return (named or None), [Seg(SegKind.TEXT, after_value), *segs[j:]]
            return (title if title and not is_generic(title) else None), rest
    if _prose(lead):
        return None, segs[i:]  # a sentence, not a name: it describes
    if after is not None and after.kind is SegKind.LINK and after.link is not None:
        opener = _OPENER_AT_END.search(lead)
        words = lead.split()
        if opener:  # "ChatGPT (https://…)"
            lead = lead[: opener.start()]
        elif not after.link.generic:
            return _clean(after.text), segs[j + 1 :]  # "The paper [Title](…) shows…"
        elif (
            not words
            or words[-1].lower() in _PROSE_ENDS
            or words[0].lower() in _PROSE_STARTS
            or _runs_on(segs[j + 1] if j + 1 < n else None)
        ):
            return None, segs[i:]  # "Use [this](…) thread to…": prose around a generic link
    title = _clean(lead)
    return (title if title and not is_generic(title) else None), segs[j:]


def _runs_on(seg: Seg | None) -> bool:
    """Whether the text after a link goes on as a sentence ("… to go here")."""
    if seg is None or seg.kind is not SegKind.TEXT:
        return False
    text = seg.text.lstrip()
    return bool(text) and text[0].isalnum()


def _prose(lead: str) -> bool:
    """A lead that is a sentence (ends with a full stop, and is more than a few words)."""
    text = lead.strip()
    if not _SENTENCE.search(text):
        return False
    return len(text.split()) > 6 or sum(1 for c in text if ord(c) > 0x2E80) > 20


def describe(segs: list[Seg]) -> str | None:
    """An item's prose: named link texts kept, generic links dropped, punctuation tidied."""
    out: list[str] = []
    for at, seg in enumerate(segs):
        if seg.kind is SegKind.TEXT:
            text = seg.text
            after = segs[at + 1] if at + 1 < len(segs) else None
            found = _LABEL_BEFORE_LINK.search(text) if after and after.link is not None else None
            if found and is_generic(found.group(1)):
                text = text[: found.start()]  # "Code: [x](…)": the label before a link goes
            out.append(text)
        elif seg.kind is SegKind.LINK:
            link = seg.link
            generic = link is None or link.label
            out.append(" " if generic and not _in_sentence(segs, at) else seg.text)
        else:
            out.append(" ")
    return tidy("".join(out))


def _in_sentence(segs: list[Seg], at: int) -> bool:
    """A link with words right before and after it ("with a [GitHub repository](…) that")."""
    if not segs[at].text:
        return False  # a badge
    before = segs[at - 1] if at else None
    after = segs[at + 1] if at + 1 < len(segs) else None
    return (
        before is not None
        and before.kind is SegKind.TEXT
        and bool(re.search(r"\w\s$", before.text))
        and after is not None
        and after.kind is SegKind.TEXT
        and bool(re.match(r"\s+\w", after.text))
    )


def tidy(text: str) -> str | None:
    text = " ".join(text.split())
    previous = None
    while previous != text and _TIDY_NEEDED.search(text):
        previous = text
        text = _EMPTY_BRACKETS.sub(" ", text)
        text = _SEPARATOR_RUN.sub(lambda m: m.group(1) + " ", text)
        text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _LEADING_ASIDE.sub(r"\1 ", text)  # "(from X) - desc" -> "(from X) desc"
    text = balance(text.strip(SEPARATOR_CHARS))
    text = text.strip(SEPARATOR_CHARS).lstrip(SEPARATOR_CHARS + ".").strip()  # "**T**. Authors"
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        return None
    labels = [p for p in _LABEL_SPLIT.split(text) if p.strip()]
    if 2 <= len(labels) <= 4 and all(is_generic(p) for p in labels):
        return None  # only labels left ("Paper | Project", two "… link:" labels)
    return text


def _clean(title: str) -> str:
    title = " ".join(title.replace("**", "").split())
    title = balance(title.strip(SEPARATOR_CHARS)).strip(SEPARATOR_CHARS).strip()
    return title


def balance(text: str) -> str:
    """Drop brackets that have no partner (left over where text was cut at a link)."""
    if not _ANY_BRACKET.search(text):
        return text
    drop: set[int] = set()
    stack: list[int] = []
    for at, char in enumerate(text):
        if char in _PAIRS:
            stack.append(at)
        elif char in _CLOSERS:
            if stack and text[stack[-1]] == _CLOSERS[char]:
                stack.pop()
            else:
                drop.add(at)
    drop.update(stack)
    if not drop:
        return text
    return "".join(c for at, c in enumerate(text) if at not in drop)


def strip_markers(text: str) -> str:
    """Leading list numbering, bullets, emoji (and ``:emoji:`` codes) and symbols removed."""
    text = _SHORTCODES.sub("", _ENUMERATOR.sub("", text, count=1), count=1)
    at = 0
    while at < len(text) and (text[at].isspace() or unicodedata.category(text[at])[0] in "SC"
                              or unicodedata.category(text[at]) in ("Mn", "Me")):  # fmt: skip
        at += 1
    return text[at:] if at < len(text) else ""


def paragraph_groups(segs: list[Seg]) -> list[list[Seg]]:
    """A paragraph's lines grouped into items: a line with a title of its own (or text) starts
    an item; a line of links only (bare URLs, badges, ``Code: [Official](…)``) joins the one
    above it."""
    groups: list[list[Seg]] = []
    for line in lines(segs):
        if not any(s.kind is SegKind.LINK or s.text.strip() for s in line):
            continue
        title, _ = title_and_rest(line)
        has_links = any(s.kind is SegKind.LINK for s in line)
        if title is None and has_links and groups:
            groups[-1].append(Seg(SegKind.BREAK, newline=True))
            groups[-1].extend(line)
        else:
            groups.append(list(line))
    return [piece for group in groups for piece in _unbar(group)]


def _unbar(segs: list[Seg]) -> list[list[Seg]]:
    """A bar of named links with nothing but separators between them (``[A](…) • [B](…)``)
    names several things: one item each. Badges and generic links stay one item."""
    links = [s for s in segs if s.link is not None]
    named = [s for s in links if s.link is not None and _names(s.text, s.link)]
    prose = "".join(strip_markers(s.text) for s in segs if s.kind is SegKind.TEXT)
    if len(named) < 2 or prose.strip(SEPARATOR_CHARS + "•·|/&"):
        return [segs]
    return [[link] for link in links]


def _names(text: str, link: RawLink) -> bool:
    """Whether a link names a thing: its text, or for a badge its image's alt ("DeepSeek-R1",
    not "arXiv"). Used only to tell a bar of several things from one thing's badges."""
    if text:
        return not link.generic
    return bool(link.alt) and not is_generic(link.alt) and not is_generic(link.alt.split()[0])


def _row(parts: list[list[Seg]], headers: list[str]) -> tuple[str | None, str | None]:
    """Title and description of a table row."""
    names = [fold(h) for h in headers]
    at = _title_cell(parts, names)
    if at is None:
        return None, None
    title, rest = title_and_rest(parts[at])
    pieces = [d for d in [describe(rest)] if d and not is_data_value(d)]
    described = [k for k, name in enumerate(names) if name in DESCRIPTION_HEADERS]
    for k, part in enumerate(parts):
        if k == at or (described and k not in described):
            continue
        text = describe(part)
        if not text or is_data_value(text):
            continue
        name = headers[k].strip() if k < len(headers) else ""
        pieces.append(text if described or not name else f"{name}: {text}")
    return title, "; ".join(pieces) or None


def _title_cell(parts: list[list[Seg]], names: list[str]) -> int | None:
    for k, name in enumerate(names):
        if name in TITLE_HEADERS and k < len(parts) and plain(parts[k]):
            return k
    for k, part in enumerate(parts):
        if any(s.link is not None and not s.link.generic for s in part):
            return k
    for k, part in enumerate(parts):
        text = describe(part)
        if text and not is_data_value(text):
            return k
    return None
