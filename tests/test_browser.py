"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright, opening ``index.html`` from disk as a reader would.

Three nights of the job on the bundled list against the fake API (the stars of one repository
up each night), with one more link whose title and description are hostile HTML, as an outside
contributor could write them, and an upstream answering hostile HTML as a license and a release
tag. The page must show one row per entry, sort by stars (a click anywhere on a column's
header), filter by kind and section, draw the sparklines, run none of the hostile markup, ask
the network for nothing, and on a phone's 390-pixel-wide screen keep titles to a line or two.
Playwright downloads no browser here: it drives /usr/bin/chromium (`.ci/run` and `make browser`
install it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED, run, write_json
from enrich.core.settings import Settings
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI

pytestmark = pytest.mark.slow  # starts a browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]  # fmt: skip
HOSTILE = ("\n## Contributed\n\n* [<img src=x onerror=\"window.pwned='img'\">](https://example.org/hostile)"
           " - <script>window.pwned='script'</script> and <b onmouseover=\"window.pwned='b'\">bold</b>\n")


NIGHTS = [datetime(2026, 11, 24 + n, 3, 0, tzinfo=UTC) for n in range(3)]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp_path = tmp_path_factory.mktemp("browser")
    extra_data = tmp_path / "fake-data"
    with FakeAPI([extra_data]) as api:
        yield _three_nights(api.settings(allow_loopback=True, http_retries=0), extra_data, tmp_path)


def _three_nights(settings: Settings, extra_data: Path, tmp_path: Path) -> Path:
    listing = tmp_path / "list.md"
    listing.write_text(BUNDLED.read_text() + HOSTILE)
    out, raw = tmp_path / "out", tmp_path / "raw"
    data = sample_data_dir() / "github/repos/huggingface"
    trl = json.loads((data / "trl.json").read_text())
    for night, more in zip(NIGHTS, (0, 42, 50), strict=True):
        if night == NIGHTS[-1]:  # the last night, hostile answers
            licence = {**trl["license"], "spdx_id": "<script>window.pwned='license'</script>"}
            trl = {**trl, "license": licence}
            releases = json.loads((data / "trl/releases.json").read_text())
            tag = "<img src=x onerror=\"window.pwned='tag'\">"
            write_json(extra_data / "github/repos/huggingface/trl/releases.json",
                       [{**releases[0], "tag_name": tag}])  # fmt: skip
        write_json(extra_data / "github/repos/huggingface/trl.json",
                   {**trl, "stargazers_count": trl["stargazers_count"] + more})  # fmt: skip
        run(str(listing), settings=settings, out_dir=out, raw_root=raw, skip={"web": "offline"},
            now=night)  # fmt: skip
    return out


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (`make browser`; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path / "profile"  # an empty --user-data-dir
    profile.mkdir()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def visible(page: Any, attribute: str) -> list[str]:
    return page.eval_on_selector_all(
        "#entries tbody tr:not([hidden])", f"rows => rows.map(r => r.dataset.{attribute})")


def confined_page(browser: Any, folder: Path) -> tuple[Any, list[str], list[str]]:
    """A new page that may read the files of ``folder`` only: every other request is aborted
    and recorded (``outside``), as is every page error and console error (``errors``)."""
    outside: list[str] = []
    errors: list[str] = []

    def record(route: Any) -> None:
        if route.request.url.startswith(folder.as_uri()):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    browser.route("**/*", record)
    page = browser.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, outside, errors


def test_the_report_in_chromium(published: Path, browser: Any, tmp_path: Path) -> None:
    entries = json.loads((published / "latest.json").read_text())["entries"]
    index = published / "index.html"
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def record(route: Any) -> None:  # every request the page makes, answered only for itself
        requests.append(route.request.url)
        if route.request.url == index.as_uri():
            route.continue_()
        else:
            route.abort()

    browser.route("**/*", record)
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(index.as_uri())

    # one row per entry, in the list's order
    assert page.locator("#entries tbody tr").count() == len(entries)
    assert visible(page, "order") == sorted(visible(page, "order"), key=int)

    # filter by kind, then sort by stars (twice: highest first, then lowest first)
    page.select_option("select[data-filter=kind]", "repo")
    repos = sorted((e["repo"]["stars"] for e in entries if e["kind"] == "repo"), reverse=True)
    assert set(visible(page, "kind")) == {"repo"} and page.text_content("#shown") == str(len(repos))
    page.click("button[data-sort=counter]")
    assert [int(v) for v in visible(page, "counter")] == repos
    assert page.get_attribute("th:has(button[data-sort=counter])", "aria-sort") == "descending"
    assert page.get_attribute("button[data-sort=counter]", "data-active") == "desc"
    page.click("button[data-sort=counter]")
    assert [int(v) for v in visible(page, "counter")] == repos[::-1]

    # other kinds, a section (and its subsections), and all again
    for kind in ("paper", "dataset", "web"):
        page.select_option("select[data-filter=kind]", kind)
        assert visible(page, "kind") == [kind] * sum(1 for e in entries if e["kind"] == kind)
    page.select_option("select[data-filter=kind]", "")
    page.select_option("select[data-filter=section]", "Code")
    sections = visible(page, "section")
    assert sections and all(s == "Code" or s.startswith("Code › ") for s in sections)
    assert len(sections) == sum(1 for e in entries if e["section"][0] == "Code")
    page.select_option("select[data-filter=section]", "")
    page.fill("#q", "hh-rlhf")
    assert visible(page, "kind") == ["paper", "dataset"] or set(visible(page, "kind")) <= {"paper", "dataset"}
    page.fill("#q", "")
    assert page.locator("#entries tbody tr:not([hidden])").count() == len(entries)

    # the sparklines are drawn: every counted entry has one with a size; trl's has the 3 nights
    boxes = page.eval_on_selector_all("svg.spark", "s => s.map(e => [e.getBBox().width, e.getBBox().height])")
    on_hub = [e for e in entries if (e.get("hub_paper") or {}).get("upvotes") is not None]
    counted = sum(1 for e in entries if e["repo"] or e["hub"]) + len(on_hub)  # papers: Hub upvotes
    assert on_hub  # the sample papers have Hub paper pages
    assert len(boxes) == counted and all(w > 0 and h > 0 for w, h in boxes)
    trl = page.locator("#entries tbody tr", has_text="huggingface/trl").first
    assert trl.locator("svg.spark polyline").get_attribute("points").count(",") == 3
    assert "+50 in 2 days" in trl.inner_text()

    # the hostile values are text, and nothing of them ran (the list's own HTML is dropped by
    # the parser: the link shows as its URL)
    text = trl.inner_text()
    assert "<script>window.pwned='license'</script>" in text and "release <img src=x" in text
    hostile = page.locator("#entries tbody tr", has_text="example.org/hostile").first
    assert "<" not in hostile.inner_text()
    hostile.hover()
    trl.hover()
    assert page.evaluate("typeof window.pwned") == "undefined" and dialogs == []

    # nothing but the page itself was asked for, and our own script and style were allowed
    assert requests == [index.as_uri()] and errors == []
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_a_click_anywhere_on_a_column_header_sorts(published: Path, browser: Any) -> None:
    """Not only on the label: on the header cell's padding and its empty width too."""
    entries = json.loads((published / "latest.json").read_text())["entries"]
    page = browser.new_page()
    page.goto((published / "index.html").as_uri())
    score = page.locator("th:has(button[data-sort=score])")
    box = score.bounding_box()
    label = page.locator("button[data-sort=score]").bounding_box()
    assert box is not None and label is not None
    score.click(position={"x": 1, "y": box["height"] - 1})  # the cell's corner, off the label
    assert page.get_attribute("button[data-sort=score]", "data-active") == "desc"
    scores = [float(v) for v in visible(page, "score") if v]
    assert scores == sorted(scores, reverse=True) and len(scores) == sum(1 for e in entries if e["score"])
    name = page.locator("th:has(button[data-sort=name])")
    wide = name.bounding_box()
    assert wide is not None
    name.click(position={"x": wide["width"] - 3, "y": wide["height"] / 2})  # far right of "entry"
    assert page.get_attribute("button[data-sort=name]", "data-active") == "asc"
    assert page.get_attribute("th:has(button[data-sort=name])", "aria-sort") == "ascending"


def test_the_report_on_a_phone(published: Path, browser: Any, tmp_path: Path) -> None:
    """390 CSS pixels wide (a phone held upright): an entry's title runs across the row, so a
    90-character paper title takes two lines, not five or six; nothing scrolls sideways; the
    filters still hide rows."""
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((published / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # nor does the table within its box: every header cell in view, "score" not cut off
    assert page.evaluate("(w => w.scrollWidth <= w.clientWidth)(document.querySelector('.wrap'))")
    rights = page.eval_on_selector_all("#entries thead th", "ths => ths.map(t => t.getBoundingClientRect().right)")
    assert max(rights) <= 390
    lines = page.eval_on_selector_all("#entries tbody tr td:nth-child(2) > a:first-of-type", """links =>
        links.map(a => [a.textContent, new Set(Array.from(a.getClientRects(), r => Math.round(r.top))).size])""")
    longest = max(lines, key=lambda t: len(t[0]))
    assert len(longest[0]) > 80 and all(n <= 3 for _, n in lines), sorted(lines, key=lambda t: -t[1])[:3]
    assert longest[1] <= 2
    page.select_option("select[data-filter=kind]", "repo")
    heights = page.eval_on_selector_all(
        "#entries tbody tr[hidden]", "rows => rows.map(r => r.getBoundingClientRect().height)")
    assert heights and set(heights) == {0}
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One night of a catalog of two lists (sample lists written here), one of them with a
    hostile title and description (in code spans: the parser keeps them as text)."""
    from enrich.run.job import CatalogJob, run_catalog

    tmp_path = tmp_path_factory.mktemp("browser-catalog")
    note = "<!-- Sample list written by enrich's tests, not a real list. -->\n"
    lists = {
        "list-a": "# Sample list A\n\n- [trlx](https://github.com/CarperAI/trlx)\n"
        "- [`<img src=x onerror=\"window.pwned='title'\">`](https://github.com/allenai/RL4LMs)"
        " - `<script>window.pwned='description'</script>`\n",
        "list-b": "# Sample list B\n\n- [trlx](https://github.com/CarperAI/trlx)\n",
    }
    for name, text in lists.items():
        (tmp_path / f"{name}.md").write_text(note + text)
    with FakeAPI() as api:
        settings = api.settings(allow_loopback=True, http_retries=0)
        job = CatalogJob(tuple(str(tmp_path / f"{n}.md") for n in lists), tmp_path / "out",
                         tmp_path / "raw", settings, now=NIGHTS[0],
                         skip={"web": "offline", "papers": "offline", "arxiv": "offline"})  # fmt: skip
        run_catalog(job)
    yield tmp_path / "out"


def test_the_catalog_page_in_chromium(catalog: Path, browser: Any) -> None:
    """The catalog's page opens from disk without a console error (its style allowed by the
    CSP), asks the network for nothing, runs none of the hostile list text, and links each
    list's own page."""
    index = catalog / "catalog" / "index.html"
    page, outside, errors = confined_page(browser, catalog)
    page.goto(index.as_uri())
    assert page.locator("#catalog-lists tbody tr").count() == 2
    shared = page.locator("#shared-entities tbody tr").first
    assert shared.get_attribute("data-id") == "github:carperai/trlx"
    hostile = page.locator("#shared-entities tbody tr[data-id='github:allenai/rl4lms']")
    assert "<img src=x" in hostile.inner_text()
    assert page.evaluate("getComputedStyle(document.body).maxWidth") != "none"  # the style applied
    assert page.evaluate("typeof window.pwned") == "undefined"
    page.click("#catalog-lists a[href='../lists/list-a/index.html']")
    assert page.url == (catalog / "lists" / "list-a" / "index.html").as_uri()
    assert page.locator("#entries tbody tr").count() == 2
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert outside == [] and errors == []


def test_the_paged_report_in_chromium(published: Path, browser: Any, tmp_path: Path) -> None:
    """A list longer than a page (here 10 entries a page): index.html and pages/N.html open
    from disk without a console error, each with its share of the rows and links to every
    page; a page sorts its own rows; nothing outside the folder is asked for."""
    import shutil

    from enrich.run.render import render

    out = tmp_path / "paged"
    shutil.copytree(published, out)
    render(out, Settings(report_page_entries=10))
    entries = json.loads((out / "latest.json").read_text())["entries"]
    pages = -(-len(entries) // 10)
    assert pages >= 3 and len(list((out / "pages").iterdir())) == pages - 1
    page, outside, errors = confined_page(browser, out)
    page.goto((out / "index.html").as_uri())
    orders: list[int] = []
    for number in range(1, pages + 1):
        here = out / ("index.html" if number == 1 else f"pages/{number}.html")
        assert page.url == here.as_uri()
        assert page.locator("nav.pages").first.locator("li").count() == pages
        assert (page.locator("#changes").count() == 1) == (number == 1)
        orders += [int(o) for o in visible(page, "order")]
        if number < pages:  # the next page, by its link in the page list
            page.locator("nav.pages").first.locator("li").nth(number).locator("a").click()
    assert len(orders) == len(entries) and orders == sorted(orders)
    page.click("button[data-sort=counter]")  # the last page sorts its own rows
    counters = [int(v) for v in visible(page, "counter") if v]
    assert counters == sorted(counters, reverse=True)
    page.click("nav.pages a >> nth=0")
    assert page.url == (out / "index.html").as_uri()
    assert page.locator("#entries tbody tr").count() == 10
    assert outside == [] and errors == []
