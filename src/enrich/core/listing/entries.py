"""Links -> entries: what is skipped and why, one entry per upstream object, ties per item.

Skipped (never fetched, listed in ``skipped`` with the reason): empty links, in-page anchors,
mailto, relative links, images, links to badge services, a repository's licence or
contributing file, the list's own repository (named by the list source, or by links to its
licence, issues, stars… before the first item), and URLs the classifier rejects. An image link
(a badge) whose target is anything else is an entry like any link; its image is not its title.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from enrich.core.errors import InputError
from enrich.core.links import Kind, SourceRef, classify, is_badge_service, normalize_url
from enrich.core.listing.items import Read, name_of
from enrich.core.listing.records import built, share_names
from enrich.core.listing.segments import RawLink, Skip
from enrich.core.listing.walker import Walk
from enrich.core.listing.words import PLATFORMS, fold, is_qualifier
from enrich.core.model import Entry, Item, ItemKind, Position, Skipped, Status

# An item that links more distinct entries than this is a collection (a navigation bar, a
# paragraph of links), not one thing: its entries are not tied to each other.
MAX_TIED = 16

# "Tweet this", "Share on …" buttons: a link that posts, not a page.
_SHARE = re.compile(
    r"^https?://(?:www\.)?(?:(?:twitter|x)\.com/(?:intent|share)|facebook\.com/sharer"
    r"|linkedin\.com/share|reddit\.com/submit|t\.me/share|news\.ycombinator\.com/submitlink)",
    re.IGNORECASE,
)
# A URL whose path names an image file (its query and fragment aside).
_IMAGE_FILE = re.compile(r"^[a-z]+://[^?#]*\.(?:png|jpe?g|gif|svg|webp|bmp|ico|avif)(?:[?#]|$)")
_GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)([/?#].*)?$", re.I)
_RAW_GITHUB = re.compile(r"^https?://raw\.githubusercontent\.com/([\w.-]+)/([\w.-]+)/", re.I)
_SOURCE = re.compile(r"^github:([\w.-]+)/([\w.-]+)/")
_LICENCE_FILE = re.compile(
    r"^/(?:blob|tree|raw)/[^/]+/(?:LICEN[CS]E|COPYING|CONTRIBUTING|CODE_OF_CONDUCT)[^/]*$",
    re.IGNORECASE,
)
# Pages of a repository that are about the repository itself (what header badges link to).
_META_PAGE = re.compile(
    r"^/(?:issues|pulls|stargazers|watchers|network|forks|graphs|commits|actions|releases"
    r"|discussions|fork|compare|blob/[^/]+/(?:LICEN[CS]E|CONTRIBUTING)[^/]*)(?:[/.?#].*)?$",
    re.IGNORECASE,
)


def repository_part(href: str) -> bool:
    """A link into a repository rather than to it: a folder, a file (its README aside), the
    wiki, an issue (``github.com/o/r/tree/main/research/swivel``)."""
    found = _GITHUB.match(href.strip())
    if not found or not found.group(3):
        return False
    rest = [s for s in found.group(3).split("#", 1)[0].split("?", 1)[0].split("/") if s]
    if not rest or (rest[0] == "tree" and len(rest) <= 2):
        return False
    return not (rest[0] == "blob" and len(rest) == 3 and rest[2].lower().startswith("readme"))


def resolve(href: str, source: str) -> str:
    """A relative link of a list read from a GitHub repository (``github:owner/repo/path``),
    as GitHub shows it: a folder or file of that repository (``HEAD``: its default branch)."""
    found = _SOURCE.match(source)
    text = href.strip()
    if not found or not text or "://" in text or text.startswith(("#", "mailto:", "//")):
        return href
    if re.match(r"^[a-z][a-z0-9+.\-]*:", text, re.IGNORECASE):
        return href
    path, _, fragment = text.partition("#")
    path, _, query = path.partition("?")
    if fragment and posixpath.normpath(path or ".") == ".":
        return f"#{fragment}"  # "./#section": this page
    folder = posixpath.dirname(source[found.end() :])
    joined = posixpath.normpath(posixpath.join("/" if path.startswith("/") else f"/{folder}", path))
    if joined.startswith("/.."):
        return href  # outside the repository
    view = "tree" if path.endswith("/") else "blob"  # GitHub redirects one to the other
    slash = "/" if path.endswith("/") and joined != "/" else ""
    url = f"https://github.com/{found.group(1)}/{found.group(2)}/{view}/HEAD{joined}{slash}"
    return url + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


@dataclass(frozen=True)
class ListedLink:
    """One link as it stands in the list, before links to the same thing are merged."""

    url: str
    text: str | None  # the title the link gives its entry
    description: str | None
    section: tuple[str, ...]
    line: int
    index: int  # 1-based order among all links of the file (skipped ones count too)
    parent: str | None = None
    item: Item | None = None
    page: bool = False  # a folder or file of the list's own repository: a page of the list


def own_repositories(source: str, header_links: list[RawLink]) -> set[str]:
    """``owner/repo`` (lower-cased) of the list's own repository, when it can be told."""
    own: set[str] = set()
    for pattern in (_SOURCE, _GITHUB, _RAW_GITHUB):
        found = pattern.match(source)
        if found:
            own.add(f"{found.group(1)}/{found.group(2).removesuffix('.git')}".lower())
    for link in header_links:
        found = _GITHUB.match(link.href)
        if found and found.group(3) and _META_PAGE.match(found.group(3)):
            own.add(f"{found.group(1)}/{found.group(2).removesuffix('.git')}".lower())
    return own


def skip_reason(href: str, own: set[str]) -> str | None:
    lowered = href.strip().lower()
    if not lowered:
        return "empty link"
    if lowered.startswith("#"):
        return "in-page anchor"
    if lowered.startswith("mailto:"):
        return "mailto link"
    if "://" not in lowered and not re.match(r"^[a-z][a-z0-9+.\-]*:", lowered):
        return "relative link"
    if is_badge_service(href):
        return "badge (links to a badge service)"
    if _SHARE.match(href.strip()):
        return "share button"
    if _IMAGE_FILE.search(lowered):
        return "image"
    github = _GITHUB.match(href.strip())
    if github:
        if github.group(3) and _LICENCE_FILE.match(github.group(3)):
            return "a repository's licence or contributing guide"
        if f"{github.group(1)}/{github.group(2).removesuffix('.git')}".lower() in own:
            if repository_part(href) and not _META_PAGE.match(github.group(3) or ""):
                return None  # a folder or file of the list's repository: one of its pages
            return "the list's own repository"
    return None


def listed_links(walk: Walk, source: str) -> tuple[list[ListedLink], list[Skip]]:
    """Every link that may be an entry, in document order, with its title and item."""
    skipped: list[Skip] = []
    return list(iter_listed(walk, source, skipped)), skipped


def iter_listed(walk: Walk, source: str, skipped: list[Skip]) -> Iterator[ListedLink]:
    """`listed_links` one at a time (a long list's links are not all held twice); the skipped
    are appended to ``skipped``."""
    own = own_repositories(source, walk.header_links)
    Row = tuple[RawLink, Read | None, tuple[str, ...], str | None, str | None]
    rows: list[Row | None] = []
    for read in walk.items:
        for link in read.links:
            rows.append((link, read, read.section, read.parent, None))
    for loose in walk.loose:
        rows.append((loose.link, None, loose.section, loose.parent, loose.description))
    walk.items, walk.loose = [], []
    rows.sort(key=lambda row: row[0].seq if row else 0)
    items: dict[int, Item] = {}
    for at, row in enumerate(rows):
        assert row is not None
        link, draft, section, parent, described = row
        rows[at] = None  # read: let it go
        href = resolve(link.href, source)
        reason = skip_reason(href, own)
        if reason is None and link.line < walk.header_end and link.image and not link.text:
            reason = "badge in the list's header"
        if reason:
            skipped.append(Skip(href, link.line, reason))
            continue
        item = None
        if draft is not None:
            item = items.get(draft.index)
            if item is None:  # numbered in order of their first link
                item = items[draft.index] = _item(draft, len(items) + 1)
        title = _title(link, item, draft)
        description = item.description if item else described
        if (
            description
            and title
            and len(description) < len(title) + 8
            and fold(description) == fold(title)
        ):
            description = None  # "Paper link: [Title](…)": the text only repeats the title
        yield ListedLink(
            url=href,
            text=title,
            description=description,
            section=section,
            line=link.line,
            index=link.seq,  # among all links of the file, skipped ones too: whatever the source
            parent=parent,
            item=item,
            page=href != link.href or _own(href, own),
        )


def _own(href: str, own: set[str]) -> bool:
    found = _GITHUB.match(href)
    return found is not None and f"{found[1]}/{found[2].removesuffix('.git')}".lower() in own


def _title(link: RawLink, item: Item | None, read: Read | None) -> str | None:
    """A link's title: its text when that names something, else its item's title.

    - A text that names a part or version of the item's thing ("[PyTorch](…)" in a paper's
      code column, "[Clients](…)", "[English](…)") is the item's title where the item has
      one of its own, unless the link stands in a sentence ("built on [TensorFlow](…)").
    - A link in a sentence whose text is words of that sentence, not a name ("see
      [alternatives](…)", "SDKs for [golang](…)": lower case, not the target's own name) has
      no title: the upstream's name stands in (the display title)."""
    own = item.title if item else None
    if read is not None and link.seq in read.link_titles:
        own = read.link_titles[link.seq]  # a sub-item's link, named by a sibling ("论文" Title)
    if link.generic:
        if own is None and _is_repository(link.text, link.href):
            return link.text  # "[hub](github.com/github/hub)", "[datasets](…/datasets)"
        return own
    prose = read is not None and link.seq in read.in_prose
    if not prose and own and is_qualifier(link.text) and fold(own) != fold(link.text):
        return own
    if read is not None and read.hint and own == link.text and fold(own) in PLATFORMS:
        return read.hint  # "- [Discord](…)" in the links of "## [Agent4Rec](…)"
    if prose and link.text == link.text.lower() and not _names_target(link.text, link.href):
        return None
    return name_of(link.text)


def _is_repository(text: str, href: str) -> bool:
    """The text is the repository's own name (a generic word can name one: ``hub``, ``doi``)."""
    found = _GITHUB.match(href)
    return (
        found is not None
        and not repository_part(href)
        and found.group(2).removesuffix(".git").lower() == text.strip().lower()
    )


def _names_target(text: str, href: str) -> bool:
    """The text names what the link points at: a repository by its name ("greenlet", not
    "golang" for ``sdk-golang``), a page by a word of its address ("rsync" for
    ``linux.die.net/man/1/rsync``, "hdparm" for ``wiki/Hdparm``)."""
    words = {w for w in re.split(r"[^\w@.+-]+", text.lower()) if len(w) > 1}
    found = _GITHUB.match(href)
    if found and not (found.group(3) or "").strip("/"):
        return found.group(2).removesuffix(".git").lower() in words
    parts = urlsplit(href.lower())
    host = (parts.hostname or "").removeprefix("www.")
    segments = [host, *unquote(parts.path).split("/"), *host.split(".")]
    tokens = {t for seg in segments for t in (seg, *re.split(r"[_.?=&#+-]+", seg)) if t}
    tokens |= {re.sub(r"\W+|_", "", t) for t in tokens}
    return any(w.lstrip("@") in tokens or re.sub(r"\W+|_", "", w) in tokens for w in words)


def _item(draft: Read, index: int) -> Item:
    table = draft.kind is ItemKind.TABLE_ROW
    return built(
        Item,
        index=index,
        kind=draft.kind,
        title=draft.title,
        description=draft.description,
        section=_shared(draft.section),
        line=draft.line,
        columns=[name for name, _ in draft.cells] if table else _NONE,
        cells=[text for _, text in draft.cells] if table else _NONE,
    )


# The columns and cells of every item that is not a table row (most of a long list's items),
# and the lists an entry's enrichment fills: one empty list shared by the records of a parse,
# which are changed by copy (`enrich.core.model.updated`), never in place.
_NONE: list[str] = []


class _Merged:
    """An entry being merged from its links; built once, as an `Entry`, when all are read."""

    __slots__ = (
        "description", "items", "positions", "ref", "rooted", "section", "title", "url", "urls",
    )  # fmt: skip

    def __init__(self, ref: SourceRef, link: ListedLink, position: Position, part: bool) -> None:
        self.ref, self.url, self.urls = ref, link.url, [link.url]
        self.section = _shared(link.section)
        self.title, self.description = link.text, link.description
        self.positions, self.items = [position], list[Item]()
        self.rooted = not part  # linked as the repository itself, not only through its folders


def build_entries(links: Iterable[ListedLink]) -> tuple[list[Entry], list[Skipped]]:
    """Merge links to the same thing into one entry (first position wins for the text); tie
    the entries of each item."""
    merged: dict[str, _Merged] = {}
    rejected: list[Skipped] = []
    members: dict[int, list[str]] = {}
    for link in links:
        try:
            ref: SourceRef = _page(link.url) if link.page else classify(link.url)
        except InputError as exc:
            rejected.append(Skipped(url=link.url, line=link.line, reason=exc.message))
            continue
        item = link.item
        position = built(
            Position,
            section=_shared(link.section),
            line=link.line,
            index=link.index,
            parent=link.parent,
            item=item.index if item else None,
        )
        key = ref.entry_id
        entry = merged.get(key)
        part = ref.kind is Kind.REPO and repository_part(link.url)
        if part and entry is not None and not entry.rooted and link.url not in entry.urls:
            entry.title = entry.description = None  # several of its folders: none names it
        if entry is None:
            entry = merged[key] = _Merged(ref, link, position, part)
        else:
            entry.positions.append(position)
            if link.url not in entry.urls:
                entry.urls.append(link.url)
            if not part and not entry.rooted:  # the first link to the repository itself
                entry.title, entry.description = link.text, link.description
                entry.rooted = True
            elif not part:
                entry.title = entry.title or link.text
                entry.description = entry.description or link.description
        if item is not None:
            if not entry.items or entry.items[-1].index != item.index:
                entry.items.append(item)
            ids = members.setdefault(item.index, [])
            if not ids or ids[-1] != key:
                ids.append(key)
    ties = _ties(members)
    # each let go as its entry is made: the two are not all held at once
    entries = [_entry(merged.pop(key), ties.get(key)) for key in sorted(merged)]
    return entries, rejected


def _entry(merged: _Merged, tied: list[str] | None) -> Entry:
    ref = merged.ref
    fields: dict[str, object] = {
        "id": ref.entry_id,
        "kind": ref.kind,
        "source_id": ref.source_id,
        "url": merged.url,
        "urls": merged.urls,
        "title": merged.title,
        "description": merged.description,
        "section": merged.section,
        "positions": merged.positions,
        "items": merged.items,
        "listed_version": ref.version,
        "status": Status.PENDING,
        # filled later by copy (`graph.with_graph`, the run's budget), never in place: one
        # empty list for all
        "cross_links": _NONE,
        "ties": _NONE,
        "deferred": _NONE,
        "same_item": tied if tied is not None else _NONE,
    }
    return built(Entry, **fields)


def _page(url: str) -> SourceRef:
    """A page of the list's own repository: a web page (the repository is the list itself)."""
    classify(url)  # the same checks as any URL
    key = normalize_url(url)
    return SourceRef(Kind.WEB, key, key, url)


# Before any record is made (the parser is imported before a run makes or reads one): the names
# of the fields the records of each class share (`records` says why)
share_names(Entry, Position, Item)


@functools.lru_cache(maxsize=1024)
def _shared(section: tuple[str, ...]) -> list[str]:
    """One list per section path, shared by the positions and items in it (a long list has
    few sections and many links). Records of a parse are not changed afterwards."""
    return list(section)


def _ties(members: dict[int, list[str]]) -> dict[str, list[str]]:
    """Each entry id -> the ids of the entries it shares an item with (sorted)."""
    ties: dict[str, set[str]] = {}
    for ids in members.values():
        distinct = set(ids)
        if 1 < len(distinct) <= MAX_TIED:
            for entry_id in distinct:
                ties.setdefault(entry_id, set()).update(distinct - {entry_id})
    return {entry_id: sorted(others) for entry_id, others in ties.items()}
