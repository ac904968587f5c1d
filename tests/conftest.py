"""Shared fixtures: the local fake API on 127.0.0.1 and settings pointing the clients at it."""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from enrich.core.model import Entry
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.run.job import Job, RunResult, run_job
from enrich.sandbox import github_graphql
from enrich.sandbox.server import FakeAPI
from enrich.sources.base import FetchContext
from enrich.sources.registry import SOURCES
from enrich.store.raw import RawStore

# Prefect (in this process and in every subprocess a test starts) gets a home of its own:
# its own SQLite database, no profile of the developer's, no telemetry, no server configured.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="enrich-tests-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
for _name in ("PREFECT_API_URL", "PREFECT_PROFILE", "GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN"):
    os.environ.pop(_name, None)

T = TypeVar("T")
ROOT = Path(__file__).parent.parent
BUNDLED = ROOT / "data/raw/lists/awesome-rlhf-language-models.md"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``graphql_schema`` skip, saying how to get it, where GitHub's GraphQL schema
    is absent (npm fetches it in `make install`): the fake validates every query against it, and
    without it answers every query with an error (the GraphQL path is the one with a token)."""
    if github_graphql.schema_path() is not None:
        return
    skip = pytest.mark.skip(reason=github_graphql.MISSING)
    for item in items:
        if item.get_closest_marker("graphql_schema"):
            item.add_marker(skip)


def needing_schema(cases: Iterable[T], needs: Callable[[T], bool]) -> list[Any]:
    """``cases`` for a parametrize, those that ``needs`` marked ``graphql_schema``."""
    return [pytest.param(c, marks=pytest.mark.graphql_schema) if needs(c) else c for c in cases]


def run(list_source: str, *, settings: Settings, out_dir: Path, raw_root: Path, **options: object) -> RunResult:
    """The nightly job once, through the one composition the flow runs (`run_job`), on this
    process's threads."""
    return run_job(Job(list_source, out_dir, raw_root, settings, **options))  # type: ignore[arg-type]


def fetch_source(source: str, entries: list[Entry], settings: Settings, store: RawStore) -> dict[str, Outcome]:
    """One source's fetch and normalize, outside a run (a context of its own)."""
    SOURCES[source].fetch(entries, store, FetchContext.standalone(settings))
    return dict(SOURCES[source].normalize(entries, store.documents(source)))


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(autouse=True, scope="session")
def _no_fsync() -> Iterator[None]:
    """No fsync in the test process: its files need not outlive a power cut, and fsync (what
    `atomic_write` ends with) was a third of a job's wall time on the shared, busy disk. A killed
    process (tests/test_crash.py) loses nothing by it: the page cache outlives the process."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (enrich, the libraries, every test module, the cases' tables) is
    kept for the whole session: frozen, the garbage collector stops walking it again and again
    (a full collection over it was ~0.2 s of CPU, several times a night)."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def _prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Prefect API server (`prefect server start`, as docs/ tell a user to) for the whole
    session of this test worker (each xdist worker starts its own, on first use). Each `enrich`
    process left alone starts Prefect's temporary server of its own (~13 s of CPU a process,
    most of a demo's), and each `prefect_test_harness` another (~10 s a module)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    log = tmp_path_factory.mktemp("prefect-server") / "server.log"
    prefect = Path(sys.executable).parent / "prefect"
    with log.open("wb") as sink:
        server = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 300  # a loaded machine (load 20) takes a minute or more
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def shared_prefect_api(_prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``PREFECT_API_URL`` of the worker's Prefect server, for every process this test starts
    (tests that start `enrich` as a process; tests of the temporary server itself leave it out)."""
    monkeypatch.setenv("PREFECT_API_URL", _prefect_server)
    return _prefect_server


@pytest.fixture(scope="module")
def prefect_in_process(_prefect_server: str) -> Iterator[str]:
    """Flows run in this process report to the worker's Prefect server, as under Prefect's
    `prefect_test_harness` (the settings it sets), without the server of its own it starts.
    Each test's flow runs are told apart by their ids: the server is the session's."""
    from prefect.context import _temporary_global_settings_context, get_settings_context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: _prefect_server}), \
            _temporary_global_settings_context(get_settings_context()):  # fmt: skip
        yield _prefect_server
        # What the module's runs have still to send, sent now: at exit, the server is gone.
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all()
        EventsWorker.drain_all()


# Inert: xdist 3.8 under pytest 9 ignores xdist_group marks (see the Makefile); each worker
# starts its own server on first use. Kept for the tests that still carry it.
PREFECT_GROUP = pytest.mark.xdist_group("prefect-api")


@pytest.fixture
def extra_data(tmp_path: Path) -> Path:
    """A data folder layered over the bundled sample data (test-only cases go here)."""
    folder = tmp_path / "fake-data"
    folder.mkdir()
    return folder


@pytest.fixture
def fake(extra_data: Path) -> Iterator[FakeAPI]:
    with FakeAPI([extra_data]) as api:
        yield api


@pytest.fixture
def settings(fake: FakeAPI) -> Settings:
    return fake.settings(allow_loopback=True, http_retries=0)
