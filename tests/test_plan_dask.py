"""Tonight's plan on Dask worker processes (#24 item 3): the budget holds across every task and
every process of the run. Eight sample repositories over REST (six requests each, cold), cut
into four tasks of two, on a local cluster of two worker processes, with 20 requests left: the
plan gives the stalest tasks their shares, each task spends only its own, and not one request
runs into a 403; what does not fit is deferred, the night published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrich.sandbox.server import NO_WAITS, FakeAPI
from test_plan import sample_repositories

pytestmark = pytest.mark.slow  # starts a Prefect API and a Dask cluster


@pytest.fixture(scope="module", autouse=True)
def prefect_api(prefect_in_process: str) -> str:
    """The worker's Prefect server (a module's own test harness was ~10 s of its setup)."""
    return prefect_in_process


def test_two_dask_workers_with_a_budget_smaller_than_the_work_get_no_403(
    fake: FakeAPI, extra_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enrich.run.flow import enrich_awesome_list

    urls = sample_repositories(extra_data, 8)
    listed = tmp_path / "list.md"
    listed.write_text("# Sample repositories (sample data)\n\n" + "".join(f"* {u}\n" for u in urls))
    env = fake.environment(http_retries=0, task_chunk_size=2, github_concurrency=2,
                           external_code_repos=0, **NO_WAITS)  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    fake.rate_limits["core"] = 20
    fake.stats_computing_calls = 0  # six requests a repository
    state = enrich_awesome_list(list_source=str(listed), out_dir=str(tmp_path / "out"),
                                raw_dir=str(tmp_path / "raw"), sources=["github"],
                                task_runner="dask", return_state=True)  # fmt: skip
    assert state.is_completed(), state.message
    assert fake.rate_limited["core"] == 0
    assert not [e for e in fake.requests("github") if e.status == 403]
    assert fake.rate_used["core"] <= 20
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    repos = {e["id"]: e for e in latest["entries"]}
    whole = [i for i, e in repos.items() if e["status"] == "ok" and not e["deferred"]]
    waiting = [i for i, e in repos.items() if e["deferred"]]
    # The first task's share (12) brings two whole; the second's (8) one whole and one without
    # its parts; the last two tasks' shares are nothing: their four wait, never fetched.
    assert len(whole) == 3 and len(waiting) == 5, {i: e["status_reason"] for i, e in repos.items()}
    assert sum(1 for e in repos.values() if e["status"] == "pending") == 4
    assert all(e["status"] in ("ok", "pending") for e in repos.values())
