"""Tonight's plan over a budget (#24 item 3): the staleness order, the shares of a budget, the
age a deferred field carries, and two nights against the fake with a budget smaller than the
work: what night 1 deferred is what night 2 serves first, no 403 either night.

The repositories here are sample data (the bundled TextRL sample under generated names).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import run, write_json
from enrich.core.assemble import assemble
from enrich.core.budget import Candidate, age, candidates, order, shares
from enrich.core.links import Kind
from enrich.core.model import Deferred, Entry, Failure, Repo, Snapshot, Status, updated
from enrich.core.settings import Settings
from enrich.run.budgets import apportion
from enrich.run.guard import verdict
from enrich.run.state import FetchTask
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI

NIGHT_1 = datetime(2026, 11, 25, 3, tzinfo=UTC)
NIGHT_2 = NIGHT_1 + timedelta(days=1)
OLD = NIGHT_1 - timedelta(days=9)


# -- the order: never fetched, oldest, most lists, id --------------------------------------------

ORDER_CASES = [
    ("never fetched before any fetched",
     [Candidate("b", NIGHT_1), Candidate("a", None)], ["a", "b"]),
    ("oldest first",
     [Candidate("new", NIGHT_2), Candidate("old", OLD), Candidate("mid", NIGHT_1)], ["old", "mid", "new"]),
    ("a tie in age: linked by more lists first",
     [Candidate("one", NIGHT_1, 1), Candidate("three", NIGHT_1, 3), Candidate("two", NIGHT_1, 2)],
     ["three", "two", "one"]),
    ("never fetched, tied: more lists first, then id",
     [Candidate("z", None, 2), Candidate("b", None), Candidate("a", None)], ["z", "a", "b"]),
    ("age outweighs lists",
     [Candidate("popular", NIGHT_2, 30), Candidate("lonely", NIGHT_1, 1)], ["lonely", "popular"]),
    ("a stable key: the same state, the same night",
     [Candidate("b", NIGHT_1), Candidate("a", NIGHT_1)], ["a", "b"]),
]


@pytest.mark.parametrize(("name", "given", "expected"), ORDER_CASES, ids=[c[0] for c in ORDER_CASES])
def test_the_plan_serves_the_stalest_first(name: str, given: list[Candidate], expected: list[str]) -> None:
    assert [c.id for c in order(given)] == expected
    assert [c.id for c in order(reversed(given))] == expected  # whatever the lists' order


# -- a deferred field's age ---------------------------------------------------------------------

def sample_entry(**fields: object) -> Entry:
    base = Entry(id="github:sample-org/repo", kind=Kind.REPO, source_id="sample-org/repo",
                 url="https://github.com/sample-org/repo", urls=["https://github.com/sample-org/repo"],
                 section=[], positions=[])  # fmt: skip
    return updated(base, **fields)


AGE_CASES = [
    ("never published", None, None),
    ("pending: deferred on its first night", sample_entry(status=Status.PENDING), None),
    ("fetched last night", sample_entry(status=Status.OK, fetched_at=NIGHT_1), NIGHT_1),
    ("its contributor count deferred since it was first seen",
     sample_entry(status=Status.OK, fetched_at=NIGHT_1, deferred=[Deferred(field="contributors")]), None),
    ("a count carried from an older night: as old as that",
     sample_entry(status=Status.OK, fetched_at=NIGHT_2,
                  deferred=[Deferred(field="contributors", fetched_at=OLD)]), OLD),
    ("the whole record deferred, carried from night 1",
     sample_entry(status=Status.STALE, fetched_at=NIGHT_1, failure=Failure.DEFERRED,
                  deferred=[Deferred(field="repo", fetched_at=NIGHT_1)]), NIGHT_1),
]


@pytest.mark.parametrize(("name", "entry", "expected"), AGE_CASES, ids=[c[0] for c in AGE_CASES])
def test_an_entity_is_as_old_as_its_oldest_field(name: str, entry: Entry | None, expected: datetime | None) -> None:
    assert age(entry) == expected


def test_an_entity_in_several_lists_is_as_old_as_its_newest_snapshot() -> None:
    """A list published last week still holds the week-old values; the catalog's other lists
    hold last night's: the entity is last night's."""
    week_old = sample_entry(status=Status.OK, fetched_at=OLD)
    fresh = sample_entry(status=Status.OK, fetched_at=NIGHT_1)
    (found,) = candidates(["github:sample-org/repo"], {"github:sample-org/repo": [week_old, fresh]},
                          {"github:sample-org/repo": 2})  # fmt: skip
    assert found == Candidate("github:sample-org/repo", NIGHT_1, 2)


# -- shares of a budget -------------------------------------------------------------------------

SHARE_CASES = [
    ("enough for all: the rest split evenly", [10, 20, 30], 90, [20, 30, 40]),
    ("exactly enough", [10, 20, 30], 60, [10, 20, 30]),
    ("short: the first tasks in full, the edge what is left, the rest none", [10, 20, 30], 25, [10, 15, 0]),
    ("nothing left", [10, 20], 0, [0, 0]),
    ("a spent window reads as nothing left, never less", [5], -3, [0]),
    ("tasks that want nothing still get a share of what is over", [0, 0, 6], 9, [1, 1, 7]),
]


@pytest.mark.parametrize(("name", "wants", "left", "expected"), SHARE_CASES, ids=[c[0] for c in SHARE_CASES])
def test_a_budget_is_shared_in_plan_order_and_never_overdrawn(name: str, wants: list[int], left: int,
                                                               expected: list[int]) -> None:
    given = shares(wants, left)
    assert given == expected
    assert sum(given) <= max(left, 0)


# -- two nights against the fake, a budget smaller than the work --------------------------------

def sample_repositories(extra_data: Path, count: int) -> list[str]:
    """``count`` repositories in the fake (the TextRL sample under generated names)."""
    sample = json.loads((sample_data_dir() / "github/repos/voidful/TextRL.json").read_text())
    parts = sample_data_dir() / "github/repos/voidful/TextRL"
    urls = []
    for i in range(count):
        full = f"sample-org/repo-{i:03d}"
        write_json(extra_data / f"github/repos/{full}.json",
                   {**sample, "id": 20_000 + i, "name": f"repo-{i:03d}", "full_name": full,
                    "html_url": f"https://github.com/{full}"})  # fmt: skip
        shutil.copytree(parts, extra_data / f"github/repos/{full}")
        urls.append(f"https://github.com/{full}")
    return urls


def test_what_night_1_deferred_night_2_serves_first(fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    """Six repositories over REST (six requests each, cold), 18 requests an hour: night 1
    fetches three whole and defers three (pending: never fetched, nothing failed); night 2,
    a fresh hour, serves those three first and defers the three it fetched on night 1 (their
    values of night 1 kept, with their age). Not one 403; both nights published."""
    urls = sample_repositories(extra_data, 6)
    listed = tmp_path / "list.md"
    # The list's own order puts the last repositories first: list order would starve them.
    listed.write_text("# Sample repositories (sample data)\n\n" + "".join(f"* {u}\n" for u in reversed(urls)))
    fake.rate_limits["core"] = 18
    fake.stats_computing_calls = 0  # commit activity answered at once: six requests a repository
    settings = fake.settings(http_retries=0, github_concurrency=1, external_code_repos=0)

    def night(when: datetime) -> dict[str, Entry]:
        result = run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                     sources=["github"], now=when)
        return {e.id: e for e in result.snapshot.entries if e.kind == Kind.REPO}

    first = night(NIGHT_1)
    served_1 = sorted(i for i, e in first.items() if e.status == Status.OK)
    deferred_1 = sorted(i for i, e in first.items() if e.failure == Failure.DEFERRED)
    assert len(served_1) == 3 and len(deferred_1) == 3
    for entry_id in deferred_1:
        assert first[entry_id].status == Status.PENDING
        assert first[entry_id].deferred == [Deferred(field="repo", fetched_at=None)]
    assert fake.rate_limited["core"] == 0 and fake.rate_used["core"] == 18

    fake.rate_used.clear()
    fake.rate_reset += 3600
    second = night(NIGHT_2)
    served_2 = sorted(i for i, e in second.items() if e.status == Status.OK)
    assert served_2 == deferred_1  # what waited goes first
    for entry_id in served_1:  # now the oldest: deferred, their values of night 1 kept
        kept = second[entry_id]
        assert (kept.status, kept.failure) == (Status.STALE, Failure.DEFERRED)
        assert kept.repo == first[entry_id].repo and kept.fetched_at == first[entry_id].fetched_at
        assert [m.field for m in kept.deferred] == ["repo"]
        assert kept.deferred[0].fetched_at == first[entry_id].fetched_at
    assert fake.rate_limited["core"] == 0
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    assert latest["header"]["run_id"] != ""  # published: a deferral never counts against the guard


# -- a deferral never counts against the publish guard -----------------------------------------

def snapshot_of(*entries: Entry) -> Snapshot:
    return assemble(list(entries), generated_at=NIGHT_2, run_id="r2", list_source="list.md",
                    list_sha256="0" * 64)  # fmt: skip


def named(name: str, **fields: object) -> Entry:
    return updated(sample_entry(**fields), id=f"github:sample-org/{name}", source_id=f"sample-org/{name}")


WAS_OK = snapshot_of(*(named(n, status=Status.OK, fetched_at=NIGHT_1) for n in "abcd"))
DEFERRED_STALE = {"status": Status.STALE, "failure": Failure.DEFERRED, "fetched_at": NIGHT_1,
                  "deferred": [Deferred(field="repo", fetched_at=NIGHT_1)]}  # fmt: skip

GUARD_CASES = [
    ("every entry that was ok deferred whole", WAS_OK,
     snapshot_of(*(named(n, **DEFERRED_STALE) for n in "abcd")), None),
    ("a first night deferred but for one", None,
     snapshot_of(named("a", status=Status.OK, fetched_at=NIGHT_2),
                 *(named(n, status=Status.PENDING, failure=Failure.DEFERRED,
                         deferred=[Deferred(field="repo")]) for n in "bcd")), None),
    ("fields deferred: the entries stay ok", WAS_OK,
     snapshot_of(*(named(n, status=Status.OK, fetched_at=NIGHT_2,
                         deferred=[Deferred(field="contributors", fetched_at=NIGHT_1)]) for n in "abcd")), None),
    ("unreachable is still refused", WAS_OK,
     snapshot_of(*(named(n, status=Status.STALE, failure=Failure.UNREACHABLE, fetched_at=NIGHT_1)
                   for n in "abcd")), "4 of 4 entries that were ok could not be fetched"),
]


@pytest.mark.parametrize(("name", "before", "tonight", "refused"), GUARD_CASES, ids=[c[0] for c in GUARD_CASES])
def test_a_deferral_never_counts_against_the_guard(name: str, before: Snapshot | None, tonight: Snapshot,
                                                   refused: str | None) -> None:
    why = verdict(tonight, 0.5, before)
    assert (why is None) if refused is None else (why is not None and refused in why)


# -- the shares the plan hands GitHub's tasks (`run/budgets.apportion`), without a token --------

def warm(name: str, **fields: object) -> Entry:
    repo = Repo(repo_id=1, full_name=f"sample-org/{name}", html_url=f"https://github.com/sample-org/{name}",
                stars=1, forks=0, watchers=0, open_issues=0)  # fmt: skip
    return named(name, status=Status.OK, fetched_at=NIGHT_1, repo=repo, **fields)


def task(*entries: Entry, external: int = 0) -> FetchTask:
    return FetchTask(run_dir="/nowhere/r2", source="github", part=0, entries=list(entries),
                     settings=ANONYMOUS, external_limit=external)  # fmt: skip


ANONYMOUS = Settings(github_token=None)  # REST: the shares are of `core` requests
OWED = [Deferred(field="contributors", fetched_at=NIGHT_1)]
TASK_SHARE_CASES = [
    # (name, tasks' entries (None: the external repositories' task), core left, shares)
    ("warm: a request each, the rest split evenly", [["a", "b"], ["c"]], 11, [6, 5]),
    ("cold: a repository and its five parts, six requests", [["new"], ["b"]], 9, [7, 2]),
    ("a part carried for a later night: asked again whole", [["a"], ["owes"]], 10, [3, 7]),
    ("the external task wants nothing: an even part of what the list leaves, never the list's",
     [["a", "b", "c", "d"], None], 60, [32, 28]),
    ("too little for the list: the external task gets nothing", [["new", "new2"], None], 10, [10, 0]),
]


@pytest.mark.parametrize(("name", "given", "left", "expected"), TASK_SHARE_CASES, ids=[c[0] for c in TASK_SHARE_CASES])
def test_the_plan_shares_what_github_says_is_left(name: str, given: list[list[str] | None], left: int,
                                                    expected: list[int]) -> None:
    known: dict[str, list[Entry]] = {}
    tasks = []
    for names in given:
        if names is None:
            tasks.append(task(external=200))
            continue
        for n in names:
            before = None if n.startswith("new") else warm(n, deferred=OWED if n == "owes" else [])
            if before is not None:
                known[before.id] = [before]
        tasks.append(task(*(named(n) for n in names)))
    shared = apportion(tasks, {"core": left}, known, ANONYMOUS)
    assert [t.quota["core"] for t in shared] == expected
    assert sum(expected) <= left
