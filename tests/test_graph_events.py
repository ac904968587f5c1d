"""The graph's changes as diff events: a paper whose code appeared (``code_released``), a paper
the Hub adopts (``hub_adoption``), and Hub upvotes counted like stars, night after night."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import feedparser
import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import write_json
from enrich.core.assemble import assemble
from enrich.core.changelog import changelog, top_movers
from enrich.core.diff import HUB_ADOPTION_MIN, Diff
from enrich.core.graph import with_graph
from enrich.core.links import Kind
from enrich.core.model import Entry, HubPaper, Paper, Repo, Snapshot, Status
from enrich.core.settings import Settings
from enrich.store import history
from enrich.store.codec import to_arrow
from enrich.store.compare import diff_files, diff_snapshots
from enrich.store.publish import publish
from enrich.views import Published
from enrich.views.feed import feed_xml

NIGHT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
DPO = "2305.18290"  # Direct Preference Optimization


def page(**fields: Any) -> HubPaper:
    values: dict[str, Any] = dict(arxiv_id=DPO, on_hub=True, url=f"https://huggingface.co/papers/{DPO}",
                                  upvotes=60, num_models=120, num_datasets=14, num_spaces=30)
    values.update(fields)
    return HubPaper(**values)


def paper(hub: HubPaper | None = None, *, arxiv_id: str = DPO, status: Status = Status.OK,
          comment: str | None = None) -> Entry:
    record = Paper(arxiv_id=arxiv_id, versioned_id=f"{arxiv_id}v3", version=3,
                   title="Direct Preference Optimization", authors=[], abstract="…", comment=comment)
    return Entry(id=f"arxiv:{arxiv_id}", kind=Kind.PAPER, source_id=arxiv_id,
                 url=f"https://arxiv.org/abs/{arxiv_id}", urls=[], title="DPO", section=["Papers"],
                 positions=[], status=status, paper=record, hub_paper=hub)  # fmt: skip


def code_page(repo: str = "eric-mitchell/direct-preference-optimization", **fields: Any) -> HubPaper:
    return page(github_repo=f"https://github.com/{repo}", github_repo_id=f"github:{repo.lower()}",
                **fields)  # fmt: skip


def listed_repo(name: str) -> Entry:
    return Entry(id=f"github:{name.lower()}", kind=Kind.REPO, source_id=name,
                 url=f"https://github.com/{name}", urls=[], title=name, section=["Code"],
                 positions=[], status=Status.OK,
                 repo=Repo(repo_id=1, full_name=name, html_url=f"https://github.com/{name}",
                           stars=2900, forks=240, watchers=30, open_issues=20))  # fmt: skip


def snap(entries: list[Entry], night: int = 0) -> Snapshot:
    when = NIGHT + timedelta(days=night)
    return assemble(with_graph(entries)[0], generated_at=when, run_id=when.strftime("%Y%m%dT%H%M%SZ"),
                    list_source="list.md", list_sha256="0" * 64)  # fmt: skip


def nights(*lists: list[Entry]) -> list[Diff]:
    """The diff of each night against the night before (the first: the first run)."""
    snaps = [snap(entries, night) for night, entries in enumerate(lists)]
    return [diff_snapshots(None, snaps[0])] + [
        diff_snapshots(old, new) for old, new in pairwise(snaps)
    ]


def events(diff: Diff, kind: str | None = None) -> list[tuple[str, str, Any, Any]]:
    return [(e["event"], e["id"], e["old"], e["new"]) for e in diff["events"]
            if kind is None or e["event"] == kind]  # fmt: skip


# -- code_released ------------------------------------------------------------------------------
def test_a_paper_whose_hub_page_names_its_code_tonight_released_code_once() -> None:
    """Last night the Hub page had no repository, tonight it has one; the next night it is old news."""
    first, second, third = nights([paper(page())], [paper(code_page())], [paper(code_page())])
    assert events(first, "code_released") == []
    assert events(second) == [("code_released", f"arxiv:{DPO}", None,
                               "github:eric-mitchell/direct-preference-optimization")]  # fmt: skip
    released = second["events"][0]
    assert released["evidence"] == ["hub_paper"]
    assert released["code_url"] == "https://github.com/eric-mitchell/direct-preference-optimization"
    assert released["url"] == f"https://arxiv.org/abs/{DPO}"  # the event is the paper's
    assert second["summary"]["events"] == {"code_released": 1}
    assert events(third) == []


@pytest.mark.parametrize(
    ("last_night", "tonight", "expected"),
    [
        # the paper's arXiv comment names a second repository: one event, for that one
        (code_page(), paper(code_page(), comment="Code: https://github.com/huggingface/trl"),
         ["github:huggingface/trl"]),
        # the Hub moved the code to another repository: the new one is released
        (code_page("old-org/dpo"), paper(code_page("new-org/dpo")), ["github:new-org/dpo"]),
        # the Hub page dropped its repository: nothing is released (and no event says so)
        (code_page(), paper(page()), []),
        # not on the Hub last night, on it with code tonight: code released
        (HubPaper(arxiv_id=DPO, on_hub=False), paper(code_page()),
         ["github:eric-mitchell/direct-preference-optimization"]),
    ],
)  # fmt: skip
def test_each_repository_a_paper_gains_is_one_event(last_night: HubPaper, tonight: Entry,
                                                      expected: list[str]) -> None:
    diff = nights([paper(last_night)], [tonight])[1]
    assert [e["new"] for e in diff["events"] if e["event"] == "code_released"] == expected


def test_a_paper_listed_with_its_repository_in_one_item_ties_it_on_the_night_both_are_listed() -> None:
    """The list adds the repository next to the paper: the repository is added, the paper's code
    (evidence: the same list item) is released."""
    repo = listed_repo("eric-mitchell/direct-preference-optimization")
    alone = paper(page())
    together = paper(page()).model_copy(update={"same_item": [repo.id]})
    paired = repo.model_copy(update={"same_item": [together.id]})
    diff = nights([alone], [together, paired])[1]
    assert [(e["event"], e["id"]) for e in diff["events"]] == [
        ("added", repo.id), ("code_released", f"arxiv:{DPO}")]
    assert diff["events"][1]["evidence"] == ["same_item"]


@pytest.mark.parametrize(
    ("last_night", "why"),
    [
        ([], "a paper added tonight with its code is only added"),
        ([paper(None, status=Status.ERROR)], "last night it could not be fetched: no ties to compare"),
        ([paper(None, status=Status.PENDING)], "last night it was never fetched"),
    ],
)
def test_no_code_released_without_a_night_that_knew_the_paper(last_night: list[Entry], why: str) -> None:
    diff = nights(last_night, [paper(code_page())])[1]
    assert events(diff, "code_released") == [], why


def test_a_snapshot_from_before_the_graph_releases_no_code(tmp_path: Path) -> None:
    """The first night after schema 1.3: the previous file has no ties, so every paper's code is
    not news (it was there, only not recorded)."""
    publish(snap([paper(code_page())]), tmp_path / "a")
    table = pq.read_table(tmp_path / "a/latest.parquet")
    pq.write_table(table.drop_columns(["ties", "hub_paper"]), tmp_path / "old.parquet")
    publish(snap([paper(code_page(upvotes=75))], night=1), tmp_path / "b")
    for new in ("b/latest.parquet", "b/latest.json"):
        diff = diff_files(tmp_path / "old.parquet", tmp_path / new)
        assert diff["events"] == [] and diff["counters"] == []  # no upvotes last night either


def test_parquet_and_json_snapshots_release_the_same_code(tmp_path: Path) -> None:
    before, after = snap([paper(page())]), snap([paper(code_page())], night=1)
    publish(before, tmp_path / "a")
    publish(after, tmp_path / "b", diff_snapshots(before, after))
    diffs = [diff_files(tmp_path / f"a/latest.{old}", tmp_path / f"b/latest.{new}")
             for old in ("json", "parquet") for new in ("json", "parquet")]  # fmt: skip
    assert all(d["events"] == diffs[0]["events"] for d in diffs)
    assert [e["event"] for e in diffs[0]["events"]] == ["code_released"]
    # the diff file on disk carries the repository and its evidence
    written = json.loads(next((tmp_path / "b/diffs").glob("*.json")).read_text())
    assert written["events"][0]["evidence"] == ["hub_paper"]


# -- hub_adoption -------------------------------------------------------------------------------
N = HUB_ADOPTION_MIN


@pytest.mark.parametrize(
    ("models", "datasets", "spaces", "event"),
    [
        (N - 1, 0, 0, False),  # one short of the threshold
        (N, 0, 0, True),
        (N - 2, 2, 0, True),  # models and datasets add up
        (0, 0, 50, False),  # Spaces are demos: not adoption
        (-N, 0, 0, False),  # models taken down: not news here
    ],
)
def test_hub_adoption_is_models_and_datasets_up_by_the_threshold(models: int, datasets: int, spaces: int,
                                                                   event: bool) -> None:
    before = page()
    after = page(num_models=120 + models, num_datasets=14 + datasets, num_spaces=30 + spaces)
    diff = nights([paper(before)], [paper(after)])[1]
    expected = [("hub_adoption", f"arxiv:{DPO}", 134, 134 + models + datasets)] if event else []
    assert events(diff, "hub_adoption") == expected


def test_the_threshold_is_a_setting() -> None:
    assert Settings.model_fields["hub_adoption_min"].default == HUB_ADOPTION_MIN
    old, new = snap([paper(page())]), snap([paper(page(num_models=121))], night=1)
    assert events(diff_snapshots(old, new, hub_adoption_min=1), "hub_adoption") == [
        ("hub_adoption", f"arxiv:{DPO}", 134, 135)]
    assert events(diff_snapshots(old, new), "hub_adoption") == []


def test_a_paper_new_on_the_hub_is_not_adopted_overnight() -> None:
    """No page last night: nothing to compare the counts with."""
    diff = nights([paper(HubPaper(arxiv_id=DPO, on_hub=False))], [paper(page(num_models=500))])[1]
    assert events(diff, "hub_adoption") == []


# -- upvotes, a counter -------------------------------------------------------------------------
def test_upvotes_are_a_counter_with_top_movers_and_a_history_column() -> None:
    other = "2203.02155"  # InstructGPT
    last = [paper(page(upvotes=60)), paper(page(arxiv_id=other, upvotes=200), arxiv_id=other)]
    tonight = [paper(page(upvotes=64)), paper(page(arxiv_id=other, upvotes=230), arxiv_id=other)]
    old, new = snap(last), snap(tonight, night=2)
    diff = diff_snapshots(old, new)
    assert [(c["id"], c["field"], c["delta"], c["per_day"]) for c in diff["counters"]] == [
        (f"arxiv:{other}", "upvotes", 30, 15.0), (f"arxiv:{DPO}", "upvotes", 4, 2.0)]
    diff["counters"].reverse()  # the movers are ranked by their change, whatever the order
    assert [c["id"] for c in top_movers(diff, "upvotes")] == [f"arxiv:{other}", f"arxiv:{DPO}"]
    text = changelog(diff)
    assert "## Top movers: upvotes" in text
    assert f"| DPO `arxiv:{DPO}` | 64 | +4 | +2 |" in text
    rows = pl.from_arrow(history.rows(to_arrow(new), new.header))
    assert isinstance(rows, pl.DataFrame)
    assert dict(rows.select("id", "upvotes").iter_rows()) == {f"arxiv:{DPO}": 64, f"arxiv:{other}": 230}


def test_a_history_from_before_upvotes_reads_with_the_new_days(tmp_path: Path) -> None:
    """Earlier days' files have no upvotes column: they read as nulls next to tonight's."""
    publish(snap([paper(page(upvotes=60))]), tmp_path)
    day = next((tmp_path / "history").glob("date=*/part-0.parquet"))
    pq.write_table(pq.read_table(day).drop_columns(["upvotes"]), day)
    tonight = snap([paper(page(upvotes=64))], night=1)
    rows = history.with_run(tmp_path, to_arrow(tonight), tonight.header)
    assert rows["upvotes"].to_list() == [None, 64]
    publish(tonight, tmp_path)
    assert history.read(tmp_path)["upvotes"].to_list() == [None, 64]


# -- the changelog and the feed -----------------------------------------------------------------
def test_the_changelog_names_the_code_and_the_adoption() -> None:
    diff = nights([paper(page())], [paper(code_page(num_models=131, num_datasets=15))])[1]
    text = changelog(diff)
    assert "## Code released (1)" in text
    assert ("- [DPO](<https://arxiv.org/abs/2305.18290>) `arxiv:2305.18290`: "
            "[eric-mitchell/direct-preference-optimization]"
            "(<https://github.com/eric-mitchell/direct-preference-optimization>) (evidence: `hub_paper`)"
            ) in text
    assert "## Adopted on the Hub (1)" in text
    assert "`arxiv:2305.18290`: 134 → 146 models and datasets" in text
    assert text.index("## Code released") < text.index("## Adopted on the Hub")


def test_feed_items_for_code_and_adoption_keep_their_ids_across_renders() -> None:
    old = snap([paper(page())])
    new = snap([paper(code_page(num_models=140))], night=1)
    diff = diff_snapshots(old, new)
    rows = history.with_run(Path("/nonexistent"), to_arrow(new), new.header)
    renders = [feedparser.parse(feed_xml(Published(new, diff, old, rows))) for _ in range(2)]
    items = [{e.tags[0].term: (e.id, e.get("link"), e.title) for e in r.entries} for r in renders]
    assert items[0] == items[1]
    code_id, code_link, code_title = items[0]["code_released"]
    assert code_link == "https://github.com/eric-mitchell/direct-preference-optimization"
    assert code_title == "Code released: DPO (github:eric-mitchell/direct-preference-optimization)"
    assert items[0]["hub_adoption"][2] == "Adopted on the Hub: DPO (154 models and datasets)"
    # a rerun of the night (another run id, same events) gives the events the same ids
    rerun = snap([paper(code_page(num_models=140))], night=1).model_copy(
        update={"header": new.header.model_copy(update={"run_id": "rerun"})})
    again = feedparser.parse(feed_xml(Published(rerun, diff_snapshots(old, rerun), old, rows)))
    assert {e.tags[0].term: e.id for e in again.entries}["code_released"] == code_id


# -- end to end: two nights of the job against the fake API -------------------------------------
def test_two_nights_of_the_job_release_code_and_count_adoption_and_upvotes(
    settings: Settings, extra_data: Path, tmp_path: Path
) -> None:
    """Night 2 (sample data): the Hub page of the red-teaming paper names its data's repository,
    the HH-RLHF paper gains ten citing models and five upvotes."""
    from enrich.sandbox.sample import sample_data_dir
    from nights import NIGHT_1, NIGHT_2, night

    out, raw = tmp_path / "out", tmp_path / "raw"
    first = night(settings, out, raw, NIGHT_1)
    assert first.diff is not None and first.diff["first_run"]
    pages = sample_data_dir() / "huggingface/papers"
    red_team = json.loads((pages / "2209.07858.json").read_text())
    assert red_team.get("githubRepo") is None  # no code on the first night
    red_team["githubRepo"] = "https://github.com/anthropics/hh-rlhf"
    hh = json.loads((pages / "2204.05862.json").read_text())
    hh.update(numTotalModels=hh["numTotalModels"] + 10, upvotes=hh["upvotes"] + 5)
    write_json(extra_data / "huggingface/papers/2209.07858.json", red_team)
    write_json(extra_data / "huggingface/papers/2204.05862.json", hh)
    second = night(settings, out, raw, NIGHT_2)
    diff = second.diff
    assert diff is not None
    assert [(e["event"], e["id"], e["new"]) for e in diff["events"]] == [
        ("code_released", "arxiv:2209.07858", "github:anthropics/hh-rlhf"),
        ("hub_adoption", "arxiv:2204.05862", hh["numTotalModels"] + hh["numTotalDatasets"]),
    ]
    assert diff["events"][0]["evidence"] == ["hub_paper"]
    assert [(c["id"], c["field"], c["delta"]) for c in diff["counters"]
            if c["field"] == "upvotes"] == [("arxiv:2204.05862", "upvotes", 5)]  # fmt: skip
    published = json.loads((out / "diffs/2026-11-26.json").read_text())
    assert published["summary"]["events"] == {"code_released": 1, "hub_adoption": 1}
    assert "## Code released (1)" in (out / "diffs/2026-11-26.md").read_text()
    rows = history.read(out, "arxiv:2204.05862")
    assert rows["upvotes"].to_list() == [hh["upvotes"] - 5, hh["upvotes"]]
    terms = [e.tags[0].term for e in feedparser.parse((out / "feed.xml").read_bytes()).entries]
    assert terms.count("code_released") == terms.count("hub_adoption") == 1


@pytest.mark.parametrize(("env", "adopted"), [(None, []), ("1", [[f"arxiv:{DPO}", 134, 135]])])
def test_enrich_diff_reads_the_threshold_from_the_environment(
    env: str | None, adopted: list[list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from enrich.cli import main
    from enrich.store.codec import to_json

    old, new = snap([paper(page())]), snap([paper(page(num_models=121))], night=1)
    (tmp_path / "old.json").write_bytes(to_json(old))
    (tmp_path / "new.json").write_bytes(to_json(new))
    if env is not None:
        monkeypatch.setenv("ENRICH_HUB_ADOPTION_MIN", env)
    with pytest.raises(SystemExit) as done:
        main(["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--json"])
    assert done.value.code in (0, None)
    diff = json.loads(capsys.readouterr().out)
    assert [[e["id"], e["old"], e["new"]] for e in diff["events"] if e["event"] == "hub_adoption"] == adopted
