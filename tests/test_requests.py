"""How many requests each source makes, cold and warm: the counts #7 sets as targets.

Counts are deterministic (times are not), so they are asserted exactly or against the targets:
GitHub with a token at most 0.05 requests per repository for everything but contributors;
without one at most 6 REST requests; a warm night's REST answers at least 90% 304; a card
fetched only when the dataset's sha moved; arXiv one request per 100 papers.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from graphql import parse, validate
from pydantic import SecretStr

from builders import entry_for
from conftest import fetch_source, run, write_json
from enrich.core.links import Kind
from enrich.core.model import Entry, Failure, Status
from enrich.core.settings import Settings
from enrich.run.job import RunResult
from enrich.run.summary import summary_markdown
from enrich.sandbox import github_graphql
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import FakeAPI
from enrich.sources.github import graphql_query
from enrich.sources.github.light import rota_night, rota_slot
from enrich.store.raw import RawStore

TOKEN = "fake-token-for-tests"  # a recognisable fake, never a real one
REPOS = [
    "https://github.com/huggingface/trl",
    "https://github.com/CarperAI/trlx",
    "https://github.com/allenai/RL4LMs",
    "https://github.com/lucidrains/PaLM-rlhf-pytorch",
    "https://github.com/voidful/TextRL",
    "https://github.com/openai/lm-human-preferences",
    "https://github.com/LAION-AI/Open-Assistant",
]


def fetch(source: str, entries: list[Entry], settings: Settings, raw: Path, run: str) -> dict:
    store = RawStore(raw / run)
    store.write_manifest({"run_id": run})
    return fetch_source(source, entries, settings, store)


def github_requests(fake: FakeAPI) -> tuple[int, int, int]:
    """(GraphQL queries, REST requests, REST 304s) the fake has answered so far; the one
    ``/rate_limit`` a fetch reads first is free on GitHub and not counted (`rate_limit_reads`)."""
    log = [e for e in fake.requests("github") if e.path != "/github/rate_limit"]
    graphql = sum(1 for e in log if e.path.startswith("/github/graphql"))
    rest = [e for e in log if not e.path.startswith("/github/graphql")]
    return graphql, len(rest), sum(1 for e in rest if e.status == 304)


def rate_limit_reads(fake: FakeAPI) -> int:
    return sum(1 for e in fake.requests("github") if e.path == "/github/rate_limit")


# -- the query is GitHub's -------------------------------------------------------------------

@pytest.mark.graphql_schema
@pytest.mark.parametrize("count", [1, 2, 100])
def test_graphql_query_is_valid_against_githubs_published_schema(count: int) -> None:
    errors = validate(github_graphql.schema(), parse(graphql_query(count)))
    assert errors == []


@pytest.mark.graphql_schema
def test_the_fake_rejects_what_github_would_reject(fake: FakeAPI) -> None:
    assert github_graphql.validation_errors("{ repository(owner: \"a\", name: \"b\") { stars } }")
    assert github_graphql.validation_errors(graphql_query(1)) == []


def test_without_the_schema_graphql_says_how_to_get_it(
    fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schema is fetched by `make install`; without it every repository fails, saying so."""
    monkeypatch.setenv(github_graphql.SCHEMA_ENV, str(tmp_path / "missing/schema.graphql"))
    settings = fake.settings(github_token=TOKEN, http_retries=0)
    entries = [entry_for(u) for u in REPOS[:2]]
    outcomes = fetch("github", entries, settings, tmp_path, "r1")
    for entry in entries:
        assert outcomes[entry.id].status == Status.ERROR
        assert "make install" in outcomes[entry.id].reason and github_graphql.SCHEMA_ENV in outcomes[entry.id].reason


# -- GraphQL and REST tell the same story ---------------------------------------------------

@pytest.mark.graphql_schema
def test_graphql_and_rest_records_agree(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    entries = [entry_for(u) for u in REPOS]
    rest = fetch("github", entries, settings, tmp_path / "a", "r1")
    graphql = fetch("github", entries, settings.model_copy(update={"github_token": SecretStr(TOKEN)}),
                    tmp_path / "b", "r1")
    for entry in entries:
        a, b = rest[entry.id], graphql[entry.id]
        assert a.status == b.status == Status.OK
        ra, rb = a.record.model_dump(), b.record.model_dump()  # type: ignore[union-attr]
        # Activity windows: REST's weekly statistics count by author date from GitHub's "now",
        # GraphQL's history(since:) by commit date from ours; both are asked, not compared.
        for key in ("commits_30d", "commits_365d"):
            ra.pop(key), rb.pop(key)
        assert ra == rb, entry.id


@pytest.mark.graphql_schema
def test_graphql_costs_one_query_per_100_repositories(fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(github_token=TOKEN, github_graphql_batch_size=3, http_retries=0)
    entries = [entry_for(u) for u in REPOS]
    outcomes = fetch("github", entries, settings, tmp_path, "r1")
    assert all(o.status == Status.OK for o in outcomes.values())
    graphql, rest, _ = github_requests(fake)
    assert graphql == 3  # 7 repositories, 3 a query
    assert rest == len(entries)  # the contributor counts, GraphQL has none


@pytest.mark.graphql_schema
def test_a_deleted_and_a_renamed_repository_do_not_fail_their_batch(
    fake: FakeAPI, tmp_path: Path
) -> None:
    settings = fake.settings(github_token=TOKEN, http_retries=0)
    urls = ["https://github.com/huggingface/trl", "https://github.com/someone/deleted-repo",
            "https://github.com/lvwerra/trl"]
    entries = [entry_for(u) for u in urls]
    outcomes = fetch("github", entries, settings, tmp_path, "r1")
    ok, deleted, renamed = (outcomes[e.id] for e in entries)
    assert ok.status == Status.OK and renamed.status == Status.OK
    assert deleted.status == Status.ERROR and "not found" in (deleted.reason or "")
    assert renamed.record.full_name == "huggingface/trl"  # type: ignore[union-attr]
    assert renamed.record.renamed_from == "lvwerra/trl"  # type: ignore[union-attr]
    assert github_requests(fake)[0] == 1


@pytest.mark.graphql_schema
def test_a_failing_graphql_batch_is_split_not_lost(fake: FakeAPI, tmp_path: Path) -> None:
    from enrich.sandbox.server import Fault

    fake.faults.append(Fault(r"^/github/graphql$", status=502, times=1))
    settings = fake.settings(github_token=TOKEN, http_retries=0)
    entries = [entry_for(u) for u in REPOS[:4]]
    outcomes = fetch("github", entries, settings, tmp_path, "r1")
    assert all(o.status == Status.OK for o in outcomes.values())
    assert github_requests(fake)[0] == 3  # the failed query, then its two halves


# -- warm runs ---------------------------------------------------------------------------

@pytest.mark.parametrize("token", [TOKEN, None], ids=["token", "anonymous"])
def test_warm_rest_run_is_one_conditional_request_per_unchanged_repository(
    token: str | None, fake: FakeAPI, settings: Settings, tmp_path: Path
) -> None:
    """Cold: six requests a repository (plus a 202 from the statistics). Warm: the repository
    answers 304, so nothing about it changed; its parts are reused and the activity windows
    recomputed from tonight: one request a repository. Anonymous 304s are charged by GitHub
    (and by the fake), so the charge is what the run says it spent."""
    settings = settings.model_copy(update={"github_token": SecretStr(token) if token else None,
                                           "github_graphql": False})
    entries = [entry_for(u) for u in REPOS]
    cold = fetch("github", entries, settings, tmp_path, "r1")
    _, rest_cold, _ = github_requests(fake)
    assert rest_cold == 6 * len(entries) + len(entries)  # + a 202 per stats endpoint
    fake.log.clear()
    charged = fake.rate_used["core"]
    warm = fetch("github", entries, settings, tmp_path, "r2")
    _, rest, not_modified = github_requests(fake)
    assert rest == not_modified == len(entries)
    for entry in entries:
        assert warm[entry.id].record == cold[entry.id].record, entry.id
        assert warm[entry.id].status == Status.OK and warm[entry.id].carry == ()
    assert fake.rate_used["core"] - charged == (0 if token else len(entries))
    usage = RawStore(tmp_path / "r2").usage("github")
    assert usage[0]["core"]["spent"] == (0 if token else len(entries))
    counts = RawStore(tmp_path / "r2").requests("github")
    assert (counts["sent"], counts["not_modified"], counts["reused"]) == (0, 7, 5 * 7)
    # The reused statistics count from tonight (the windows slide), not from when read.
    for before, after in zip(RawStore(tmp_path / "r1").documents("github"),
                             RawStore(tmp_path / "r2").documents("github"), strict=True):
        old, new = (next(x for x in d["exchanges"] if x["request"] == "commit_activity")
                    for d in (before, after))
        assert new["reused"] and new["body"] == old["body"] and new["fetched_at"] > old["fetched_at"]


@pytest.mark.graphql_schema
def test_warm_graphql_run_skips_contributors_of_unmoved_branches(
    fake: FakeAPI, extra_data: Path, tmp_path: Path
) -> None:
    settings = fake.settings(github_token=TOKEN, http_retries=0)
    entries = [entry_for(u) for u in REPOS]
    cold = fetch("github", entries, settings, tmp_path, "r1")
    # One repository gets a new commit on its default branch.
    moved = sample_data_dir() / "github/repos/voidful/TextRL"
    shutil.copytree(moved, extra_data / "github/repos/voidful/TextRL")
    shutil.copy(moved.with_suffix(".json"), extra_data / "github/repos/voidful/TextRL.json")
    commits = json.loads((moved / "commits.json").read_text())
    commits.insert(0, {**commits[0], "sha": "f" * 40})
    write_json(extra_data / "github/repos/voidful/TextRL/commits.json", commits)
    fake.log.clear()
    warm = fetch("github", entries, settings, tmp_path, "r2")
    graphql, rest, not_modified = github_requests(fake)
    assert (graphql, rest, not_modified) == (1, 1, 1)  # TextRL's count, revalidated: unchanged
    assert [e.status for e in fake.requests("github") if e.path != "/github/rate_limit"] == [200, 304]
    for entry in entries:
        assert warm[entry.id].record.contributors == cold[entry.id].record.contributors  # type: ignore[union-attr]


# -- rate limits ----------------------------------------------------------------------------

def test_a_run_defers_what_the_rate_limit_cannot_cover(fake: FakeAPI, tmp_path: Path) -> None:
    """20 requests left: three repositories fit whole (6 each); the next two get their
    repository (1 each) and their parts deferred (ok, the parts kept from the last run); the
    last two are deferred whole. Not one 403."""
    settings = fake.settings(github_token=TOKEN, github_graphql=False, http_retries=0,
                             github_concurrency=1, retry_budget_seconds=0)
    fake.rate_limits["core"] = 20
    fake.stats_computing_calls = 0
    entries = [entry_for(u) for u in REPOS]
    got = fetch("github", entries, settings, tmp_path, "r1")
    outcomes = [got[e.id] for e in entries]
    whole = [o for o in outcomes if o.status == Status.OK and not o.carry]
    partial = [o for o in outcomes if o.status == Status.OK and o.carry]
    deferred = [o for o in outcomes if o.status == Status.ERROR]
    assert (len(whole), len(partial), len(deferred)) == (3, 2, 2)
    assert all(o.failure == Failure.DEFERRED and "deferred" in (o.reason or "") for o in partial + deferred)
    assert all(o.record and o.record.stars for o in partial)  # type: ignore[union-attr]
    assert not any(e.status == 403 for e in fake.requests("github"))
    usage = RawStore(tmp_path / "r1").usage("github")
    assert usage[0]["core"]["spent"] == 20 and usage[0]["core"]["remaining"] == 0
    assert usage[0]["core"]["deferred"] == 4


# -- arXiv and the Hub --------------------------------------------------------------------

def test_arxiv_asks_once_per_100_papers(fake: FakeAPI, settings: Settings, tmp_path: Path) -> None:
    ids = sorted(p.stem for p in (sample_data_dir() / "arxiv").glob("*.xml"))
    entries = [entry_for(f"https://arxiv.org/abs/{i}") for i in ids]
    outcomes = fetch("arxiv", entries, settings, tmp_path, "r1")
    assert all(o.status == Status.OK for o in outcomes.values())
    assert len(fake.requests("arxiv")) == 1


def test_hub_card_is_fetched_only_when_the_sha_moved(
    fake: FakeAPI, settings: Settings, extra_data: Path, tmp_path: Path
) -> None:
    urls = ["https://huggingface.co/datasets/Anthropic/hh-rlhf",
            "https://huggingface.co/datasets/stanfordnlp/SHP"]
    entries = [entry_for(u) for u in urls]
    assert all(e.kind == Kind.DATASET for e in entries)
    cold = fetch("huggingface", entries, settings, tmp_path, "r1")
    assert len(fake.requests("hf")) <= 2 * len(entries)
    # One dataset gets a new commit (its card text unchanged).
    info = json.loads((sample_data_dir() / "huggingface/datasets/Anthropic/hh-rlhf.json").read_text())
    write_json(extra_data / "huggingface/datasets/Anthropic/hh-rlhf.json", {**info, "sha": "e" * 40})
    fake.log.clear()
    warm = fetch("huggingface", entries, settings, tmp_path, "r2")
    paths = [e.path for e in fake.requests("hf")]
    assert len(paths) == 3 and sum("/resolve/" in p for p in paths) == 1
    assert "hh-rlhf/resolve/" + "e" * 40 in next(p for p in paths if "/resolve/" in p)
    for entry in entries:
        assert warm[entry.id].record.card == cold[entry.id].record.card  # type: ignore[union-attr]


@pytest.mark.slow  # 150 repositories, cold and warm; the fast loop asks a query per batch above
@pytest.mark.graphql_schema
def test_github_request_targets_on_150_repositories(fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    """The #7 targets at a list's scale: GraphQL ≤ 0.05 requests a repository cold (everything
    but contributors), one contributor count each; warm, nothing but the queries."""
    urls = many_repositories(extra_data, 150)
    settings = fake.settings(github_token=TOKEN, http_retries=0)
    entries = [entry_for(u) for u in urls]
    cold = fetch("github", entries, settings, tmp_path, "r1")
    assert all(o.status == Status.OK for o in cold.values())
    graphql, rest, _ = github_requests(fake)
    assert graphql / len(entries) <= 0.05 and graphql == 2
    assert rest == len(entries)
    fake.log.clear()
    warm = fetch("github", entries, settings, tmp_path, "r2")
    # Warm: two light queries, and the full one for the repositories the rota refreshes tonight
    # (tests/test_graphql_light.py); the contributor counts reused (no branch moved).
    night = rota_night(datetime.now(UTC), settings.github_graphql_full_every)
    due = [e for e in entries if rota_slot(e.id, settings.github_graphql_full_every) == night]
    assert github_requests(fake) == (2 + (1 if due else 0), 0, 0)
    assert {k: o.record for k, o in warm.items()} == {k: o.record for k, o in cold.items()}


def test_arxiv_250_papers_cost_3_requests_spaced_apart(fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    """One request per 100 papers, and never two closer than the spacing (a lower bound the
    client's sleep guarantees, so this holds on any machine)."""
    sample = (sample_data_dir() / "arxiv/2204.05862.xml").read_text()
    ids = [f"2301.{i:05d}" for i in range(250)]
    for paper in ids:
        (extra_data / "arxiv").mkdir(exist_ok=True)
        (extra_data / "arxiv" / f"{paper}.xml").write_text(sample.replace("2204.05862", paper))
    settings = fake.settings(arxiv_delay_seconds=0.3, http_retries=0)
    outcomes = fetch("arxiv", [entry_for(f"https://arxiv.org/abs/{i}") for i in ids], settings,
                     tmp_path, "r1")
    assert len(outcomes) == 250 and all(o.status == Status.OK for o in outcomes.values())
    asked = fake.requests("arxiv")
    assert len(asked) == 3
    gaps = [b.at - a.at for a, b in pairwise(asked)]
    assert min(gaps) >= 0.3


# -- a spent budget is learnt first, never asked into 403s (#18 items 7, 33) --------------------

@pytest.mark.parametrize("left", [0, 1, 3, 5])
def test_a_nearly_spent_budget_gets_no_403_even_from_the_first_workers(
    left: int, fake: FakeAPI, tmp_path: Path
) -> None:
    """Four workers, anonymous REST: the run reads /rate_limit (free) before any of them sends
    a request, so what is left is admitted and the rest deferred; not one 403."""
    fake.rate_limits["core"] = left
    settings = fake.settings(http_retries=0, github_concurrency=4, retry_budget_seconds=0)
    entries = [entry_for(u) for u in REPOS]
    outcomes = fetch("github", entries, settings, tmp_path, "r1")
    assert [e.status for e in fake.requests("github") if e.status == 403] == []
    # Read first, then again before each admission while the window is low (#22 item 9b).
    assert rate_limit_reads(fake) >= 1
    fetched = [o for o in outcomes.values() if o.status == Status.OK]
    assert len(fetched) == left  # the repository itself fits; its parts are deferred
    assert all(o.failure == Failure.DEFERRED for o in outcomes.values())
    assert fake.rate_used["core"] == left


def many_repositories(extra_data: Path, count: int) -> list[str]:
    """``count`` sample repositories (TextRL's sample data under other names) in the fake."""
    sample = json.loads((sample_data_dir() / "github/repos/voidful/TextRL.json").read_text())
    sample_dir = sample_data_dir() / "github/repos/voidful/TextRL"
    urls = []
    for i in range(count):
        full = f"sample-org/repo-{i:03d}"
        write_json(extra_data / f"github/repos/{full}.json",
                   {**sample, "id": 10_000 + i, "name": f"repo-{i:03d}", "full_name": full,
                    "html_url": f"https://github.com/{full}"})
        shutil.copytree(sample_dir, extra_data / f"github/repos/{full}")
        urls.append(f"https://github.com/{full}")
    return urls


@pytest.mark.graphql_schema
def test_a_spent_budget_defers_contributor_counts_and_loses_nothing(
    fake: FakeAPI, extra_data: Path, tmp_path: Path
) -> None:
    """30 repositories, a token, 12 REST requests left this hour: three GraphQL queries (of 10)
    bring every repository; 12 contributor counts fit, 18 are deferred (the entries ok, the count
    not yet counted, with the reason); no 403; the guard publishes; the summary says how much
    was deferred and when the budget resets. The next night counts 12 more."""
    urls = many_repositories(extra_data, 30)
    listed = tmp_path / "list.md"
    listed.write_text("# Many repositories (sample data)\n\n" + "".join(f"* {u}\n" for u in urls))
    fake.rate_limits["core"] = 12
    settings = fake.settings(github_token=TOKEN, http_retries=0, github_graphql_batch_size=10)

    def night(n: int) -> RunResult:
        return run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                   sources=["github"], now=datetime(2026, 11, 26 + n, 3, tzinfo=UTC))

    first = night(0)
    repos = [e for e in first.snapshot.entries if e.kind == Kind.REPO]
    assert len(repos) == 30 and all(e.status == Status.OK for e in repos)
    assert not any(e.status == 403 for e in fake.requests("github"))
    graphql, rest, _ = github_requests(fake)
    assert (graphql, rest) == (3, 12)
    counted = [e for e in repos if e.repo and e.repo.contributors is not None]
    waiting = [e for e in repos if e.repo and e.repo.contributors is None]
    assert (len(counted), len(waiting)) == (12, 18)
    assert all(e.status_reason and "contributor count deferred" in e.status_reason for e in waiting)
    assert all(e.repo and e.repo.stars for e in waiting)  # everything GraphQL brought
    core = first.rate_limits["github.core"]
    assert (core["spent"], core["remaining"], core.get("deferred")) == (12, 0, 18)
    assert core["reset"] and f"| {core['reset']} | 18 |" in summary_markdown(first)
    # The next hour, the next night: the 12 counted are reused (their branch did not move),
    # 12 of the 18 are counted now, and the rest waits again.
    fake.rate_used.clear()
    fake.rate_reset += 3600
    fake.log.clear()
    second = night(1)
    assert not any(e.status == 403 for e in fake.requests("github"))
    repos = [e for e in second.snapshot.entries if e.kind == Kind.REPO]
    assert sum(1 for e in repos if e.repo and e.repo.contributors is not None) == 24
    assert all(e.status == Status.OK for e in repos)
