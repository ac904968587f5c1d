"""A catalog on Dask worker processes (#24 item 8): the fetch tasks hand no outcomes back across
processes; each list's finish, on a worker, normalizes its own entries from the run's raw
folder, and publishes what a run of that list alone would. Two sample lists (written here)
sharing two of five generated sample repositories, on a local cluster of two workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enrich.sandbox.server import NO_WAITS, FakeAPI
from test_plan import sample_repositories

pytestmark = pytest.mark.slow  # starts a Prefect API and a Dask cluster

SAMPLE = "<!-- Sample list written by enrich's tests, not a real list. -->\n"


@pytest.fixture(scope="module", autouse=True)
def prefect_api(prefect_in_process: str) -> str:
    """The worker's Prefect server (a module's own test harness was ~10 s of its setup)."""
    return prefect_in_process


def test_a_catalogs_lists_finish_on_dask_workers_from_the_raw_folder(
    fake: FakeAPI, extra_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Imported here, not at the top: `make test-fast` imports this module too (deselected), and
    # Prefect costs ~2 s of CPU a process.
    from enrich.run.flow import enrich_awesome_list

    urls = sample_repositories(extra_data, 5)
    lists = {"first": urls[:3], "second": urls[1:]}  # repo-001 and repo-002 in both
    sources = []
    for name, linked in lists.items():
        path = tmp_path / f"{name}.md"
        path.write_text(SAMPLE + f"# The {name} sample list\n\n" + "".join(f"* {u}\n" for u in linked))
        sources.append(str(path))
    env = fake.environment(http_retries=0, task_chunk_size=2, external_code_repos=0, **NO_WAITS)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    state = enrich_awesome_list(list_sources=sources, out_dir=str(tmp_path / "out"),
                                raw_dir=str(tmp_path / "raw"), sources=["github"],
                                task_runner="dask", return_state=True)  # fmt: skip
    assert state.is_completed(), state.message
    asked = [e.path for e in fake.requests("github")]
    assert asked.count("/github/repos/sample-org/repo-001") == 1  # fetched once for both lists
    for name, linked in lists.items():
        latest = json.loads((tmp_path / "out" / "lists" / name / "latest.json").read_text())
        entries = {e["url"]: e for e in latest["entries"]}
        assert sorted(entries) == sorted(linked)
        for url, entry in entries.items():
            assert entry["status"] == "ok" and entry["repo"]["full_name"] in url, entry
