"""Markdown awesome list -> list entries, on markdown-it-py's CommonMark token stream.

Every link of the document becomes an entry (links in prose count too: a paper cited in a
paragraph is part of the list). Headings give the section path; a paragraph that is nothing
but emphasis (``*2020*``) is a pseudo-heading one level below the current heading. Bare URLs
are found by linkify, as GitHub renders them.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from enrich.core.errors import InputError
from enrich.core.links import SourceRef, classify
from enrich.core.model import Entry, Position, Skipped, Status


@dataclass(frozen=True)
class ListedLink:
    """One link as it stands in the list, before links to the same thing are merged."""

    url: str
    text: str | None
    description: str | None
    section: tuple[str, ...]
    line: int
    index: int
    parent: str | None = None


@dataclass(frozen=True)
class ParsedList:
    source: str
    sha256: str
    entries: list[Entry]
    skipped: list[Skipped] = field(default_factory=list)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table"])
    # markdown-it drops javascript:/data: links to plain text (it guards HTML output). We never
    # render its HTML; we want to see such links so they are reported as rejected, not lost.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


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


def parse_list(data: bytes, source: str) -> ParsedList:
    """Parse a list file's bytes into entries; raises `InputError` when it has no links.

    A run parses its list at each step (prepare, plan, build); the answer for the same bytes is
    the same, so it is kept (a few lists) and shared: callers must not change it."""
    return _parse_list(data, source)


@functools.lru_cache(maxsize=4)
def _parse_list(data: bytes, source: str) -> ParsedList:
    text = decode_list(data, source)
    links, skipped = extract_links(text)
    entries, rejected = build_entries(links)
    skipped.extend(rejected)
    if not entries:
        raise InputError(f"{source}: has no links to enrich")
    return ParsedList(
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        entries=entries,
        skipped=sorted(skipped, key=lambda s: (s.line, s.url)),
    )


def extract_links(text: str) -> tuple[list[ListedLink], list[Skipped]]:
    """Walk the token stream; return the links in document order and the skipped ones."""
    tokens = _markdown().parse(text)
    headings: list[tuple[float, str]] = []  # (level, title); pseudo-headings have level+0.5
    items: list[str | None] = []  # text of each open list item, innermost last
    links: list[ListedLink] = []
    skipped: list[Skipped] = []
    heading_level: int | None = None
    paragraph_only_emphasis = False

    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            heading_level = int(token.tag[1:])
        elif token.type == "list_item_open":
            items.append(None)
        elif token.type == "list_item_close":
            items.pop()
        elif token.type == "inline":
            title = _plain(token.children or [])
            if heading_level is not None:
                headings = [h for h in headings if h[0] < heading_level]
                headings.append((heading_level, title))
                heading_level = None
            elif _is_pseudo_heading(tokens, i):
                base = max((h[0] for h in headings if h[0] == int(h[0])), default=0)
                headings = [h for h in headings if h[0] <= base]
                headings.append((base + 0.5, title.strip()))
                paragraph_only_emphasis = True
            if items and items[-1] is None:
                items[-1] = title
            if not paragraph_only_emphasis:
                section = tuple(h[1] for h in headings)
                parent = items[-2] if len(items) >= 2 else None
                _collect(token, section, parent, links, skipped)
            paragraph_only_emphasis = False
    return links, skipped


def _is_pseudo_heading(tokens: list[Token], i: int) -> bool:
    """A paragraph outside any list that is only emphasis (``*2020*``, ``**Tools**``)."""
    if i == 0 or tokens[i - 1].type != "paragraph_open" or tokens[i - 1].level != 0:
        return False
    children = [c for c in tokens[i].children or [] if not (c.type == "text" and not c.content)]
    if len(children) < 3 or children[0].type not in ("em_open", "strong_open"):
        return False
    closer = children[0].type.replace("_open", "_close")
    return children[-1].type == closer and all(c.type != "link_open" for c in children)


def _plain(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


_SEPARATORS = " \t-–—:|,;()[]"


def _collect(
    inline: Token,
    section: tuple[str, ...],
    parent: str | None,
    links: list[ListedLink],
    skipped: list[Skipped],
) -> None:
    """Append the links of one inline run (a heading, paragraph or list item's text)."""
    line = (inline.map[0] if inline.map else 0) + 1
    pieces: list[tuple[str, str]] = []  # ("text", s) or ("link", n): the run's plain text
    found: list[tuple[str, str, int, bool]] = []  # (href, text, line, contains an image)
    open_link: tuple[str, int] | None = None  # (href, line) of the link being read
    link_text: list[str] = []
    has_image = False
    for child in inline.children or []:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            _add_text(" ", open_link, link_text, pieces)
        elif child.type == "link_open":
            open_link, link_text, has_image = (str(child.attrs.get("href", "")), line), [], False
        elif child.type == "link_close" and open_link:
            text = re.sub(r"\s+", " ", "".join(link_text)).strip()
            found.append((open_link[0], text, open_link[1], has_image))
            pieces.append(("link", str(len(found) - 1)))
            open_link = None
        elif child.type == "image":
            if open_link:
                has_image = True
            else:
                src = str(child.attrs.get("src", ""))
                skipped.append(Skipped(url=src, line=line, reason="image"))
        elif child.type in ("text", "code_inline"):
            _add_text(child.content, open_link, link_text, pieces)

    for n, (href, text, at_line, image) in enumerate(found):
        if image and not text:
            skipped.append(Skipped(url=href, line=at_line, reason="badge (image link)"))
            continue
        reason = _skip_reason(href)
        if reason:
            skipped.append(Skipped(url=href, line=at_line, reason=reason))
            continue
        bare = not text or text in (href, href.removeprefix("mailto:"))
        before, after = _around(pieces, n)
        description = after.strip(_SEPARATORS) or None
        if not bare and description is None and len(found) == 1:
            description = before.strip(_SEPARATORS) or None
        links.append(
            ListedLink(
                url=href,
                text=(before.strip(_SEPARATORS) or None) if bare else text,
                description=description,
                section=section,
                line=at_line,
                index=len(links) + 1,
                parent=parent,
            )
        )


def _add_text(
    text: str, open_link: object, link_text: list[str], pieces: list[tuple[str, str]]
) -> None:
    """Text inside a link is its label; outside, the surrounding description."""
    if open_link:
        link_text.append(text)
    else:
        pieces.append(("text", text))


def _around(pieces: list[tuple[str, str]], n: int) -> tuple[str, str]:
    """The plain text between the previous link and link n, and between n and the next."""
    at = pieces.index(("link", str(n)))
    before: list[str] = []
    for kind, value in reversed(pieces[:at]):
        if kind == "link":
            break
        before.insert(0, value)
    after: list[str] = []
    for kind, value in pieces[at + 1 :]:
        if kind == "link":
            break
        after.append(value)
    return re.sub(r"\s+", " ", "".join(before)), re.sub(r"\s+", " ", "".join(after))


def _skip_reason(href: str) -> str | None:
    lowered = href.strip().lower()
    if not lowered:
        return "empty link"
    if lowered.startswith("#"):
        return "in-page anchor"
    if lowered.startswith("mailto:"):
        return "mailto link"
    if "://" not in lowered and not re.match(r"^[a-z][a-z0-9+.\-]*:", lowered):
        return "relative link"
    return None


def build_entries(links: list[ListedLink]) -> tuple[list[Entry], list[Skipped]]:
    """Merge links to the same thing into one entry (first position wins for the text)."""
    by_id: dict[str, Entry] = {}
    rejected: list[Skipped] = []
    for link in links:
        try:
            ref: SourceRef = classify(link.url)
        except InputError as exc:
            rejected.append(Skipped(url=link.url, line=link.line, reason=exc.message))
            continue
        position = Position(
            section=list(link.section), line=link.line, index=link.index, parent=link.parent
        )
        entry = by_id.get(ref.entry_id)
        if entry is None:
            by_id[ref.entry_id] = Entry(
                id=ref.entry_id,
                kind=ref.kind,
                source_id=ref.source_id,
                url=link.url,
                urls=[link.url],
                title=link.text,
                description=link.description,
                section=list(link.section),
                positions=[position],
                listed_version=ref.version,
                status=Status.PENDING,
            )
        else:
            entry.positions.append(position)
            if link.url not in entry.urls:
                entry.urls.append(link.url)
            entry.title = entry.title or link.text
            entry.description = entry.description or link.description
    return sorted(by_id.values(), key=lambda e: e.id), rejected
