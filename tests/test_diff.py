"""The diff reads like a changelog of hand-built snapshot pairs: one case per event kind."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from builders import NIGHT, hub_entry, paper_entry, repo_entry, snap, web_entry
from enrich.core.changelog import changelog, number
from enrich.core.links import Kind
from enrich.core.model import Entry, HubRepo, Paper, Release, Repo, Status, WebPage
from enrich.store.compare import diff_files, diff_snapshots, to_json_bytes
from enrich.store.history import read
from enrich.store.publish import publish

DAY1 = NIGHT


def repo(name: str = "huggingface/trl", **changes: Any) -> Entry:
    values: dict[str, Any] = dict(repo_id=266404863, full_name=name, html_url=f"https://github.com/{name}",
                                  stars=18000, forks=2600, watchers=100, open_issues=500, license="Apache-2.0",
                                  commits_30d=40, commits_365d=900, contributors=500,
                                  latest_release=Release(tag="v0.20.0"))
    status = changes.pop("status", Status.OK)
    section = changes.pop("section", ["Tools"])
    values.update(changes)
    return repo_entry(Repo(**values), listed_as=name, title=name, section=section, status=status)


def paper(version: int = 1, **changes: Any) -> Entry:
    record = Paper(arxiv_id="2204.05862", versioned_id=f"2204.05862v{version}", version=version,
                   title="Training a Helpful and Harmless Assistant", authors=[], abstract="…")
    return paper_entry(record, title="HH-RLHF paper", section=["Papers"], status=changes.get("status", Status.OK))


def dataset(**changes: Any) -> Entry:
    values: dict[str, Any] = dict(repo_type="dataset", repo_id="Anthropic/hh-rlhf", sha="a" * 40,
                                  downloads=20000, likes=1200)
    values.update(changes)
    return hub_entry(HubRepo(**values), title="hh-rlhf", section=["Datasets"])


def page(http_status: int = 200) -> Entry:
    return web_entry("https://carper.ai/", WebPage(final_url="https://carper.ai/", http_status=http_status),
                     title="Carper.ai", section=["Orgs"])


def events(old: list[Entry], new: list[Entry], days: float = 1) -> list[tuple[str, str, str | None, str | None]]:
    diff = diff_snapshots(snap(old), snap(new, DAY1 + timedelta(days=days)))
    return [(e["event"], e["id"], e["old"], e["new"]) for e in diff["events"]]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ([paper(1)], [paper(2)], ("new_version", "arxiv:2204.05862", "2204.05862v1", "2204.05862v2")),
        ([repo()], [repo(latest_release=Release(tag="v0.21.0"))], ("new_release", "github:huggingface/trl", "v0.20.0", "v0.21.0")),
        ([repo()], [repo(archived=True)], ("archived", "github:huggingface/trl", False, True)),
        ([repo(archived=True)], [repo()], ("unarchived", "github:huggingface/trl", True, False)),
        ([repo()], [repo(license="MIT")], ("license_changed", "github:huggingface/trl", "Apache-2.0", "MIT")),
        ([dataset()], [dataset(sha="b" * 40)], ("card_changed", "hf:dataset/anthropic/hh-rlhf", "a" * 40, "b" * 40)),
        ([dataset()], [dataset(gated="manual")], ("became_gated", "hf:dataset/anthropic/hh-rlhf", None, "manual")),
        ([dataset(gated="auto")], [dataset()], ("became_ungated", "hf:dataset/anthropic/hh-rlhf", "auto", None)),
        ([page(200)], [page(404)], ("link_broke", "https://carper.ai/", 200, 404)),
        ([page(404)], [page(200)], ("link_recovered", "https://carper.ai/", 404, 200)),
        ([repo()], [repo(status=Status.STALE)], ("went_stale", "github:huggingface/trl", "ok", None)),
        ([repo()], [repo(status=Status.ERROR)], ("went_error", "github:huggingface/trl", "ok", None)),
        ([repo(status=Status.STALE)], [repo()], ("recovered", "github:huggingface/trl", "stale", "ok")),
        ([repo()], [repo(section=["Libraries"])], ("moved", "github:huggingface/trl", "Tools", "Libraries")),
        ([], [repo()], ("added", "github:huggingface/trl", None, "Tools")),
        ([repo()], [], ("removed", "github:huggingface/trl", None, "Tools")),
    ],
)
def test_each_event(old: list[Entry], new: list[Entry], expected: tuple[str, ...]) -> None:
    assert events(old, new) == [expected]


def test_rename_is_one_entry_matched_by_repository_id() -> None:
    diff = diff_snapshots(snap([repo("lvwerra/trl")]), snap([repo("huggingface/trl", stars=18100)], DAY1 + timedelta(days=1)))
    assert diff["added"] == [] and diff["removed"] == []
    assert [(e["event"], e["old"], e["new"]) for e in diff["events"]] == [("renamed", "lvwerra/trl", "huggingface/trl")]
    assert [(c["field"], c["delta"]) for c in diff["counters"]] == [("stars", 100)]


def test_counters_per_day_over_the_real_gap() -> None:
    diff = diff_snapshots(snap([repo(), dataset()]),
                          snap([repo(stars=18300, forks=2590), dataset(downloads=23000)], DAY1 + timedelta(days=3)))
    assert diff["days"] == 3
    got = {(c["id"], c["field"]): (c["delta"], c["per_day"]) for c in diff["counters"]}
    assert got == {
        ("github:huggingface/trl", "stars"): (300, 100.0),
        ("github:huggingface/trl", "forks"): (-10, -3.333),
        ("hf:dataset/anthropic/hh-rlhf", "downloads"): (3000, 1000.0),
    }
    text = changelog(diff)
    assert "## Top movers: stars" in text and "| +300 | +100 |" in text


@pytest.mark.parametrize(
    ("old", "new", "field", "old_value", "new_value", "json_text"),
    [
        (repo(), repo(archived=True), "archived", False, True, '"old": false'),
        (page(200), page(404), "http_status", 200, 404, '"old": 200'),
        (paper(1), paper(2), "version", 1, 2, '"new": 2'),
        (dataset(gated="manual"), dataset(), "gated", "manual", None, '"new": null'),
    ],
)
def test_changes_keep_the_snapshot_types(old: Entry, new: Entry, field: str, old_value: object,
                                         new_value: object, json_text: str) -> None:
    """A boolean stays a boolean in the diff JSON, a status code a number ("false" was a string)."""
    diff = diff_snapshots(snap([old]), snap([new], DAY1 + timedelta(days=1)))
    (change,) = [c for c in diff["changes"] if c["field"] == field]
    assert (change["old"], change["new"]) == (old_value, new_value)
    assert type(change["old"]) is type(old_value) and json_text in to_json_bytes(diff).decode()


@pytest.mark.parametrize(
    ("gap", "per_day", "shown"),
    [
        (timedelta(days=3), 100.0, "(3 days)"),
        (timedelta(days=1), 300.0, "(1 day)"),
        (timedelta(hours=5), None, "(5 hours)"),  # a rerun the same day: the delta alone
        (timedelta(minutes=12), None, "(12 minutes)"),
        (timedelta(seconds=2), None, "(2 seconds)"),
        (-timedelta(hours=3), None, "(-3 hours)"),  # clocks disagree: no rate at all
    ],
)
def test_rates_per_day_only_over_a_day_or_more(gap: timedelta, per_day: float | None, shown: str) -> None:
    diff = diff_snapshots(snap([repo()]), snap([repo(stars=18300)], DAY1 + gap))
    (stars,) = diff["counters"]
    assert (stars["delta"], stars["per_day"]) == (300, per_day)
    text = changelog(diff)
    assert shown in text and "e+" not in text and "e-" not in text


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [(544960.0, True, "+544960"), (-8446860.0, True, "-8446860"), (-3.333, True, "-3.333"), (2.5, False, "2.5"),
     (1e-7, False, "0"), (1.0, False, "1"), (123456789.123, True, "+123456789.123")],
)
def test_numbers_never_in_scientific_notation(value: float, signed: bool, text: str) -> None:
    assert number(value, signed=signed) == text


def test_bare_url_entries_are_called_by_their_upstream_name() -> None:
    """A bare URL has no link text: the changelog and the top movers name the repository
    (CarperAI/trlx), the paper (its title), the dataset (its repo id), not the entry id."""
    bare_repo = repo("CarperAI/trlx").model_copy(update={"title": None})
    bare_paper = paper().model_copy(update={"title": None})
    bare_data = dataset().model_copy(update={"title": None})
    old = snap([bare_repo, bare_paper])
    new = snap([bare_repo.model_copy(update={"repo": bare_repo.repo.model_copy(update={"stars": 18500})}),  # type: ignore[union-attr]
                bare_paper, bare_data], DAY1 + timedelta(days=1))
    assert [(e.id, e.title, e.display_title) for e in new.entries] == [
        ("arxiv:2204.05862", None, "Training a Helpful and Harmless Assistant"),
        ("github:carperai/trlx", None, "CarperAI/trlx"),
        ("hf:dataset/anthropic/hh-rlhf", None, "Anthropic/hh-rlhf"),
    ]
    diff = diff_snapshots(old, new)
    assert [(e["event"], e["title"]) for e in diff["events"]] == [("added", "Anthropic/hh-rlhf")]
    assert [(c["id"], c["title"]) for c in diff["counters"]] == [("github:carperai/trlx", "CarperAI/trlx")]
    text = changelog(diff)
    assert "[Anthropic/hh-rlhf](" in text and "| CarperAI/trlx `github:carperai/trlx` | 18500 |" in text


def test_the_list_title_is_kept_and_pending_entries_fall_back_to_source_id() -> None:
    listed = repo().model_copy(update={"title": "TRL library"})
    pending = Entry(id="github:carperai/trlx", kind=Kind.REPO, source_id="CarperAI/trlx",
                    url="https://github.com/CarperAI/trlx", urls=[], section=[], positions=[])
    got = snap([listed, pending]).entries
    assert [(e.title, e.display_title) for e in got] == [(None, "CarperAI/trlx"), ("TRL library", "TRL library")]


def test_a_snapshot_of_schema_1_0_without_display_titles_still_diffs(tmp_path: Path) -> None:
    """The previous night's files were written before display titles: the list's title stands in."""
    import pyarrow.parquet as pq

    publish(snap([repo(), paper(1)]), tmp_path / "a")
    table = pq.read_table(tmp_path / "a/latest.parquet")
    header = json.loads(table.schema.metadata[b"enrich.header"])
    header["schema_version"] = "1.0"
    old = table.drop_columns(["display_title"]).replace_schema_metadata(
        {**table.schema.metadata, b"enrich.header": json.dumps(header).encode(), b"schema_version": b"1.0"})
    pq.write_table(old, tmp_path / "old.parquet")
    publish(snap([paper(2)], DAY1 + timedelta(days=1)), tmp_path / "b")
    for new in ("b/latest.parquet", "b/latest.json"):
        diff = diff_files(tmp_path / "old.parquet", tmp_path / new)
        assert [(e["event"], e["title"]) for e in diff["events"]] == [
            ("removed", "huggingface/trl"), ("new_version", "HH-RLHF paper")]


def test_every_run_keeps_its_changelog(tmp_path: Path) -> None:
    """Two runs the same day: each run's changelog is kept under diffs/runs/, the day's file is
    the latest run's (it was replaced, and the first one lost)."""
    times = [DAY1, DAY1 + timedelta(days=1), DAY1 + timedelta(days=1, hours=2)]
    stars = [18000, 18100, 18105]
    previous = None
    for when, count in zip(times, stars):
        current = snap([repo(stars=count)], when)
        publish(current, tmp_path, diff_snapshots(previous, current))
        previous = current
    runs = sorted(p.name for p in (tmp_path / "diffs/runs").iterdir())
    assert runs == [f"{t.strftime('%Y%m%dT%H%M%SZ')}.{x}" for t in times for x in ("json", "md")]
    day = tmp_path / "diffs/2026-11-21"
    assert day.with_suffix(".md").read_bytes() == (tmp_path / "diffs/runs/20261121T050000Z.md").read_bytes()
    first = json.loads((tmp_path / "diffs/runs/20261121T030000Z.json").read_text())
    assert [(c["delta"], c["per_day"]) for c in first["counters"]] == [(100, 100.0)]
    rerun = json.loads(day.with_suffix(".json").read_text())
    assert [(c["delta"], c["per_day"]) for c in rerun["counters"]] == [(5, None)]


def test_identical_snapshots_give_an_empty_diff() -> None:
    entries = [repo(), paper(), dataset(), page()]
    diff = diff_snapshots(snap(entries), snap(entries, DAY1 + timedelta(days=1)))
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 0, "events": {}}
    assert "Nothing changed." in changelog(diff)


def test_first_run_lists_everything_as_added() -> None:
    diff = diff_snapshots(None, snap([repo(), paper()]))
    assert diff["first_run"] and [a["id"] for a in diff["added"]] == ["arxiv:2204.05862", "github:huggingface/trl"]
    assert changelog(diff).startswith("# First snapshot (2026-11-20)")


def test_json_and_parquet_inputs_give_the_same_diff(tmp_path: Path) -> None:
    publish(snap([repo(), paper(1), page(200)]), tmp_path / "a")
    publish(snap([repo(stars=18500), paper(2), page(500)], DAY1 + timedelta(days=2)), tmp_path / "b")
    pairs = [(f"a/latest.{x}", f"b/latest.{y}") for x in ("json", "parquet") for y in ("json", "parquet")]
    diffs = [diff_files(tmp_path / a, tmp_path / b) for a, b in pairs]
    assert all(d == diffs[0] for d in diffs)
    assert [e["event"] for e in diffs[0]["events"]] == ["link_broke", "new_version"]


def test_changelog_escapes_untrusted_titles() -> None:
    evil = repo(latest_release=Release(tag="v1"))
    evil = evil.model_copy(update={"title": "x](javascript:alert(1)) <img src=x> | cell"})
    diff = diff_snapshots(snap([repo()]), snap([evil], DAY1 + timedelta(days=1)))
    text = changelog(diff)
    assert "<img" not in text and "](javascript" not in text and "\\| cell" in text


def test_history_partitions_read_as_one_table(tmp_path: Path) -> None:
    for day, stars in enumerate((18000, 18100, 18250)):
        when = DAY1 + timedelta(days=day)
        publish(snap([repo(stars=stars), dataset()], when), tmp_path)
    publish(snap([repo(stars=18300), dataset()], DAY1 + timedelta(days=2, hours=5)), tmp_path)  # a rerun
    parts = sorted(p.parent.name for p in (tmp_path / "history").glob("*/*.parquet"))
    assert parts == ["date=2026-11-20", "date=2026-11-21", "date=2026-11-22"]
    trl = read(tmp_path, "github:huggingface/trl")
    assert trl["stars"].to_list() == [18000, 18100, 18300]
    duck = duckdb.sql(f"select count(*), max(stars) from read_parquet('{tmp_path}/history/*/*.parquet', "
                      "hive_partitioning = true)").fetchall()
    assert duck == [(6, 18300)]
    import pyarrow.dataset as ds  # ~1 s to import: here, not for every test of the module

    arrow = ds.dataset(tmp_path / "history", partitioning="hive").to_table()
    assert arrow.num_rows == 6 and "date" in arrow.column_names
    assert pl.read_parquet(tmp_path / "history/**/*.parquet", hive_partitioning=True).height == 6


def test_git_diff_of_latest_json_shows_only_changed_entries(tmp_path: Path) -> None:
    entries = [repo(), paper(), dataset(), page()]
    publish(snap(entries), tmp_path / "a")
    publish(snap([repo(stars=18001), paper(), dataset(), page()], DAY1 + timedelta(days=1)), tmp_path / "b")
    result = subprocess.run(["git", "diff", "--no-index", "--unified=0", str(tmp_path / "a/latest.json"),
                             str(tmp_path / "b/latest.json")], capture_output=True, text=True)
    changed = [line for line in result.stdout.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert sorted(changed) == sorted([
        '-    "generated_at": "2026-11-20T03:00:00Z",', '+    "generated_at": "2026-11-21T03:00:00Z",',
        '-    "run_id": "20261120T030000Z",', '+    "run_id": "20261121T030000Z",',
        '-        "stars": 18000,', '+        "stars": 18001,',
    ])


def test_diff_command_prints_changelog_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`enrich diff` and `enrich history`, in this process (as test_cli's `cli` fixture runs them)."""
    from enrich.cli import main
    from test_cli import Result

    def enrich(*args: str) -> Result:
        with pytest.raises(SystemExit) as exit_:
            main(list(args))
        captured = capsys.readouterr()
        code = exit_.value.code
        return Result(code if isinstance(code, int) else (0 if code is None else 1), captured.out, captured.err)

    publish(snap([repo()]), tmp_path / "a")
    publish(snap([repo(stars=18042)], DAY1 + timedelta(days=1)), tmp_path / "b")
    text = enrich("diff", str(tmp_path / "a/latest.json"), str(tmp_path / "b/latest.parquet"))
    assert text.returncode == 0 and "# What changed since 2026-11-20" in text.stdout and "+42" in text.stdout
    data = json.loads(enrich("diff", str(tmp_path / "a/latest.json"), str(tmp_path / "b/latest.json"), "--json").stdout)
    assert data["counters"][0]["delta"] == 42
    history = enrich("history", "github:huggingface/trl", "--out", str(tmp_path / "b"), "--json")
    assert json.loads(history.stdout)[0]["stars"] == 18042
    missing = enrich("history", "github:nobody/nothing", "--out", str(tmp_path / "b"))
    assert missing.returncode == 2 and "not in the history" in missing.stderr
