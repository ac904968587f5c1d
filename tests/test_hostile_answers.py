"""#22 items 1-3: hostile answers from every upstream. A decompression bomb (a small gzip body
that decodes to far more than any answer of the API) and a dripping answer (headers, then one
byte every so often: every read is quick, the whole never comes) cost the entries they hit,
never the run or the others. Real clients against the local fake API; caps and deadlines set
small so that each case takes a moment (the defaults are in `enrich.core.settings`)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from builders import entry_for
from conftest import fetch_source, needing_schema
from enrich.core.model import Failure, Status
from enrich.sandbox.server import FakeAPI, Fault, _bomb
from enrich.sources.base import FetchContext
from enrich.sources.github.client import GitHubContext, make_client, request
from enrich.sources.github.normalize import _count
from enrich.sources.github.ratelimit import RateLimits
from enrich.sources.limits import Pacer, RetryBudget
from enrich.sources.scholar import ScholarSource
from enrich.store.raw import RawStore

TOKEN = "fake-token-for-tests"
BOMB = 20_000_000  # decodes to 20 MB, twenty times the cap; sent as ~20 KB (1 GB: the slow tests)
CAP = 1_000_000
# Each request's deadline: the other entry's answers (plain fake answers, a few milliseconds
# each) come well within it on a loaded machine too (2 cores, load 20); a GraphQL query is
# validated by the fake against GitHub's schema (built on first use: seconds at load), so it
# has more.
DEADLINE = 1.0
GRAPHQL_DEADLINE = 3.0
DRIP = 0.3  # a byte every 0.3 s: no read ever waits long


# upstream: (source, hit URL, other URL, the fake's path of the hit, its query, settings)
UPSTREAMS: dict[str, tuple[str, str, str, str, str | None, dict[str, Any]]] = {
    "github-rest": ("github", "https://github.com/huggingface/trl", "https://github.com/CarperAI/trlx",
                    r"^/github/repos/huggingface/trl$", None,
                    {"github_max_bytes": CAP, "github_deadline_seconds": DEADLINE}),
    "github-graphql": ("github", "https://github.com/huggingface/trl", "https://github.com/CarperAI/trlx",
                       r"^/github/graphql$", None,
                       {"github_token": TOKEN, "github_graphql_batch_size": 1,
                        "github_graphql_max_bytes": CAP, "github_deadline_seconds": GRAPHQL_DEADLINE}),
    "hub-info": ("huggingface", "https://huggingface.co/datasets/Anthropic/hh-rlhf",
                 "https://huggingface.co/datasets/stanfordnlp/SHP",
                 r"^/hf/api/datasets/Anthropic/hh-rlhf$", None,
                 {"hub_max_bytes": CAP, "hub_deadline_seconds": DEADLINE}),
    "hub-paper-page": ("papers", "https://arxiv.org/abs/1909.08593", "https://arxiv.org/abs/2204.05862",
                       r"^/hf/api/papers/1909.08593$", None,
                       {"hub_max_bytes": CAP, "hub_deadline_seconds": DEADLINE}),
    "arxiv": ("arxiv", "https://arxiv.org/abs/1909.08593", "https://arxiv.org/abs/2204.05862",
              r"^/arxiv/api/query$", "id_list=1909.08593",
              {"arxiv_batch_size": 1, "arxiv_max_bytes": CAP, "arxiv_deadline_seconds": DEADLINE,
               "arxiv_missing_retries": 0}),
    "scholar": ("scholar", "https://arxiv.org/abs/1909.08593", "https://arxiv.org/abs/2204.05862",
                r"^/s2/graph/v1/paper/batch$", None,
                {"s2_batch_size": 1, "s2_max_bytes": CAP, "s2_deadline_seconds": DEADLINE}),
}


# The papers source supplements entries whose status another source decides: its failures are
# reasons on the entry, with no failure kind of their own.
SUPPLEMENTS = {"hub-paper-page"}


def _hit(fake: FakeAPI, case: str, deadline: float | None = None, **kind: Any) -> tuple[Any, Any]:
    """The case's upstream meets ``kind`` (a `Fault`'s fields) for the hit entry; both entries'
    outcomes. ``deadline``: every request's, instead of the case's."""
    source, hit_url, other_url, pattern, query, overrides = UPSTREAMS[case]
    if deadline is not None:
        overrides = {k: deadline if k.endswith("_deadline_seconds") else v for k, v in overrides.items()}
    if kind.get("bomb"):
        _bomb(kind["bomb"])  # compressed before the clock starts: the fake's own time
    fake.faults.append(Fault(pattern, query=query, times=None if query else 1, **kind))
    settings = fake.settings(http_retries=0, allow_loopback=True, **overrides)
    hit, other = entry_for(hit_url), entry_for(other_url)
    store = RawStore(fake.data_dirs[-1] / "raw")
    if source == "scholar":  # not a registered source of the nightly job (yet)
        ScholarSource().fetch([hit, other], store, FetchContext.standalone(settings))
        outcomes = dict(ScholarSource().normalize([hit, other], store.documents("scholar")))
    else:
        outcomes = fetch_source(source, [hit, other], settings, store)
    return outcomes[hit.id], outcomes[other.id]


@pytest.mark.parametrize("case", needing_schema(UPSTREAMS, lambda c: c == "github-graphql"))
def test_a_decompression_bomb_costs_only_the_entry_it_hits(case: str, fake: FakeAPI) -> None:
    # The cap, not the clock, stops a bomb: a deadline far from the case's few seconds keeps the
    # other entry's answer (a GraphQL query validated by the fake) whole on a loaded machine.
    hit, other = _hit(fake, case, deadline=60.0, status=200, bomb=BOMB)
    failure = None if case in SUPPLEMENTS else Failure.MALFORMED
    assert (hit.status, hit.failure) == (Status.ERROR, failure), hit.reason
    assert "larger than 1,000,000 bytes" in (hit.reason or "")
    assert other.status == Status.OK, other.reason


@pytest.mark.parametrize("case", needing_schema(UPSTREAMS, lambda c: c == "github-graphql"))
def test_a_dripping_answer_ends_at_the_deadline(case: str, fake: FakeAPI) -> None:
    started = time.monotonic()
    hit, other = _hit(fake, case, status=200, drip=DRIP)
    failure = None if case in SUPPLEMENTS else Failure.UNREACHABLE
    assert (hit.status, hit.failure) == (Status.ERROR, failure), hit.reason
    assert "timed out" in (hit.reason or "")
    assert other.status == Status.OK, other.reason
    # Not a timing assertion: the drip would take 300 s to send its 1,000 bytes.
    assert time.monotonic() - started < 100


def test_a_web_page_that_is_a_bomb_is_read_up_to_the_cap(fake: FakeAPI) -> None:
    """A page is read for its title, not archived: past ``web_max_bytes`` it is not read
    further, and what was read stands (the link answered)."""
    _bomb(BOMB)
    fake.faults.append(Fault(r"^/pages/bomb$", status=200, bomb=BOMB,
                             headers={"Content-Type": "text/html"}))
    settings = fake.settings(allow_loopback=True, web_max_bytes=CAP, web_probe_https=False)
    page = entry_for(f"{fake.base_url}/pages/bomb")
    other = entry_for(f"{fake.base_url}/pages/ok")
    outcomes = fetch_source("web", [page, other], settings, RawStore(fake.data_dirs[-1] / "raw"))
    assert outcomes[page.id].status == Status.OK
    assert outcomes[other.id].status == Status.OK


# -- #22 item 9a: a 304 without Link keeps the contributor count true ----------------------------

def test_a_contributors_304_without_link_does_not_make_the_count_the_page(fake: FakeAPI) -> None:
    """The count of a ``per_page=1`` listing is its last page (the ``Link`` header); its ETag
    covers the page, not the count, and a 304 may come without ``Link`` (it made 59 → 1). Such
    a 304 is asked again unconditionally: the count is the listing's."""
    settings = fake.settings(http_retries=0)
    budget = RetryBudget(0)
    client = make_client(settings, budget)
    path, params = "/repos/huggingface/trl/contributors", {"anon": "1", "per_page": 1}
    with httpx.Client() as stats:
        ctx = GitHubContext(client, stats, settings, RateLimits(budget), budget, {}, Pacer(0))
        first: list[Any] = []
        request(ctx, first, "contributors", path, params, needs="link")
        count = _count(first[0], first[0]["body"])
        fake.faults.append(Fault(r"/contributors$", status=304, times=1, body=b"",
                                 headers={"ETag": str(first[0]["etag"])}))
        again: list[Any] = []
        request(ctx, again, "contributors", path, params, first[0], needs="link")
    assert count > 1
    assert [x["status"] for x in again] == [200]
    assert _count(again[-1], again[-1]["body"]) == count


# -- #22 item 3: a wait an upstream asks for is bounded and paid ---------------------------------

RETRY_AFTER = [
    ("hub-info", r"^/hf/api/datasets/Anthropic/hh-rlhf$", None),
    ("hub-paper-page", r"^/hf/api/papers/1909.08593$", None),
    ("github-rest", r"^/github/repos/huggingface/trl$", None),
    ("scholar", r"^/s2/graph/v1/paper/batch$", None),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("case", "pattern", "query"), RETRY_AFTER, ids=[c[0] for c in RETRY_AFTER])
def test_an_unbounded_retry_after_is_not_waited(case: str, pattern: str, query: str | None,
                                                fake: FakeAPI) -> None:
    """``Retry-After: 999999`` on a 429 (it stalled a run: the Hub's client slept it): longer
    than ``retry_max_wait_seconds``, it is not waited, even with budget to spare; that entry
    keeps its last values with the reason, the others are fetched."""
    source, hit_url, other_url, _, _, overrides = UPSTREAMS[case]
    fake.faults.append(Fault(pattern, status=429, times=1 if source == "scholar" else None,
                             headers={"Retry-After": "999999"}, body=b'{"error": "slow down"}'))
    settings = fake.settings(http_retries=2, retry_budget_seconds=10**7, retry_wait_scale=1.0,
                             allow_loopback=True, **{**overrides, **_UNBOUNDED})
    hit, other = entry_for(hit_url), entry_for(other_url)
    store = RawStore(fake.data_dirs[-1] / "raw")
    if source == "scholar":
        ScholarSource().fetch([hit, other], store, FetchContext.standalone(settings))
        outcomes = dict(ScholarSource().normalize([hit, other], store.documents("scholar")))
    else:
        outcomes = fetch_source(source, [hit, other], settings, store)
    assert outcomes[hit.id].status == Status.ERROR
    # (urllib3 reads at most six hours of it: GitHub's reason says 21,600 s)
    assert re.search(r"a wait of (999,999|21,600) s is more than the run's retry budget allows",
                     outcomes[hit.id].reason or ""), outcomes[hit.id].reason
    assert outcomes[other.id].status == Status.OK


# The caps and deadlines of the table above, back at their defaults for the retry cases.
_UNBOUNDED = {"github_max_bytes": 5_000_000, "hub_max_bytes": 5_000_000, "s2_max_bytes": 20_000_000,
              "github_deadline_seconds": 60.0, "hub_deadline_seconds": 60.0, "s2_deadline_seconds": 90.0}


# -- #22 item 4: absurd rate-limit headers on real answers ---------------------------------------

@pytest.mark.parametrize("reset", ["1000000000000", "nan", "-1", "soon"])
@pytest.mark.parametrize("token", [None, pytest.param(TOKEN, marks=pytest.mark.graphql_schema)],
                         ids=["rest", "graphql"])
def test_absurd_rate_limit_headers_never_end_the_github_task(reset: str, token: str | None,
                                                             fake: FakeAPI) -> None:
    """``X-RateLimit-Reset: 1000000000000`` (the year 33658) raised ValueError and ended the
    task; now such a reading is unknown, and every repository is fetched."""
    fake.faults.append(Fault(r"^/github/", status=None, headers={"X-RateLimit-Reset": reset,
                                                                "X-RateLimit-Remaining": "0"}))
    settings = fake.settings(http_retries=0, github_token=token)
    entries = [entry_for("https://github.com/huggingface/trl"), entry_for("https://github.com/CarperAI/trlx")]
    store = RawStore(fake.data_dirs[-1] / "raw")
    outcomes = fetch_source("github", entries, settings, store)
    assert [o.status for o in outcomes.values()] == [Status.OK, Status.OK], [o.reason for o in outcomes.values()]


# -- whole processes: peak memory under a bomb, SIGTERM while a body is read (slow) --------------

BENCH = Path(__file__).parent.parent / "benches" / "hostile_bench.py"
BIG_BOMB = 300_000_000


@pytest.mark.slow
@pytest.mark.parametrize("case", needing_schema(["github-rest", "github-graphql", "hub-info", "hub-paper-page",
                                                 "arxiv", "scholar", "web"], lambda c: c == "github-graphql"))
def test_peak_memory_under_a_bomb_stays_under_the_bombs_size(case: str) -> None:
    """A gzip answer decoding to 300 MB, the caps at their defaults (a 1 GB one took a run to
    13 GB on GraphQL, 6 GB on the Hub, 5.6 GB on arXiv): the process, its fake included, stays
    under what the bomb decodes to (it peaks at ~150 MB, under a 1 GB bomb too; compressing 1 GB
    was 2.7 s of CPU a case). A memory bound, not a time bound: the process's own peak RSS
    (`benches/hostile_bench.py`, which prints these figures for a 1 GB bomb by default)."""
    result = subprocess.run([sys.executable, str(BENCH), "--one", case, "bomb", "--bomb", str(BIG_BOMB)],
                            capture_output=True, text=True, timeout=600, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["peak_rss_mb"] < BIG_BOMB / 1_000_000, figures
    assert figures["other"] == "ok", figures
    if case != "web":  # a page is read up to its cap and kept (a title is all it is read for)
        assert figures["hit"].startswith("error: "), figures


@pytest.mark.slow
def test_sigterm_ends_a_run_whose_answer_is_still_being_read(tmp_path: Path, shared_prefect_api: str) -> None:
    """Headers, then a byte every second, and a deadline far away: TERM ends the run at once
    (one line, 143), not when the body or the deadline is done. (The session's Prefect server:
    the process starts no temporary one of its own.)"""
    listing = tmp_path / "list.md"
    listing.write_text("# Tools\n\n* [trl](https://github.com/huggingface/trl)\n")
    with FakeAPI() as fake:
        fake.faults.append(Fault(r"^/github/repos/", status=200, drip=1.0))
        env = {**os.environ, **fake.environment(), "PREFECT_HOME": str(tmp_path / "prefect-home"),
               "ENRICH_GITHUB_DEADLINE_SECONDS": "600"}
        process = subprocess.Popen(
            [sys.executable, "-m", "enrich.cli", "run", str(listing), "--source", "github",
             "--out", str(tmp_path / "out"), "--raw", str(tmp_path / "raw")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while not fake.requests("github") or fake.requests("github")[-1].path == "/github/rate_limit":
                assert process.poll() is None and time.monotonic() < deadline, "never reached GitHub"
                time.sleep(0.2)
            time.sleep(2)  # two bytes in: the body is being read
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr


def test_a_card_that_is_a_bomb_keeps_the_last_card(fake: FakeAPI) -> None:
    """A Hub card is read up to ``web_max_bytes`` decoded; past it the card is not read (its
    last good value is kept), the repository's metadata is fresh."""
    _bomb(BOMB)
    fake.faults.append(Fault(r"/resolve/[^/]+/README\.md$", status=200, bomb=BOMB, times=1,
                             headers={"Content-Type": "text/plain"}))
    settings = fake.settings(http_retries=0, web_max_bytes=CAP)
    hit = entry_for("https://huggingface.co/datasets/Anthropic/hh-rlhf")
    outcome = fetch_source("huggingface", [hit], settings, RawStore(fake.data_dirs[-1] / "raw"))[hit.id]
    assert outcome.status == Status.OK and outcome.failure == Failure.MALFORMED
    assert outcome.carry == ("card",)
    assert f"card not read (larger than {CAP} bytes)" in (outcome.reason or "")
