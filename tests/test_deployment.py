"""End to end, as the README's "Run it nightly" section does it: a real `prefect server`, the
deployment served by `python flows/nightly.py serve`, a run triggered with
`prefect deployment run`, against the local fake API. Every process is stopped afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ROOT
from enrich.sandbox.server import FakeAPI

pytestmark = pytest.mark.slow  # starts a Prefect server and processes

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def flow_run_logs(api: str) -> str:
    """Every log line the server holds: what to read when the run did not complete."""
    logs = httpx.post(f"{api}/logs/filter", json={"limit": 200}).json()
    runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 10}).json()
    states = [f"run {r['name']}: {r['state']['type']} {r['state']['message']}" for r in runs]
    return "\n".join(states + [f"{entry['level']} {entry['message']}" for entry in logs])


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_until(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 120, "prefect server")
        yield {**env, "PREFECT_API_URL": api}
    finally:
        stop(server)
        log.close()


def test_served_deployment_runs_on_demand(prefect_server: dict[str, str], tmp_path: Path) -> None:
    with FakeAPI() as fake:
        env = {**prefect_server, **fake.environment(), "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
        api = env["PREFECT_API_URL"]
        out, raw = tmp_path / "out", tmp_path / "raw"
        log = (tmp_path / "serve.log").open("wb")
        serve = subprocess.Popen(
            [sys.executable, "flows/nightly.py", "serve", "--out", str(out), "--raw", str(raw)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"{api}/deployments/name/enrich-awesome-list/nightly"
            wait_until(lambda: httpx.get(url, timeout=2).status_code == 200, 120, "the deployment")
            deployment = httpx.get(url).json()
            assert deployment["schedules"][0]["schedule"]["cron"] == "0 3 * * *"
            assert deployment["schedules"][0]["schedule"]["timezone"] == "UTC"
            run = subprocess.run(
                [str(BIN / "prefect"), "deployment", "run", "enrich-awesome-list/nightly",
                 "--param", 'sources=["arxiv", "github", "huggingface"]',
                 "--watch", "--watch-timeout", "240"],
                env=env, capture_output=True, text=True, timeout=300,
            )
            assert run.returncode == 0, run.stdout + run.stderr + flow_run_logs(api)
            assert "Completed" in run.stdout
        finally:
            stop(serve)
            log.close()
    latest = json.loads((out / "latest.json").read_text())
    statuses = {e["id"]: e["status"] for e in latest["entries"]}
    assert statuses["github:lvwerra/trl"] == "ok" and statuses["arxiv:2204.05862"] == "ok"
    assert statuses["https://carper.ai/"] == "skipped"
    assert latest["header"]["list_source"].endswith("awesome-rlhf-language-models.md")


def changed_paths(commit, parent) -> set[str]:  # type: ignore[no-untyped-def]
    return {path for path, blob in commit.files.items() if parent.files.get(path) != blob}


def test_deployment_with_publish_repo_commits_once_a_run(prefect_server: dict[str, str], tmp_path: Path) -> None:
    """Two runs of the served deployment with ``publish_repo``: the repository is created with the
    first one's commit; the second adds one commit, of the files that changed."""
    repo = "enrich-bot/rlhf-enriched"
    with FakeAPI() as fake:
        env = {**prefect_server, **fake.environment(), "PREFECT_RUNNER_POLL_FREQUENCY": "2",
               "HF_TOKEN": "hf_fake_deployment_token"}
        api = env["PREFECT_API_URL"]
        out, raw = tmp_path / "out", tmp_path / "raw"
        log = (tmp_path / "serve.log").open("wb")
        serve = subprocess.Popen(
            [sys.executable, "flows/nightly.py", "serve", "--out", str(out), "--raw", str(raw)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"{api}/deployments/name/enrich-awesome-list/nightly"
            wait_until(lambda: httpx.get(url, timeout=2).status_code == 200, 120, "the deployment")
            for _ in range(2):
                run = subprocess.run(
                    [str(BIN / "prefect"), "deployment", "run", "enrich-awesome-list/nightly",
                     "--param", 'sources=["arxiv", "github", "huggingface"]',
                     "--param", f"publish_repo={repo}", "--watch", "--watch-timeout", "240"],
                    env=env, capture_output=True, text=True, timeout=300,
                )
                assert run.returncode == 0, run.stdout + run.stderr + flow_run_logs(api)
        finally:
            stop(serve)
            log.close()
        hosted = fake.hub.repo(repo)
        assert hosted is not None
        initial, first, second = hosted.commits
        assert initial.title == "initial commit" and first.title.startswith("enrich ")
        assert second.title.startswith("enrich ") and second.parent == first.oid
        local = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}
        assert set(first.files) - {".gitattributes"} == local
        again = changed_paths(second, first)
        # Same day: the day's files are replaced; what did not change is not sent again.
        assert again and "schema.json" not in again and again < local
        assert {"latest.json", "latest.parquet", "README.md", "feed.xml"} <= again
