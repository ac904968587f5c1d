"""The scale benchmark's own parts (benches/scale_bench.py): its generated catalogs have the
shape they are said to have, its fake serves the repositories it generates, and one tiny night
counts what it should. Figures only; no time is asserted."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import httpx
import pytest

BENCH = Path(__file__).parent.parent / "benches" / "scale_bench.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scale_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale_bench"] = module
    spec.loader.exec_module(module)
    return module


sb = _bench()


@pytest.mark.parametrize(
    ("shape", "lists", "links"),
    [
        (sb.QUICK["a"], 6, 600),
        (sb.QUICK["b"], 40, 4_000),
        (sb.Shape("same", 5, 2_000, 400, 0, equal=True, same=True), 5, 2_000),
    ],
)
def test_a_generated_catalog_has_its_lists_and_links_each_repository_once_a_list(
    shape: object, lists: int, links: int
) -> None:
    drawn = sb.draw_lists(shape)
    assert len(drawn) == lists
    assert sum(map(len, drawn)) == links
    assert all(len(set(one)) == len(one) for one in drawn)  # a list links a repository once
    assert drawn == sb.draw_lists(shape)  # seeded: the same catalog every time


def test_the_draw_is_skewed_a_few_repositories_in_every_list_many_in_one() -> None:
    drawn = sb.draw_lists(sb.Shape("a", 30, 12_000, 6_000, 1.0, equal=True))
    linked = Counter(i for one in drawn for i in one)
    assert linked[0] == 30  # the most popular repository: in every list
    assert 3_000 < len(linked) < 4_500  # the catalog: 3,757 unique of 12,000 links
    assert sum(n == 1 for n in linked.values()) > len(linked) / 3  # most in one list


def test_every_list_of_the_same_entities_catalog_links_the_same_repositories() -> None:
    drawn = sb.draw_lists(sb.Shape("same", 3, 1_200, 400, 0, equal=True, same=True))
    assert drawn[0] == drawn[1] == drawn[2] == list(range(400))


def test_the_lists_are_markdown_an_awesome_list_reader_parses(tmp_path: Path) -> None:
    from enrich.core.listing import parse_list

    (path,) = sb.write_lists(tmp_path, [[3, 1_234, 60_001]])
    parsed = parse_list(path.read_bytes(), str(path))
    assert [e.id for e in parsed.entries] == [
        "github:scale-org-000/project-000003",
        "github:scale-org-001/project-001234",
        "github:scale-org-060/project-060001",
    ]
    assert "synthetic sample data" in path.read_text()


def test_the_fake_serves_generated_repositories_and_their_changes() -> None:
    fake = sb.GeneratedGitHub()
    with fake:
        url = f"{fake.github_url}/repos/scale-org-001/project-001234"
        before = httpx.get(url).json()
        assert before["full_name"] == "scale-org-001/project-001234"
        assert httpx.get(f"{url}/contributors").status_code == 200
        assert httpx.get(f"{fake.github_url}/repos/scale-org-002/project-001234").status_code == 404
        moved = fake.change({1234, 1235}, 1.0, seed=0)
        after = httpx.get(url).json()
    assert sorted(moved) == [1234, 1235]
    pushed = after["pushed_at"] != before["pushed_at"]
    starred = after["stargazers_count"] == before["stargazers_count"] + 1
    assert pushed != starred  # a push or a star, not both


@pytest.mark.slow
@pytest.mark.graphql_schema
def test_one_tiny_night_fetches_each_repository_once_and_the_baseline_once_per_link() -> None:
    result = sb.bench(sb.Shape("tiny", 3, 30, 20, 1.0, equal=True), baseline=None, count=1)
    catalog, per_list = result["catalog"]["nights"][0], result["per_list"]["nights"][0]
    assert catalog["rest"]["contributors"] == result["unique"]  # each repository once
    assert catalog["repeated"] == 0
    assert per_list["rest"]["contributors"] == result["links"]  # once per list that links it
    assert catalog["forbidden"] == per_list["forbidden"] == 0
    # the night measured in its own process, the fake's CPU and memory beside it, not in it
    assert catalog["cpu_seconds"] > 0 and catalog["fake"]["rss_mb"] > 0


def _night(**extra: object) -> dict[str, object]:
    steps = {"prepare": 10.0, "finish-list-a": 3.0, "finish-list-b": 9.0, "catalog": 4.0,
             "prune": 1.0}  # fmt: skip
    return {"wall_seconds": 100.0, "steps": steps, **extra}


MEASURED = {"cpu_seconds": 61.4, "load_at_start": 7.25,
            "fake": {"cpu_seconds": 12.0, "rss_mb": 130.0, "peak_rss_mb": 150.0}}  # fmt: skip


@pytest.mark.parametrize(
    ("night", "row"),
    [
        pytest.param(
            _night(**MEASURED),
            "| cold | 100 s | 10 s | 73 s | 12 s (6.00 / 9.00 s) | 5 s | 61 s | 12 s | "
            "130 (150) MB | 7.2 |",
            id="measured-by-this-bench",
        ),
        pytest.param(
            _night(),
            "| cold | 100 s | 10 s | 73 s | 12 s (6.00 / 9.00 s) | 5 s | – | – | – | – |",
            id="saved-before-cpu-and-the-fake-were-measured",
        ),
    ],
)
def test_a_catalog_nights_wall_is_split_into_its_steps_the_fetch_being_the_rest(
    night: dict[str, object], row: str
) -> None:
    header, rule, written = sb.parts([night])[1:]
    assert header.count("|") == rule.count("|") == written.count("|")
    assert written == row


@pytest.mark.parametrize(
    ("moved", "counted", "full", "expected"),
    [
        pytest.param([], set(), set(), dict(pushed=0, pushed_counted=0, pushed_full=0, starred=0,
                                            starred_full=0), id="a night nothing changed before"),
        pytest.param([10, 11, 12, 13], {10, 12, 99}, {10, 11, 12}, dict(
            pushed=2, pushed_counted=2, pushed_full=2, starred=2, starred_full=1),
            id="every push counted, one star read in full"),
        pytest.param([10, 11, 12, 13], {99}, {11}, dict(
            pushed=2, pushed_counted=0, pushed_full=0, starred=2, starred_full=1),
            id="the pushes deferred behind another repository's count"),
    ],
)  # fmt: skip
def test_a_changed_night_says_what_it_asked_of_the_repositories_that_changed(
    moved: list[int], counted: set[int], full: set[int], expected: dict[str, int]
) -> None:
    night = sb.Night({}, contributors={sb.repo(i) for i in counted},
                     asked_full={sb.repo(i) for i in full})  # fmt: skip
    assert sb.served(night, moved) == expected
