"""Shared fixtures: the local fake API on 127.0.0.1 and settings pointing the clients at it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrich.core.model import Entry
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.run.job import Job, RunResult, run_job
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

ROOT = Path(__file__).parent.parent
BUNDLED = ROOT / "data/raw/lists/awesome-rlhf-language-models.md"


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
