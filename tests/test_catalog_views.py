"""The catalog's own folder beyond its tables (`enrich.run.catalog.finish_catalog`): the history
of its tables, its ``index.html`` and its ``feed.xml``, over three nights of a three-list
catalog against the fake API.

The lists are sample data written by the tests (labelled so in their text). Every list links
trlx; night 2, trlx gains stars and a release upstream and the second list gains a repository;
night 3 nothing changes. One list carries a hostile title and description, as an outside
contributor could write them (in code spans, so that the parser keeps them as text).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.html
import polars as pl
import pytest

from builders import entry, repo_entry, snap
from enrich.core.links import Kind
from enrich.core.model import Entry, Repo
from enrich.run.job import CatalogJob, CatalogResult, run_catalog
from enrich.sandbox.server import FakeAPI
from enrich.views.catalog import shared
from nights import change_upstream

SAMPLE = "<!-- Sample list written by enrich's tests, not a real list. -->\n"
TRLX = "https://github.com/CarperAI/trlx"
HOSTILE_TITLE = "<img src=x onerror=\"window.pwned='title'\">"
HOSTILE_TEXT = "<script>window.pwned='description'</script>"
LISTS = {
    "list-a": f"# Sample list A `{HOSTILE_TEXT}`\n\n- [trlx]({TRLX})\n"
    f"- [`{HOSTILE_TITLE}`](https://github.com/allenai/RL4LMs) - `{HOSTILE_TEXT}`\n",
    "list-b": f"# Sample list B\n\n- [trlx]({TRLX})\n"
    "- [PaLM-rlhf](https://github.com/lucidrains/PaLM-rlhf-pytorch)\n",
    "list-c": f"# Sample list C\n\n- [trlx]({TRLX})\n- [RL4LMs](https://github.com/allenai/RL4LMs)\n",
}
ADDED = "- [TextRL](https://github.com/voidful/TextRL)\n"  # night 2, to list-b
NIGHTS = [datetime(2026, 11, 25 + n, 3, 0, tzinfo=UTC) for n in range(3)]
SKIP = {"papers": "not in this test", "web": "not in this test", "arxiv": "not in this test"}


def three_nights(fake: FakeAPI, extra_data: Path, folder: Path) -> Iterator[CatalogResult]:
    """Runs the catalog night after night, yielding after each."""
    settings = fake.settings(allow_loopback=True, http_retries=0)
    paths = {}
    for name, text in LISTS.items():
        paths[name] = folder / f"{name}.md"
        paths[name].write_text(SAMPLE + text)
    for n, night in enumerate(NIGHTS):
        if n == 1:
            change_upstream(extra_data)
            paths["list-b"].write_text(SAMPLE + LISTS["list-b"] + ADDED)
        job = CatalogJob(tuple(str(p) for p in paths.values()), folder / "out", folder / "raw",
                         settings, skip=SKIP, now=night)  # fmt: skip
        yield run_catalog(job)


# One worker runs this module: its nights (`nights`) are built once, not once a worker.
pytestmark = pytest.mark.xdist_group("catalog-views")


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Each night's catalog page and feed, as they were that night, and the out folder."""
    folder = tmp_path_factory.mktemp("catalog-views")
    extra_data = folder / "fake-data"
    seen: dict[str, object] = {"out": folder / "out"}
    with FakeAPI([extra_data]) as api:
        for n, result in enumerate(three_nights(api, extra_data, folder), start=1):
            catalog = folder / "out" / "catalog"
            assert sorted(result.results) == sorted(LISTS)
            assert catalog / "index.html" in result.catalog
            seen[f"index-{n}"] = (catalog / "index.html").read_text()
            seen[f"feed-{n}"] = (catalog / "feed.xml").read_bytes()
    return seen


def page(html: object) -> lxml.html.HtmlElement:
    assert isinstance(html, str)
    return lxml.html.document_fromstring(html)


def test_the_page_lists_every_list_with_its_counts(nights: dict[str, object]) -> None:
    doc = page(nights["index-2"])
    rows = {r.get("data-slug"): r for r in doc.xpath("//table[@id='catalog-lists']/tbody/tr")}
    assert sorted(rows) == ["list-a", "list-b", "list-c"]
    assert {s: r.get("data-entries") for s, r in rows.items()} == {
        "list-a": "2", "list-b": "3", "list-c": "2",
    }  # fmt: skip
    for slug, row in rows.items():
        (link,) = row.xpath("./td[1]/a")
        assert link.get("href") == f"../lists/{slug}/index.html"
        assert (Path(str(nights["out"])) / "catalog" / link.get("href")).is_file()
        cells = [c.text_content() for c in row.xpath("./td")]
        assert cells[2] == f"{row.get('data-entries')} repositories"
        assert cells[3] == f"{row.get('data-entries')} ok"
    # list-b's text changed on night 2; the others' on night 1
    changed = {s: r.xpath("./td[5]/time")[0].text for s, r in rows.items()}
    assert changed == {"list-a": "2026-11-25", "list-b": "2026-11-26", "list-c": "2026-11-25"}


@pytest.mark.parametrize(
    ("night", "expected"),
    [
        (1, "New in the catalog (first snapshot): list-a, list-b, list-c."),
        (2, "3 lists changed: list-a, list-b, list-c."),
        (3, "Nothing changed in any list."),
    ],
)
def test_the_page_says_what_changed_tonight(
    nights: dict[str, object], night: int, expected: str
) -> None:
    text = " ".join(page(nights[f"index-{night}"]).xpath("//section[@id='changes']")[0]
                    .text_content().split())  # fmt: skip
    assert expected in text


def test_tonights_changes_show_each_entity_once_with_its_lists(nights: dict[str, object]) -> None:
    changes = page(nights["index-2"]).xpath("//section[@id='changes']")[0]
    groups = {
        d.xpath("./summary")[0].text: [
            " ".join(li.text_content().split()) for li in d.xpath(".//li")
        ]
        for d in changes.xpath("./details[ul]")
    }
    assert groups["Added to the list (1)"] == ["TextRL github:voidful/textrl in list-b"]
    (release,) = groups["New release (1)"]
    assert "github:carperai/trlx" in release and release.endswith("in list-a, list-b, list-c")
    movers = changes.xpath("./details[table]//tbody/tr")
    assert [" ".join(m.xpath("./td")[0].text_content().split()) for m in movers] == [
        "trlx github:carperai/trlx"
    ]  # trlx moved in three lists: one row
    assert movers[0].xpath("./td")[2].text == "+100"
    assert movers[0].xpath("./td")[3].text == "list-a, list-b, list-c"


def test_the_entity_most_lists_share_is_ranked_first(nights: dict[str, object]) -> None:
    rows = page(nights["index-2"]).xpath("//table[@id='shared-entities']/tbody/tr")
    ranked = [(r.get("data-id"), r.get("data-lists")) for r in rows]
    assert ranked[0] == ("github:carperai/trlx", "3")
    assert ranked[1] == ("github:allenai/rl4lms", "2")
    assert {n for _, n in ranked[2:]} == {"1"}
    stars = rows[0].xpath("./td")[3].text
    assert stars and stars[0].isdigit()


@pytest.mark.parametrize(
    ("ids", "lists", "expected"),
    [
        # (entity, its stars) per list; the ranking: most lists, then most stars, then id
        ("abc", {"x": ["a", "b"], "y": ["a", "c"], "z": ["a", "c"]}, ["a", "c", "b"]),
        ("stars", {"x": ["b", "a"], "y": ["a", "b"]}, ["b", "a"]),
        ("one", {"x": ["a"]}, ["a"]),
    ],
)
def test_shared_ranks_by_lists_then_stars(
    ids: str, lists: dict[str, list[str]], expected: list[str]
) -> None:
    stars = {"a": 10, "b": 500, "c": 7}

    def repo(name: str) -> Entry:
        record = Repo(repo_id=hash(name) % 1000, full_name=f"o/{name}",
                      html_url=f"https://github.com/o/{name}", stars=stars[name], forks=0,
                      watchers=0, open_issues=0)  # fmt: skip
        return repo_entry(record)

    snapshots = {slug: snap([repo(n) for n in names]) for slug, names in lists.items()}
    assert [r["id"] for r in shared(snapshots)] == [f"github:o/{n}" for n in expected]
    web = {"x": snap([entry(Kind.WEB, "https://example.org/", "https://example.org/")])}
    assert shared(web)[0]["stars"] is None


@pytest.mark.parametrize("top", [1, 3, 10, 200], ids=lambda t: f"top {t}")
def test_shared_keeps_the_top_of_the_whole_ranking(top: int) -> None:
    """Only the top's rows are made; they are the first ``top`` of every entity's row ranked
    (many ties of lists and stars, so the id decides among them)."""
    def repo(n: int) -> Entry:
        record = Repo(repo_id=n, full_name=f"o/r{n}", html_url=f"https://github.com/o/r{n}",
                      stars=(n * 7) % 5 * 100, forks=0, watchers=0, open_issues=0)  # fmt: skip
        return repo_entry(record)

    entries = [repo(n) for n in range(60)]
    snapshots = {f"list-{k}": snap([e for n, e in enumerate(entries) if n % (k + 1) == 0])
                 for k in range(6)}  # fmt: skip
    every = shared(snapshots, top=10_000)
    assert len(every) == 60
    assert every == sorted(every, key=lambda r: (-len(r["lists"]), -(r["stars"] or 0), r["id"]))
    assert shared(snapshots, top=top) == every[:top]


def test_the_feed_has_one_item_per_night_that_changed_something(
    nights: dict[str, object],
) -> None:
    first, second, third = (feedparser.parse(nights[f"feed-{n}"]) for n in (1, 2, 3))
    for parsed in (first, second, third):
        assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in first.entries] == [
        "2026-11-25: 3 lists changed (list-a, list-b, list-c)"
    ]
    assert [e.title for e in third.entries] == [  # night 3 changed nothing: no item
        "2026-11-26: 3 lists changed (list-a, list-b, list-c)",
        "2026-11-25: 3 lists changed (list-a, list-b, list-c)",
    ]
    # stable ids: a night's item keeps its id on every later night
    assert {e.id: e.title for e in second.entries} == {e.id: e.title for e in third.entries}
    assert first.entries[0].id == third.entries[1].id
    content = third.entries[0].content[0].value
    assert "list-b</a>: 1 added to the list; 1 new release" in content
    out = Path(str(nights["out"])) / "catalog"
    hrefs = lxml.html.fragment_fromstring(content, create_parent="div").xpath("//a/@href")
    assert hrefs and all((out / h).is_file() for h in hrefs)


def test_the_catalog_history_has_one_partition_per_night(nights: dict[str, object]) -> None:
    history = Path(str(nights["out"])) / "catalog" / "history"
    days = [d.isoformat() for d in (n.date() for n in NIGHTS)]
    for table in ("entities", "lists"):
        found = sorted(p.name for p in (history / table).iterdir())
        assert found == [f"date={d}" for d in days]
    lists = pl.read_parquet(history / "lists" / "**/*.parquet", hive_partitioning=True)
    by_day = lists.group_by("date").agg(pl.col("slug").sort(), pl.col("entries").sum()).sort("date")
    assert by_day["slug"].to_list() == [["list-a", "list-b", "list-c"]] * 3
    assert by_day["entries"].to_list() == [6, 7, 7]
    entities = pl.read_parquet(history / "entities" / "**/*.parquet", hive_partitioning=True)
    trlx = entities.filter(pl.col("id") == "github:carperai/trlx").sort("date")
    assert trlx.height == 3  # one row per night, however many lists link it
    stars = trlx["stars"].to_list()
    assert stars[1] - stars[0] == 100 and stars[2] == stars[1]


def test_hostile_list_text_is_text_on_the_catalog_page(nights: dict[str, object]) -> None:
    html = str(nights["index-3"])
    assert "<script>window" not in html and "<img src=x" not in html
    doc = page(html)
    assert not doc.xpath("//script") and not doc.xpath("//img") and not doc.xpath("//*[@onerror]")
    (row,) = doc.xpath("//table[@id='shared-entities']/tbody/tr[@data-id='github:allenai/rl4lms']")
    assert HOSTILE_TITLE in row.text_content()  # shown as the text it is
    (lists_row,) = doc.xpath("//table[@id='catalog-lists']/tbody/tr[@data-slug='list-a']")
    assert f"Sample list A {HOSTILE_TEXT}" in lists_row.text_content()  # the list's own title
    assert "script-src 'none'" in doc.xpath("//meta[@http-equiv]")[0].get("content")


def test_a_single_list_run_writes_no_catalog(fake: FakeAPI, tmp_path: Path) -> None:
    from conftest import run

    listing = tmp_path / "one.md"
    listing.write_text(SAMPLE + LISTS["list-c"])
    settings = fake.settings(allow_loopback=True, http_retries=0)
    run(str(listing), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
        skip=SKIP)  # fmt: skip
    assert (tmp_path / "out" / "index.html").is_file()
    assert not (tmp_path / "out" / "catalog").exists()
    assert not (tmp_path / "out" / "lists").exists()
