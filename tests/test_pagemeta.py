"""What a landing page declares, read the way Google Scholar and Zotero read it: Highwire tags,
then Dublin Core, then schema.org ScholarlyArticle JSON-LD, field by field; OpenGraph for every
page (`enrich.core.pagemeta`). The pages are small sample pages in each family's markup."""

from __future__ import annotations

import json

import pytest

from enrich.core.model import PaperMeta
from enrich.core.pagemeta import paper_meta, read_head, summary

HTML = "text/html; charset=utf-8"
URL = "https://example.org/paper/42"


def page(head: str, body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def meta_of(html: bytes, url: str = URL) -> PaperMeta | None:
    return paper_meta(read_head(html, HTML), url)


CVF = page(
    "<title>CVPR 2016 Open Access Repository</title>"
    '<meta name="citation_title" content="Deep Residual Learning for Image Recognition">'
    '<meta name="citation_author" content="He, Kaiming">'
    '<meta name="citation_author" content="Zhang, Xiangyu">'
    '<meta name="citation_publication_date" content="2016">'
    '<meta name="citation_conference_title" content="Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition">'
    '<meta name="citation_pdf_url" content="../papers/He_Deep_Residual_Learning_CVPR_2016_paper.pdf">'
)
ACL = page(  # the Anthology writes content before name
    '<meta content="BERT: Pre-training of Deep Bidirectional Transformers" name="citation_title" >'
    '<meta content="Jacob Devlin" name="citation_author" >'
    '<meta content="Ming-Wei Chang" name="citation_author" >'
    '<meta content="Proceedings of NAACL-HLT 2019" name="citation_conference_title" >'
    '<meta content="2019/6" name="citation_publication_date" >'
    '<meta content="10.18653/v1/N19-1423" name="citation_doi" >'
    '<meta property="og:title" content="BERT: Pre-training of Deep Bidirectional Transformers" />'
)
PMLR = page(
    '<meta name="citation_publisher" content="PMLR">'
    '<meta name="citation_title" content="Constrained Policy Optimization">'
    '<meta name="citation_author" content="Achiam, Joshua">'
    '<meta name="citation_author" content="Abbeel, Pieter">'
    '<meta name="citation_publication_date" content="2017/07/17">'
    '<meta name="citation_inbook_title" content="Proceedings of the 34th International Conference on Machine Learning">'
)
OPENREVIEW = page(
    '<meta name="citation_title" content="LoRA: Low-Rank Adaptation of Large Language Models">'
    '<meta name="citation_author" content="Edward J Hu"><meta name="citation_author" content="yelong shen">'
    '<meta name="citation_online_date" content="2022/01/28">'
    '<meta name="citation_pdf_url" content="https://openreview.net/pdf?id=nZeVKeeFYf9">'
    '<meta name="citation_abstract" content="  We propose   LoRA. ">'
    '<meta name="citation_conference_title" content="International Conference on Learning Representations">'
)
INSTITUTIONS = page(
    '<meta name="citation_title" content="A Paper">'
    '<meta name="citation_author" content="Ada Lovelace">'
    '<meta name="citation_author_institution" content="Analytical Engine Society">'
    '<meta name="citation_author_institution" content="University of London">'
    '<meta name="citation_author" content="Charles Babbage">'
    '<meta name="citation_arxiv_id" content="arXiv:2401.00001v3">'
)
LEGACY_AUTHORS = page(
    '<meta name="citation_title" content="A Workshop Paper">'
    '<meta name="citation_authors" content="Smith, John; Doe, Jane">'
    '<meta name="citation_date" content="03/2011">'
)
DUBLIN_CORE = page(
    '<meta name="DC.title" content="Mastering the game of Go without human knowledge">'
    '<meta name="dc.creator" content="Silver, David"><meta name="dc.creator" content="Hassabis, Demis">'
    '<meta name="dc.date" content="2017-10-18"><meta name="dc.source" content="Nature 2017 550">'
    '<meta name="dc.identifier" content="doi:10.1038/nature24270">'
    '<meta name="dc.description" content="A sample description.">'
)
JSON_LD = page(
    '<script type="application/ld+json">' + json.dumps({
        "@context": "https://schema.org", "@type": "WebPage",
        "mainEntity": {
            "@type": "ScholarlyArticle", "headline": "A Graph Paper",
            "author": [{"@type": "Person", "givenName": "Jane", "familyName": "Doe"},
                       {"@type": "Person", "name": "Richard Roe"}],
            "datePublished": "2024-04-05T00:00:00Z",
            "isPartOf": {"@type": "Periodical", "name": "Example Journal"},
            "identifier": {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.5555/Example"},
            "abstract": "Schema abstract.",
        },
    }) + "</script>"
)
JSON_LD_GRAPH = page(
    '<script type="application/ld+json">' + json.dumps({
        "@context": "https://schema.org",
        "@graph": [{"@type": "Organization", "name": "Lab"},
                   {"@type": ["CreativeWork", "ScholarlyArticle"], "name": "Graph Article",
                    "author": "Solo Author", "sameAs": ["https://doi.org/10.5555/graph"]}],
    }) + "</script>"
)
MIXED = page(  # Highwire wins where it speaks; the others fill what it leaves out
    '<meta name="citation_title" content="The Highwire Title">'
    '<meta name="citation_author" content="First Author">'
    '<meta name="dc.title" content="The Dublin Core Title">'
    '<meta name="dc.date" content="2020-02-02">'
    '<script type="application/ld+json">'
    '{"@type": "ScholarlyArticle", "headline": "The JSON-LD Title", "isPartOf": {"name": "JSON-LD Venue"},'
    ' "sameAs": "https://doi.org/10.5555/Mixed"}</script>'
)

# page, title, authors, published, venue, doi, pdf, arxiv id, where title / authors / venue came from
CASES = [
    ("cvf", CVF, "Deep Residual Learning for Image Recognition", ["Kaiming He", "Xiangyu Zhang"], "2016",
     "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition", None,
     "https://example.org/papers/He_Deep_Residual_Learning_CVPR_2016_paper.pdf", None,
     ("citation_title", "citation_author", "citation_conference_title")),
    ("acl", ACL, "BERT: Pre-training of Deep Bidirectional Transformers", ["Jacob Devlin", "Ming-Wei Chang"],
     "2019-06", "Proceedings of NAACL-HLT 2019", "10.18653/v1/n19-1423", None, None,
     ("citation_title", "citation_author", "citation_conference_title")),
    ("pmlr", PMLR, "Constrained Policy Optimization", ["Joshua Achiam", "Pieter Abbeel"], "2017-07-17",
     "Proceedings of the 34th International Conference on Machine Learning", None, None, None,
     ("citation_title", "citation_author", "citation_inbook_title")),
    ("openreview", OPENREVIEW, "LoRA: Low-Rank Adaptation of Large Language Models", ["Edward J Hu", "yelong shen"],
     "2022-01-28", "International Conference on Learning Representations", None,
     "https://openreview.net/pdf?id=nZeVKeeFYf9", None,
     ("citation_title", "citation_author", "citation_conference_title")),
    ("legacy citation_authors", LEGACY_AUTHORS, "A Workshop Paper", ["John Smith", "Jane Doe"], "2011", None, None,
     None, None, ("citation_title", "citation_authors", None)),
    ("Dublin Core only", DUBLIN_CORE, "Mastering the game of Go without human knowledge", ["David Silver", "Demis Hassabis"],
     "2017-10-18", "Nature 2017 550", "10.1038/nature24270", None, None, ("dc.title", "dc.creator", "dc.source")),
    ("JSON-LD mainEntity", JSON_LD, "A Graph Paper", ["Jane Doe", "Richard Roe"], "2024-04-05", "Example Journal",
     "10.5555/example", None, None,
     ("json-ld:ScholarlyArticle.headline", "json-ld:ScholarlyArticle.author", "json-ld:ScholarlyArticle.isPartOf")),
    ("JSON-LD @graph", JSON_LD_GRAPH, "Graph Article", ["Solo Author"], None, None, "10.5555/graph", None, None,
     ("json-ld:ScholarlyArticle.name", "json-ld:ScholarlyArticle.author", None)),
    ("Highwire first, then the others", MIXED, "The Highwire Title", ["First Author"], "2020-02-02", "JSON-LD Venue",
     "10.5555/mixed", None, None, ("citation_title", "citation_author", "json-ld:ScholarlyArticle.isPartOf")),
]


@pytest.mark.parametrize(
    ("family", "html", "title", "authors", "published", "venue", "doi", "pdf", "arxiv_id", "sources"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_paper_meta(family: str, html: bytes, title: str, authors: list[str], published: str | None,
                    venue: str | None, doi: str | None, pdf: str | None, arxiv_id: str | None,
                    sources: tuple[str | None, str | None, str | None]) -> None:
    meta = meta_of(html, "https://example.org/html/page.html" if family == "cvf" else URL)
    assert meta is not None
    assert (meta.title, [a.name for a in meta.authors], meta.published, meta.venue) == (title, authors, published, venue)
    assert (meta.doi, meta.pdf_url, meta.arxiv_id) == (doi, pdf, arxiv_id)
    assert (meta.sources.title, meta.sources.authors, meta.sources.venue) == sources


def test_authors_keep_their_institutions_and_the_arxiv_id_its_version_off() -> None:
    meta = meta_of(INSTITUTIONS)
    assert meta is not None
    assert [(a.name, a.affiliations) for a in meta.authors] == [
        ("Ada Lovelace", ["Analytical Engine Society", "University of London"]),
        ("Charles Babbage", []),
    ]
    assert (meta.arxiv_id, meta.sources.arxiv_id) == ("2401.00001", "citation_arxiv_id")


def test_abstract_whitespace_collapsed() -> None:
    meta = meta_of(OPENREVIEW)
    assert meta is not None and (meta.abstract, meta.sources.abstract) == ("We propose LoRA.", "citation_abstract")


@pytest.mark.parametrize(
    ("date", "published"),
    [("2017/07/17", "2017-07-17"), ("2019/6", "2019-06"), ("2016", "2016"), ("2021-10-06T12:00:00Z", "2021-10-06"),
     ("03/2011", "2011"), ("June 2019", "2019"), ("2019/13/01", "2019"), ("soon", None)],
)
def test_dates_as_precise_as_the_page(date: str, published: str | None) -> None:
    meta = meta_of(page(f'<meta name="citation_title" content="T"><meta name="citation_date" content="{date}">'))
    assert meta is not None and meta.published == published


@pytest.mark.parametrize(
    ("name", "as_read"),
    [("He, Kaiming", "Kaiming He"), ("Kaiming He", "Kaiming He"), ("Martin Luther King, Jr.", "Martin Luther King, Jr."),
     ("  van den Oord,   Aäron ", "Aäron van den Oord"), ("A, B, C", "A, B, C")],
)
def test_last_first_names_in_arxiv_order(name: str, as_read: str) -> None:
    meta = meta_of(page(f'<meta name="citation_title" content="T"><meta name="citation_author" content="{name}">'))
    assert meta is not None and [a.name for a in meta.authors] == [as_read]


@pytest.mark.parametrize(
    "html",
    [
        page('<title>A blog post</title><meta property="og:title" content="A blog post">'),
        page('<meta name="citation_pdf_url" content="/x.pdf"><meta name="citation_publication_date" content="2020">'),
        page('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Not scholarly"}</script>'),
        page('<script type="application/ld+json">{not json</script>'),
    ],
    ids=["opengraph only", "no title, author or doi", "not a ScholarlyArticle", "broken JSON-LD"],
)
def test_pages_that_declare_no_paper(html: bytes) -> None:
    assert meta_of(html) is None


@pytest.mark.parametrize(
    ("head", "og_title", "description"),
    [
        ('<meta property="og:title" content="OG title"><meta property="og:description" content="OG text">'
         '<meta name="description" content="plain">', "OG title", "OG text"),
        ('<meta name="description" content="  plain   text ">', None, "plain text"),
        ('<meta name="twitter:description" content="tweet text">', None, "tweet text"),
        ("", None, None),
    ],
)
def test_opengraph_summary_of_every_page(head: str, og_title: str | None, description: str | None) -> None:
    assert summary(read_head(page(head), HTML)) == (og_title, description)


def test_raw_head_keeps_declarations_as_written() -> None:
    html = page(
        '<title>  Sample &amp; title </title><meta name="Citation_Title" content="T">'
        '<meta property="og:title" content="O"><meta itemprop="name" content="N"><meta charset="utf-8">',
        '<a href="https://arxiv.org/abs/2204.05862v2">v2</a><a href="http://arxiv.org/pdf/1706.03762.pdf">pdf</a>'
        '<a href="https://arxiv.org/abs/2204.05862">again</a><a href="https://arxiv.org/list/cs.CL/recent">list</a>'
        '<link rel="alternate" href="//arxiv.org/abs/hep-th/9901001">',
    )
    head = read_head(html, HTML)
    assert head["title"] == "Sample & title"
    assert head["meta"] == [["Citation_Title", "T"], ["og:title", "O"], ["name", "N"]]
    assert head["arxiv_links"] == ["2204.05862", "1706.03762", "hep-th/9901001"]
    assert head["bytes"] == len(html)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"%PDF-1.5 binary", "application/pdf"), (b"", HTML), (b"\x00\xff\xfe garbage", HTML)],
    ids=["a PDF", "an empty page", "bytes that are no page"],
)
def test_pages_without_declarations(body: bytes, content_type: str) -> None:
    head = read_head(body, content_type)
    assert head["bytes"] == len(body) and not head.get("meta") and paper_meta(head, URL) is None


def test_truncated_page_keeps_what_was_read() -> None:
    html = page('<meta name="citation_title" content="Cut Short"><meta name="citation_author" content="A B">')
    meta = meta_of(html[: html.index(b"</head>")])
    assert meta is not None and meta.title == "Cut Short"


def test_charset_from_the_header() -> None:
    html = '<html><head><meta name="citation_title" content="Gödel"></head></html>'.encode("latin-1")
    meta = paper_meta(read_head(html, "text/html; charset=ISO-8859-1"), URL)
    assert meta is not None and meta.title == "Gödel"
