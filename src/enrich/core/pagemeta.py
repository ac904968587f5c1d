"""What a web page says about itself: its meta tags and JSON-LD, read once, interpreted later.

Pure (lxml over bytes already received). `read_head` runs in the web source's fetch and keeps,
in the raw hop, the page's own declarations as written (every ``<meta>`` name/property/itemprop
and its content in document order, the JSON-LD objects, the arXiv links); `paper_meta` and
`summary` interpret them at normalize, so a better interpretation is a rebuild, not a refetch.

A paper's landing page is read the way Google Scholar and Zotero read it, field by field:

1. Highwire Press tags (Google Scholar's): ``citation_title``, every ``citation_author`` in
   order (with the ``citation_author_institution`` tags that follow each), the date from
   ``citation_publication_date`` / ``citation_date`` / ``citation_online_date``, the venue from
   ``citation_conference_title`` / ``citation_journal_title`` / ``citation_inbook_title``,
   ``citation_doi``, ``citation_pdf_url``, ``citation_arxiv_id``, ``citation_abstract``;
2. then Dublin Core (``dc.title``, ``dc.creator``, ``dc.date``, ``dc.identifier``,
   ``dc.source``…, any case, ``dcterms.*`` too);
3. then a schema.org ``ScholarlyArticle`` in JSON-LD (``headline``/``name``, ``author``,
   ``datePublished``, ``isPartOf``, a DOI ``identifier`` or ``sameAs``, ``abstract``).

Each field says where it was read (`enrich.core.model.MetaSources`). Every other page gets its
OpenGraph title and description (`summary`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from enrich.core.links import ARXIV_ID
from enrich.core.model import Author, MetaSources, PaperMeta
from enrich.core.paperhosts import doi_key
from enrich.core.rawdocs import PageHead

# Caps on what a hop keeps: a page's own declarations are small; a page that declares more is
# not a paper's landing page worth the space.
MAX_META = 400
MAX_VALUE = 4_000
MAX_JSONLD = 8
MAX_JSONLD_BYTES = 50_000
# Nesting of one JSON-LD block: real ones are a few levels deep; a ``[[[…]]]`` block of 40 KB
# raised RecursionError (no ValueError) and failed the whole web source.
MAX_JSONLD_DEPTH = 64
MAX_ARXIV_LINKS = 20
MAX_TEXT = 1_000  # a description, as published

_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_ARXIV_HREF = re.compile(
    r"^(?:https?:)?//(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_YEAR = re.compile(r"\b(1[89]\d{2}|2\d{3})\b")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def read_head(body: bytes, content_type: str) -> PageHead:
    """The page's title and declarations, as written; a page that is not HTML has none."""
    head = PageHead(title=None, bytes=len(body))
    if "html" not in content_type.lower() or not body.strip():
        return head
    charset = _CHARSET.search(content_type)
    try:
        parser = etree.HTMLParser(
            recover=True, no_network=True, remove_comments=True, remove_pis=True,
            encoding=charset.group(1) if charset else None,
        )  # fmt: skip
        root = etree.fromstring(body, parser)
    except (etree.ParserError, LookupError, ValueError):
        return head
    if root is None:
        return head
    title = root.find(".//title")
    if title is not None:
        head["title"] = _clean(title.xpath("string()")) or None
    meta: list[list[str]] = []
    for tag in root.iter("meta"):
        key = tag.get("name") or tag.get("property") or tag.get("itemprop")
        value = tag.get("content")
        if key and value is not None and len(meta) < MAX_META:
            meta.append([key.strip()[:200], value[:MAX_VALUE]])
    head["meta"] = meta
    head["jsonld"] = list(_jsonld(root))
    head["arxiv_links"] = _arxiv_links(root)
    return head


def _jsonld(root: Any) -> Iterator[Any]:
    found = 0
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        if not text or len(text) > MAX_JSONLD_BYTES or found >= MAX_JSONLD:
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            continue
        if _deeper_than(value, MAX_JSONLD_DEPTH):
            continue
        yield value
        found += 1


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` nests containers more than ``limit`` deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _arxiv_links(root: Any) -> list[str]:
    ids: list[str] = []
    for tag in root.iter("a", "link"):
        match = _ARXIV_HREF.match((tag.get("href") or "").strip())
        paper = _arxiv_id(match.group(1)) if match else None
        if paper and paper not in ids:
            ids.append(paper)
            if len(ids) >= MAX_ARXIV_LINKS:
                break
    return ids


def _arxiv_id(text: str) -> str | None:
    match = ARXIV_ID.match(text.strip().removeprefix("arXiv:").removeprefix("arxiv:"))
    return match.group("id") if match else None


# -- interpretation (normalize) -----------------------------------------------------------------


class _Meta:
    """A page's meta tags by lower-case key, in document order."""

    def __init__(self, pairs: list[list[str]]) -> None:
        self.pairs = [(k.lower(), _clean(v)) for k, v in pairs if _clean(v)]

    def first(self, *keys: str) -> tuple[str, str] | None:
        """The first value of the first key present (keys in order of preference)."""
        for key in keys:
            for name, value in self.pairs:
                if name == key:
                    return key, value
        return None

    def all(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name == key]


def summary(head: PageHead) -> tuple[str | None, str | None]:
    """The page's OpenGraph title, and its description (og:description, else the description
    or twitter:description tag)."""
    meta = _Meta(head.get("meta") or [])
    title = meta.first("og:title")
    text = meta.first("og:description", "description", "twitter:description")
    return (title[1][:MAX_TEXT] if title else None), (text[1][:MAX_TEXT] if text else None)


def paper_meta(head: PageHead, page_url: str) -> PaperMeta | None:
    """The paper the page declares, or None when it declares none (no title, author or DOI
    in any of the three vocabularies)."""
    meta = _Meta(head.get("meta") or [])
    article = _scholarly_article(head.get("jsonld") or [])
    fields: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def put(name: str, found: tuple[str, Any] | None) -> None:
        if name not in fields and found is not None and found[1]:
            sources[name], fields[name] = found

    # 1. Highwire Press
    put("title", meta.first("citation_title"))
    put("authors", _highwire_authors(meta))
    put("published", _dated(meta.first("citation_publication_date", "citation_date",
                                       "citation_online_date", "citation_cover_date",
                                       "citation_year")))  # fmt: skip
    put("venue", meta.first("citation_conference_title", "citation_journal_title",
                            "citation_inbook_title", "citation_book_title"))  # fmt: skip
    put("doi", _doi(meta.first("citation_doi")))
    put("pdf_url", meta.first("citation_pdf_url"))
    put("arxiv_id", _declared_arxiv(meta.first("citation_arxiv_id")))
    put("abstract", meta.first("citation_abstract"))
    # 2. Dublin Core
    put("title", meta.first("dc.title", "dcterms.title"))
    creators = meta.all("dc.creator") or meta.all("dcterms.creator")
    put("authors", ("dc.creator", [Author(name=_name(n)) for n in creators]) if creators else None)
    put("published", _dated(meta.first("dcterms.issued", "dc.date.issued", "dc.date",
                                       "dcterms.date")))  # fmt: skip
    put("venue", meta.first("dc.source", "dcterms.ispartof", "dc.relation.ispartof",
                            "prism.publicationname"))  # fmt: skip
    put("doi", _doi(meta.first("dc.identifier", "dcterms.identifier")))
    put("abstract", meta.first("dcterms.abstract", "dc.description", "dcterms.description"))
    # 3. schema.org ScholarlyArticle
    if article is not None:
        _from_jsonld(article, put)
    if not any(name in fields for name in ("title", "authors", "doi")):
        return None
    if "pdf_url" in fields:
        fields["pdf_url"] = urljoin(page_url, fields["pdf_url"])
    return PaperMeta(**fields, sources=MetaSources(**sources))


def _highwire_authors(meta: _Meta) -> tuple[str, list[Author]] | None:
    authors: list[Author] = []
    for name, value in meta.pairs:
        if name == "citation_author":
            authors.append(Author(name=_name(value)))
        elif name == "citation_author_institution" and authors:
            authors[-1].affiliations.append(value)
    if authors:
        return "citation_author", authors
    joined = meta.first("citation_authors")
    if joined:
        names = [_name(n) for n in joined[1].split(";") if n.strip()]
        return "citation_authors", [Author(name=n) for n in names]
    return None


def _from_jsonld(article: dict[str, Any], put: Any) -> None:
    where = "json-ld:ScholarlyArticle."
    for key in ("headline", "name"):
        if isinstance(article.get(key), str):
            put("title", (where + key, _clean(article[key])))
    authors = [_person(a) for a in _as_list(article.get("author"))]
    named = [Author(name=_name(a)) for a in authors if a]
    put("authors", (where + "author", named) if named else None)
    if isinstance(article.get("datePublished"), str):
        put("published", _dated((where + "datePublished", article["datePublished"])))
    for part in _as_list(article.get("isPartOf")):
        if isinstance(part, dict) and isinstance(part.get("name"), str):
            put("venue", (where + "isPartOf", _clean(part["name"])))
    for key in ("identifier", "sameAs"):
        for value in _as_list(article.get(key)):
            text = value.get("value") if isinstance(value, dict) else value
            if isinstance(text, str):
                put("doi", _doi((where + key, text)))
    for key in ("abstract", "description"):
        if isinstance(article.get(key), str):
            put("abstract", (where + key, _clean(article[key])))


def _scholarly_article(blocks: list[Any]) -> dict[str, Any] | None:
    """The first ``ScholarlyArticle`` anywhere in the JSON-LD (``@graph``, ``mainEntity``…)."""
    todo: list[tuple[Any, int]] = [(b, 0) for b in blocks]
    while todo:
        node, depth = todo.pop(0)
        if isinstance(node, list):
            todo += [(n, depth + 1) for n in node]
        elif isinstance(node, dict):
            types = [t for t in _as_list(node.get("@type")) if isinstance(t, str)]
            if any(t.endswith("ScholarlyArticle") for t in types):
                return node
            if depth < 4:
                todo += [(v, depth + 1) for v in node.values() if isinstance(v, dict | list)]
    return None


def _person(value: Any) -> str | None:
    if isinstance(value, str):
        return _clean(value) or None
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("name"), str) and value["name"].strip():
        return _clean(value["name"])
    parts = [value.get("givenName"), value.get("familyName")]
    joined = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return _clean(joined) or None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict) and "@list" in value:
        return _as_list(value["@list"])
    return value if isinstance(value, list) else [value]


def _name(text: str) -> str:
    """``Last, First`` (CVF, PMLR) as ``First Last``, the order arXiv uses; anything else as
    written."""
    name = _clean(text)
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts) and parts[1].lower() not in _SUFFIXES:
        return f"{parts[1]} {parts[0]}"
    return name


def _dated(found: tuple[str, str] | None) -> tuple[str, str] | None:
    """An ISO date as precise as the page's (``2017/07/17`` -> ``2017-07-17``, ``2019/6`` ->
    ``2019-06``), or its year, or nothing."""
    if found is None:
        return None
    key, text = found
    match = _DATE.match(text)
    if match:
        year, month, day = match.groups()
        if month and 1 <= int(month) <= 12:
            if day and 1 <= int(day) <= 31:
                return key, f"{year}-{int(month):02d}-{int(day):02d}"
            return key, f"{year}-{int(month):02d}"
        return key, year
    year_only = _YEAR.search(text)
    return (key, year_only.group(1)) if year_only else None


def _doi(found: tuple[str, str] | None) -> tuple[str, str] | None:
    if found is None:
        return None
    key = doi_key(found[1])
    return (found[0], key) if key else None


def _declared_arxiv(found: tuple[str, str] | None) -> tuple[str, str] | None:
    if found is None:
        return None
    paper = _arxiv_id(found[1])
    return (found[0], paper) if paper else None


def _clean(text: str) -> str:
    return " ".join(str(text).split())
