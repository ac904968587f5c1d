"""What a night reads of the history: the last `VIEW_DAYS` days, whatever the history's age.

The views read no further back (the trend is over 30 days, a sparkline draws 40 points), so a
run hands them those days' rows and counts the others by their folder names (the card's day
count): a year of nights costs a night what three months do. Within the window every view is
byte for byte what reading every day gave; past it, only the sparklines are shorter.

The folders are built here (SAMPLE DATA, made by the test): a handful of entries whose counters
rise night after night, one history partition a night, the last night published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from builders import hub_entry, repo_entry, snap
from enrich.core.model import Entry, HubRepo, Repo, Snapshot
from enrich.core.score import scored
from enrich.run.steps import render_views
from enrich.store import history
from enrich.store.codec import to_arrow
from enrich.store.compare import diff_snapshots
from enrich.store.publish import publish
from enrich.views import Published
from enrich.views.facts import DAY_US, TREND_DAYS, facts

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@cache  # the cases share their nights
def night(age: int) -> Snapshot:
    """The sample list ``age`` days ago: stars and downloads rise a little every night."""
    when = NOW - timedelta(days=age)
    grown = 400 - age
    entries: list[Entry] = [
        repo_entry(Repo(repo_id=900_000 + i, full_name=f"sample-org/project-{i}", stars=1_000 * i + grown * i,
                        html_url=f"https://github.com/sample-org/project-{i}", forks=3, watchers=2,
                        open_issues=1, license="MIT", created_at=NOW - timedelta(days=900)),
                   urls=[f"https://github.com/sample-org/project-{i}"])
        for i in (1, 2, 3)
    ]  # fmt: skip
    entries.append(hub_entry(HubRepo(repo_type="dataset", repo_id="sample-org/prefs", downloads=50 * grown,
                                     likes=7), urls=["https://huggingface.co/datasets/sample-org/prefs"]))  # fmt: skip
    return snap(scored(entries, when), when, list_source="sample.md")


@cache
def day_rows(age: int) -> pa.Table:
    snapshot = night(age)
    return history.rows(to_arrow(snapshot), snapshot.header)


def nights(out: Path, ages: list[int]) -> tuple[Snapshot, Snapshot | None]:
    """One history partition per night (what those runs wrote), the newest night published."""
    *older, newest = sorted(ages, reverse=True)
    for age in older:
        snapshot = night(age)
        path = history.partition(out, snapshot.header)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(day_rows(age), path)
    previous = night(older[-1]) if older else None
    current = night(newest)
    publish(current, out, diff_snapshots(previous, current))
    return current, previous


def views(out: Path, current: Snapshot, previous: Snapshot | None, *, view_days: int | None) -> Published:
    """What a run hands its views: every day (None: as before the window) or the window."""
    rows = history.with_run(out, to_arrow(current), current.header, view_days=view_days)
    days = history.day_count(out, current.header) if view_days is not None else None
    return Published(current, diff_snapshots(previous, current), previous, rows, history_days=days)


@dataclass(frozen=True)
class Nights:
    name: str
    ages: list[int]  # days before the newest night, one history day each

    @property
    def within(self) -> bool:
        return max(self.ages) <= history.VIEW_DAYS


NIGHTS = [
    Nights("a fortnight, every night", list(range(14))),
    Nights("the window to the day: 91 nights", list(range(history.VIEW_DAYS + 1))),
    Nights("a night a week for 12 weeks", list(range(0, 84, 7))),
    Nights("one night alone", [0]),
    Nights("a year, every night", list(range(365))),
    Nights("a year, a night every third day", list(range(0, 365, 3))),
    Nights("a year, then a month with no night", [0, *range(40, 365)]),
]


@pytest.mark.parametrize("case", NIGHTS, ids=lambda c: c.name)
def test_the_views_of_a_night_read_only_the_window_and_say_the_same(case: Nights, tmp_path: Path) -> None:
    current, previous = nights(tmp_path, case.ages)
    old = views(tmp_path, current, previous, view_days=None)
    new = views(tmp_path, current, previous, view_days=history.VIEW_DAYS)
    since = (NOW.date() - timedelta(days=history.VIEW_DAYS)).isoformat()
    assert sorted(new.history["date"].unique()) == sorted(d for d in old.history["date"].unique() if d >= since)
    assert new.history_days == len(case.ages) == old.history["date"].n_unique()
    before, after = render_views(old), render_views(new)
    assert before.keys() == after.keys()
    differ = {name for name in before if before[name] != after[name]}
    if case.within:
        assert differ == set()
    else:  # the sparklines of the report: the last VIEW_DAYS days; every other byte the same
        assert differ <= {"index.html"} | {n for n in before if n.startswith("pages/")}
    assert f"| history | {len(case.ages)} day{'s' if len(case.ages) != 1 else ''} |" in after["README.md"].decode()
    # The trend (the change over TREND_DAYS) is the same whatever the history's age.
    trends = [[(f.delta, f.delta_days) for f in facts(p.snapshot, p.diff, p.history)] for p in (old, new)]
    assert trends[0] == trends[1]
    assert all(f.series[-1][0] - f.series[0][0] <= history.VIEW_DAYS * DAY_US
               for f in facts(new.snapshot, new.diff, new.history) if f.series)  # fmt: skip
    assert history.VIEW_DAYS > TREND_DAYS


def test_a_day_past_the_window_is_not_even_opened(tmp_path: Path) -> None:
    current, _ = nights(tmp_path, list(range(0, 200, 2)))
    old_day = (NOW.date() - timedelta(days=history.VIEW_DAYS + 10)).isoformat()
    (tmp_path / "history" / f"date={old_day}" / "part-0.parquet").write_bytes(b"not parquet: unreadable")
    rows = history.with_run(tmp_path, to_arrow(current), current.header)
    assert rows["date"].min() == (NOW.date() - timedelta(days=history.VIEW_DAYS)).isoformat()
    assert history.day_count(tmp_path, current.header) == 100


@pytest.mark.parametrize(
    ("on_disk", "folders_without_a_file", "run_day", "count"),
    [
        ([], [], "2026-11-26", 1),
        (["2026-11-25"], [], "2026-11-26", 2),
        (["2026-11-25", "2026-11-26"], [], "2026-11-26", 2),  # a rerun: its day once
        (["2025-11-26", "2026-02-01", "2026-11-25"], [], "2026-11-26", 4),  # every age counts
        (["2026-11-25"], ["2026-11-24"], "2026-11-26", 2),  # a folder with no file is no day
        (["2026-11-25", "2026-11-27"], [], "2026-11-26", 3),  # a rebuild of an older run
    ],
    ids=["first-night", "second-night", "rerun-same-day", "a-year-apart", "empty-folder", "rebuild"],
)
def test_the_day_count_is_read_from_the_folder_names(
    on_disk: list[str], folders_without_a_file: list[str], run_day: str, count: int, tmp_path: Path
) -> None:
    for day in on_disk:
        path = history.day_file(tmp_path / "history", day)
        path.parent.mkdir(parents=True)
        path.write_bytes(b"never read")
    for day in folders_without_a_file:
        (tmp_path / "history" / f"date={day}").mkdir(parents=True)
    when = datetime.combine(date.fromisoformat(run_day), datetime.min.time(), UTC) + timedelta(hours=3)
    assert history.day_count(tmp_path, night(0).header.model_copy(update={"generated_at": when})) == count
