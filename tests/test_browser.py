"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright, opening ``index.html`` from disk as a reader would.

Two runs of the job on the bundled list against the fake API (the stars of one repository up in
between), with one more link whose title and description are hostile HTML, as an outside
contributor could write them, and an upstream answering hostile HTML as a license and a release
tag. The page must show one row per entry, sort by stars, filter by
kind and section, draw the sparklines, run none of the hostile markup, and ask the network for
nothing. Playwright downloads no browser here: it drives /usr/bin/chromium (`.ci/run` and
`make browser` install it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED, run, write_json
from enrich.core.settings import Settings
from enrich.sandbox.sample import sample_data_dir

pytestmark = pytest.mark.slow  # starts a browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]  # fmt: skip
HOSTILE = ("\n## Contributed\n\n* [<img src=x onerror=\"window.pwned='img'\">](https://example.org/hostile)"
           " - <script>window.pwned='script'</script> and <b onmouseover=\"window.pwned='b'\">bold</b>\n")


@pytest.fixture
def published(settings: Settings, extra_data: Path, tmp_path: Path) -> Path:
    listing = tmp_path / "list.md"
    listing.write_text(BUNDLED.read_text() + HOSTILE)
    out, raw = tmp_path / "out", tmp_path / "raw"
    run(str(listing), settings=settings, out_dir=out, raw_root=raw, skip={"web": "offline"})
    data = sample_data_dir() / "github/repos/huggingface"
    trl = json.loads((data / "trl.json").read_text())
    licence = {**trl["license"], "spdx_id": "<script>window.pwned='license'</script>"}
    write_json(extra_data / "github/repos/huggingface/trl.json",
               {**trl, "stargazers_count": trl["stargazers_count"] + 42, "license": licence})
    releases = json.loads((data / "trl/releases.json").read_text())
    tag = "<img src=x onerror=\"window.pwned='tag'\">"
    write_json(extra_data / "github/repos/huggingface/trl/releases.json", [{**releases[0], "tag_name": tag}])
    run(str(listing), settings=settings, out_dir=out, raw_root=raw, skip={"web": "offline"})
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

    # the sparklines are drawn: every counted entry has one with a size; trl's has both runs
    boxes = page.eval_on_selector_all("svg.spark", "s => s.map(e => [e.getBBox().width, e.getBBox().height])")
    on_hub = [e for e in entries if (e.get("hub_paper") or {}).get("upvotes") is not None]
    counted = sum(1 for e in entries if e["repo"] or e["hub"]) + len(on_hub)  # papers: Hub upvotes
    assert on_hub  # the sample papers have Hub paper pages
    assert len(boxes) == counted and all(w > 0 and h > 0 for w, h in boxes)
    trl = page.locator("#entries tbody tr", has_text="huggingface/trl").first
    assert trl.locator("svg.spark polyline").get_attribute("points").count(",") == 2
    assert "+42" in trl.inner_text()

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
