"""Corpus report: the parser over every real list, each figure checked by an independent count.

Usage: ``python corpus.py [FOLDER]`` prints one row per list and the totals; ``run.py corpus``
writes them into RESULTS.md. FOLDER defaults to the real lists beside the checkout
(``$ENRICH_SHARED/lists/real``, ``ENRICH_SHARED`` defaulting to ``../shared``); they are other
people's files, read in place and never copied. `tests/test_real_lists.py` holds the totals.

The figures per list:

- *links lost*: URLs an independent reader finds (markdown-it-py's CommonMark tokens: Markdown
  links, reference links, autolinks ``<…>``, images; bare ``http(s)://`` and ``www.`` URLs in
  text outside links and code; ``href``/``src`` attributes of raw HTML) that are neither an
  entry's URL nor a skipped link. It shares no code with the parser.
- *empty titles*: entries with no title.
- *generic titles*: titles that are only a word naming a kind of link ("Paper", "Code",
  "Docs"…: this script's own vocabulary, not the parser's).
- *quoted titles*: titles wrapped in literal quote marks (``"Title"``, ``“Title”``).
- *undescribed*: entries with no description whose item (the list item or table row of the
  entry's first position, as markdown-it reads it) has words beyond its title and links.
- *parse time*: `parse_list`, in this process, median of three.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent


def shared() -> Path:
    """The folder of shared test material: ``$ENRICH_SHARED``, else ``../shared``."""
    return Path(os.environ.get("ENRICH_SHARED") or ROOT.parent / "shared")


REAL = shared() / "lists" / "real"

# Words that name a kind of link, not a thing: a title that is only one of these says nothing.
GENERIC_WORDS = frozenset({
    "paper", "papers", "pdf", "arxiv", "abs", "code", "github", "gitlab", "repo", "repository",
    "source", "source code", "project", "project page", "website", "web", "site", "homepage",
    "home", "demo", "video", "tweet", "blog", "link", "links", "here", "this", "more",
    "model", "models", "dataset", "data", "hf", "huggingface", "official", "docs", "doc",
    "documentation", "slides", "download", "leaderboard", "collection", "part 1", "part 2",
    "english", "alternative", "clients", "coming soon", "论文", "代码", "链接",
})  # fmt: skip
_QUOTES = ("\"'“”‘’「」『』«»„")  # fmt: skip
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_ATTR = re.compile(r"\b(href|src)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_TRAILING = ".,;:!?*_~'\")]}>"
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]")
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]*)\]\[[^\]]*\]")
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass
class Row:
    name: str
    entries: int = 0
    skipped: int = 0
    links: int = 0  # distinct URLs the independent reader finds
    lost: int = 0
    empty_titles: int = 0
    generic_titles: int = 0
    quoted_titles: int = 0
    undescribed: int = 0
    seconds: float = 0.0

    def add(self, other: Row) -> None:
        for f in fields(self):
            if f.name != "name":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def independent_urls(text: str) -> set[str]:
    """Every URL of a Markdown file as a reader of the rendered page would find it: link
    targets, images outside links (an image inside a link is that link's picture), bare URLs
    in text outside links and code."""
    md = MarkdownIt("commonmark").enable("table")
    found: set[str] = set()
    for token in md.parse(text):
        if token.type == "html_block":
            found |= _html_urls(token.content, [0])
        inside = [0]  # open links (Markdown or HTML) of this inline run
        for child in token.children or []:
            if child.type == "link_open":
                found.add(str(child.attrs.get("href", "")))
                inside[0] += 1
            elif child.type == "link_close":
                inside[0] -= 1
            elif child.type == "image" and not inside[0]:
                found.add(str(child.attrs.get("src", "")))
            elif child.type == "html_inline":
                found |= _html_urls(child.content, inside)
            elif child.type == "text" and not inside[0]:
                found |= {_bare(m.group()) for m in _URL.finditer(child.content)}
    return {u for u in found if u}


def _html_urls(fragment: str, inside: list[int]) -> set[str]:
    """``href`` of ``<a>``, ``src`` of images outside an ``<a>`` (``inside[0]`` counts the
    open ``<a>`` elements, across the inline pieces of one run)."""
    found: set[str] = set()
    for tag in _HTML_TAG.finditer(re.sub(r"<!--.*?-->", " ", fragment, flags=re.DOTALL)):
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name == "a":
            if closing:
                inside[0] = max(0, inside[0] - 1)
                continue
            inside[0] += 1
        for match in _ATTR.finditer(attributes):
            attribute = match.group(1).lower()
            if attribute == "href" or not inside[0]:
                found.add(html.unescape(next(g for g in match.groups()[1:] if g is not None)))
    return found


def _bare(url: str) -> str:
    url = html.unescape(url)
    while url and url[-1] in _TRAILING:
        url = url[:-1]
    return "http://" + url if url.lower().startswith("www.") else url


def _canon(url: str) -> str:
    return unquote(url.strip()).rstrip("/")


def _relative(url: str) -> str:
    """The path a relative link names (``./a/b/`` -> ``/a/b``), or "" for any other link."""
    if not url or "://" in url or url.startswith(("#", "mailto:")) or ":" in url.split("/")[0]:
        return ""
    path = posixpath.normpath(_bare_path(url) or ".")
    return "" if path in (".", "/") or path.startswith("..") else "/" + path.strip("/")


def _bare_path(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/")


def _spellings(url: str) -> list[str]:
    """A destination as written, and the URLs a malformed one holds (``[https://a`` with a stray
    bracket, ``[https://a](https://b)`` pasted whole): the parser reads the URL meant."""
    text = unquote(url.strip())
    out = [text, text.removeprefix("./") if text.startswith("./#") else text]
    if text.startswith(("[", "<", "(")):
        inner = text.lstrip("[<(")
        out += [part.rstrip(")]>") for part in inner.split("](")]
    return out


def lost_links(found: set[str], known: set[str]) -> list[str]:
    """The independent reader's URLs that are not an entry's or a skipped one. A bare URL
    followed by CJK text is the URL before that text (GitHub ends it there)."""
    canon = {_canon(k) for k in known}
    ordered = sorted(canon)
    lost = []
    for url in sorted(found):
        c = _canon(url)
        if c in canon or any(_canon(s) in canon for s in (html.unescape(url), *_spellings(url))):
            continue
        cjk = _CJK.search(c)
        if cjk and c[: cjk.start()].rstrip("/") in canon:
            continue
        if any(k.startswith(c) and not k[len(c) :].strip("/") for k in ordered):
            continue
        if _relative(c) and any(_bare_path(k).endswith(_relative(c)) for k in ordered):
            continue  # a github: list's relative link, resolved against its repository
        lost.append(url)
    return lost


def item_blocks(text: str) -> dict[int, str]:
    """First line (1-based) of each list item, table row and paragraph -> its own text (a list
    item without the sub-items that hold links of their own)."""
    lines = text.splitlines()
    md = MarkdownIt("commonmark").enable("table")
    blocks: dict[int, str] = {}
    for token in md.parse(text):
        if token.map is None or token.type not in ("list_item_open", "tr_open", "paragraph_open"):
            continue
        start, end = token.map
        if token.type == "list_item_open":
            own = _own_lines(lines[start:end])
        else:
            own = lines[start:end] if token.type == "paragraph_open" else lines[start : start + 1]
        blocks.setdefault(start + 1, "\n".join(own))
    return blocks


_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])\s")


def _own_lines(lines: list[str]) -> list[str]:
    """An item's lines, nested items that link something of their own left out."""
    if not lines:
        return lines
    out = [lines[0]]
    base = len(lines[0]) - len(lines[0].lstrip())
    skipping = False
    for line in lines[1:]:
        bullet = _BULLET.match(line)
        if bullet and len(bullet.group(1)) > base:
            skipping = "](" in line or "http" in line or "href" in line
        if not skipping:
            out.append(line)
    return out


def words_beyond(block: str, title: str | None) -> int:
    """Words of an item's text that are not its title, a link's address, markup or a generic
    link word: the text a description should hold."""
    text = _MD_IMAGE.sub(" ", block)
    text = _MD_LINK.sub(lambda m: " " + (m.group(1) or m.group(2) or "") + " ", text)
    text = _TAG.sub(" ", html.unescape(text))
    text = _URL.sub(" ", text)
    if title:
        text = text.replace(title, " ")
    words = [w for w in _WORD.findall(text) if w.lower() not in GENERIC_WORDS]
    return len(words) + len(_CJK.findall(text)) // 3


def is_generic(title: str) -> bool:
    return " ".join(title.strip("[]()*_:：.- ").lower().split()) in GENERIC_WORDS


def is_quoted(title: str) -> bool:
    return len(title) > 2 and title[0] in _QUOTES and title[-1] in _QUOTES


_README_ROW = re.compile(
    r"^\|\s*(?P<file>[^|\s]+\.md)\s*\|\s*(?P<repo>[\w.-]+/[\w.-]+)\s*@\s*\w+\s*(?:\((?P<path>[^)]+)\))?"
)


def sources(folder: Path) -> dict[str, str]:
    """Each list's source as a nightly run reads it (``github:owner/repo/path``), from the
    folder's README (its table names each file's repository and path), else the file's name."""
    readme = folder / "README.md"
    found: dict[str, str] = {}
    if readme.is_file():
        for line in readme.read_text().splitlines():
            row = _README_ROW.match(line)
            if row:
                path = row.group("path") or "README.md"
                found[row.group("file")] = f"github:{row.group('repo')}/{path}"
    return found


def measure(path: Path, repeat: int = 3, source: str | None = None) -> Row:
    from enrich.core.listing import parse_list

    data = path.read_bytes()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        parsed = parse_list(data + b"\n" * len(times), source or path.name)  # not cached
        times.append(time.perf_counter() - started)
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    row = Row(path.name, entries=len(parsed.entries), skipped=len(parsed.skipped))
    row.seconds = statistics.median(times)
    known = {u for e in parsed.entries for u in e.urls} | {s.url for s in parsed.skipped}
    found = independent_urls(text)
    row.links = len(found)
    row.lost = len(lost_links(found, known))
    blocks = item_blocks(text)
    for entry in parsed.entries:
        title = entry.title
        if not title:
            row.empty_titles += 1
        elif is_generic(title):
            row.generic_titles += 1
        elif is_quoted(title):
            row.quoted_titles += 1
        if entry.description is None and entry.items:
            block = blocks.get(entry.items[0].line)
            if block is not None and words_beyond(block, entry.items[0].title or title) >= 3:
                row.undescribed += 1
    return row


def lists(folder: Path = REAL) -> Iterator[Path]:
    yield from (p for p in sorted(folder.glob("*.md")) if p.name != "README.md")


def report(folder: Path = REAL, repeat: int = 3) -> tuple[list[Row], Row]:
    named = sources(folder)
    rows = [measure(path, repeat, named.get(path.name)) for path in lists(folder)]
    total = Row("total")
    for row in rows:
        total.add(row)
    return rows, total


def _pct(part: int, whole: int) -> str:
    return f"{part:,} ({100 * part / whole:.1f}%)" if whole else "0"


def table(rows: list[Row], total: Row) -> list[str]:
    out = [
        "| list | entries | skipped | links found | lost | empty titles | generic titles "
        "| quoted titles | undescribed | parse |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [*rows, total]:
        name = f"**{r.name}**" if r is total else f"`{r.name.removesuffix('.md')}`"
        out.append(
            f"| {name} | {r.entries:,} | {r.skipped:,} | {r.links:,} | {r.lost} | "
            f"{_pct(r.empty_titles, r.entries)} | {_pct(r.generic_titles, r.entries)} | "
            f"{r.quoted_titles} | {r.undescribed} | {r.seconds:.2f} s |"
        )
    return out


def section(folder: Path = REAL) -> list[str]:
    """The RESULTS.md section (``run.py corpus``)."""
    rows, total = report(folder)
    return [
        "## Corpus: the parser on the real lists (issue 25)",
        "",
        f"`benches/corpus.py` over the {len(rows)} lists of `../shared/lists/real/` (their "
        "README says where each comes from). *links found*: distinct URLs an independent "
        "reader finds (markdown-it-py tokens, bare URLs, HTML `href`/`src`); *lost*: those that "
        "are neither an entry nor a skipped link. *generic titles*: a title that is only a "
        "word naming a kind of link; *quoted*: wrapped in quote marks; *undescribed*: no "
        "description though the item has words beyond its title. Parse: median of 3, in one "
        "process. Targets: 0 lost, empty titles ≤ 0.5%, generic titles ≤ 0.3% of entries.",
        "",
        *table(rows, total),
        "",
    ]


def main() -> None:
    folder = Path(sys.argv[1]) if sys.argv[1:] else REAL
    if not folder.is_dir():
        sys.exit(f"{folder} is absent: set ENRICH_SHARED to the shared folder")
    rows, total = report(folder, repeat=1)
    print("\n".join(table(rows, total)))


if __name__ == "__main__":
    main()
