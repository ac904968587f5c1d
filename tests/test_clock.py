"""The run's clock (`enrich.sources.clock`): every ``fetched_at`` a run records is of the run's
time, its start (the manifest's) plus what has elapsed since, so a simulated night stamps its
fields on that night and the next night's plan sees the ages that night would have seen."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED, ROOT, run
from enrich.core import budget
from enrich.core.settings import Settings
from enrich.run.state import Job
from enrich.run.steps import prepare, read_previous
from enrich.sources.clock import RunClock

NIGHT = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)  # a past night, weeks before today
WEEK = timedelta(days=7)
OFFLINE = {"web": "offline: web pages are not fetched"}
# A night of the sample list against the fake API takes seconds; stamps within this of its start.
SLACK = timedelta(minutes=30)
STAMPS = ("fetched_at", "searched_at", "revalidated", "full_fetched_at")


# -- the clock --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("started", "real_ago", "ahead"),
    [
        (NIGHT, None, timedelta(0)),
        (NIGHT, timedelta(minutes=10), timedelta(minutes=10)),
        (None, timedelta(0), timedelta(0)),
        (NIGHT, -timedelta(hours=1), timedelta(0)),
    ],
    ids=[
        "simulated night, real start unknown: the night's start",
        "task began 10 minutes into a simulated night: 10 minutes on",
        "real night: the real time",
        "a real start ahead of the wall clock adds nothing",
    ],
)
def test_a_task_clock_starts_at_the_run_time_plus_the_real_wait(
    started: datetime | None, real_ago: timedelta | None, ahead: timedelta
) -> None:
    """``started`` None: a real night (the run's start is the wall clock's); ``real_ago``: how
    long before the task began the run really started (None: not known)."""
    wall = datetime.now(UTC)
    start = started or wall
    now = RunClock.begin(start, None if real_ago is None else wall - real_ago).now()
    assert start + ahead <= now <= start + ahead + timedelta(seconds=5)
    assert now.tzinfo is not None


def test_a_task_clock_advances_on_the_monotonic_clock() -> None:
    """A clock begun a minute ago (monotonic) reads its start plus that minute."""
    clock = RunClock(NIGHT, began=time.monotonic() - 60)
    assert NIGHT + timedelta(seconds=60) <= clock.now() < NIGHT + timedelta(seconds=65)
    assert datetime.fromisoformat(clock.stamp()) >= NIGHT + timedelta(seconds=60)


def test_every_fetch_task_carries_the_run_start(settings: Settings, tmp_path: Path) -> None:
    tasks = prepare(Job(str(BUNDLED), tmp_path / "out", tmp_path / "raw", settings, now=NIGHT)).tasks
    assert tasks
    assert {t.started for t in tasks} == {NIGHT}
    assert all(t.real_started is not None and t.real_started > NIGHT + WEEK for t in tasks)
    assert NIGHT <= tasks[0].clock().now() < NIGHT + SLACK


# -- a simulated night ------------------------------------------------------------------------

def stamps(value: Any) -> Iterator[tuple[str, datetime]]:
    """Every time a raw document records (its ``fetched_at`` and the like), with its key."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in STAMPS and isinstance(item, str) and item:
                yield key, datetime.fromisoformat(item.replace("Z", "+00:00"))
            else:
                yield from stamps(item)
    elif isinstance(value, list):
        for item in value:
            yield from stamps(item)


@pytest.mark.parametrize(
    "skip",
    [OFFLINE, {}],
    ids=["every source but the web", "with the web source"],
)
def test_a_past_night_stamps_its_fields_on_that_night(
    settings: Settings, tmp_path: Path, skip: dict[str, str]
) -> None:
    result = run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 skip=skip, now=NIGHT)  # fmt: skip
    fetched = [e.fetched_at for e in result.snapshot.entries if e.fetched_at is not None]
    assert fetched
    assert all(NIGHT <= at < NIGHT + SLACK for at in fetched), sorted(set(fetched))[-3:]
    recorded = [
        (path.name, key, at)
        for path in sorted(result.run_dir.rglob("*.json"))
        for key, at in stamps(json.loads(path.read_text()))
    ]
    assert recorded
    late = [(name, key, at) for name, key, at in recorded if not NIGHT <= at < NIGHT + SLACK]
    assert late == []


def test_a_week_later_the_plan_sees_a_week_of_age(settings: Settings, tmp_path: Path) -> None:
    out, raw = tmp_path / "out", tmp_path / "raw"
    run(str(BUNDLED), settings=settings, out_dir=out, raw_root=raw, skip=OFFLINE, now=NIGHT)
    previous = read_previous(out)
    assert previous is not None
    known = {e.id: [e] for e in previous.entries}
    ages = [NIGHT + WEEK - c.age for c in budget.candidates(list(known), known, {}) if c.age]
    assert ages
    assert all(WEEK - SLACK < age <= WEEK for age in ages), sorted(ages)[:3]
    second = run(str(BUNDLED), settings=settings, out_dir=out, raw_root=raw, skip=OFFLINE,
                 now=NIGHT + WEEK)  # fmt: skip
    again = [e.fetched_at for e in second.snapshot.entries if e.fetched_at is not None]
    assert all(NIGHT + WEEK <= at < NIGHT + WEEK + SLACK for at in again)


# -- no source reads the wall clock for a stamp -------------------------------------------------

# The only wall clock in the sources: the run's clock itself, and times an upstream gives
# (``Retry-After``, a rate limit's reset), which are the upstream's.
WALL_CLOCK_ALLOWED = {
    "clock.py": "the run's clock",
    "limits.py": "Retry-After is an upstream time",
    "listfile.py": "a rate limit's reset is an upstream time",
}


SOURCES_DIR = ROOT / "src/enrich/sources"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in SOURCES_DIR.rglob("*.py") if p.name not in WALL_CLOCK_ALLOWED),
    ids=lambda p: str(p.relative_to(SOURCES_DIR)),
)
def test_sources_stamp_from_the_run_clock(path: Path) -> None:
    found = re.findall(r"datetime\.now\(|datetime\.utcnow\(|time\.time\(", path.read_text())
    assert found == [], f"{path.name}: stamp with the run's clock (FetchContext.clock)"


def test_the_wall_clock_allowances_name_real_modules() -> None:
    assert all((SOURCES_DIR / name).is_file() for name in WALL_CLOCK_ALLOWED)
