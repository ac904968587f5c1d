"""The score: one formula per kind (`enrich.core.score`), its parts in the dataset, reproducible.

Counts of 9, 99, 999… make each log-scaled part a whole number (lg(9) = 1, lg(99) = 2), so the
expected points below read as the formula of docs/score.md applied by hand.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import builders
from builders import entry, hub_entry, paper_entry, repo_entry, web_entry
from enrich.core.assemble import assemble
from enrich.core.links import Kind
from enrich.core.model import (
    Card,
    Direction,
    Entry,
    Evidence,
    HubPaper,
    HubRepo,
    Paper,
    Relation,
    Release,
    Repo,
    ScholarPaper,
    Score,
    ScorePart,
    Snapshot,
    Status,
    Tie,
    WebPage,
)
from enrich.core.score import SCHEMES, Context, lg, movers, percentiles, score, scored
from enrich.store.codec import to_arrow
from enrich.store.compare import diff_snapshots

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def repo(name: str = "huggingface/trl", **changes: Any) -> Entry:
    values: dict[str, Any] = dict(
        repo_id=266404863, full_name=name, html_url=f"https://github.com/{name}", stars=9999, forks=99,
        watchers=9, open_issues=40, license="Apache-2.0", commits_30d=9, commits_365d=999, contributors=99,
        created_at=ago(1000), last_commit_at=ago(10), latest_release=Release(tag="v1.0", published_at=ago(100)),
    )
    values.update(changes)
    return repo_entry(Repo(**values), listed_as=name, section=["Code"])


def paper(pid: str = "2204.05862", cross_links: list[str] | None = None, **changes: Any) -> Entry:
    values: dict[str, Any] = dict(arxiv_id=pid, versioned_id=f"{pid}v1", version=1, title="A paper",
                                  authors=[], abstract="…")
    values.update(changes)
    return paper_entry(Paper(**values), section=["Papers"], cross_links=cross_links or [])


def dataset(**changes: Any) -> Entry:
    values: dict[str, Any] = dict(repo_type="dataset", repo_id="Anthropic/hh-rlhf", downloads=9999, likes=99,
                                  last_modified=ago(30), arxiv_ids=["2204.05862"],
                                  card=Card(license="mit", text="# hh-rlhf\n\nHuman preference data."))
    values.update(changes)
    return hub_entry(HubRepo(**values), section=["Datasets"])


def parts(entry: Entry, related: list[Entry] | None = None, now: datetime = NOW) -> dict[str, float] | None:
    result = score(entry, now, {e.id: e for e in related or []})
    if result is None:
        return None
    assert result.total == round(sum(p.points for p in result.parts), 1)  # the total is the sum shown
    return {p.name: p.points for p in result.parts}


BASE_REPO = {"popularity": 10.0, "activity": 6.0, "maintenance": 4.0, "community": 5.0}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # stars 9999 → 2·4, forks 99 → 2; commits 999 → 3 and 9 → 1, last commit 10 d → 2;
        # licensed, released, released ≤ 365 d, older than 180 d; contributors 99 → 2·2, watchers 9 → 1
        (repo(), BASE_REPO),
        (repo(stars=99_999), {**BASE_REPO, "popularity": 12.0}),
        (repo(archived=True), {**BASE_REPO, "maintenance": -1.0}),
        (repo(license="NOASSERTION"), {**BASE_REPO, "maintenance": 3.0}),
        (repo(license=None, latest_release=None), {**BASE_REPO, "maintenance": 1.0}),
        (repo(latest_release=Release(tag="v0.1", published_at=ago(400))), {**BASE_REPO, "maintenance": 3.0}),
        (repo(created_at=ago(30)), {**BASE_REPO, "maintenance": 3.0}),
        (repo(last_commit_at=ago(60)), {**BASE_REPO, "activity": 5.0}),
        (repo(last_commit_at=ago(200)), {**BASE_REPO, "activity": 4.5}),
        (repo(last_commit_at=ago(400), commits_30d=0, commits_365d=0), {**BASE_REPO, "activity": 0.0}),
        # no newest commit known: the push date stands in
        (repo(last_commit_at=None, pushed_at=ago(20)), BASE_REPO),
        # GitHub still computing statistics: no commit counts, no points for them
        (repo(commits_30d=None, commits_365d=None), {**BASE_REPO, "activity": 2.0}),
        (repo(contributors=None, watchers=0), {**BASE_REPO, "community": 0.0}),
        (repo(stars=0, forks=0, watchers=0, contributors=1, commits_30d=0, commits_365d=0, last_commit_at=None,
              license=None, latest_release=None, created_at=ago(3)),
         {"popularity": 0.0, "activity": 0.0, "maintenance": 0.0, "community": 0.6}),
    ],
)
def test_repository_score(entry: Entry, expected: dict[str, float]) -> None:
    assert parts(entry) == expected


CODE = repo("anthropics/hh-rlhf", stars=999)


def with_ties(entry: Entry, ties: list[tuple[str, str, str, bool]], cross_links: list[str] | None = None) -> Entry:
    made = [Tie(relation=Relation(r), direction=Direction(d), other=o, url=f"https://github.com/{o[7:]}", listed=listed,
                evidence=[Evidence.HUB_PAPER]) for r, d, o, listed in ties]
    return entry.model_copy(update={"ties": made, "cross_links": cross_links or []})


def test_scored_counts_external_code_stars() -> None:
    """`scored` looks a paper's external code up among the run's external repositories."""
    tied = with_ties(paper(), [("code", "out", "github:anthropics/hh-rlhf", False)])
    alone, = scored([tied], NOW)
    counted, = scored([tied], NOW, [CODE])
    assert alone.score and counted.score
    assert {p.name: p.points for p in counted.score.parts}["code"] == 4.0
    assert {p.name: p.points for p in alone.score.parts}["code"] == 0.0


@pytest.mark.parametrize(
    ("entry", "related", "expected"),
    [
        (paper(), [], {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
        # tied to a listed repository with 999 stars: 1 + 3; and to a listed Hub dataset: lg(1)
        (paper(cross_links=["github:anthropics/hh-rlhf", "hf:dataset/anthropic/hh-rlhf"]), [CODE, dataset()],
         {"attention": 0.0, "code": 4.0, "adoption": 0.3, "maturity": 0.0, "citations": 0.0}),
        # the most-starred of two tied repositories counts
        (paper(cross_links=["github:anthropics/hh-rlhf", "github:a/b"]), [CODE, repo("a/b", stars=9)],
         {"attention": 0.0, "code": 4.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
        # a tie to an entry the list does not have gives nothing
        (paper(cross_links=["github:gone/away"]), [], {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
        # its code ties (out), listed or external: the most-starred counts (999 → 1 + 3)
        (with_ties(paper(), [("code", "out", "github:anthropics/hh-rlhf", False), ("code", "out", "github:a/b", True)]),
         [CODE, repo("a/b", stars=9)], {"attention": 0.0, "code": 4.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
        # a paper with ties counts its code ties only: a repository it is the code of (in) does not
        (with_ties(paper(), [("code", "in", "github:anthropics/hh-rlhf", True)], ["github:anthropics/hh-rlhf"]),
         [CODE], {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
        # an external code repository not enriched (beyond the bound): nothing
        (with_ties(paper(), [("code", "out", "github:anthropics/hh-rlhf", False)]), [],
         {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
        # three revisions and a journal reference
        (paper(version=4, journal_ref="NeurIPS 2022"), [], {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 2.5, "citations": 0.0}),
        # revisions count at most 4
        (paper(version=12, doi="10.1/x"), [], {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 3.0, "citations": 0.0}),
    ],
)
def test_paper_score(entry: Entry, related: list[Entry], expected: dict[str, float]) -> None:
    assert parts(entry, related) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # upvotes 99 → 2·2, the page's code with 9 stars → 1 + 1, 9 citing models → 1
        (HubPaper(arxiv_id="2204.05862", on_hub=True, upvotes=99, github_stars=9, num_models=9),
         {"attention": 4.0, "code": 2.0, "adoption": 1.0, "maturity": 0.0, "citations": 0.0}),
        # models and datasets citing it add up: 5 + 4 → lg(9) = 1
        (HubPaper(arxiv_id="2204.05862", on_hub=True, num_models=5, num_datasets=4),
         {"attention": 0.0, "code": 0.0, "adoption": 1.0, "maturity": 0.0, "citations": 0.0}),
        # not on the Hub: nothing from it
        (HubPaper(arxiv_id="2204.05862", on_hub=False), {"attention": 0.0, "code": 0.0, "adoption": 0.0, "maturity": 0.0, "citations": 0.0}),
    ],
)
def test_paper_score_reads_the_hub_paper_page(page: HubPaper, expected: dict[str, float]) -> None:
    entry = paper().model_copy(update={"hub_paper": page})
    assert parts(entry) == expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # downloads 9999 → 2·4, likes 99 → 2·2, card text + license + paper tag, modified 30 d ago
        (dataset(), {"usage": 8.0, "appreciation": 4.0, "documentation": 3.0, "freshness": 1.0}),
        (dataset(last_modified=ago(200)), {"usage": 8.0, "appreciation": 4.0, "documentation": 3.0, "freshness": 0.5}),
        (dataset(card=None, arxiv_ids=[], last_modified=None, downloads=None, likes=0),
         {"usage": 0.0, "appreciation": 0.0, "documentation": 0.0, "freshness": 0.0}),
        # a gated card could not be read: no text, its license still in the metadata
        (dataset(gated="manual", card=Card(license="cc-by-4.0")),
         {"usage": 8.0, "appreciation": 4.0, "documentation": 2.0, "freshness": 1.0}),
    ],
)
def test_hub_score(entry: Entry, expected: dict[str, float]) -> None:
    assert parts(entry) == expected


@pytest.mark.parametrize(
    "entry",
    [
        web_entry("https://carper.ai/", WebPage(http_status=200)),
        # not fetched: no record, no score (not a zero)
        entry(Kind.REPO, "github:a/b", "https://github.com/a/b", source_id="a/b", status=Status.ERROR),
    ],
)
def test_no_score_without_something_to_score(entry: Entry) -> None:
    assert score(entry, NOW) is None


def test_scores_are_reproducible_and_counted_from_the_snapshot_not_the_clock() -> None:
    entries = [repo(), paper(cross_links=["github:huggingface/trl"]), dataset()]
    first, again = scored(entries, NOW), scored(entries, NOW)
    assert [e.score for e in first] == [e.score for e in again]
    later = scored(entries, NOW + timedelta(days=300))  # only the age-based points move
    assert [p.name for p in later[0].score.parts if p.points != next(  # type: ignore[union-attr]
        q.points for q in first[0].score.parts if q.name == p.name)] == ["activity", "maintenance"]  # type: ignore[union-attr]


def test_more_of_a_counter_never_lowers_the_score() -> None:
    totals = [score(repo(stars=n, forks=n, contributors=n), NOW).total for n in (0, 1, 10, 100, 10**4, 10**6)]  # type: ignore[union-attr]
    assert totals == sorted(totals) and len(set(totals)) == len(totals)


def snap(entries: list[Entry], when: datetime) -> Snapshot:
    return builders.snap(scored(entries, when), when)


def test_movers_rank_by_score_change_with_the_counter_changes() -> None:
    old = snap([repo(), repo("a/small", repo_id=1, stars=9), dataset()], NOW)
    new = snap([repo(stars=99_999), repo("a/small", repo_id=1, stars=10), dataset(downloads=99)],
               NOW + timedelta(hours=1))
    rows = movers(old, new, diff_snapshots(old, new))
    assert [(m["id"], m["score_delta"], m["deltas"].get("stars"), m["deltas"].get("downloads")) for m in rows] == [
        ("hf:dataset/anthropic/hh-rlhf", -4.0, None, -9900),
        ("github:huggingface/trl", 2.0, 90_000, None),
        ("github:a/small", 0.1, 1, None),
    ]
    assert rows[1]["score"] == new.entries[[e.id for e in new.entries].index("github:huggingface/trl")].score.total  # type: ignore[union-attr]


def test_a_renamed_repository_keeps_its_score_history() -> None:
    old = snap([repo("lvwerra/trl")], NOW)
    new = snap([repo("huggingface/trl", stars=99_999)], NOW + timedelta(hours=1))
    (row,) = movers(old, new, diff_snapshots(old, new))
    assert (row["id"], row["score_delta"]) == ("github:huggingface/trl", 2.0)


def test_no_movers_on_the_first_run() -> None:
    new = snap([repo()], NOW)
    assert movers(None, new, diff_snapshots(None, new)) == []


# -- comparable across kinds ------------------------------------------------------------------------
def ranked(*totals: tuple[str, float]) -> list[Entry]:
    """Entries with given totals: ``("repo", 26.4)`` is a repository scoring 26.4."""
    made = []
    for i, (kind, total) in enumerate(totals):
        base = {"repo": repo(f"o/r{i}", repo_id=i), "paper": paper(f"2401.{i:05d}"), "hub": dataset()}[kind]
        made.append(base.model_copy(update={
            "id": f"{base.id}-{i}" if kind == "hub" else base.id,
            "score": Score(scheme=f"{kind}-1", total=total, parts=[ScorePart(name="all", points=total)]),
        }))  # fmt: skip
    return made


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        # the demo's ranges: papers 1 to 9.4, repositories 11 to 26.4; the best of each is 100
        ((("paper", 9.4), ("paper", 1.0), ("repo", 26.4), ("repo", 11.6)), [100, 50, 100, 50]),
        # ties share the higher value; one of a kind is the best of its kind
        ((("repo", 20.0), ("repo", 20.0), ("repo", 5.0), ("hub", 3.0)), [100, 100, 100 / 3, 100]),
        # a paper is not ranked among repositories, however low its total
        ((("paper", 0.5), ("repo", 11.0), ("repo", 26.0), ("repo", 15.0)), [100, 100 / 3, 100, 200 / 3]),
        ((), []),
    ],
)
def test_percentiles_rank_within_the_kind(totals: tuple[tuple[str, float], ...], expected: list[float]) -> None:
    entries = ranked(*totals)
    ranks = percentiles(entries)
    assert [ranks[e.id] for e in entries] == pytest.approx(expected)


def test_unscored_entries_have_no_percentile() -> None:
    web = web_entry("https://carper.ai/", WebPage(http_status=200))
    assert percentiles([web, *ranked(("repo", 12.0))]) == {"github:o/r0": 100.0}


def test_percentiles_are_sqls_cume_dist_over_the_published_file(tmp_path: Path) -> None:
    """What a consumer computes from latest.parquet with one window function is what the views
    show: the dataset keeps each kind's own total, the percentile is derived."""
    duckdb = pytest.importorskip("duckdb")
    entries = scored([repo(), repo("a/b", repo_id=2, stars=99, contributors=9), repo("c/d", repo_id=3, stars=5),
                      paper(cross_links=["github:huggingface/trl"]), paper("1909.08593"), dataset()], NOW)
    snapshot = assemble(entries, generated_at=NOW, run_id="r", list_source="list.md", list_sha256="0" * 64)
    pq.write_table(to_arrow(snapshot), tmp_path / "latest.parquet")
    rows = duckdb.sql(
        "select id, 100 * cume_dist() over (partition by score.scheme order by score.total) "
        f"from '{tmp_path / 'latest.parquet'}' where score is not null"
    ).fetchall()
    assert dict(rows) == pytest.approx(percentiles(snapshot.entries))


def test_a_new_part_slots_into_a_scheme() -> None:
    """A later source adds a part to its kind's scheme: one more (name, points) pair; the
    total, the parts in the dataset and the hover follow."""
    (scheme,) = [s for s in SCHEMES if s.name == "paper"]
    more = replace(scheme, parts=(*scheme.parts, ("mentions", lambda entry, _: 2 * lg(999))))
    before = scheme.score(paper(), Context(NOW, {}))
    after = more.score(paper(), Context(NOW, {}))
    assert before is not None and after is not None
    assert [p.name for p in after.parts] == ["attention", "code", "adoption", "maturity", "citations", "mentions"]
    assert after.total == before.total + 6.0 and after.scheme == before.scheme == "paper-2"


def cited(citations: int | None, *, published: str | None = None, year: int | None = None, found: bool = True,
          arxiv_published: datetime | None = None) -> Entry:
    record = ScholarPaper(asked_as="ARXIV:2204.05862", found=found, citations=citations if found else None,
                          publication_date=published, year=year)
    return paper(published=arxiv_published).model_copy(update={"scholar": record})


@pytest.mark.parametrize(("entry", "points"), [
    # 999 citations in its first year (a paper under a year old counts as a year old): 2·lg(999) = 6
    (cited(999, published=(NOW - timedelta(days=100)).date().isoformat()), 6.0),
    # the same 999 over ten years: 99.9 a year, 2·lg(99.9) = 4
    (cited(999, published=(NOW - timedelta(days=3653)).date().isoformat()), 4.0),
    # only a year: counted from its middle (NOW is 2026-11-27: 5.4 years for 2021 → 2·lg(185))
    (cited(999, year=2021), 4.5),
    # neither: arXiv's first version (two years → 2·lg(499.5))
    (cited(999, arxiv_published=NOW - timedelta(days=730)), 5.4),
    # none yet; Semantic Scholar does not know the paper; no record at all
    (cited(0, year=2026), 0.0),
    (cited(None, found=False), 0.0),
    (paper(), 0.0),
], ids=["first year", "ten years", "year only", "arxiv date", "uncited", "unknown", "no record"])  # fmt: skip
def test_a_papers_citations_count_per_year(entry: Entry, points: float) -> None:
    found = parts(entry)
    assert found is not None and found["citations"] == points
