"""The served deployment of the docs' "Run it nightly" page (docs/nightly.md) publishing to the
(fake) Hub, run by `prefect deployment run` in a fresh copy of the project's folder, on the
session's Prefect server (`prefect server start` too, already started for the test worker's other
processes: a start is ~10 s of CPU). Apart from tests/test_deployment.py, which follows the page
step by step, so that the two share the two test workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from enrich.sandbox.server import FakeAPI
from test_deployment import (
    NIGHTLY,
    Shell,
    commands,
    deployment_id,
    environment,
    flow_run_logs,
    no_deployment_yet,
    one,
    opened_terminals,
)
from test_deployment import clone as clone  # the fixture

pytestmark = pytest.mark.slow  # starts processes on a Prefect server


@pytest.fixture
def terminals(shared_prefect_api: str, clone: Path, tmp_path: Path) -> Iterator[Callable[[], Shell]]:
    """New terminals in the clone's folder, pointed at the session's Prefect server."""
    env = {**environment(tmp_path / "prefect-home"), "PREFECT_API_URL": shared_prefect_api}
    with opened_terminals(clone, env, {}, tmp_path) as terminal:
        yield terminal


def changed_paths(commit, parent) -> set[str]:  # type: ignore[no-untyped-def]
    return {path for path, blob in commit.files.items() if parent.files.get(path) != blob}


def test_deployment_with_publish_repo_commits_once_a_run(terminals: Callable[[], Shell], clone: Path) -> None:
    """Two runs of the served deployment with ``publish_repo``: the repository is created with the
    first one's commit; the second adds one commit, of the files that changed."""
    steps = commands(NIGHTLY)
    repo = "enrich-bot/rlhf-enriched"
    with FakeAPI() as fake:
        shell = terminals()
        shell.env.update({**fake.environment(), "HF_TOKEN": "hf_fake_deployment_token"})
        api = shell.env["PREFECT_API_URL"]
        no_deployment_yet(api)
        shell.start(one(steps, "python flows/nightly.py serve"), "serve")
        deployment = deployment_id(api)
        for _ in range(2):
            run = shell.run("prefect deployment run enrich-awesome-list/nightly "
                            "--param 'skip={\"web\": \"offline: web pages are not faked\"}' "
                            f"--param publish_repo={repo} --watch --watch-timeout 240")
            assert run.returncode == 0, run.stdout + run.stderr + flow_run_logs(api, deployment)
        out = clone / "data/enriched"
        hosted = fake.hub.repo(repo)
        assert hosted is not None
        initial, first, second = hosted.commits
        assert initial.title == "initial commit" and first.title.startswith("enrich ")
        assert second.title.startswith("enrich ") and second.parent == first.oid
    local = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}
    assert set(second.files) - {".gitattributes"} == local  # the Hub holds the folder
    assert set(first.files) - {".gitattributes"} < local  # the second run added its own files
    again = changed_paths(second, first)
    # Same day: the day's files are replaced; what did not change is not sent again.
    assert again and "schema.json" not in again and again < local
    assert {"latest.json", "latest.parquet", "README.md", "feed.xml"} <= again
