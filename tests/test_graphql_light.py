"""Cheap warm nights on GraphQL (#24 item 4): a light query first, the full one for what moved.

Points are what the fake charges, counted the way GitHub documents it (every connection, one
request per parent, / 100, rounded, at least 1 a query): measured, never assumed. The rota that
refreshes what the light query cannot see is computed by the source's own function, so the
repositories due tonight are known exactly.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate

from builders import entry_for
from conftest import fetch_source, write_json
from enrich.core.model import Entry, Status
from enrich.core.settings import Settings
from enrich.sandbox import github_graphql
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI, Fault
from enrich.sources.github import graphql_query
from enrich.sources.github.graphql import FULL_CONNECTIONS, light_view, points
from enrich.sources.github.light import rota_night, rota_slot
from enrich.store.raw import RawStore

pytestmark = pytest.mark.graphql_schema

TOKEN = "fake-token-for-tests"  # a recognisable fake, never a real one
SAMPLE = "github/repos/voidful/TextRL"


def repositories(extra_data: Path, count: int) -> list[str]:
    """``count`` repositories in the fake (TextRL's sample data under other names and ids)."""
    sample = json.loads((sample_data_dir() / f"{SAMPLE}.json").read_text())
    urls = []
    for i in range(count):
        full = f"light-org/repo-{i:04d}"
        write_json(extra_data / f"github/repos/{full}.json",
                   {**sample, "id": 20_000 + i, "name": f"repo-{i:04d}", "full_name": full,
                    "html_url": f"https://github.com/{full}"})  # fmt: skip
        shutil.copytree(sample_data_dir() / SAMPLE, extra_data / f"github/repos/{full}")
        urls.append(f"https://github.com/{full}")
    return urls


def repo_file(extra_data: Path, url: str) -> Path:
    return extra_data / "github/repos" / (url.removeprefix("https://github.com/") + ".json")


def edit(extra_data: Path, url: str, **changes: Any) -> None:
    path = repo_file(extra_data, url)
    write_json(path, {**json.loads(path.read_text()), **changes})


def fetch(fake: FakeAPI, entries: list[Entry], settings: Settings, raw: Path, run: str) -> tuple[dict, int]:
    """One night's outcomes and the GraphQL points it cost (as the fake charged them)."""
    before = fake.rate_used["graphql"]
    store = RawStore(raw / run)
    store.write_manifest({"run_id": run})
    outcomes = fetch_source("github", entries, settings, store)
    return outcomes, fake.rate_used["graphql"] - before


def asked_full(raw: Path, run: str) -> set[str]:
    """The repositories the full query asked that night (a reused full answer is not asked)."""
    asked = set()
    for doc in RawStore(raw / run).documents("github"):
        if any(x["request"] == "graphql" and not x.get("reused") for x in doc["exchanges"]):
            asked.add(doc["requested"])
    return asked


def due_tonight(entries: list[Entry], every: int) -> set[str]:
    night = rota_night(datetime.now(UTC), every)
    return {e.source_id for e in entries if rota_slot(e.id, every) == night}


@pytest.fixture
def settings(fake: FakeAPI) -> Settings:
    return fake.settings(github_token=TOKEN, http_retries=0)


# -- the queries are GitHub's, and priced as GitHub documents ----------------------------------

@pytest.mark.parametrize("count", [1, 100])
def test_the_light_query_is_valid_against_githubs_published_schema(count: int) -> None:
    assert validate(github_graphql.schema(), parse(graphql_query(count, light=True))) == []


@pytest.mark.parametrize(("count", "light", "cost"), [
    (100, False, 7),   # 7 connections a repository: 700 requests
    (50, False, 4),    # 350: 3.5 rounds to 4
    (7, False, 1),     # 49 requests: the least a query costs, 1
    (100, True, 1),    # no connection at all
    (1, True, 1),
])  # fmt: skip
def test_points_are_githubs_documented_calculation(count: int, light: bool, cost: int) -> None:
    assert github_graphql._cost(parse(graphql_query(count, light))) == cost
    assert points(count, 0 if light else FULL_CONNECTIONS, 100) == cost


def test_githubs_own_worked_example_costs_what_the_documentation_says() -> None:
    """50 repositories, 20 pull requests each, 10 comments each: 1 + 50 + 1,000 requests."""
    query = ("query { viewer { repositories(first: 50) { edges { node { name pullRequests(first: 20)"
             " { edges { node { title comments(first: 10) { edges { node { bodyHTML } } } } } } } } } } }")
    assert github_graphql._cost(parse(query)) == 11


def test_the_light_view_of_a_full_answer_is_the_light_answer(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    """What is compared is the same fields, read from either query's answer."""
    entries = [entry_for("https://github.com/huggingface/trl")]
    fetch(fake, entries, settings, tmp_path, "r1")
    doc = RawStore(tmp_path / "r1").documents("github")[0]
    full = next(x for x in doc["exchanges"] if x["request"] == "graphql")["body"]
    variables = {"o0": "huggingface", "n0": "trl"}
    light = github_graphql.answer(fake, graphql_query(1, light=True), variables, lambda _: {
        "limit": 5000, "remaining": 5000, "used": 0, "reset": 0})["data"]["r0"]
    assert light_view(light) == light_view(full) and light_view(full)["updatedAt"]


# -- what a night costs ----------------------------------------------------------------------

@pytest.mark.slow  # two nights of hundreds of repositories
def test_a_night_where_nothing_changed_costs_a_quarter_of_a_cold_one_at_most(
    fake: FakeAPI, extra_data: Path, settings: Settings, tmp_path: Path
) -> None:
    urls = repositories(extra_data, 300)
    entries = [entry_for(u) for u in urls]
    cold, cold_points = fetch(fake, entries, settings, tmp_path, "r1")
    warm, warm_points = fetch(fake, entries, settings, tmp_path, "r2")
    assert cold_points == 21  # 3 full queries of 100 (7 points each)
    assert warm_points <= 0.25 * cold_points
    assert asked_full(tmp_path, "r2") == due_tonight(entries, settings.github_graphql_full_every)
    assert {k: o.record for k, o in warm.items()} == {k: o.record for k, o in cold.items()}
    assert all(o.status == Status.OK and not o.carry for o in warm.values())
    counts = RawStore(tmp_path / "r2").requests("github")
    assert counts["sent"] == 3 + (1 if asked_full(tmp_path, "r2") else 0)  # 3 light queries


@pytest.mark.slow  # two nights of hundreds of repositories
def test_a_night_where_5_percent_moved_asks_the_full_query_for_those_only(
    fake: FakeAPI, extra_data: Path, settings: Settings, tmp_path: Path
) -> None:
    urls = repositories(extra_data, 200)
    entries = [entry_for(u) for u in urls]
    fetch(fake, entries, settings, tmp_path, "r1")
    moved = urls[::20]  # 10 of 200: a push each
    for url in moved:
        edit(extra_data, url, pushed_at="2030-01-02T03:04:05Z", updated_at="2030-01-02T03:04:05Z")
    warm, warm_points = fetch(fake, entries, settings, tmp_path, "r2")
    expected = {u.removeprefix("https://github.com/") for u in moved}
    assert asked_full(tmp_path, "r2") == expected | due_tonight(entries, settings.github_graphql_full_every)
    for url in moved:
        assert warm[entry_for(url).id].record.pushed_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)  # type: ignore[union-attr]
    assert warm_points == 2 + points(len(asked_full(tmp_path, "r2")), FULL_CONNECTIONS, 100)


def test_a_list_too_small_to_save_a_point_gets_the_full_query(
    fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    """Seven repositories cost one point whichever query asks them: no light query first."""
    entries = [entry_for(f"https://github.com/{n}") for n in (
        "huggingface/trl", "CarperAI/trlx", "allenai/RL4LMs", "lucidrains/PaLM-rlhf-pytorch",
        "voidful/TextRL", "openai/lm-human-preferences", "LAION-AI/Open-Assistant")]
    _, cold_points = fetch(fake, entries, settings, tmp_path, "r1")
    _, warm_points = fetch(fake, entries, settings, tmp_path, "r2")
    assert cold_points == warm_points == 1
    assert len(asked_full(tmp_path, "r2")) == 7


# -- what moved is caught --------------------------------------------------------------------

@dataclass(frozen=True)
class Move:
    name: str
    make: Callable[[Path, str], None]
    check: Callable[[Any], bool]  # the warm outcome


def _starred(extra: Path, url: str) -> None:
    edit(extra, url, stargazers_count=999_999)  # a star, no push: pushed_at stays


def _forked(extra: Path, url: str) -> None:
    edit(extra, url, forks_count=123_456)


def _described(extra: Path, url: str) -> None:
    edit(extra, url, description="A new description", updated_at="2030-01-01T00:00:00Z")


def _archived(extra: Path, url: str) -> None:
    edit(extra, url, archived=True, updated_at="2030-01-01T00:00:00Z")


def _renamed(extra: Path, url: str) -> None:
    old = url.removeprefix("https://github.com/")
    new = old.replace("repo-", "renamed-")
    base = extra / "github/repos"
    data = json.loads((base / f"{old}.json").read_text())
    write_json(base / f"{new}.json", {**data, "name": new.split("/")[1], "full_name": new,
                                      "html_url": f"https://github.com/{new}"})
    shutil.move(base / old, base / new)
    (base / f"{old}.json").unlink()
    write_json(extra / "github/redirects.json", {old: new})


def _deleted(extra: Path, url: str) -> None:
    repo_file(extra, url).unlink()


def _recreated(extra: Path, url: str) -> None:
    edit(extra, url, id=99_999_999)  # deleted, and a new repository made under its name


MOVES = [
    Move("a star without a push", _starred, lambda o: o.record.stars == 999_999),
    Move("a fork without a push", _forked, lambda o: o.record.forks == 123_456),
    Move("a new description", _described, lambda o: o.record.description == "A new description"),
    Move("archived", _archived, lambda o: o.record.archived),
    Move("renamed", _renamed,
         lambda o: o.record.full_name.startswith("light-org/renamed-") and o.record.renamed_from),
    Move("recreated under its name", _recreated, lambda o: o.record.repo_id == 99_999_999),
    Move("deleted", _deleted, lambda o: o.status == Status.ERROR and "not found" in o.reason),
]


@dataclass(frozen=True)
class ColdNight:
    """Sixty repositories in a data folder, and the cold night that read them: fetched once for
    every case of `test_what_moved_is_caught_the_same_night`, which copies both (read only)."""

    data: Path
    raw: Path  # raw/r1: the cold night's documents
    urls: list[str]
    outcomes: dict


@pytest.fixture(scope="module")
def cold_night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ColdNight]:
    root = tmp_path_factory.mktemp("cold-night")
    urls = repositories(root / "data", 60)  # enough for the light query to save points
    with FakeAPI([root / "data"]) as fake:
        settings = fake.settings(github_token=TOKEN, http_retries=0)
        cold, _ = fetch(fake, [entry_for(u) for u in urls], settings, root / "raw", "r1")
    yield ColdNight(root / "data", root / "raw", urls, cold)


# One worker runs these cases: their cold night (`cold_night`) is fetched once, not once a worker.
@pytest.mark.xdist_group("graphql-light-moves")
@pytest.mark.parametrize("move", MOVES, ids=lambda m: m.name)
def test_what_moved_is_caught_the_same_night(
    move: Move, cold_night: ColdNight, fake: FakeAPI, extra_data: Path, settings: Settings, tmp_path: Path
) -> None:
    shutil.copytree(cold_night.data, extra_data, dirs_exist_ok=True)
    shutil.copytree(cold_night.raw, tmp_path, dirs_exist_ok=True)  # r1, as the cold night wrote it
    urls, cold = cold_night.urls, cold_night.outcomes
    entries = [entry_for(u) for u in urls]
    quiet = due_tonight(entries, settings.github_graphql_full_every)
    target = next(u for u in urls if u.removeprefix("https://github.com/") not in quiet)
    move.make(extra_data, target)
    warm, _ = fetch(fake, entries, settings, tmp_path, "r2")
    assert move.check(warm[entry_for(target).id]), warm[entry_for(target).id]
    asked = asked_full(tmp_path, "r2") - quiet
    assert asked == (set() if move.name == "deleted" else {target.removeprefix("https://github.com/")})
    for url in urls:
        if url != target:
            assert warm[entry_for(url).id].record == cold[entry_for(url).id].record


# -- failures fall back to the full query ----------------------------------------------------

@pytest.mark.slow  # two nights of 150 repositories a case
@pytest.mark.parametrize(("status", "full"), [
    (500, True),    # failed: its 100 repositories go to the full query
    (403, True),
    (502, False),   # GitHub took too long: asked again in halves, like a full query
])  # fmt: skip
def test_a_failed_light_query_falls_back_to_the_full_query(
    status: int, full: bool, fake: FakeAPI, extra_data: Path, settings: Settings, tmp_path: Path
) -> None:
    urls = repositories(extra_data, 150)
    entries = [entry_for(u) for u in urls]
    cold, _ = fetch(fake, entries, settings, tmp_path, "r1")
    fake.faults.append(Fault(r"^/github/graphql$", status=status, times=1))  # the first light query
    warm, _ = fetch(fake, entries, settings, tmp_path, "r2")
    assert all(o.status == Status.OK for o in warm.values())
    assert {k: o.record for k, o in warm.items()} == {k: o.record for k, o in cold.items()}
    due = due_tonight(entries, settings.github_graphql_full_every)
    screened = [u.removeprefix("https://github.com/") for u in urls]
    first = set([u for u in screened if u not in due][:100])  # the first light query's
    assert asked_full(tmp_path, "r2") == (first | due if full else due)


def test_a_full_answer_older_than_the_rota_is_asked_again(
    fake: FakeAPI, extra_data: Path, tmp_path: Path
) -> None:
    """Nights were skipped: a full answer ``github_graphql_full_every`` nights old is refreshed
    whatever the rota says, and a reused answer says when the full query read it."""
    settings = fake.settings(github_token=TOKEN, http_retries=0, github_graphql_full_every=3)
    urls = repositories(extra_data, 60)
    entries = [entry_for(u) for u in urls]
    fetch(fake, entries, settings, tmp_path, "r1")
    fetch(fake, entries, settings, tmp_path, "r2")
    reused = [x for d in RawStore(tmp_path / "r2").documents("github") for x in d["exchanges"]
              if x["request"] == "graphql" and x.get("reused")]
    assert reused and all(x["full_fetched_at"] < x["fetched_at"] for x in reused)
    for path in (tmp_path / "r1").glob("github*/*.json"):  # r1 was read long ago
        doc = json.loads(path.read_text())
        for x in doc["exchanges"]:
            x["fetched_at"] = "2000-01-01T00:00:00+00:00"
        path.write_text(json.dumps(doc))
    shutil.rmtree(tmp_path / "r2")
    fetch(fake, entries, settings, tmp_path, "r3")
    assert len(asked_full(tmp_path, "r3")) == 60
