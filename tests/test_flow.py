"""The Prefect flow, run in-process on a test Prefect API against the local fake API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED
from enrich.core.errors import InputError, LockedError
from enrich.core.settings import Settings
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.server import NO_WAITS, FakeAPI, Fault
from enrich.sources.listfile import read_list_source
from enrich.store.files import exclusive

# Prefect (its server's modules, the flow) is imported by the tests, not by the module: the fast
# loop, which deselects this module, still imports it (~3 s of CPU a test process).
pytestmark = pytest.mark.slow  # starts a Prefect API

SKIP_WEB = {"web": "offline: web pages are not fetched"}


@pytest.fixture(scope="module", autouse=True)
def prefect_api(prefect_in_process: str) -> str:
    """The worker's Prefect server (a module's own test harness was ~10 s of its setup)."""
    return prefect_in_process


@pytest.fixture
def env(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> FakeAPI:
    """The flow reads its settings from the environment: point it at the fake."""
    for name, value in fake.environment(http_retries=0, **NO_WAITS).items():
        monkeypatch.setenv(name, value)
    return fake


def run_flow(tmp_path: Path, **params: Any) -> Any:
    params = {"out_dir": str(tmp_path / "out"), "raw_dir": str(tmp_path / "raw"),
              "list_source": str(BUNDLED), "skip": SKIP_WEB, **params}
    from enrich.run.flow import enrich_awesome_list

    return enrich_awesome_list(**params, return_state=True)


def this_run(state: Any) -> Any:
    """A filter of the flow run that ended in ``state``: the server holds every test's runs."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    return FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))


def entries(out_dir: Path) -> dict[str, dict[str, Any]]:
    latest = json.loads((out_dir / "latest.json").read_text())
    return {e["id"]: e for e in latest["entries"]}


def comparable(entry: Any) -> Any:
    """An entry without the times that differ between two runs (its own, its records')."""
    if isinstance(entry, dict):
        return {k: comparable(v) for k, v in entry.items() if k not in ("fetched_at", "checked_at")}
    if isinstance(entry, list):
        return [comparable(v) for v in entry]
    return entry


def test_flow_publishes_and_summarises(env: FakeAPI, tmp_path: Path) -> None:
    state = run_flow(tmp_path)
    assert state.is_completed(), state.message
    summary = state.result()
    assert summary["by_kind_status"] == {
        "dataset": {"ok": 2}, "paper": {"ok": 7}, "repo": {"ok": 7}, "web": {"skipped": 11},
    }
    assert summary["requests"]["arxiv"]["sent"] == 1
    assert summary["requests"]["github"]["sent"] >= 7 * 6
    # what the run spent of GitHub's rate limit, read from its headers (anonymous: REST only)
    core = summary["rate_limits"]["github.core"]
    assert core["spent"] >= summary["requests"]["github"]["sent"] and core["limit"] == 5000
    charged = [r for r in env.requests("github") if r.path != "/github/rate_limit"]  # that one is free
    assert core["remaining"] == 5000 - len(charged)
    assert state.message.startswith("published 27 entries")
    assert entries(tmp_path / "out")["github:lvwerra/trl"]["status"] == "ok"


def test_flow_artifacts_in_the_ui(env: FakeAPI, extra_data: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary links the report and the enriched list (where the folder is served); the top
    movers rank by score. Two runs, the stars of one repository up in between."""
    monkeypatch.setenv("ENRICH_PUBLIC_URL", "https://lists.example.org/rlhf/")
    run_flow(tmp_path)
    trl = json.loads((sample_data_dir() / "github/repos/huggingface/trl.json").read_text())
    (extra_data / "github/repos/huggingface").mkdir(parents=True)
    (extra_data / "github/repos/huggingface/trl.json").write_text(
        json.dumps({**trl, "stargazers_count": trl["stargazers_count"] * 10}))
    state = run_flow(tmp_path)
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifacts = {a.key: a for a in client.read_artifacts(flow_run_filter=this_run(state))}
    assert all(a.flow_run_id == state.state_details.flow_run_id for a in artifacts.values())
    summary = artifacts["enrich-run-summary"].data
    assert "| repo | 7 |" in summary and "## Requests per source" in summary
    assert ("report: [https://lists.example.org/rlhf/index.html](<https://lists.example.org/rlhf/index.html>)"
            in summary and "enriched list: [https://lists.example.org/rlhf/list.md]" in summary)
    assert "(https://lists.example.org/rlhf/index.html)" in artifacts["enrich-report"].data  # a link artifact
    table = artifacts["enrich-entries"].data
    rows = json.loads(table) if isinstance(table, str) else table
    assert {r["id"] for r in rows} >= {"arxiv:2204.05862", "github:lvwerra/trl"}
    assert "lvwerra/trl is now huggingface/trl" in artifacts["enrich-check"].data  # the list's check
    assert all(r["score"] is None for r in rows if r["kind"] == "web") and all(r["score"] for r in rows if r["kind"] == "repo")
    movers = artifacts["enrich-top-movers"].data
    movers = json.loads(movers) if isinstance(movers, str) else movers
    assert (movers[0]["id"], movers[0]["stars_delta"], movers[0]["score_delta"]) == (
        "github:lvwerra/trl", trl["stargazers_count"] * 9, 2.0)


@pytest.fixture(scope="module")
def threads_night(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The bundled list's night on the thread runner, against a fake of its own: the snapshot
    each Dask night is compared with (run once for the module's two, not once a test)."""
    folder = tmp_path_factory.mktemp("threads")
    with FakeAPI() as fake, pytest.MonkeyPatch.context() as patch:
        for name, value in fake.environment(http_retries=0, **NO_WAITS).items():
            patch.setenv(name, value)
        assert run_flow(folder).is_completed()
    return entries(folder / "out")


def test_dask_gives_the_same_snapshot_as_threads(env: FakeAPI, tmp_path: Path,
                                                 threads_night: dict[str, dict[str, Any]]) -> None:
    dask = run_flow(tmp_path / "dask", task_runner="dask")
    assert dask.is_completed(), dask.message
    a, b = threads_night, entries(tmp_path / "dask/out")
    assert a.keys() == b.keys()
    for entry_id in a:
        assert comparable(a[entry_id]) == comparable(b[entry_id]), entry_id


def test_a_source_failing_entirely_fails_only_its_entries(env: FakeAPI, tmp_path: Path) -> None:
    env.faults.append(Fault(r"^/hf/", status=0))  # every Hub connection dropped
    state = run_flow(tmp_path)
    assert state.is_completed(), state.message
    got = entries(tmp_path / "out")
    hub = [e for e in got.values() if e["kind"] == "dataset"]
    assert hub and all(e["status"] == "error" and e["status_reason"] for e in hub)
    others = [e for e in got.values() if e["kind"] in ("paper", "repo")]
    assert others and all(e["status"] == "ok" for e in others)


def test_a_source_down_after_a_good_night_completes_and_names_it(env: FakeAPI, tmp_path: Path) -> None:
    """Its entries keep their last values; the other sources' night is published, and the
    run's state message says which source failed (#22 item 5)."""
    assert run_flow(tmp_path).is_completed()
    env.faults.append(Fault(r"^/hf/", status=0))  # every Hub connection dropped
    state = run_flow(tmp_path)
    assert state.is_completed(), state.message
    assert state.message.startswith("published 27 entries") and "\n" not in state.message
    assert "; source huggingface failed: none of its 2 entries could be fetched" in state.message
    got = entries(tmp_path / "out")
    assert all(e["status"] == "stale" and e["hub"] for e in got.values() if e["kind"] == "dataset")
    assert set(state.result()["source_failures"]) == {"huggingface", "papers"}


def test_publish_guard_fails_the_flow_and_keeps_latest(env: FakeAPI, tmp_path: Path) -> None:
    assert run_flow(tmp_path).is_completed()
    before = (tmp_path / "out/latest.json").read_bytes()
    env.faults.append(Fault(r".", status=0))  # the network is down
    state = run_flow(tmp_path)
    assert state.is_failed()
    assert "run rejected, latest.* kept" in state.message and "\n" not in state.message
    assert (tmp_path / "out/latest.json").read_bytes() == before
    assert list((tmp_path / "out/rejected").glob("*.json"))


def test_bad_list_fails_the_flow_with_one_line(env: FakeAPI, tmp_path: Path) -> None:
    state = run_flow(tmp_path, list_source=str(tmp_path / "missing.md"))
    assert state.is_failed() and state.message.endswith("missing.md: no such file")


def test_list_from_a_github_repository(env: FakeAPI, tmp_path: Path) -> None:
    source = "github:jordimas/awesome-RLHF-language-models/README.md@main"
    state = run_flow(tmp_path, list_source=source)
    assert state.is_completed(), state.message
    latest = json.loads((tmp_path / "out/latest.json").read_text())
    assert latest["header"]["list_source"] == source
    assert latest["header"]["list_sha256"] == state.result()["list_sha256"]
    assert latest["header"]["entries"] == 27


def test_second_run_on_the_same_folder_is_refused(env: FakeAPI, tmp_path: Path) -> None:
    with exclusive(tmp_path / "out"):
        state = run_flow(tmp_path)
    assert state.is_failed() and "already writing here" in state.message
    with pytest.raises(LockedError), exclusive(tmp_path / "x"), exclusive(tmp_path / "x"):
        pass


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("github:jordimas/awesome-RLHF-language-models/MISSING.md", "not found"),
        ("github:nobody/nothing/README.md", "not found"),
        ("github:only-owner", "expected github:OWNER/REPO/PATH[@REF]"),
    ],
)
def test_bad_list_sources(source: str, message: str, settings: Settings) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[")):
        read_list_source(source, settings)


def test_list_from_a_url(fake: FakeAPI, settings: Settings) -> None:
    assert read_list_source(f"{fake.base_url}/pages/ok", settings).startswith(b"<")
    with pytest.raises(InputError, match="answered HTTP 404"):
        read_list_source(f"{fake.base_url}/pages/missing", settings)


@pytest.mark.graphql_schema
def test_tokens_never_leave_the_process(env: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    """A recognisable fake token, DEBUG logging: it is in no file, log line, artifact or parameter."""
    import logging

    secret = "ghp_FAKE-SECRET-TOKEN-enrich-test-0123456"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    monkeypatch.setenv("HF_TOKEN", "hf_" + secret)
    env.faults.append(Fault(r"/repos/voidful/TextRL$", status=401, body=b'{"message": "Bad credentials"}'))
    caplog.set_level(logging.DEBUG)
    state = run_flow(tmp_path)
    assert state.is_completed(), state.message
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 10
    for path in written:
        assert secret.encode() not in path.read_bytes(), path
    out, err = capfd.readouterr()
    assert secret not in caplog.text + out + err
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        artifacts = client.read_artifacts(flow_run_filter=this_run(state))
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
    assert secret not in json.dumps(run.parameters) + str(run.state)
    assert artifacts and all(secret not in str(a.data) for a in artifacts)
    assert logs and all(secret not in log.message for log in logs)


@pytest.mark.graphql_schema
def test_tokens_from_prefect_secret_blocks(env: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENRICH_GITHUB_TOKEN_BLOCK names a Secret block: the run is authenticated (GraphQL answers
    only then), and the token is written nowhere."""
    from prefect.blocks.system import Secret

    secret = "ghp_FAKE-BLOCK-TOKEN-enrich-test-987654"
    Secret(value=secret).save("enrich-test-github-token", overwrite=True)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("ENRICH_GITHUB_TOKEN_BLOCK", "enrich-test-github-token")
    state = run_flow(tmp_path)
    assert state.is_completed(), state.message
    graphql = [x for x in env.requests("github") if x.path.endswith("/graphql")]
    assert graphql and all(x.status == 200 for x in graphql)
    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        assert secret.encode() not in path.read_bytes(), path


def test_a_missing_secret_block_fails_the_flow_with_one_line(
    env: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("ENRICH_GITHUB_TOKEN_BLOCK", "no-such-block")
    state = run_flow(tmp_path)
    assert state.is_failed()
    assert "no-such-block" in (state.message or "") and "\n" not in (state.message or "")
    assert not (tmp_path / "out" / "latest.json").exists()


def test_publishing_to_the_hub_without_a_token_fails_before_fetching(env: FakeAPI, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hub takes no anonymous upload: a run told to publish there without a token says so at
    once (issue 22, item 10), rather than after a night of fetching."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    state = run_flow(tmp_path, publish_repo="enrich-bot/rlhf-enriched")
    assert state.is_failed() and state.message.startswith("no HF_TOKEN: the Hub takes uploads only with a token")
    assert env.requests() == [] and not (tmp_path / "out").exists()


def test_dask_workers_started_apart_give_the_same_snapshot(env: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           threads_night: dict[str, dict[str, Any]]) -> None:
    """`dask scheduler` and `dask worker` started on their own (loopback), reached through
    ENRICH_DASK_ADDRESS: what a task receives travels to another process (plain data), and the
    snapshot is the thread runner's."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from prefect.settings import PREFECT_API_URL

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bin_dir = Path(sys.executable).parent
    worker_env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    log = (tmp_path / "dask.log").open("wb")
    scheduler = subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard", "--dashboard-address", "127.0.0.1:0"], stdout=log, stderr=subprocess.STDOUT, env=worker_env)
    worker = subprocess.Popen([str(bin_dir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "1",
                               "--nthreads", "4", "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT,
                              env=worker_env, cwd=tmp_path)
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(f"tcp://127.0.0.1:{port}", timeout=5) as client:
                    if client.scheduler_info()["workers"]:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "dask.log").read_text()
            time.sleep(0.5)
        monkeypatch.setenv("ENRICH_DASK_ADDRESS", f"tcp://127.0.0.1:{port}")
        dask = run_flow(tmp_path / "dask", task_runner="dask")
        assert dask.is_completed(), dask.message
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)
        log.close()
    a, b = threads_night, entries(tmp_path / "dask/out")
    assert a.keys() == b.keys()
    for entry_id in a:
        assert comparable(a[entry_id]) == comparable(b[entry_id]), entry_id


def test_a_process_running_the_flow_night_after_night_keeps_nothing(env: FakeAPI, tmp_path: Path) -> None:
    """The flow (the Prefect executor over `run_job`) night after night in one process, as `serve`
    does: no run's budget, slots, pacers or progress outlive it. Each night is asked (a run's
    leftovers show after it), so five nights ask what twenty did (~1.3 s of Prefect a night)."""
    import gc

    from enrich.run import context

    tiny = tmp_path / "tiny.md"
    tiny.write_text("# Papers\n\n- [Deep RL from human preferences](https://arxiv.org/abs/1909.08593)\n")
    for night in range(5):
        state = run_flow(tmp_path, list_source=str(tiny), skip=None)
        assert state.is_completed(), (night, state.message)
        assert context.active() == []
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, context.RunScope)]
