"""The views people read: list.md (checked with a GFM renderer) and index.html (checked as
parsed HTML), from hand-built snapshots, diffs and history; and `enrich render` from a published
folder giving the bytes the run wrote."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import lxml.html
import polars as pl
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from conftest import BUNDLED, run, write_json
from enrich.core.assemble import assemble
from enrich.core.changelog import changelog
from enrich.core.links import Kind
from enrich.core.model import (
    SCHEMA_VERSION,
    Author,
    Card,
    Entry,
    HubRepo,
    Paper,
    Position,
    Release,
    Repo,
    Snapshot,
    Status,
    WebPage,
)
from enrich.core.naming import display_title
from enrich.core.score import percentiles, scored
from enrich.core.settings import Settings
from enrich.run.render import render
from enrich.sandbox.sample import sample_data_dir
from enrich.store import history
from enrich.store.codec import to_arrow
from enrich.store.compare import diff_snapshots
from enrich.store.published import read_published
from enrich.views import About, Published
from enrich.views.facts import DAY_US, list_name, series, trend
from enrich.views.listmd import render_list
from enrich.views.registry import VIEWS
from enrich.views.report import render_report
from enrich.views.svg import sparkline

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
SCRIPT = '<script>alert("x")</script>'


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def at(index: int, *section: str) -> Position:
    return Position(section=list(section), line=index * 2, index=index)


def entry(kind: Kind, eid: str, url: str, positions: list[Position], **fields: Any) -> Entry:
    return Entry(
        id=eid,
        kind=kind,
        source_id=eid.split(":", 1)[-1],
        url=url,
        urls=[url],
        section=positions[0].section,
        positions=positions,
        status=fields.pop("status", Status.OK),
        **fields,
    )


def repo(name: str, index: int, stars: int, *section: str, **changes: Any) -> Entry:
    values: dict[str, Any] = dict(
        repo_id=abs(hash(name)) % 10**9,
        full_name=name,
        html_url=f"https://github.com/{name}",
        stars=stars,
        forks=10,
        watchers=5,
        open_issues=1,
        license="MIT",
        last_commit_at=ago(3),
        created_at=ago(900),
        latest_release=Release(tag="v1.2.0", published_at=ago(20)),
    )
    extra = {
        k: changes.pop(k)
        for k in ("title", "description", "status", "status_reason")
        if k in changes
    }
    values.update(changes)
    return entry(
        Kind.REPO,
        f"github:{name.lower()}",
        f"https://github.com/{name}",
        [at(index, *(section or ("Code",)))],
        repo=Repo(**values),
        **extra,
    )


def paper(index: int, **fields: Any) -> Entry:
    record = Paper(
        arxiv_id="2204.05862",
        versioned_id="2204.05862v2",
        version=2,
        title="Training a Helpful and Harmless Assistant",
        authors=[Author(name="Yuntao Bai"), Author(name="Andy Jones")],
        abstract="…",
        published=datetime(2022, 4, 12, tzinfo=UTC),
    )
    return entry(
        Kind.PAPER,
        "arxiv:2204.05862",
        "https://arxiv.org/abs/2204.05862v1",
        [at(index, "Papers", "2022")],
        title="HH-RLHF",
        paper=record,
        listed_version=1,
        **fields,
    )


def dataset(index: int, **changes: Any) -> Entry:
    values: dict[str, Any] = dict(
        repo_type="dataset",
        repo_id="Anthropic/hh-rlhf",
        downloads=104_273,
        likes=1412,
        gated="manual",
        card=Card(license="mit"),
    )
    values.update(changes)
    return entry(
        Kind.DATASET,
        "hf:dataset/anthropic/hh-rlhf",
        "https://huggingface.co/datasets/Anthropic/hh-rlhf",
        [at(index, "Datasets")],
        hub=HubRepo(**values),
    )


def page(index: int, url: str, title: str, **web: Any) -> Entry:
    return entry(Kind.WEB, url, url, [at(index, "Links")], title=title, web=WebPage(**web))


def entries() -> list[Entry]:
    """A small list: two sections of code (one nested), papers, datasets, links; a listed twice."""
    trl = repo(
        "huggingface/trl",
        2,
        18_000,
        "Code",
        "Libraries",
        renamed_from="lvwerra/trl",
        description="train transformer language models with PPO",
    )
    trl = trl.model_copy(update={"positions": [*trl.positions, at(9, "Links")]})
    return [
        repo("openai/lm-human-preferences", 1, 1300, "Code", archived=True),
        trl,
        repo("CarperAI/trlx", 3, 4700, "Code", "Libraries"),
        repo("voidful/TextRL", 4, 560, "Code", "Libraries", status=Status.STALE),
        paper(5, cross_links=["github:huggingface/trl"]),
        dataset(6),
        page(7, "https://carper.ai/", "Carper.ai", http_status=404),
        page(
            8,
            "http://www.eleuther.ai/",
            "EleutherAI",
            http_status=200,
            final_url="https://www.eleuther.ai/",
        ),
        page(
            10,
            "https://old.example.org/x",
            "Moved",
            http_status=200,
            final_url="https://new.example.org/y",
        ),
    ]


def snap(items: list[Entry], when: datetime = NOW) -> Snapshot:
    return assemble(
        scored(items, when),
        generated_at=when,
        run_id=when.strftime("%Y%m%dT%H%M%SZ"),
        list_source="awesome.md",
        list_sha256="0" * 64,
    )


def history_of(*snapshots: Snapshot) -> pl.DataFrame:
    frames = []
    for s in snapshots:
        rows = pl.from_arrow(history.rows(to_arrow(s), s.header))
        assert isinstance(rows, pl.DataFrame)
        frames.append(
            rows.with_columns(pl.lit(s.header.generated_at.date().isoformat()).alias("date"))
        )
    return pl.concat(frames).sort("observed_at", "id")


def published(
    items: list[Entry] | None = None,
    *,
    days_before: float = 40,
    settings: Settings | None = None,
    added: Entry | None = None,
) -> Published:
    """Three nights: 40 days ago, 10 days ago, now (trl gains stars each time); ``added`` is new tonight."""
    base = items or entries()
    nights = []
    for age, bump in ((days_before, 0), (10, 100), (0, 300)):
        night = [
            e.model_copy(update={"repo": e.repo.model_copy(update={"stars": e.repo.stars + bump})})
            if e.repo and e.id == "github:huggingface/trl"
            else e
            for e in base
        ]
        if age == 0 and added is not None:
            night = [*night, added]
        nights.append(snap(night, NOW - timedelta(days=age)))
    diff = diff_snapshots(nights[1], nights[2])
    return Published(
        nights[2],
        diff,
        nights[1],
        history_of(*nights),
        settings=settings or Settings.model_construct(),
    )


def gfm(text: str) -> MarkdownIt:
    """GitHub's Markdown, near enough: tables, strikethrough, autolinks (GFM autolinks need a
    scheme, so not linkify's fuzzy "awesome.md"), task lists, footnotes."""
    parser = MarkdownIt("gfm-like").use(tasklists_plugin).use(footnote_plugin)
    parser.linkify.set({"fuzzy_link": False})
    return parser


def rendered(text: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(gfm(text).render(text), create_parent="div")


# -- list.md -----------------------------------------------------------------------------------


def test_the_list_keeps_its_sections_and_order_one_line_per_position() -> None:
    text = render_list(published())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# awesome, enriched",
        "## Code",
        "### Libraries",
        "## Papers",
        "### 2022",
        "## Datasets",
        "## Links",
    ]
    names = [a.text_content() for a in rendered(text).xpath("//li/a[1]")]
    assert names == [
        "openai/lm-human-preferences",
        "huggingface/trl",
        "CarperAI/trlx",
        "voidful/TextRL",
        "HH-RLHF",
        "Anthropic/hh-rlhf",
        "Carper.ai",
        "EleutherAI",
        "huggingface/trl",
        "Moved",
    ]


@pytest.mark.parametrize(
    ("name", "needles"),
    [
        (
            "huggingface/trl",
            [
                "★ 18.3k (+300 in 40 days)",
                "last commit 3 days ago",
                "MIT",
                "release v1.2.0",
                "score ",
                "renamed from lvwerra/trl",
                "— train transformer language models with PPO",
            ],
        ),
        ("openai/lm-human-preferences", ["★ 1.3k", "archived"]),
        ("voidful/TextRL", ["stale"]),
        ("HH-RLHF", ["2022", "Bai et al.", "v2 (list links v1)", "code: huggingface/trl ★ 18.3k"]),
        ("Anthropic/hh-rlhf", ["⬇ 104.3k/30 d", "1.4k likes", "mit", "gated (manual)"]),
        ("Carper.ai", ["broken (404)"]),
        ("Moved", ["redirected to https://new.example.org/y"]),
    ],
)
def test_each_line_says_what_matters_for_its_kind(name: str, needles: list[str]) -> None:
    html = rendered(render_list(published()))
    (item,) = [li for li in html.xpath("//li") if li.xpath("a[1]")[0].text_content() == name][:1]
    text = item.text_content()
    assert [n for n in needles if n not in text] == []


@pytest.mark.parametrize(
    ("status", "reason", "mark"),
    [
        (
            Status.ERROR,
            "not found on GitHub (deleted or private)",
            "error: not found on GitHub (deleted or private)",
        ),
        (Status.ERROR, "x" * 200, "error: " + "x" * 79 + "…"),
        (Status.STALE, "GitHub answered 503", "stale"),
    ],
)
def test_entries_that_could_not_be_fetched_say_so(status: Status, reason: str, mark: str) -> None:
    items = entries()
    items[2] = items[2].model_copy(update={"status": status, "status_reason": reason})
    html = rendered(render_list(published(items)))
    (item,) = [
        li for li in html.xpath("//li") if li.xpath("a[1]")[0].text_content() == "CarperAI/trlx"
    ]
    assert item.xpath("strong[last()]")[0].text_content() == mark


def test_an_http_to_https_redirect_is_not_news() -> None:
    html = rendered(render_list(published()))
    (item,) = [
        li for li in html.xpath("//li") if li.xpath("a[1]")[0].text_content() == "EleutherAI"
    ]
    assert "redirected" not in item.text_content()


def test_new_since_the_last_run_is_marked_and_only_then() -> None:
    added = repo("allenai/RL4LMs", 11, 2300, "Links")
    html = rendered(render_list(published(added=added)))
    marked = [
        li.xpath("a[1]")[0].text_content()
        for li in html.xpath("//li")
        if li.xpath("strong[1]/text()") == ["new"]
    ]
    assert marked == ["allenai/RL4LMs"]
    first = published()
    first_run = Published(first.snapshot, diff_snapshots(None, first.snapshot), None, first.history)
    assert (
        "**new**" not in render_list(first_run).split("\n", 6)[-1]
    )  # the first run: everything is new


def test_the_30_day_change_is_measured_from_the_newest_point_at_least_30_days_old() -> None:
    text = render_list(published(days_before=45))
    assert "★ 18.3k (+300 in 45 days)" in text  # 45 days ago is the newest ≥ 30 days old
    short = render_list(published(days_before=20))
    assert "★ 18.3k (+300 in 20 days)" in short  # not 30 days of history yet: from the oldest


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("list", ["huggingface/trl", "CarperAI/trlx", "voidful/TextRL"]),
        ("stars", ["voidful/TextRL", "huggingface/trl", "CarperAI/trlx"]),
        ("score", None),  # checked against the scores below
    ],
)
def test_sorting_within_sections(sort: str, expected: list[str] | None) -> None:
    items = entries()
    # Libraries in list order: trl, trlx, TextRL; make TextRL the most starred
    items[3] = repo("voidful/TextRL", 4, 90_000, "Code", "Libraries")
    pub = published(items, settings=Settings.model_construct(list_sort=sort))
    html = rendered(render_list(pub))
    heading = html.xpath("//h3[text()='Libraries']")[0]
    names = [a.text_content() for a in heading.getnext().xpath("li/a[1]")]
    scores = {e.repo.full_name: e.score.total for e in pub.snapshot.entries if e.repo and e.score}
    if expected is not None:
        assert names == expected
    else:
        assert names == sorted(names, key=lambda n: -scores[n]) and len(set(scores.values())) > 1


def test_entries_below_the_threshold_are_left_out_and_counted() -> None:
    pub = published()
    ranks = percentiles(pub.snapshot.entries)
    threshold = 60.0
    below = sum(
        1 for e in pub.snapshot.entries for _ in e.positions if ranks.get(e.id, 100) < threshold
    )
    text = render_list(with_settings(pub, list_min_score=threshold))
    assert below and f"{below} entries scoring below 60 (their percentile within" in text
    html = rendered(text)
    shown = {a.text_content() for a in html.xpath("//li/a[1]")}
    assert {"Carper.ai", "EleutherAI", "Moved"} <= shown  # web pages have no score: never hidden


def with_settings(pub: Published, **settings: Any) -> Published:
    return Published(pub.snapshot, pub.diff, pub.previous, pub.history,
                     settings=Settings.model_construct(**settings))  # fmt: skip


def kinds_apart() -> list[Entry]:
    """Totals on two scales, as in the demo (papers 1 to 9, repositories 11 to 26): two papers
    of little attention, three busy repositories."""
    quiet = paper(5)
    assert quiet.paper is not None
    revised = quiet.model_copy(update={
        "id": "arxiv:1909.08593", "title": "Fine-Tuning LMs from Human Preferences",
        "positions": [at(6, "Papers", "2019")],
        "paper": quiet.paper.model_copy(update={"arxiv_id": "1909.08593", "version": 4}),
    })  # fmt: skip
    return [
        repo("huggingface/trl", 1, 18_000, "Code", commits_30d=40, commits_365d=900,
             contributors=300, watchers=200),
        repo("CarperAI/trlx", 2, 4700, "Code", contributors=80, watchers=50),
        repo("voidful/TextRL", 3, 560, "Code"),
        quiet,
        revised,
    ]  # fmt: skip


@pytest.mark.parametrize("threshold", [15, 50, 90, 100])
def test_a_score_threshold_keeps_the_best_of_every_kind(threshold: float) -> None:
    """``enrich render --min-score 15`` dropped every paper: a paper's total (1 to 9) and a
    repository's (11 to 26) are on different scales. The threshold is a percentile within the
    entry's kind, so each kind keeps its best whatever its formula's range."""
    pub = published(kinds_apart())
    totals: dict[Kind, list[float]] = {}
    for e in pub.snapshot.entries:
        assert e.score is not None
        totals.setdefault(e.kind, []).append(e.score.total)
    assert max(totals[Kind.PAPER]) < min(totals[Kind.REPO])  # the scales apart
    html = rendered(render_list(with_settings(pub, list_min_score=threshold)))
    shown = [a.text_content() for a in html.xpath("//li/a[1]")]
    # the best of each kind, and nothing below the threshold within its kind
    assert "huggingface/trl" in shown and "Fine-Tuning LMs from Human Preferences" in shown
    expected = {"huggingface/trl", "Fine-Tuning LMs from Human Preferences"}
    expected |= {"CarperAI/trlx"} if threshold <= 200 / 3 else set()
    expected |= {"HH-RLHF"} if threshold <= 50 else set()
    expected |= {"voidful/TextRL"} if threshold <= 100 / 3 else set()
    assert set(shown) == expected


def test_the_score_shown_is_the_percentile_within_the_kind_with_the_total_on_hover() -> None:
    pub = published(kinds_apart())
    listing = rendered(render_list(pub))
    lines = {li.xpath("a[1]")[0].text_content(): li.text_content() for li in listing.xpath("//li")}
    assert "· score 100" in lines["huggingface/trl"]
    assert "· score 100" in lines["Fine-Tuning LMs from Human Preferences"]  # the best paper
    assert "· score 50" in lines["HH-RLHF"] and "· score 33" in lines["voidful/TextRL"]
    rows = {
        r.xpath("td[2]/a[1]")[0].text_content(): r
        for r in report(pub).xpath("//table[@id='entries']/tbody/tr")
    }
    total = next(e.score.total for e in pub.snapshot.entries if e.id == "github:carperai/trlx")  # type: ignore[union-attr]
    trlx = rows["CarperAI/trlx"]
    assert trlx.get("data-score") == str(200 / 3) and trlx.xpath("td[5]")[0].text_content() == "67"
    assert re.fullmatch(
        rf"percentile 67 among the list's 3 repositories \(100: the best of them\); "
        rf"score {total:g} = popularity [\d.]+ \+ activity [\d.]+ \+ maintenance [\d.]+ "
        rf"\+ community [\d.]+",
        trlx.xpath("td[5]")[0].get("title"),
    )
    assert rows["HH-RLHF"].xpath("td[5]")[0].get("title").startswith(
        "percentile 50 among the list's 2 papers"
    )


HOSTILE = [
    SCRIPT,
    "<img src=x onerror=alert(1)>",
    "[a link](https://evil.example/)",
    "![an image](https://evil.example/x.png)",
    "**bold** _em_ `code` | pipe | ~~strike~~",
    "# heading\n- item",
    "[^1] footnote and [ ] task",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_upstream_text_is_inert_on_github(hostile: str) -> None:
    items = entries()
    items[1] = repo(
        "huggingface/trl",
        2,
        18_000,
        "Code",
        "Libraries",
        title=hostile,
        description=hostile,
        license=hostile,
    )
    items[5] = dataset(6, card=Card(license=hostile))
    text = render_list(published(items))
    html = rendered(text)
    assert not html.xpath(
        "//script | //img | //strong[contains(., 'bold')] | //em | //del | //table | //sup"
        " | //input"
    )
    assert len(html.xpath("//h1")) == 1  # the list's own title only
    # Every link is an entry's own, or (GFM autolinks) a URL written out in full in the text:
    # no link hides where it goes.
    own = {e.url for e in entries()} | {e.repo.html_url for e in entries() if e.repo}
    own |= {"index.html", f"diffs/{NOW.date()}.md"}
    assert all(
        a.get("href") in own or a.text_content() == unquote(a.get("href"))
        for a in html.xpath("//a")
    )
    (item,) = [
        li
        for li in html.xpath("//li")
        if "github.com/huggingface/trl" in (li.xpath("a[1]/@href") or [""])[0]
    ][:1]
    flat = " ".join(hostile.split())
    assert item.xpath("a[1]")[0].text_content() == flat  # the title shows as written


# -- index.html --------------------------------------------------------------------------------


def report(pub: Published | None = None) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(render_report(pub or published()))


def test_the_report_has_one_row_per_entry_with_its_facts() -> None:
    pub = published()
    doc = report(pub)
    rows = doc.xpath("//table[@id='entries']/tbody/tr")
    assert sorted(
        (r.get("data-kind"), r.xpath("td[2]/a[1]")[0].text_content()) for r in rows
    ) == sorted((e.kind.value, display_title(e)) for e in pub.snapshot.entries)
    trl = next(r for r in rows if "huggingface/trl" in r.text_content())
    assert (trl.get("data-counter"), trl.get("data-delta"), trl.get("data-section")) == (
        "18300",
        "300",
        "Code › Libraries",
    )
    assert float(trl.get("data-score")) == percentiles(pub.snapshot.entries)["github:huggingface/trl"]
    parts = trl.xpath("td[@title]")[0].get("title")
    assert re.search(
        r"; score [\d.]+ = popularity [\d.]+ \+ activity [\d.]+ \+ maintenance [\d.]+ "
        r"\+ community [\d.]+$",
        parts,
    )


@pytest.mark.parametrize(("points", "drawn"), [(0, False), (1, False), (2, False), (3, True), (40, True)])
def test_a_sparkline_needs_three_points(points: int, drawn: bool) -> None:
    """One point is a dot and two a straight line, whatever happened between: no trend yet."""
    series = [(i * DAY_US, 100 + i * i) for i in range(points)]
    svg = sparkline(series, "stars")
    assert bool(svg) is drawn
    if drawn:
        (element,) = lxml.html.fragment_fromstring(str(svg)).xpath("//polyline")
        assert len(element.get("points").split()) == points


def test_the_sparkline_has_a_point_per_observation() -> None:
    doc = report()
    trl = next(
        r
        for r in doc.xpath("//table[@id='entries']/tbody/tr")
        if "huggingface/trl" in r.text_content()
    )
    (svg,) = trl.xpath(".//svg")
    points = svg.xpath("polyline")[0].get("points").split()
    assert svg.get("data-points") == "3" and len(points) == 3
    ys = [int(p.split(",")[1]) for p in points]
    assert ys[0] > ys[1] > ys[2]  # rising stars: up the page
    assert svg.get("aria-label") == "stars: 18k → 18.3k, 3 points over 40 days"


def test_the_report_header_leads_with_the_list_its_counts_and_when() -> None:
    """A reader first wants what list this is, how big, how fresh; where the snapshot comes from
    (its path, run id, sha) is for the curious, in the footer."""
    added = repo("allenai/RL4LMs", 11, 2300, "Links")
    pub = published(added=added)
    header = pub.snapshot.header
    doc = report(pub)
    assert doc.xpath("//title")[0].text_content() == "awesome: enriched report, 2026-11-26"
    assert [e.text_content() for e in doc.xpath("//header/*")] == [
        "awesome",
        "10 entries: 1 dataset, 1 paper, 5 repositories, 3 web pages · 9 ok, 1 stale",
        "refreshed 2026-11-26 03:00 UTC · files: latest.json, latest.parquet, list.md",
    ]
    footer = doc.xpath("//footer")[0].text_content()
    for fact in (header.list_source, header.run_id, header.list_sha256[:12], SCHEMA_VERSION):
        assert fact in footer
    changes = doc.xpath("//section[@id='changes']")[0]
    assert (
        changes.xpath("h2")[0].text_content()
        == f"What changed since {(NOW - timedelta(days=10)).date()}"
    )
    summaries = [s.text_content() for s in changes.xpath(".//summary")]
    assert summaries == ["Added to the list (1)", "Top movers: stars"]
    assert "github:allenai/rl4lms" in changes.text_content() and "+200" in changes.text_content()


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("awesome.md", "awesome"),
        ("/home/someone/lists/awesome-rlhf-language-models.md", "awesome-rlhf-language-models"),
        ("data/raw/lists/awesome-rlhf-language-models.md", "awesome-rlhf-language-models"),
        ("bundled:awesome-rlhf-language-models.md", "awesome-rlhf-language-models"),
        ("github:jordimas/awesome-RLHF-language-models/README.md@main", "awesome-RLHF-language-models"),
        ("https://example.org/lists/awesome-ml.md", "awesome-ml"),
    ],
)
def test_the_list_is_named_never_by_its_path(source: str, name: str) -> None:
    pub = published()
    header = pub.snapshot.header.model_copy(update={"list_source": source})
    snapshot = pub.snapshot.model_copy(update={"header": header})
    again = Published(snapshot, pub.diff, pub.previous, pub.history)
    assert list_name(header) == name
    assert report(again).xpath("//h1")[0].text_content() == name
    assert render_list(again).startswith(f"# {name}, enriched\n")


@pytest.mark.parametrize(
    ("gap", "said"),
    [
        (timedelta(seconds=26), "26 seconds"),  # was "(0.0003 days)" in index.html, "<1 d" in list.md
        (timedelta(minutes=12), "12 minutes"),
        (timedelta(hours=5), "5 hours"),
        (timedelta(hours=36), "1.5 days"),
        (timedelta(days=10), "10 days"),
        (timedelta(days=45), "45 days"),
    ],
)
def test_time_spans_are_worded_one_way(gap: timedelta, said: str) -> None:
    """The changelog (Markdown, in the card and diffs/), the report and list.md say a span of
    time the same way."""
    before = snap(entries(), NOW - gap)
    items = [
        e.model_copy(update={"repo": e.repo.model_copy(update={"stars": e.repo.stars + 42})})
        if e.repo and e.id == "github:huggingface/trl"
        else e
        for e in entries()
    ]
    now = snap(items, NOW)
    diff = diff_snapshots(before, now)
    days = {s.header.generated_at.date(): s for s in (before, now)}
    pub = Published(now, diff, before, history_of(*days.values()))
    assert f"({said})." in changelog(diff)
    paragraph = report(pub).xpath("//section[@id='changes']/p")[0].text_content()
    assert f"({said})." in paragraph
    assert f"★ 18k (+42 in {said})" in render_list(pub)
    rows = report(pub).xpath("//table[@id='entries']/tbody/tr")
    row = next(r for r in rows if "huggingface/trl" in r.text_content())
    assert f"+42 in {said}" in row.text_content()


@pytest.mark.parametrize(
    ("age", "said"),
    [(timedelta(hours=5), "5 hours ago"), (timedelta(days=3), "3 days ago"),
     (timedelta(days=120), "3.9 months ago"), (timedelta(days=1000), "2.7 years ago")],
)  # fmt: skip
def test_ages_are_worded_as_spans(age: timedelta, said: str) -> None:
    items = entries()
    items[2] = repo("CarperAI/trlx", 3, 4700, "Code", "Libraries", last_commit_at=NOW - age)
    html = rendered(render_list(published(items)))
    (item,) = [li for li in html.xpath("//li") if li.xpath("a[1]")[0].text_content() == "CarperAI/trlx"]
    assert f"last commit {said}" in item.text_content()


@pytest.mark.parametrize("hostile", [*HOSTILE, 'x" onmouseover="alert(1)', "javascript:alert(1)"])
def test_upstream_text_is_escaped_in_the_report(hostile: str) -> None:
    items = entries()
    items[1] = repo(
        "huggingface/trl", 2, 18_000, "Code", "Libraries", title=hostile, description=hostile
    )
    items[6] = page(7, "javascript:alert(1)", hostile, http_status=404)
    html = render_report(published(items, added=repo("a/b", 11, 1, "Links", title=hostile)))
    doc = lxml.html.document_fromstring(html)
    assert len(doc.xpath("//script")) == 1 and not doc.xpath("//script")[0].get("src")  # ours only
    assert not doc.xpath("//img | //*[@onerror] | //*[@onmouseover] | //iframe | //object")
    assert all(
        h.startswith(("http://", "https://", "latest.", "list.md", "diffs/"))
        for h in doc.xpath("//a/@href")
    )
    titles = [a.text_content() for a in doc.xpath("//tbody//td[2]/a[1]")]
    assert " ".join(hostile.split()) in titles or hostile in titles


def test_the_report_asks_for_nothing_and_allows_only_its_own_script_and_style() -> None:
    html = render_report(published())
    doc = lxml.html.document_fromstring(html)
    assert not doc.xpath("//*[@src] | //link | //iframe | //object | //embed | //base")
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    script = doc.xpath("//script")[0].text
    style = doc.xpath("//style")[0].text

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert csp.startswith("default-src 'none';")
    assert f"script-src {digest(script)};" in csp and f"style-src {digest(style)};" in csp


# -- the trend series --------------------------------------------------------------------------


def test_a_rerun_the_same_day_still_plots_the_run_it_replaced() -> None:
    """The history keeps one row a day; the diff brings back the value the rerun replaced."""
    morning = snap(entries(), NOW - timedelta(hours=2))
    items = [
        e.model_copy(update={"repo": e.repo.model_copy(update={"stars": e.repo.stars + 42})})
        if e.id == "github:huggingface/trl"
        else e
        for e in entries()
    ]
    evening = snap(items, NOW)
    diff = diff_snapshots(morning, evening)
    points = series(history_of(evening), diff, evening)
    assert [v for _, v in points["github:huggingface/trl"]] == [18_000, 18_042]
    assert [v for _, v in points["github:carperai/trlx"]] == [4700, 4700]
    assert trend(points["github:huggingface/trl"], NOW) == (42, 2 / 24)
    # a diff against an earlier day adds nothing: that day is in the history
    yesterday = snap(entries(), NOW - timedelta(days=1))
    both = series(history_of(yesterday, evening), diff_snapshots(yesterday, evening), evening)
    assert [v for _, v in both["github:huggingface/trl"]] == [18_000, 18_042]


def test_views_read_counters_the_history_does_not_have_yet() -> None:
    """A history written before a counter existed (here: Hub upvotes, issue 13) has no column for
    it: no series, no failure; a paper without a Hub page has no upvotes, so no series either."""
    pub = published()
    assert "upvotes" in pub.history.columns  # a history column since the graph's events
    assert "arxiv:2204.05862" not in series(pub.history, pub.diff, pub.snapshot)
    older = pub.history.drop("upvotes")
    assert "arxiv:2204.05862" not in series(older, pub.diff, pub.snapshot)


# -- enrich render -----------------------------------------------------------------------------


def test_render_from_the_published_folder_writes_what_the_run_wrote(
    settings: Settings, extra_data: Path, tmp_path: Path
) -> None:
    out, raw = tmp_path / "out", tmp_path / "raw"
    run(str(BUNDLED), settings=settings, out_dir=out, raw_root=raw, skip={"web": "offline"})
    trl = json.loads((sample_data_dir() / "github/repos/huggingface/trl.json").read_text())
    write_json(
        extra_data / "github/repos/huggingface/trl.json",
        {**trl, "stargazers_count": trl["stargazers_count"] + 42},
    )
    result = run(
        str(BUNDLED), settings=settings, out_dir=out, raw_root=raw, skip={"web": "offline"}
    )
    names = {f"{v.name}" for v in VIEWS}
    assert {"list", "report"} <= names
    wrote = {p.name: p.read_bytes() for p in result.published}
    assert {"list.md", "index.html"} <= set(wrote)

    stored = read_published(out)
    assert stored.diff == json.loads(json.dumps(result.diff))
    assert result.diff is not None and result.diff["from"] is not None
    same_day = result.diff["from"]["generated_at"][:10] == result.diff["to"]["generated_at"][:10]
    # the same day: the snapshot it compared against was replaced, and is not read back
    assert (stored.previous is None) == same_day
    rendered = render(out, Settings())
    assert {"list.md", "index.html", "README.md", "feed.xml"} <= {p.name for p in rendered}
    for path in rendered:  # every view, the dataset card and feed included
        assert path.read_bytes() == wrote[path.name], path.name
    assert re.search(r"\(\+42 in [\d.]+ (second|minute)s?\)", (out / "list.md").read_text())
    (row,) = lxml.html.document_fromstring((out / "index.html").read_bytes()).xpath(
        "//table[@id='entries']//tr[contains(., 'huggingface/trl')]"
    )
    assert not row.xpath(".//svg")  # two runs: two points are no trend yet


def test_render_keeps_the_previous_snapshot_of_an_earlier_day(tmp_path: Path) -> None:
    from enrich.store.publish import publish

    first, second = snap(entries(), NOW - timedelta(days=1)), snap(entries(), NOW)
    publish(first, tmp_path, diff_snapshots(None, first))
    publish(second, tmp_path, diff_snapshots(first, second))
    stored = read_published(tmp_path)
    assert stored.previous == first and stored.diff is not None and stored.diff["from"] is not None
    assert stored.history["date"].unique().sort().to_list() == [
        str((NOW - timedelta(days=1)).date()),
        str(NOW.date()),
    ]


def test_render_of_a_folder_with_nothing_published_is_a_bad_input(tmp_path: Path) -> None:
    from enrich.core.errors import InputError

    with pytest.raises(InputError, match="no published dataset"):
        render(tmp_path / "nothing", Settings())
    assert not (tmp_path / "nothing").exists()


# -- the feed: one item per run that changed something ----------------------------------------


def stars(items: list[Entry], more: int) -> list[Entry]:
    """``items`` with trl's stars ``more`` up."""
    return [
        e.model_copy(update={"repo": e.repo.model_copy(update={"stars": e.repo.stars + more})})
        if e.repo and e.id == "github:huggingface/trl"
        else e
        for e in items
    ]


def feed_runs(out: Path) -> list[tuple[str, str, str]]:
    """The feed's run items as ``enrich render`` writes them: (id, title, link)."""
    render(out, Settings())
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [(e.id, e.title, e.link) for e in parsed.entries if e.tags[0].term == "run"]


def test_the_feed_has_an_item_per_run_that_changed_something(tmp_path: Path) -> None:
    """Five runs over two days: the first; a rerun that morning with trl's stars up; a third run
    that day and the next night's, neither changing anything; a second run that night, stars up
    again. A same-day rerun is an item beside the day's first, never its replacement; a run that
    changed nothing is no item; every item keeps its id as the feed is rebuilt."""
    from enrich.store.publish import publish

    day1, day2 = NOW - timedelta(days=1), NOW
    plan = [
        (day1, entries()),
        (day1 + timedelta(hours=2), stars(entries(), 42)),
        (day1 + timedelta(hours=4), stars(entries(), 42)),
        (day2, stars(entries(), 42)),
        (day2 + timedelta(hours=2), stars(entries(), 50)),
    ]
    previous: Snapshot | None = None
    feeds = []
    snapshots = []
    for when, items in plan:
        snapshot = snap(items, when)
        publish(snapshot, tmp_path, diff_snapshots(previous, snapshot))
        feeds.append(feed_runs(tmp_path))
        snapshots.append(snapshot)
        previous = snapshot
    runs = [s.header.run_id for s in snapshots]
    assert [link for _, _, link in feeds[-1]] == [f"diffs/runs/{runs[i]}.md" for i in (4, 1, 0)]
    assert [title for _, title, _ in feeds[-1]] == [
        "2026-11-26: 1 entry: counts moved",
        "2026-11-25: 1 entry: counts moved",
        "2026-11-25: first snapshot, 9 entries",
    ]
    assert all((tmp_path / link).is_file() for _, _, link in feeds[-1])
    # the morning's rerun stays beside the first run, with its id, through every later run
    for later in feeds[1:]:
        assert feeds[1][0] in later and feeds[0][0] in later
    # a run that changed nothing adds no item
    assert feeds[2] == feeds[1] and feeds[3] == feeds[1]


# -- sample data says so ----------------------------------------------------------------------

NOTICE = "Sample data: built by enrich demo from the local fake API's generated sample data."


@pytest.mark.parametrize("notice", [NOTICE, None])
def test_the_list_and_the_report_carry_the_datasets_notice(notice: str | None) -> None:
    """The demo's dataset is sample data: list.md and index.html say so first, as the card, the
    feed and the Croissant file do; a real run's say nothing of the kind."""
    pub = published()
    given = Published(pub.snapshot, pub.diff, pub.previous, pub.history, about=About(notice=notice))
    listing = render_list(given)
    html = rendered(listing)
    quoted = html.xpath("//blockquote")
    doc = report(given)
    banner = doc.xpath("//header/p[@class='notice']")
    if notice is None:
        assert not quoted and not banner and "Sample data" not in listing
        return
    # list.md: under the title, before anything else
    assert listing.split("\n")[:3] == ["# awesome, enriched", "", f"> **{NOTICE}**"]
    assert quoted[0].text_content().strip() == NOTICE
    assert banner[0].text_content() == NOTICE and doc.xpath("//header/*")[1] is banner[0]
    assert banner[0].get("role") == "note"


@pytest.mark.parametrize(("given", "said"), [("150", "--min-score 150: expected a percentile, 0 to 100"),
                                             ("-1", "--min-score -1: expected a percentile, 0 to 100")])
def test_a_min_score_is_a_percentile(given: str, said: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from enrich.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["render", "--out", str(tmp_path), "--min-score", given])
    assert exit_.value.code == 2 and capsys.readouterr().err == f"error: {said}\n"



def test_render_keeps_what_the_run_said_about_the_dataset(
    settings: Settings, tmp_path: Path
) -> None:
    """The demo's notice and licence are settings of the run; ``enrich render`` later, in a
    shell without them, renders the same bytes (about.json), and a setting given then wins."""
    out, raw = tmp_path / "out", tmp_path / "raw"
    said = settings.model_copy(update={"dataset_notice": NOTICE, "dataset_license": "cc0-1.0"})
    result = run(str(BUNDLED), settings=said, out_dir=out, raw_root=raw, skip={"web": "offline"})
    wrote = {p.name: p.read_bytes() for p in result.published}
    assert json.loads(wrote["about.json"]) == {
        "hub_repo": None, "license": "cc0-1.0", "name": None, "notice": NOTICE,
    }  # fmt: skip
    for path in render(out, Settings()):
        assert path.read_bytes() == wrote[path.name], path.name
    render(out, Settings(dataset_notice="Another notice."))
    assert "> **Another notice.**" in (out / "list.md").read_text()
    assert "license: cc0-1.0" in (out / "README.md").read_text()
