"""Big lists stay light, and every counter the specs name shows (issue 24, item 8):

- the report of a list longer than ``report_page_entries`` is ``index.html`` and
  ``pages/N.html``, each a complete page with the list's header, the same style and script (the
  same CSP), its share of the entries in the list's order and links to every page; a list of a
  page or less is one page as before; pages a longer list left are swept;
- the movers (report, catalog page, the run's artifact) are every counter whose spec asks for
  movers: Semantic Scholar's citations show with no code naming them;
- ``enrich render`` on a catalog's output folder renders every list and the catalog's page and
  feed, the bytes the run wrote.

The browser opens the paged report in tests/test_browser.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

import lxml.html
import pytest

import builders
from builders import paper_entry
from conftest import write_json
from enrich.cli import main
from enrich.core.model import Author, Entry, Paper, Position, ScholarPaper
from enrich.core.score import movers, scored
from enrich.core.settings import Settings
from enrich.core.specs import REGISTRY
from enrich.run.render import render
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI
from enrich.store.compare import diff_snapshots
from enrich.store.publish import publish
from enrich.views import Published
from enrich.views import catalog as catalog_views
from enrich.views.report import render_pages
from test_views import entries, published

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def parsed(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def ids(page: lxml.html.HtmlElement) -> list[str]:
    """The entries of a page, by their list position (the table's first column)."""
    return [td.text_content() for td in page.xpath("//table[@id='entries']/tbody/tr/td[1]")]


# -- the paged report --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_page", "files"),
    [
        (100, ["index.html"]),  # a short list: one page, as before
        (9, ["index.html"]),  # exactly a page
        (4, ["index.html", "pages/2.html", "pages/3.html"]),
        (1, ["index.html", *(f"pages/{n}.html" for n in range(2, 10))]),
    ],
)
def test_a_long_list_is_paged_each_page_whole(per_page: int, files: list[str]) -> None:
    pub = published(settings=Settings.model_construct(report_page_entries=per_page))
    pages = render_pages(pub)
    assert list(pages) == files
    whole = parsed(render_pages(published())["index.html"])
    every = ids(whole)
    assert len(every) == 9
    seen: list[str] = []
    for path, html in pages.items():
        page = parsed(html)
        rows = ids(page)
        assert 0 < len(rows) <= per_page
        seen += rows
        # the same header, style, script and policy as the one-page report
        for part in ("//meta[@http-equiv='Content-Security-Policy']/@content", "//style/text()",
                     "//script/text()", "//h1/text()"):  # fmt: skip
            assert page.xpath(part) == whole.xpath(part), (path, part)
        # the changelog on the first page only
        assert bool(page.xpath("//section[@id='changes']")) == (path == "index.html")
        # every link to a file of the folder resolves from where the page stands
        here = PurePosixPath(path).parent
        for href in page.xpath("//a/@href"):
            if "://" not in href:
                target = (here / href.split("#")[0]).as_posix()
                target = str(PurePosixPath(*_normal(target)))
                assert target in {
                    *files,
                    "latest.json",
                    "latest.parquet",
                    "list.md",
                } or target.startswith("diffs/"), (path, href)
        if len(files) > 1:
            (nav,) = page.xpath("(//nav[@class='pages'])[1]")
            assert len(nav.xpath(".//li")) == len(files)
            assert nav.xpath(".//strong[@aria-current='page']/text()") == [
                f"{files.index(path) * per_page + 1:,}–{files.index(path) * per_page + len(rows):,}"
            ]
            assert len(page.xpath("//nav[@class='pages']")) == 2  # above and below the table
        else:
            assert not page.xpath("//nav") and html == render_pages(published())["index.html"]
    assert seen == every  # every entry once, in the list's order


def _normal(path: str) -> list[str]:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return parts


def test_a_page_filters_offer_what_it_holds() -> None:
    """A page's kind, status and section filters list what its own entries have."""
    pages = render_pages(published(settings=Settings.model_construct(report_page_entries=4)))
    last = parsed(pages["pages/3.html"])
    kinds = last.xpath("//select[@data-filter='kind']/option/text()")
    assert kinds == ["all", *sorted(set(last.xpath("//table[@id='entries']/tbody/tr/@data-kind")))]
    assert "shown on this page" in last.xpath("string(//div[@class='controls'])")


def test_pages_a_longer_list_left_are_swept(tmp_path: Path) -> None:
    first, second = builders.snap(entries(), NOW - timedelta(days=1)), builders.snap(entries(), NOW)
    publish(first, tmp_path, diff_snapshots(None, first))
    publish(second, tmp_path, diff_snapshots(first, second))
    written = render(tmp_path, Settings(report_page_entries=2))
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == [
        f"{n}.html" for n in range(2, 6)
    ]
    assert {tmp_path / "pages" / f"{n}.html" for n in range(2, 6)} <= set(written)
    render(tmp_path, Settings(report_page_entries=4))
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == ["2.html", "3.html"]
    render(tmp_path, Settings())
    assert list((tmp_path / "pages").iterdir()) == []


# -- movers: every counter the specs name ------------------------------------------------------


def cited(citations: int) -> Entry:
    record = Paper(arxiv_id="2203.02155", versioned_id="2203.02155v1", version=1,
                   title="Training language models to follow instructions with human feedback",
                   authors=[Author(name="Long Ouyang")], abstract="…",
                   published=datetime(2022, 3, 4, tzinfo=UTC))  # fmt: skip
    scholar = ScholarPaper(asked_as="ARXIV:2203.02155", found=True, paper_id="d766bffc",
                           citations=citations, influential_citations=citations // 10)  # fmt: skip
    position = Position(section=["Papers"], line=3, index=1)
    return paper_entry(record, urls=["https://arxiv.org/abs/2203.02155"], section=["Papers"],
                       positions=[position], title="InstructGPT", scholar=scholar)  # fmt: skip


@pytest.fixture
def citing() -> Published:
    """Two nights of a list of one paper, cited 37 more times on the second (sample data)."""
    before = builders.snap(scored([cited(9_000)], NOW - timedelta(days=1)), NOW - timedelta(days=1))
    after = builders.snap(scored([cited(9_037)], NOW), NOW)
    return Published(after, diff_snapshots(before, after), before, published().history.clear())


def test_citations_are_among_the_movers_the_specs_name() -> None:
    assert "citations" in REGISTRY.movers  # the Semantic Scholar spec asks for movers


def test_a_citations_mover_shows_on_the_report(citing: Published) -> None:
    page = parsed(render_pages(citing)["index.html"])
    (table,) = page.xpath("//table[@class='movers'][@data-counter='citations']")
    assert [td.text_content() for td in table.xpath(".//tbody/tr[1]/td")] == [
        "InstructGPT arxiv:2203.02155",
        "9,037",
        "+37",
    ]


def test_a_citations_mover_shows_on_the_catalog_page(citing: Published) -> None:
    assert citing.diff is not None
    shown = catalog_views.changes({"list-a": citing.diff, "list-b": citing.diff})
    assert shown["movers"]["citations"] == [
        {"id": "arxiv:2203.02155", "title": "InstructGPT", "new": 9_037, "delta": "+37",
         "lists": ["list-a", "list-b"]}]  # fmt: skip


def test_a_citations_mover_shows_in_the_runs_artifact(citing: Published) -> None:
    from enrich.run.artifacts import mover_rows  # imports Prefect (~2 s a process): here only

    rows = mover_rows(movers(citing.previous, citing.snapshot, citing.diff))
    assert [(r["id"], r["citations_delta"]) for r in rows] == [("arxiv:2203.02155", 37)]
    assert "stars_delta" not in rows[0]  # a counter that moved nowhere is no column


# -- enrich render on a catalog's output folder -----------------------------------------------


NIGHTS = [datetime(2026, 11, 24 + n, 3, 0, tzinfo=UTC) for n in range(2)]


@pytest.fixture(scope="module")
def catalog_out(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Two nights of a catalog of two sample lists (written here), trlx's stars up on the
    second."""
    from enrich.run.job import CatalogJob, run_catalog

    tmp = tmp_path_factory.mktemp("render-catalog")
    note = "<!-- Sample list written by enrich's tests, not a real list. -->\n"
    lists = {
        "list-a": "# Sample list A\n\n- [trlx](https://github.com/CarperAI/trlx)\n"
        "- [RL4LMs](https://github.com/allenai/RL4LMs)\n",
        "list-b": "# Sample list B\n\n- [trlx](https://github.com/CarperAI/trlx)\n",
    }
    for name, text in lists.items():
        (tmp / f"{name}.md").write_text(note + text)
    extra = tmp / "fake-data"
    trlx = json.loads((sample_data_dir() / "github/repos/CarperAI/trlx.json").read_text())
    with FakeAPI([extra]) as api:
        settings = api.settings(allow_loopback=True, http_retries=0)
        for n, night in enumerate(NIGHTS):
            write_json(extra / "github/repos/CarperAI/trlx.json",
                       {**trlx, "stargazers_count": trlx["stargazers_count"] + 40 * n})  # fmt: skip
            run_catalog(CatalogJob(tuple(str(tmp / f"{n}.md") for n in lists), tmp / "out",
                                   tmp / "raw", settings, now=night,
                                   skip={"web": "offline", "papers": "offline", "arxiv": "offline"}))  # fmt: skip
    yield tmp / "out"


def test_render_of_a_catalog_rewrites_every_list_and_the_catalog(
    catalog_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    views = [*(catalog_out / "lists" / s / n for s in ("list-a", "list-b")
               for n in ("index.html", "list.md", "feed.xml", "README.md")),
             catalog_out / "catalog" / "index.html", catalog_out / "catalog" / "feed.xml"]  # fmt: skip
    wrote = {path: path.read_bytes() for path in views}
    assert b"Top movers across the lists: stars" in wrote[catalog_out / "catalog" / "index.html"]
    for path in views:
        path.unlink()
    with pytest.raises(SystemExit) as exit_:
        main(["render", "--out", str(catalog_out)])
    assert exit_.value.code in (0, None)
    said = capsys.readouterr().out
    for path in views:  # the bytes the run wrote, each named as written
        assert path.read_bytes() == wrote[path], path
        assert f"wrote {path}" in said.replace("\n", "")


def test_render_of_a_catalog_with_no_list_published_is_a_bad_input(tmp_path: Path) -> None:
    from enrich.core.errors import InputError
    from enrich.store.catalog import CatalogList, write

    write(tmp_path, [CatalogList("gone", "https://example.org/gone.md", None, "404")], NOW)
    (tmp_path / "lists").mkdir()
    with pytest.raises(InputError, match="no published list"):
        render(tmp_path, Settings())
