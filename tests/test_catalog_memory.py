"""What a catalog run holds while it runs (#24 item 8: a 100,000-link catalog within 2 GB):
the plan keeps one small record per entity of the lists' previous snapshots, not the
snapshots, and orders and estimates tonight exactly as it did from every snapshot (each list's
previous snapshot is read in that list's own finish); the lists' new snapshots, held until the
catalog's finish, hold each entity's record once, and read exactly as before; the fetch tasks
hand back no outcomes of the sources kept per entity, and each list's finish, normalizing its
own entries from the raw folder, builds what those outcomes built.

The entries are sample data (generated repository names).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from builders import entry_for, snap
from enrich.core.budget import candidates, keep_newest, planned
from enrich.core.errors import InputError
from enrich.core.links import Kind
from enrich.core.model import Deferred, Entry, Header, Language, Repo, Snapshot, Status, updated
from enrich.core.settings import Settings
from enrich.run.budgets import demand
from enrich.run.build import build_run
from enrich.run.job import CatalogJob, InProcess, run_catalog
from enrich.run.state import FetchTask
from enrich.run.steps import FinishList, read_previous
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store.codec import read_planned, read_snapshot, to_json

NIGHT_1 = datetime(2026, 11, 25, 3, tzinfo=UTC)
NIGHT_2 = NIGHT_1 + timedelta(days=1)
OLD = NIGHT_1 - timedelta(days=9)
P = TypeVar("P")
T = TypeVar("T")


def repo_record(contributors: int | None) -> Repo:
    return Repo(repo_id=7, full_name="sample-org/repo", html_url="https://github.com/sample-org/repo",
                description="A sample repository (sample data)", stars=120, forks=8, watchers=4,
                open_issues=3, languages=[Language(name="Python", bytes=90_000)],
                topics=["rlhf", "sample"], contributors=contributors)  # fmt: skip


def entry(name: str, **fields: object) -> Entry:
    base = Entry(id=f"github:sample-org/{name}", kind=Kind.REPO, source_id=f"sample-org/{name}",
                 url=f"https://github.com/sample-org/{name}", urls=[f"https://github.com/sample-org/{name}"],
                 title=f"{name} as one list wrote it", section=["Libraries"], positions=[])  # fmt: skip
    return updated(base, **fields)


# Each case: an entity's entries in the lists' previous snapshots, in the lists' order.
KNOWN_CASES = [
    ("in one list, fetched last night", [entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(12))]),
    ("a week-old list and last night's", [entry("a", status=Status.OK, fetched_at=OLD, repo=repo_record(3)),
                                          entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(12))]),
    ("last night's first, then a week-old list", [entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(12)),
                                                  entry("a", status=Status.OK, fetched_at=OLD, repo=repo_record(3))]),
    ("never fetched in any list", [entry("a"), entry("a", status=Status.PENDING)]),
    ("pending in one list, fetched in another", [entry("a"), entry("a", status=Status.OK, fetched_at=NIGHT_2,
                                                                    repo=repo_record(5))]),
    ("its count deferred since first seen", [entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(None),
                                                   deferred=[Deferred(field="contributors")])]),
    ("a count carried from an older night", [entry("a", status=Status.OK, fetched_at=NIGHT_2, repo=repo_record(9),
                                                   deferred=[Deferred(field="contributors", fetched_at=OLD)])]),
    ("the same night in two lists, the first's count differs",
     [entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(None)),
      entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(40))]),
    ("fetched, no repository record", [entry("a", status=Status.ERROR, fetched_at=NIGHT_1)]),
]


@pytest.mark.parametrize("github_token", [None, "sample-token"], ids=["REST", "GraphQL"])
@pytest.mark.parametrize(("name", "entries"), KNOWN_CASES, ids=[c[0] for c in KNOWN_CASES])
def test_the_plan_orders_and_estimates_from_one_small_record_as_from_every_snapshot(
    name: str, entries: list[Entry], github_token: str | None
) -> None:
    every = {entries[0].id: entries}
    kept: dict[str, list[Entry]] = {}
    for one in entries:  # one list's previous snapshot at a time, each let go after
        keep_newest(kept, [one])
    assert len(kept[entries[0].id]) == 1
    ids, lists = [entries[0].id, "github:sample-org/new"], {entries[0].id: len(entries)}
    assert candidates(ids, kept, lists) == candidates(ids, every, lists)
    settings = Settings(github_token=github_token)
    tonight = [entry("a"), entry("new")]
    assert demand(tonight, kept, settings) == demand(tonight, every, settings)


def test_what_the_plan_keeps_of_an_entry_is_its_ages_and_its_count() -> None:
    full = entry("a", status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(12),
                 deferred=[Deferred(field="contributors", fetched_at=OLD)], description="sample")  # fmt: skip
    kept = planned(full)
    assert (kept.id, kept.fetched_at, kept.deferred, kept.status) == (full.id, NIGHT_1, full.deferred, Status.OK)
    assert kept.repo is not None and kept.repo.contributors == 12
    # what the plan never reads is not kept: the list's words, the repository's details
    assert (kept.title, kept.description, kept.section, kept.urls) == (None, None, [], [])
    assert (kept.repo.languages, kept.repo.topics, kept.repo.description) == ([], [], None)


@pytest.mark.parametrize(("name", "entries"), [
    *KNOWN_CASES,
    ("every kind, never fetched", [entry_for("https://arxiv.org/abs/2204.05862"),
                                   entry_for("https://huggingface.co/datasets/Anthropic/hh-rlhf"),
                                   entry_for("https://example.org/sample-page"), entry("a")]),
    ("a count deferred, a record kept", [entry("a", status=Status.STALE, fetched_at=NIGHT_1,
                                               repo=repo_record(None),
                                               deferred=[Deferred(field="contributors", fetched_at=OLD)])]),
], ids=lambda c: c if isinstance(c, str) else "")  # fmt: skip
def test_a_previous_snapshot_read_for_the_plan_gives_what_the_plan_keeps_of_it(
    name: str, entries: list[Entry], tmp_path: Path
) -> None:
    """A catalog's prepare reads each list's previous snapshot for what the plan keeps of it
    (`read_planned`), not whole: the same as `planned` of every entry read whole."""
    path = tmp_path / "latest.json"
    path.write_bytes(to_json(snap(entries, NIGHT_1)))
    whole = read_snapshot(path).entries
    assert [planned(e) for e in read_planned(path)] == [planned(e) for e in whole]


@pytest.mark.parametrize("garbage", [b"{not json", b"", b'{"header": {"schema_version": "9.0"}, "entries": []}',
                                     b'{"header": {"schema_version": "1.0"}, "entries": [{"id": 3}]}'])  # fmt: skip
def test_a_previous_snapshot_that_does_not_read_is_refused_for_the_plan_too(garbage: bytes, tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    path.write_bytes(garbage)
    with pytest.raises(InputError, match=r"latest\.json"):
        read_planned(path)


# -- the fetch's outcomes, each let go once every list linking it has finished ------------------


def test_each_list_is_handed_its_own_outcomes_and_they_go_when_no_list_waits() -> None:
    from collections import Counter

    from enrich.run.job import _finished, _projected

    lists = {"rlhf": {"github:carperai/trlx", "github:voidful/textrl"}, "agents": {"github:carperai/trlx"}}
    outcomes: dict[str, dict[str, Any]] = {
        "github": {"github:carperai/trlx": "trlx's", "github:voidful/textrl": "textrl's",
                   "github:sample-org/external-code": "a paper's code, linked by no list"},
        "papers": {"github:carperai/trlx": "its paper"},
    }  # fmt: skip
    waiting = Counter(i for ids in lists.values() for i in ids)
    handed = _projected(outcomes, lists["agents"], waiting)
    assert handed == {"github": {"github:carperai/trlx": "trlx's",
                                 "github:sample-org/external-code": "a paper's code, linked by no list"},
                      "papers": {"github:carperai/trlx": "its paper"}}  # fmt: skip
    _finished(outcomes, lists["agents"], waiting)
    assert "github:carperai/trlx" in outcomes["github"]  # the other list still waits for it
    _finished(outcomes, lists["rlhf"], waiting)
    assert outcomes == {"github": {"github:sample-org/external-code": "a paper's code, linked by no list"},
                        "papers": {}}  # fmt: skip


# -- the fetch's outcomes read back from the raw folder in each list's finish --------------------


class BothWays(InProcess):
    """The run as it ran before #24 item 8's fix (every fetch task returns what it normalized,
    each list's finish is handed its entries' outcomes), and each list's snapshot also built
    as the finish builds it now (no outcome handed: its entries normalized from the raw
    folder): the two kept, by list, per night."""

    def __init__(self) -> None:
        super().__init__()
        self.built: list[tuple[str, Snapshot, Snapshot]] = []
        self.handed = 0  # outcomes handed to the lists' finishes

    def submit(self, name: str, fn: Callable[[FetchTask], T], task: FetchTask) -> Future[T]:
        return super().submit(name, fn, replace(task, returns=True))

    def call(self, step: str, fn: Callable[[P], T], payload: P) -> T:
        if isinstance(payload, FinishList):
            one, failures = payload.one, payload.one.listing.store.failures()
            before = read_previous(one.out_dir)
            handed = build_run(one.listing, before, payload.outcomes, failures).snapshot
            normalized = build_run(one.listing, before, None, failures).snapshot
            self.built.append((step, handed, normalized))
            self.handed += sum(len(made) for made in payload.outcomes.values())
        return fn(payload)


SAMPLE_LISTS = "github:enrich-sample/awesome-lists/README.md"  # the sandbox's list of lists
NOT_HERE = "not in this test"
# Each case: what the catalog run leaves out (nothing: every source), what the fake fails.
CATALOGS = [
    ("the sandbox's list of lists, every source", {}, None),
    (
        "GitHub's and the Hub's entities only",
        {"web": NOT_HERE, "papers": NOT_HERE, "arxiv": NOT_HERE},
        None,
    ),
    ("the Hub failing on every model", {}, Fault(r"/api/models/", status=500)),
    ("GitHub failing on every contributor count", {}, Fault(r"/contributors", status=502)),
]
Built = list[tuple[str, Snapshot, Snapshot]]  # by list finish: (step, as handed, as normalized)


@pytest.fixture(scope="module")
def first_catalog_night(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dict[str, str]], tuple[Path, Built, int]]:
    """Night 1 of the sandbox's catalog, clean, with the sources ``skip`` leaves out: run once for
    the module (on a fake of its own, through `BothWays`), each test copying its folders. Its
    folder, what `BothWays` kept of it, and how many outcomes it handed."""
    made: dict[tuple[tuple[str, str], ...], tuple[Path, Built, int]] = {}

    def night(skip: dict[str, str]) -> tuple[Path, Built, int]:
        key = tuple(sorted(skip.items()))
        if key not in made:
            folder = tmp_path_factory.mktemp("catalog-night-1")
            executor = BothWays()
            try:
                with FakeAPI([]) as fake:
                    settings = fake.settings(allow_loopback=True, http_retries=0)
                    job = CatalogJob((SAMPLE_LISTS,), folder / "out", folder / "raw", settings, follow=True,
                                     skip=skip, now=NIGHT_1)  # fmt: skip
                    assert len(run_catalog(job, executor).results) == 4
            finally:
                executor.close()
            made[key] = folder, executor.built, executor.handed
        return made[key]

    return night


@pytest.mark.parametrize(("name", "skip", "fault"), CATALOGS, ids=[c[0] for c in CATALOGS])
def test_a_lists_entries_normalized_in_its_finish_build_what_the_fetchs_outcomes_built(
    name: str,
    skip: dict[str, str],
    fault: Fault | None,
    first_catalog_night: Callable[[dict[str, str]], tuple[Path, Built, int]],
    fake: FakeAPI,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """Two nights of a catalog: each list's snapshot built from its entries' documents in its
    own finish (the run holds no outcome of every entity) equals the one built from what the
    fetch tasks normalized (the run held them all until the lists had finished). Night 1 is
    clean (shared by the cases leaving out the same sources); night 2 meets the case's fault."""
    folder, built, handed = first_catalog_night(skip)
    for name in ("out", "raw"):
        shutil.copytree(folder / name, tmp_path / name)
    executor = BothWays()
    try:
        if fault is not None:  # night 2 fails: the lists keep night 1's values
            fake.faults.append(fault)
        job = CatalogJob((SAMPLE_LISTS,), tmp_path / "out", tmp_path / "raw", settings, follow=True,
                         skip=skip, now=NIGHT_2)  # fmt: skip
        assert len(run_catalog(job, executor).results) == 4
    finally:
        executor.close()
    assert len(built) == 4 and len(executor.built) == 4 and handed > 0 and executor.handed > 0
    for step, handed_one, normalized in [*built, *executor.built]:
        assert to_json(normalized) == to_json(handed_one), step


# -- the catalog's entities: tonight's as Arrow once --------------------------------------------


def list_snapshot(name: str, *entries: Entry) -> Snapshot:
    header = Header(run_id="20261125T030000000000Z", generated_at=NIGHT_1, list_source=f"lists/{name}.md",
                    list_sha256="0" * 64, entries=len(entries), by_kind=[], by_status=[])  # fmt: skip
    return Snapshot(header=header, entries=list(entries))


def fetched(name: str, stars: int = 120) -> Entry:
    return entry(name, status=Status.OK, fetched_at=NIGHT_1, repo=repo_record(12).model_copy(update={"stars": stars}))


# Each case: the lists published tonight, the lists whose folders keep a dataset (not published).
WRITE_CASES = [
    ("every list published", {"rlhf": ["trlx", "textrl"], "agents": ["trlx", "palm"]}, {}),
    ("a kept list adds an entity", {"rlhf": ["trlx"]}, {"old": ["trlx", "rl4lms"]}),
    ("a kept list adds none", {"rlhf": ["trlx", "textrl"]}, {"old": ["textrl"]}),
    ("no list published tonight", {}, {"old": ["trlx"]}),
    ("more entities than a part", {"big": [f"repo-{n:04d}" for n in range(2500)]}, {}),
]


@pytest.mark.parametrize(("name", "tonight", "kept"), WRITE_CASES, ids=[c[0] for c in WRITE_CASES])
def test_the_catalogs_entities_and_their_history_read_as_from_the_lists_snapshots(
    name: str, tonight: dict[str, list[str]], kept: dict[str, list[str]], tmp_path: Path
) -> None:
    from enrich.store import history
    from enrich.store.catalog import LIST_FIELDS, CatalogList, union, write
    from enrich.store.codec import parquet_bytes, to_arrow

    lists = [CatalogList(slug, f"lists/{slug}.md", list_snapshot(slug, *map(fetched, names)))
             for slug, names in tonight.items()]  # fmt: skip
    for slug, names in kept.items():  # older values: another star count
        folder = tmp_path / "lists" / slug
        folder.mkdir(parents=True)
        (folder / "latest.json").write_bytes(to_json(list_snapshot(slug, *(fetched(n, 7) for n in names))))
    write(tmp_path, lists, NIGHT_1)
    every = union([*lists, *(CatalogList(slug, f"lists/{slug}.md", None, "kept",
                                          list_snapshot(slug, *(fetched(n, 7) for n in names)))
                             for slug, names in kept.items())], shown=True)  # fmt: skip
    assert every is not None
    whole = to_arrow(every)  # in one piece, as the catalog's finish made it before
    reference = whole.drop_columns([c for c in LIST_FIELDS if c in whole.column_names])
    assert (tmp_path / "catalog" / "entities.parquet").read_bytes() == parquet_bytes(reference)
    day = history.day_file(tmp_path / "catalog" / "history" / "entities", NIGHT_1.date())
    published = union(lists)
    if published is None:
        assert not day.exists()
    else:
        assert day.read_bytes() == parquet_bytes(history.rows(to_arrow(published), published.header))
