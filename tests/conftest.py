"""Shared fixtures: the local fake API on 127.0.0.1 and settings pointing the clients at it."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from enrich.sandbox.server import FakeAPI
from enrich.settings import Settings

# Prefect (in this process and in every subprocess a test starts) gets a home of its own:
# its own SQLite database, no profile of the developer's, no telemetry, no server configured.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="enrich-tests-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
for _name in ("PREFECT_API_URL", "PREFECT_PROFILE", "GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN"):
    os.environ.pop(_name, None)

ROOT = Path(__file__).parent.parent
BUNDLED = ROOT / "data/raw/lists/awesome-rlhf-language-models.md"


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
