"""External code repositories: a listed paper's code that the list does not link is enriched too
(``external_code_repos`` of them a run, most-named first), published in ``latest.json`` and
``external.parquet``, rebuilt from the raw folder alone, revalidated with ETags on a warm night.

The sample data's papers name their code on their Hub paper pages and in their arXiv comments:
2204.05862 names ``anthropics/hh-rlhf``, 1909.08593 ``openai/lm-human-preferences`` (both served
by the fake GitHub). The list below links the papers only, so both repositories are external.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest

from builders import repo_entry
from conftest import run, write_json
from enrich.core.assemble import assemble
from enrich.core.links import Kind
from enrich.core.model import (
    Direction,
    Entry,
    Evidence,
    Failure,
    Paper,
    Relation,
    Repo,
    Status,
    Tie,
)
from enrich.core.settings import Settings
from enrich.run.job import RunResult, rebuild
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI, Fault
from enrich.store.published import read_latest
from enrich.store.raw import RawStore
from enrich.views.facts import Code, facts

PAPERS_ONLY = b"""# Sample list (test data)

## Papers

- [Training a Helpful and Harmless Assistant](https://arxiv.org/abs/2204.05862)
- [Fine-Tuning Language Models from Human Preferences](https://arxiv.org/abs/1909.08593)
"""
HH, LMHP = "github:anthropics/hh-rlhf", "github:openai/lm-human-preferences"
NIGHT_1 = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
NIGHT_2 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def night(settings: Settings, tmp_path: Path, now: datetime = NIGHT_1, limit: int = 200,
          out: str = "out"):  # type: ignore[no-untyped-def]
    list_file = tmp_path / "papers.md"
    list_file.write_bytes(PAPERS_ONLY)
    return run(str(list_file), settings=settings.model_copy(update={"external_code_repos": limit}),
               out_dir=tmp_path / out, raw_root=tmp_path / "raw", now=now)


@dataclass(frozen=True)
class Shared:
    """One clean night of the papers-only list, for the tests that only read it: its result, its
    folder (``out``, ``raw``), its settings and its fake (which answered nothing else)."""

    result: RunResult
    folder: Path
    settings: Settings
    fake: FakeAPI


# One worker runs this module: the shared night (`papers_night`) is run once, not once a worker.
pytestmark = pytest.mark.xdist_group("external")


@pytest.fixture(scope="module")
def papers_night(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    folder = tmp_path_factory.mktemp("papers-night")
    with FakeAPI([]) as fake:
        settings = fake.settings(allow_loopback=True, http_retries=0)
        yield Shared(night(settings, folder), folder, settings, fake)


def external_requests(fake: FakeAPI, full_name: str) -> list[int]:
    """The statuses of the fake GitHub's answers about one repository."""
    return [e.status for e in fake.requests("github") if f"/repos/{full_name}" in e.path]


@pytest.mark.parametrize(("limit", "planned"), [
    (200, [HH, LMHP]),  # both, one paper naming each: by id
    (2, [HH, LMHP]),
    (1, [HH]),  # the bound keeps the first
    (0, []),  # off: nothing planned, nothing asked
])
def test_externals_are_bounded_by_the_setting(limit: int, planned: list[str], fake: FakeAPI,
                                              settings: Settings, tmp_path: Path) -> None:
    result = night(settings, tmp_path, limit=limit)
    assert [e.id for e in result.snapshot.external] == planned
    plan = RawStore(result.run_dir).external()
    assert (plan["planned"] if plan else []) == [[i, f"https://github.com/{i[7:]}"] for i in planned]
    for name, wanted in (("anthropics/hh-rlhf", HH in planned),
                         ("openai/lm-human-preferences", LMHP in planned)):
        assert bool(external_requests(fake, name)) is wanted
    assert result.snapshot.header.entries == 2  # externals are not the list's entries


def test_externals_are_enriched_and_published(papers_night: Shared) -> None:
    result, tmp_path = papers_night.result, papers_night.folder
    hh = {e.id: e for e in result.snapshot.external}[HH]
    assert (hh.kind.value, hh.status, hh.section, hh.positions) == ("repo", Status.OK, [], [])
    assert hh.repo is not None and hh.repo.full_name == "anthropics/hh-rlhf" and hh.repo.stars > 0
    assert hh.score is not None and hh.display_title == "anthropics/hh-rlhf"
    # Its ties: the paper that names it (in); the paper's tie to it stays external (listed=False).
    assert [(t.relation, t.direction, t.other, t.listed) for t in hh.ties] == [
        (Relation.CODE, Direction.IN, "arxiv:2204.05862", True)]
    paper = {e.id: e for e in result.snapshot.entries}["arxiv:2204.05862"]
    code = [t for t in paper.ties if t.relation is Relation.CODE]
    assert [(t.other, t.listed) for t in code] == [(HH, False)]
    # The paper's score counts its external code's stars.
    assert paper.score is not None
    part = {p.name: p.points for p in paper.score.parts}["code"]
    assert part > 1.0
    out = tmp_path / "out"
    assert [e.id for e in read_latest(out).external] == [HH, LMHP]
    assert [e["id"] for e in json.loads((out / "latest.json").read_bytes())["external"]] == [HH, LMHP]
    frame = pd.read_parquet(out / "external.parquet")
    assert list(frame["id"]) == [HH, LMHP]
    assert list(frame.columns) == list(pd.read_parquet(out / "latest.parquet").columns)
    assert "code: [anthropics/hh-rlhf](<https://github.com/anthropics/hh-rlhf>) ★" in (out / "list.md").read_text()
    stars = duckdb.sql(f"select repo.stars from '{out / 'external.parquet'}' where id = '{HH}'").fetchall()
    assert stars == [(hh.repo.stars,)]


def test_a_rebuild_is_byte_identical_without_network(papers_night: Shared, tmp_path: Path) -> None:
    result, fake = papers_night.result, papers_night.fake
    asked = len(fake.requests())
    rebuilt = rebuild(result.run_dir, tmp_path / "rebuilt", papers_night.settings)
    assert len(fake.requests()) == asked
    assert rebuilt.snapshot == result.snapshot
    for name in ("latest.json", "external.parquet", "latest.parquet"):
        assert (tmp_path / "rebuilt" / name).read_bytes() == (papers_night.folder / "out" / name).read_bytes()


def test_a_missing_external_is_its_own_error(extra_data: Path, fake: FakeAPI, settings: Settings,
                                             tmp_path: Path) -> None:
    """A paper page naming a repository GitHub does not have (deleted, private): that external
    is an error, not_found; the run and the other external go on."""
    page = json.loads((sample_data_dir() / "huggingface/papers/1909.08593.json").read_text())
    write_json(extra_data / "huggingface/papers/1909.08593.json",
               {**page, "githubRepo": "https://github.com/sample-org/deleted-code"})
    result = night(settings, tmp_path)
    by_id = {e.id: e for e in result.snapshot.external}
    gone = by_id["github:sample-org/deleted-code"]
    assert (gone.status, gone.failure, gone.repo) == (Status.ERROR, Failure.NOT_FOUND, None)
    assert by_id[HH].status is Status.OK
    assert all(e.status is Status.OK for e in result.snapshot.entries)
    assert (tmp_path / "out" / "external.parquet").is_file()


def test_a_warm_night_revalidates_externals(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    names = ("anthropics/hh-rlhf", "openai/lm-human-preferences")
    first = night(settings, tmp_path)
    cold = {name: external_requests(fake, name) for name in names}
    second = night(settings, tmp_path, NIGHT_2)
    warm = [s for name in names for s in external_requests(fake, name)[len(cold[name]):]]
    # Unchanged: one conditional request each, answered 304 (GitHub's rate limit spares it).
    assert all(200 in cold[name] for name in names) and warm == [304] * len(names)
    assert second.requests["github"]["not_modified"] == warm.count(304)
    assert [e.repo for e in second.snapshot.external] == [e.repo for e in first.snapshot.external]


def test_the_run_summary_counts_external_requests(papers_night: Shared) -> None:
    result, fake = papers_night.result, papers_night.fake
    # Retries are not counted: a statistics endpoint's 202 ("computing") is asked again.
    answered = [e for e in fake.requests("github") if "/repos/" in e.path and e.status != 202]
    assert result.requests["github"]["sent"] == len(answered) > 0


def test_a_failed_external_keeps_its_last_values_stale(extra_data: Path, fake: FakeAPI,
                                                       settings: Settings, tmp_path: Path) -> None:
    """Like a listed entry: a fetch that fails over last night's good record keeps it, stale."""
    first = night(settings, tmp_path)
    fake.faults.append(Fault(r"^/github/repos/", status=503))
    second = night(settings, tmp_path, NIGHT_2)
    before = {e.id: e for e in first.snapshot.external}
    for entry in second.snapshot.external:
        assert entry.status is Status.STALE and entry.repo == before[entry.id].repo


def listed_repo(name: str, stars: int) -> Entry:
    url = f"https://github.com/{name}"
    return repo_entry(Repo(repo_id=1, full_name=name, html_url=url, stars=stars, forks=0, watchers=0, open_issues=0),
                      urls=[url])


def code_tie(name: str, listed: bool) -> Tie:
    return Tie(relation=Relation.CODE, direction=Direction.OUT, other=f"github:{name.lower()}",
               url=f"https://github.com/{name}", listed=listed, evidence=[Evidence.HUB_PAPER])


TRL, HHR = listed_repo("huggingface/trl", 18_000), listed_repo("anthropics/hh-rlhf", 1820)


@pytest.mark.parametrize(("ties", "listed", "external", "code"), [
    # the external code, from the snapshot's external repositories
    ([code_tie("anthropics/hh-rlhf", False)], [], [HHR], Code("anthropics/hh-rlhf", HHR.url, 1820)),
    # listed and external: the most starred
    ([code_tie("anthropics/hh-rlhf", False), code_tie("huggingface/trl", True)], [TRL], [HHR],
     Code("huggingface/trl", TRL.url, 18_000)),
    ([code_tie("anthropics/hh-rlhf", False), code_tie("huggingface/trl", True)],
     [listed_repo("huggingface/trl", 9)], [HHR], Code("anthropics/hh-rlhf", HHR.url, 1820)),
    # an external not enriched this run (beyond the bound, or the setting off): no code shown
    ([code_tie("anthropics/hh-rlhf", False)], [], [], None),
])
def test_a_papers_code_is_listed_or_external(ties: list[Tie], listed: list[Entry], external: list[Entry],
                                             code: Code | None) -> None:
    paper = Entry(id="arxiv:2204.05862", kind=Kind.PAPER, source_id="2204.05862",
                  url="https://arxiv.org/abs/2204.05862", urls=[], section=["Papers"], positions=[],
                  status=Status.OK, ties=ties,
                  paper=Paper(arxiv_id="2204.05862", versioned_id="2204.05862v1", version=1, title="HH",
                              authors=[], abstract="…"))
    snapshot = assemble([paper, *listed], generated_at=NIGHT_1, run_id="r", list_source="l.md",
                        list_sha256="0" * 64, external=external)
    (found,) = [f for f in facts(snapshot, None, pl.DataFrame()) if f.entry.id == paper.id]
    assert found.code == code


@pytest.mark.parametrize(
    ("listed", "asked_of_github"),
    [
        # The papers name their code, the list links neither: GitHub's renames are consulted.
        (PAPERS_ONLY, True),
        # Repositories only: no paper names code, GitHub's documents are not read for it.
        (b"# Repos\n\n- [trl](https://github.com/huggingface/trl)\n"
         b"- [trlx](https://github.com/CarperAI/trlx)\n", False),
    ],
    ids=["papers-naming-code", "repositories-only"],
)
def test_the_plan_reads_githubs_documents_only_when_papers_name_code(
    listed: bytes, asked_of_github: bool, fake: FakeAPI, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The external plan's graph with GitHub's records can only name fewer repositories than the
    papers' records alone: when the papers name none, the plan normalizes no GitHub document
    (in a catalog of repositories, every listed repository's)."""
    import enrich.run.external as external

    asked: list[tuple[str, ...]] = []
    real = external.enriched

    def recording(*args: Any, **kwargs: Any) -> list[Entry]:
        asked.append(tuple(kwargs.get("only") or ()))
        return real(*args, **kwargs)

    monkeypatch.setattr(external, "enriched", recording)
    list_file = tmp_path / "list.md"
    list_file.write_bytes(b"<!-- Sample list written by enrich's tests. -->\n" + listed)
    result = run(str(list_file), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                 now=NIGHT_1)  # fmt: skip
    assert any("github" in only for only in asked) is asked_of_github
    assert asked and all("github" not in only for only in asked[:1])  # the papers' graph first
    plan = RawStore(result.run_dir).external()
    assert plan is not None and (plan["found"] > 0) is asked_of_github
