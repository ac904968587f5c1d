"""End to end, as the docs' "Run it nightly" page (docs/nightly.md) says it, with no network: its
commands are read out of the page and run as written (the ports excepted: the test picks free ones), in a
fresh copy of the project's folder: a real `prefect server`, the local fake API of
`python -m enrich.sandbox`, the deployment served by `python flows/nightly.py serve` or deployed to
a work pool and run by a process worker, a run triggered with `prefect deployment run --watch`.
Every process is stopped afterwards."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ROOT
from docsite import docs_page, section

pytestmark = pytest.mark.slow  # starts a Prefect server and processes

BIN = Path(sys.executable).parent
# The page's ports, replaced by free ones.
SERVER_PORT, SANDBOX_PORT = "4200", "8765"


def commands(text: str) -> list[str]:
    """The shell commands of the code blocks (indented lines), continuation lines joined and
    comments dropped."""
    joined = re.sub(r"\\\n\s*", "", text)
    found = []
    for line in joined.splitlines():
        if line.startswith("    ") and re.match(r"\s+(prefect|python|export|enrich) ", line):
            found.append(re.sub(r"\s{2,}#.*$", "", line).strip())
    return found


NIGHTLY = section(docs_page("nightly.md"), "# Run it nightly (Prefect)")
OFFLINE = section(NIGHTLY, "## Offline, against the local fake API")


def one(lines: list[str], prefix: str) -> str:
    (line,) = [c for c in lines if c.startswith(prefix)]
    return line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Shell:
    """One terminal of the page: its environment (``export`` lines), its working folder, and
    the long-running commands it started."""

    def __init__(self, cwd: Path, env: dict[str, str], ports: dict[str, str], logs: Path) -> None:
        # PWD as a shell sets it: prefect.yaml's pull step runs the flow in `{{ $PWD }}`.
        self.cwd, self.env, self.ports, self.logs = cwd, {**env, "PWD": str(cwd)}, ports, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def text(self, command: str) -> str:
        for old, new in self.ports.items():
            command = command.replace(old, new)
        return command

    def argv(self, command: str) -> list[str]:
        words = shlex.split(self.text(command))
        program = sys.executable if words[0] == "python" else str(BIN / words[0])
        return [program, *words[1:]]

    def export(self, command: str) -> None:
        for assignment in self.argv(command)[1:]:
            name, _, value = assignment.partition("=")
            self.env[name] = value

    def run(self, command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv(command), cwd=self.cwd, env=self.env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self, command: str, name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(self.argv(command), cwd=self.cwd, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The files of a fresh clone that the section's commands read (the package itself is the
    project's virtual environment's)."""
    folder = tmp_path / "enrich"
    folder.mkdir()
    shutil.copy(ROOT / "prefect.yaml", folder)
    shutil.copytree(ROOT / "flows", folder / "flows", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data/raw/lists", folder / "data/raw/lists")
    return folder


def environment(home: Path) -> dict[str, str]:
    """A terminal's environment: a Prefect home of its own (no profile of the developer's), no
    tokens (conftest removed them)."""
    return {**os.environ, "PREFECT_HOME": str(home), "PATH": f"{BIN}:{os.environ['PATH']}",
            # how often a runner and a worker look for scheduled runs (10 s by default)
            "PREFECT_RUNNER_POLL_FREQUENCY": "2", "PREFECT_WORKER_QUERY_SECONDS": "2",
            "COLUMNS": "400"}  # --watch wraps its lines at the terminal's width


@pytest.fixture(scope="module")
def server_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Step 1 of the page once for the module: its first terminal, the Prefect server started as
    written (on a free port); each test's second terminal points at it, as the page's does. (A
    server's start is ~10 s of CPU.) Each test's deployment is its own: the one a test before it
    left is deleted first (`no_deployment_yet`); its runs are asked of by the deployment's id."""
    steps = commands(NIGHTLY)
    folder = tmp_path_factory.mktemp("prefect-server")
    terminal = Shell(folder, environment(folder / "prefect-home"), {SERVER_PORT: str(free_port())}, folder)
    terminal.export(one(steps, "export PREFECT_SERVER_LOGS_STREAM_OUT_ENABLED="))
    terminal.start(one(steps, "prefect server start"), "server")
    try:
        yield terminal.ports[SERVER_PORT]
    finally:
        terminal.stop_all()


@pytest.fixture
def terminals(server_port: str, clone: Path, tmp_path: Path) -> Iterator[Callable[[], Shell]]:
    """New terminals in the clone's folder, sharing a Prefect home of their own; the page's
    ports are the module's server's and a free one for the sandbox."""
    ports = {SERVER_PORT: server_port, SANDBOX_PORT: str(free_port())}
    with opened_terminals(clone, environment(tmp_path / "prefect-home"), ports, tmp_path) as terminal:
        yield terminal


@contextlib.contextmanager
def opened_terminals(clone: Path, env: dict[str, str], ports: dict[str, str],
                     tmp_path: Path) -> Iterator[Callable[[], Shell]]:
    """A maker of terminals (`Shell`) in ``clone``; every process they started is stopped at
    the end, the newest terminal's first."""
    shells: list[Shell] = []

    def terminal() -> Shell:
        shells.append(Shell(clone, env, ports, tmp_path))
        return shells[-1]

    try:
        yield terminal
    finally:
        for shell in reversed(shells):
            shell.stop_all()


DEPLOYMENT = "enrich-awesome-list/nightly"


def no_deployment_yet(api: str) -> None:
    """The server is up and holds no deployment of the flow: another test's is deleted (its runs
    with it), so that the deployment this test waits for is its own."""
    wait_until(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 180, "the Prefect server")
    found = httpx.get(f"{api}/deployments/name/{DEPLOYMENT}", timeout=10)
    if found.status_code == 200:
        httpx.delete(f"{api}/deployments/{found.json()['id']}", timeout=10).raise_for_status()


def deployment_id(api: str) -> str:
    """The id of the flow's deployment, once served or deployed."""
    url = f"{api}/deployments/name/{DEPLOYMENT}"
    wait_until(lambda: httpx.get(url, timeout=2).status_code == 200, 120, "the deployment")
    return str(httpx.get(url, timeout=10).json()["id"])


def flow_run_logs(api: str, deployment: str) -> str:
    """Every log line of the deployment's runs, and each run's state: what they sent to Prefect."""
    runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 10, "deployments": {"id": {"any_": [deployment]}}}).json()
    logs = httpx.post(f"{api}/logs/filter", json={
        "limit": 200, "sort": "TIMESTAMP_ASC", "logs": {"flow_run_id": {"any_": [r["id"] for r in runs]}}}).json()  # fmt: skip
    states = [f"run {r['name']}: {r['state']['type']} {r['state']['message']}" for r in runs]
    return "\n".join(states + [f"{logging.getLevelName(entry['level'])} {entry['message']}" for entry in logs])


def test_the_page_lists_the_commands_this_test_runs() -> None:
    steps = commands(NIGHTLY)
    for prefix in ("prefect server start", "export PREFECT_API_URL=", "python flows/nightly.py serve",
                   "prefect work-pool create", "prefect deploy --name nightly", "prefect worker start",
                   "prefect deployment run"):
        assert any(c.startswith(prefix) for c in steps), prefix
    offline = commands(OFFLINE)
    assert [c.split()[0] for c in offline] == ["python", "export", "prefect"]


@pytest.mark.parametrize("how", ["serve", "worker"])
def test_run_it_nightly_offline_as_the_docs_say(terminals: Callable[[], Shell], clone: Path, how: str) -> None:
    steps, offline = commands(NIGHTLY), commands(OFFLINE)
    # 1. A Prefect server started as the page says: the module's (`server_port`).
    # Offline: the local fake API in a third terminal; it prints the line the page gives.
    sandbox = terminals()
    fake = sandbox.start(one(offline, "python -m enrich.sandbox"), "sandbox")
    fake_export = one(offline, "export ")
    printed = clone.parent / "sandbox.log"
    wait_until(lambda: sandbox.text(fake_export) in printed.read_text().splitlines(), 60, "the sandbox's exports")
    assert fake.poll() is None
    # 2. In a second terminal: point it at the server (and the fake), serve or deploy + worker.
    shell = terminals()
    shell.export(one(steps, "export PREFECT_API_URL="))
    shell.export(fake_export)
    api = shell.env["PREFECT_API_URL"]
    no_deployment_yet(api)
    if how == "serve":
        shell.start(one(steps, "python flows/nightly.py serve"), "serve")
    else:
        for prefix in ("prefect work-pool create", "prefect deploy --name nightly"):
            done = shell.run(one(steps, prefix))
            assert done.returncode == 0, done.stdout + done.stderr
        shell.start(one(steps, "prefect worker start"), "worker")
    deployment = deployment_id(api)
    schedule = httpx.get(f"{api}/deployments/{deployment}").json()["schedules"][0]["schedule"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 3 * * *", "UTC")

    # 3. Trigger a run now, without the web pages: it ends Completed.
    run = shell.run(one(offline, "prefect deployment run"))
    assert run.returncode == 0, run.stdout + run.stderr + flow_run_logs(api, deployment)
    assert "Completed" in run.stdout and "fetching 7 github entries" in run.stdout  # --watch shows the logs
    latest = json.loads((clone / "data/enriched/latest.json").read_text())
    statuses = {e["id"]: e["status"] for e in latest["entries"]}
    assert statuses["github:lvwerra/trl"] == "ok" and statuses["arxiv:2204.05862"] == "ok"
    assert statuses["hf:dataset/anthropic/hh-rlhf"] == "ok" and statuses["https://carper.ai/"] == "skipped"
    # Every other source ran: the papers' Hub pages (their upvotes, their code) are there (#22 item 6).
    papers = [e for e in latest["entries"] if e["id"].startswith("arxiv:")]
    assert papers and all(e["hub_paper"] and e["hub_paper"]["on_hub"] is not None for e in papers)
    # The checkout's copy of the list, named alike served or on a worker (issue 22, item 13): the
    # path as given, relative to the folder the run started in, never this machine's absolute path.
    assert latest["header"]["list_source"] == "data/raw/lists/awesome-rlhf-language-models.md"
    assert latest["header"]["list_title"] == "awesome-RLHF-language-models"  # the list's H1
    # Served and worker runs log to the server like any flow's: the tasks, the library's lines.
    logs = flow_run_logs(api, deployment)
    assert "INFO fetching 7 github entries" in logs and "INFO published 27 entries" in logs
    assert "WARNING no GITHUB_TOKEN: anonymous GitHub requests are limited to 60 an hour" in logs

    # A run that fails says why in one line, and `--watch` shows it (issue 22, item 17): no traceback
    # (a worker's engine raised the Failed state again), no stray "NoneType: None" (a step's Failed
    # state logged with exc_info); the list named as given, relative to the checkout.
    missing = clone / "no-such-list.md"
    failed = shell.run(f"prefect deployment run enrich-awesome-list/nightly --param list_source={missing} --watch")
    assert failed.returncode == 1
    said = failed.stdout + failed.stderr
    assert "Traceback" not in said and "NoneType: None" not in said and "Engine execution exited" not in said
    assert [line[line.index("nothing published"):] for line in said.splitlines() if "nothing published" in line] == [
        "nothing published: no-such-list.md: no such file"]
    assert "Task run failed with state" not in said
