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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from enrich.core.listing.segments import RawLink, Seg, SegKind, plain
from enrich.core.listing.words import (
    DESCRIPTION_HEADERS,
    SEPARATOR_CHARS,
    SHORTCODE,
    TITLE_HEADERS,
    fold,
    is_data_value,
    is_generic,
    is_qualifier,
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
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A date written before an item's title ("[2023/05] **Title**", "(2024.05) Title", "2023-11-02
# Title"): when the item was added, not its name.
_LEADING_DATE = re.compile(
    rf"^\s*(?:[\[(【（]\s*(?:\d{{4}}(?:[./-]\d{{1,2}}){{0,2}}|{_MONTHS}\s*\d{{4}}|\d{{4}}\s*{_MONTHS})"
    rf"\s*[\])】）]|\d{{4}}[./-]\d{{1,2}}(?:[./-]\d{{1,2}})?)(?:\s+|$)",
    re.IGNORECASE,
)
# A year in parentheses after a title: "Deep learning (2015), Y. LeCun et al."
_YEAR_ASIDE = re.compile(r"\s*\((?:19|20)\d{2}[a-z]?\)")
_QUOTED = re.compile(r'^(["“”„\'‘’「『«《])(.+)(["“”\'‘’」』»》])$', re.DOTALL)
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
    "title", "name", "paper", "paper title", "paper name", "论文", "论文名称", "论文标题", "标题",
    "名称",
})  # fmt: skip
_SENTENCE = re.compile(r"[.。]$")
# Words a wrapped line ends with (the sentence goes on below).
_RUNS_ON = frozenset({
    "for", "of", "and", "or", "with", "in", "on", "to", "the", "a", "an", "via", "from", "by",
    "at", "as", "into", "towards", "through", "using", "without", "under", "over", "between",
})  # fmt: skip
_PAIRS = {"(": ")", "[": "]", "{": "}", "（": "）", "【": "】"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_ANY_BRACKET = re.compile(r"[()\[\]{}（）【】]")
_EMPTY_BRACKETS = re.compile(r"[(\[{（【][\s,;:|·/\-–—]*[)\]}）】]")
_SEPARATOR_RUN = re.compile(r"\s*([,;|·/])(?:\s*[,;|·/])+\s*")
_TIDY_NEEDED = re.compile(r"[(\[{（【][\s,;:|·/\-–—]*[)\]}）】]|[,;|·/]\s*[,;|·/]")
_LABEL_BEFORE_LINK = re.compile(r"((?:[^\s.。!?！？]+\s+){0,2}?[^\s.。!?！？]+?)\s*[:：]\s*$")
# A field label (one or two words and a colon) at the start of the text or of a sentence.
_FIELD_LABEL = re.compile(
    r"(?:^|(?<=[.。;；!?！？]\s)|(?<=[。；！？]))"
    r"([^\s:：()（）]+(?:\s[^\s:：()（）]+)?)\s*(?::\s|：)"
)
# Field names that introduce an item's prose ("**Highlights**: …", "简介"): left out of it.
FIELD_LABELS = frozenset({
    "highlight", "highlights", "note", "notes", "summary", "tl;dr", "tldr", "keyword",
    "keywords", "abstract", "description", "desc", "introduction", "intro", "overview",
    "about", "key idea", "key ideas", "core idea", "main idea", "contribution", "contributions",
    "主要内容", "简介", "摘要", "亮点", "介绍", "描述", "说明", "动机", "论文简介", "核心思想",
})  # fmt: skip
_MAX_NOTES = 3
_TAGS = frozenset({"keyword", "keywords"})  # a sub-item of keywords tags, it does not describe
# A tag right after the title: "(label: good first issue)".
_LEADING_TAG = re.compile(r"^[(（][\w\s.-]{1,20}[:：][^()（）]{1,40}[)）]\s*")
_LABEL_SPLIT = re.compile(r"[\s:：|,;·/•]+")
_LEADING_ASIDE = re.compile(r"^(\([^()]*\))\s*(?:[-–—:|]\s+|[-–—]{2}\s*)")
_OPENED_BY_SEPARATOR = re.compile(r"([(\[{（【])[\s,;|·/]+")  # "(, code examples)"
_OPENER = re.compile(r"[(\[{（【]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]）】])")


# What most items have none of, one for all (an empty frozenset is 216 bytes, a dict 64): an
# item of a 100,000-link list is read once and held until its entries are made.
_NO_SEQS: frozenset[int] = frozenset()
_NO_TITLES: Mapping[int, str] = MappingProxyType({})


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
    cells: Sequence[tuple[str, str]]
    links: list[RawLink]
    # links that stand in a sentence (a word right before them): "uses [greenlet](…)"
    in_prose: frozenset[int] = frozenset()
    # titles of links folded in from sub-items, named by a sub-item ("- Title: X")
    link_titles: Mapping[int, str] = field(default_factory=dict)
    hint: str | None = None  # the title it has from above (a heading link, a title line)


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
    named: str | None = None  # a sub-item's "Title: X" (or "论文" X)
    about: str | None = None  # a sub-item's "Description: …" (or "简介" …)
    notes: list[str] = field(default_factory=list)  # other sub-items' text (authors, keywords)
    children: int = 0  # sub-items without links
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
                title, description = _row(self.parts, self.headers)
            else:
                segs = self.parts[0] if self.parts else []
                title, rest = title_and_rest(segs)
                description = describe(rest) or self.about or ("; ".join(self.notes) or None)
            title = title or self.named or self.hint or badge_title(self.parts)
            self._read = (title, description)
        return self._read

    def headed(self) -> bool:
        """Whether it has sub-items of its own: a heading of a nested list ("- Method" over
        its points), not a note itself."""
        return self.children > 0

    def field(self, child: Draft) -> None:
        """A sub-item without links that names or describes this item ("- Title: X",
        "- Description: …", and their CJK spellings): its value is this item's title for the
        links of its sub-items (or its own, when it has none) and its description (when it
        has none). Other such sub-items (authors, keywords) describe an item that has no
        description otherwise, the first few of them."""
        self.children += 1
        found = field_of(child.parts[0]) if child.parts else None
        label = fold(found[0]) if found else ""
        if found and label in TITLE_LABELS and self.named is None:
            self.named = polish(_clean(found[1])) or None
        elif found and label in FIELD_LABELS and label not in _TAGS and self.about is None:
            self.about = tidy(found[1])
        elif child.parts and len(self.notes) < _MAX_NOTES and not child.headed():
            note = tidy(plain(child.parts[0]))
            if note:
                self.notes.append(note)  # "- A. Author, B. Author", "- Keyword: RLHF"
        self._read = None

    def close(self, links: list[RawLink]) -> Read:
        """What the item says, computed once; its segments are let go."""
        title, description = self.read()
        prose = frozenset(
            seg.link.seq
            for part in self.parts
            for at, seg in enumerate(part)
            if seg.link is not None
            and at
            and _after_a_word(part[at - 1])
            and not _link_next(part, at)
        )
        titles = {link.seq: self.named for link in self.folded} if self.named else _NO_TITLES
        done = Read(self.kind, self.index, self.line, self.section, self.parent, title,
                    description, self.cells() if self.kind is ItemKind.TABLE_ROW else (),
                    links, prose or _NO_SEQS, titles, self.hint)  # fmt: skip
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
    while i < n and (segs[i].kind is not SegKind.LINK or _badges_before_title(segs, i)):
        if segs[i].kind is SegKind.TEXT and not segs[i].aside:  # markers, dates, labels, <br>
            stripped = _LEADING_DATE.sub("", strip_markers(segs[i].text), count=1)
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
        title = polish(_clean("".join(s.text for s in segs[i:j])))
        wraps_link = j < n and segs[j].kind is SegKind.LINK and segs[j].emphasis
        if title and not wraps_link:  # "**Title** - …", not "**Visit the [site](…)**"
            return (None if is_generic(title) else title), segs[j:]
    j = i
    while j < n and segs[j].kind is SegKind.TEXT:
        j += 1
    lead = "".join(s.text for s in segs[i:j])
    after = segs[j] if j < n else None
    named_after = any(s.link is not None and not s.link.generic for s in segs[j:])
    year = None if named_after else _YEAR_ASIDE.search(lead)
    if year and year.start() and not any(p.search(lead[: year.start()]) for p in _SEPARATORS[:2]):
        title = _clean(lead[: year.start()])  # a citation: the title, then (year), authors
        if title and not is_generic(title):
            return title, [Seg(SegKind.TEXT, lead[year.start() :]), *segs[j:]]
    for at, separator in enumerate(_SEPARATORS):
        found = separator.search(lead)
        if (
            found
            and at == 2
            and not named_after
            and _subtitle(lead[found.end() :])
            and not is_generic(_clean(lead[: found.start()]))  # "Paper name: X" is a label
        ):
            continue  # "Title: Subtitle [pdf]": the title is in the text, colon and all
        if found:
            title = _clean(lead[: found.start()])
            rest = [Seg(SegKind.TEXT, lead[found.end() :]), *segs[j:]]
            if fold(title) in TITLE_LABELS:  # "Paper name: X" (or a CJK colon) is titled X
                value = lead[found.end() :]
                cut = _SEPARATORS[0].search(value) or _SEPARATORS[1].search(value)
                named = polish(_clean(value[: cut.start()] if cut else value))
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
            # "The paper [Title](…) shows…": the link names it, the sentence describes it
            return _clean(after.text), segs[i:] if lead.strip() else segs[j + 1 :]
        elif (
            not words
            or words[-1].lower() in _PROSE_ENDS
            or words[0].lower() in _PROSE_STARTS
            or _runs_on(segs[j + 1] if j + 1 < n else None)
        ):
            return None, segs[i:]  # "Use [this](…) thread to…": prose around a generic link
    title = _clean(lead)
    return (title if title and not is_generic(title) else None), segs[j:]


_FIELD = re.compile(r"^\s*([^:：\[\]()]{1,24}?)\s*(?::\s+|：\s*)(\S.*)$", re.DOTALL)


def field_of(segs: list[Seg]) -> tuple[str, str] | None:
    """``(label, value)`` of a "Label: value" line ("Title: X", "Description: …"; CJK too)."""
    found = _FIELD.match(strip_markers(plain(segs)))
    return (found.group(1), found.group(2).strip()) if found else None


def _badges_before_title(segs: list[Seg], at: int) -> bool:
    """Badges (image links) before the item's name: on a line of their own, or right before
    a named link ("[![Star](…)](repo)<br>[Title](paper)"). They decorate; the name titles."""
    badge = segs[at].link
    if badge is None or segs[at].text or not badge.image:
        return False
    for seg in segs[at + 1 :]:
        if seg.kind is SegKind.BREAK:
            return True
        if seg.kind is SegKind.LINK:
            if seg.link is not None and (seg.text or not seg.link.image):
                return not seg.link.generic
        elif seg.text.strip():
            return False
    return False


def badge_title(parts: list[list[Seg]]) -> str | None:
    """The last resort for an item that names nothing else: its badge's alt text, when that
    names something ("[![EasyR1](…stars…)](repo) — R1 templates"; not "arXiv", "GitHub stars")."""
    for part in parts:
        for seg in part:
            link = seg.link
            if link is not None and not seg.text and link.image and _names("", link):
                return name_of(link.alt)
    return None


def _subtitle(text: str) -> bool:
    """What follows a colon reads as a subtitle (capitalized, not a sentence), not as a
    description ("Scaling Laws: A Study of Compute", "深度学习：综述"; not "Flask: a
    microframework for Python.")."""  # noqa: RUF002
    for separator in (*_SEPARATORS[:2], _SEPARATORS[3]):
        found = separator.search(text)
        if found:
            text = text[: found.start()]
    text = text.strip()
    if not text or _SENTENCE.search(text) or len(text.split()) > 20:
        return False
    first = text[0]
    return first.isupper() or first.isdigit() or ord(first) > 0x2E80


def polish(title: str) -> str:
    """A title without the list's punctuation around it: quote marks that wrap it whole
    (``**"Title"**``), a full stop after it (``**Title.** *Authors.*``)."""
    quoted = _QUOTED.match(title)
    if quoted:
        title = quoted.group(2).strip()
    if title.endswith(".") and not title.endswith("..") and len(title.split()) > 2:
        title = title[:-1].rstrip()
    quoted = _QUOTED.match(title)
    return quoted.group(2).strip() if quoted else title


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
    """An item's prose: named link texts kept, generic links dropped (with a label that
    introduces them: "Code: [x](…)", "**arXiv**：[2509.00676](…)"), punctuation tidied."""  # noqa: RUF002
    out: list[str] = []
    for at, seg in enumerate(segs):
        if seg.kind is SegKind.TEXT:
            out.append(seg.text)
        elif seg.kind is SegKind.LINK:
            link = seg.link
            generic = link is None or link.label or (is_qualifier(seg.text) and _in_run(segs, at))
            if generic and not _in_sentence(segs, at):
                text = "".join(out[-_LOOK_BACK:])  # the label is in the last few pieces
                found = _LABEL_BEFORE_LINK.search(text)
                tail = _generic_tail(found.group(1)) if found else None
                if found and tail is not None:
                    out[-_LOOK_BACK:] = [text[: found.start(1) + tail]]
                out.append(" ")
            else:
                out.append(seg.text)
        else:
            out.append(" ")
    return tidy("".join(out))


_LOOK_BACK = 4  # pieces of text before a link that may hold its label ("**arXiv**", a colon)


def _generic_tail(label: str) -> int | None:
    """Where the generic phrase that ends the label before a link starts ("… Project page",
    "论文链接"), if it ends with one."""
    for word in re.finditer(r"\S+", label):
        if is_generic(label[word.start() :]):
            return word.start()
    return None


def _link_next(segs: list[Seg], at: int) -> bool:
    """Another link follows (blanks between): the link opens a run of links, not a sentence."""
    for seg in segs[at + 1 :]:
        if seg.kind is SegKind.LINK:
            return True
        if seg.kind is SegKind.BREAK or seg.text.strip():
            return False
    return False


def _after_a_word(seg: Seg) -> bool:
    return seg.kind is SegKind.TEXT and bool(_WORD_BEFORE.search(seg.text))


_WORD_BEFORE = re.compile(r"[^\W\d_]\s*$")


def _in_run(segs: list[Seg], at: int) -> bool:
    """A link among other links, with only separators and brackets around it
    ("([Source Code](…), [Clients](…))"), not a word of a sentence."""
    for near in (segs[at - 1] if at else None, segs[at + 1] if at + 1 < len(segs) else None):
        if near is not None and near.kind is SegKind.TEXT and near.text.strip(_RUN_CHARS):
            return False
    return True


_RUN_CHARS = SEPARATOR_CHARS + "()[]{}（）【】.&"


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
    """Prose as read: emoji codes and field labels out, brackets emptied by dropped links out,
    separators and leading symbols trimmed; None when nothing but labels is left."""
    colon = ":" in text or "：" in text
    text = " ".join((SHORTCODE.sub(" ", text) if colon else text).split())
    if colon:
        text = _FIELD_LABEL.sub(lambda m: "" if fold(m.group(1)) in FIELD_LABELS else m[0], text)
    previous = None
    while previous != text and _TIDY_NEEDED.search(text):
        previous = text
        text = _EMPTY_BRACKETS.sub(" ", text)
        text = _SEPARATOR_RUN.sub(lambda m: m.group(1) + " ", text)
        text = " ".join(text.split())
    if _OPENER.search(text):
        text = _OPENED_BY_SEPARATOR.sub(r"\1", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    if text[:1] == "(":
        text = _LEADING_ASIDE.sub(r"\1 ", text)  # "(from X) - desc" -> "(from X) desc"
    text = balance(text.strip(SEPARATOR_CHARS))
    text = text.strip(SEPARATOR_CHARS).lstrip(SEPARATOR_CHARS + ".").strip()  # "**T**. Authors"
    text = _strip_symbols(text)  # "⚠ - …", "🟢 …"
    if text[:1] in "(（":
        text = _LEADING_TAG.sub("", text)  # "(label: x) …"
    text = text.lstrip(SEPARATOR_CHARS + ".").strip()
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        return None
    labels = [p for p in _LABEL_SPLIT.split(text) if p.strip()]
    if 2 <= len(labels) <= 4 and all(is_generic(p) for p in labels):
        return None  # only labels left ("Paper | Project", two "… link:" labels)
    return text


def _clean(title: str) -> str:
    title = " ".join(title.replace("**", "").split())
    title = balance(title.strip(SEPARATOR_CHARS)).strip(SEPARATOR_CHARS).strip()
    if title[:1] == "[" and title.endswith("]") and title.count("[") == 1:
        title = title[1:-1].strip()  # "[Jpegli][https://…]": a reference that never resolved
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


def name_of(text: str) -> str:
    """A link's text as a title: without emoji codes and the signs before it ("🔍 Agent"), nor
    quote marks around it."""
    if not text or (text[0].isalnum() and ":" not in text):
        return text  # the common case
    quoted = _QUOTED.match(text)
    if quoted:
        text = quoted.group(2).strip()  # ["Title"](…): quote marks around a name
    name = " ".join(_strip_symbols(SHORTCODE.sub(" ", text)).split())
    if name[:1] in "[【" and name.endswith(_PAIRS[name[0]]) and len(name) > 2:
        name = name[1:-1].strip()  # "[LLM4VAD · Video Anomaly Detection]"
    return name or text


def _strip_symbols(text: str) -> str:
    """Leading emoji and signs (``⚠``, ``🟢``, ``★``), not currency or maths (``$5``, ``~3``)."""
    at = 0
    while at < len(text) and (text[at].isspace() or unicodedata.category(text[at]) in _MARKS):
        at += 1
    return text[at:]


_MARKS = frozenset({"So", "Sk", "Mn", "Me", "Cf"})


def strip_markers(text: str) -> str:
    """Leading list numbering, bullets, emoji (and ``:emoji:`` codes) and symbols removed."""
    text = _SHORTCODES.sub("", _ENUMERATOR.sub("", text, count=1), count=1)
    at = 0
    while at < len(text) and (text[at].isspace() or unicodedata.category(text[at])[0] in "SC"
                              or unicodedata.category(text[at]) in ("Mn", "Me")):  # fmt: skip
        at += 1
    return text[at:] if at < len(text) else ""


def paragraph_groups(segs: list[Seg]) -> list[list[Seg]]:
    """A paragraph's lines grouped into items.

    - A line with a title of its own starts an item; a line of links only (bare URLs, badges,
      ``Code: [Official](…)``) joins the one above it.
    - Lines of text without links above an item's links are its head: a title wrapped over
      two lines (one line), a bold title and its authors (``**Title**  `` / ``*A. Author*``);
      the links that follow join them unless their line starts with a title of its own (a
      named link, bold text).
    - A last line of text without links describes the item above it (``[Name](…) <br> What it
      is.``); so does a line of prose after ``<br>`` that links something in passing."""
    groups: list[list[Seg]] = []
    for brk, line in _lines_with_breaks(segs):
        if not any(s.kind is SegKind.LINK or s.text.strip() for s in line):
            continue
        has_links = any(s.kind is SegKind.LINK for s in line)
        above = groups[-1] if groups else None
        head = above is not None and not any(s.kind is SegKind.LINK for s in above)
        if above is not None and head and not has_links and _wraps(above, brk):
            above += [Seg(SegKind.TEXT, " "), *line]  # a title wrapped over two lines
        elif (
            above is not None
            and head
            and _starts_titled(above)
            and not (has_links and _starts_titled(line))
            and not _labelled_title(line)
        ):
            above += [brk or Seg(SegKind.BREAK, newline=True), *line]  # authors, venue, links
        elif (
            above is not None
            and has_links
            and (title_and_rest(line)[0] is None or _goes_on(above, brk, line))
        ):
            above.append(brk or Seg(SegKind.BREAK, newline=True))
            above.extend(line)
        else:
            groups.append(list(line))
    if len(groups) > 1 and not any(s.kind is SegKind.LINK or s.code for s in groups[-1]):
        last = groups.pop()
        groups[-1] += [Seg(SegKind.BREAK, hard=True, newline=True), *last]
    return [piece for group in groups for piece in _unbar(group)]


def _lines_with_breaks(segs: list[Seg]) -> list[tuple[Seg | None, list[Seg]]]:
    """Segments split at line breaks, each line with the break before it."""
    out: list[tuple[Seg | None, list[Seg]]] = [(None, [])]
    for seg in segs:
        if seg.kind is SegKind.BREAK:
            out.append((seg, []))
        else:
            out[-1][1].append(seg)
    return out


def _goes_on(above: list[Seg], brk: Seg | None, line: list[Seg]) -> bool:
    """After ``<br>``, prose that names something in passing continues the item above
    ("**[iCal4j](…)**<br>Parse iCalendar [RFC 5545](…) data models."), not a new item."""
    return brk is not None and brk.hard and _starts_titled(above) and not _starts_titled(line)


def _wraps(above: list[Seg], brk: Seg | None) -> bool:
    """A line of text that runs on to the next (it ends with a connective, a comma, a hyphen,
    an opening bracket): "… Reinforcement Learning for" / "Long Video Reasoning"."""
    if brk is not None and brk.hard:
        return False
    last = next((s for s in reversed(above) if s.kind is not SegKind.BREAK), None)
    text = last.text.rstrip() if last is not None and last.kind is SegKind.TEXT else ""
    words = text.split()
    return bool(words) and (words[-1].lower() in _RUNS_ON or text[-1] in ",-–—(:：")


def _labelled_title(line: list[Seg]) -> bool:
    """A line that names its item with a title label ("Title: X", "论文名称：X")."""  # noqa: RUF002
    text = "".join(s.text for s in line if s.kind is SegKind.TEXT)
    found = _SEPARATORS[2].search(text)
    return found is not None and fold(strip_markers(text[: found.start()])) in TITLE_LABELS


def _starts_titled(line: list[Seg]) -> bool:
    """A line that opens with a name of its own: a named link or emphasized text."""
    for seg in line:
        if seg.kind is SegKind.LINK:
            return seg.link is not None and not seg.link.generic
        if seg.kind is SegKind.TEXT and strip_markers(seg.text).strip():
            return seg.emphasis and not seg.code
    return False


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
