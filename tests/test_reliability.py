"""The reliability table of the README, one test per row: a fault injected into the local fake
API, what the run did, and what was lost (nothing). Real clients, real HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import BUNDLED, run
from enrich.core.errors import RejectedRunError
from enrich.core.model import Snapshot, Status
from enrich.core.settings import Settings
from enrich.sandbox.server import FakeAPI, Fault

OFFLINE = {"web": "offline: web pages are not fetched"}


def nightly(settings: Settings, tmp_path: Path) -> Snapshot:
    return run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
               skip=OFFLINE).snapshot


def status(snapshot: Snapshot, entry_id: str) -> tuple[Status, str | None]:
    entry = next(e for e in snapshot.entries if e.id == entry_id)
    return entry.status, entry.status_reason


def hits(fake: FakeAPI, pattern: str) -> int:
    return sum(1 for x in fake.requests() if pattern in x.path)


# -- transient faults: retried, honouring Retry-After / reset, then fine ---------------------

TRANSIENT = [
    # (fault, entry that meets it)
    (Fault(r"/github/repos/voidful/TextRL$", status=503, times=2), "github:voidful/textrl"),
    (Fault(r"/github/repos/voidful/TextRL$", status=502, times=1), "github:voidful/textrl"),
    (Fault(r"/github/repos/voidful/TextRL$", status=429, times=1, headers={"Retry-After": "1"}),
     "github:voidful/textrl"),
    (Fault(r"/github/repos/voidful/TextRL$", status=0, times=1), "github:voidful/textrl"),  # reset
    (Fault(r"/hf/api/datasets/stanfordnlp/SHP$", status=503, times=1), "hf:dataset/stanfordnlp/shp"),
    (Fault(r"/hf/api/datasets/stanfordnlp/SHP$", status=429, times=1, headers={"Retry-After": "0"}),
     "hf:dataset/stanfordnlp/shp"),
    (Fault(r"/hf/api/datasets/stanfordnlp/SHP$", status=0, times=1), "hf:dataset/stanfordnlp/shp"),
    (Fault(r"/arxiv/api/query", status=503, times=1), "arxiv:2204.05862"),
    # 200 with a truncated body: asked again
    (Fault(r"/github/repos/voidful/TextRL$", status=200, times=1, body=b'{"id": 5, "name'),
     "github:voidful/textrl"),
    (Fault(r"/hf/api/datasets/stanfordnlp/SHP$", status=200, times=1, body=b'{"id": "stanf'),
     "hf:dataset/stanfordnlp/shp"),
    (Fault(r"/arxiv/api/query", status=200, times=1, headers={"Content-Type": "application/atom+xml"},
           body=b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><id>http://arxiv.org/abs/2204'),
     "arxiv:2204.05862"),
]


@pytest.mark.parametrize(("fault", "entry_id"), TRANSIENT, ids=lambda x: getattr(x, "status", x))
def test_transient_fault_is_retried(fault: Fault, entry_id: str, fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(fault)
    snapshot = nightly(fake.settings(http_retries=3, allow_loopback=True), tmp_path)
    assert status(snapshot, entry_id) == (Status.OK, None)
    assert fault.times == 0  # the fault was met, and the retry got through


def test_primary_rate_limit_waits_for_the_reset(fake: FakeAPI, tmp_path: Path) -> None:
    reset = str(int(time.time()) + 2)
    fake.faults.append(Fault(r"/github/repos/voidful/TextRL$", status=403, times=1, headers={
        "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset, "X-RateLimit-Limit": "60"},
        body=b'{"message": "API rate limit exceeded for 127.0.0.1.", "documentation_url": '
             b'"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}'))
    snapshot = nightly(fake.settings(http_retries=3), tmp_path)
    assert status(snapshot, "github:voidful/textrl") == (Status.OK, None)


def test_secondary_rate_limit_honours_retry_after(fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(Fault(r"/github/repos/voidful/TextRL$", status=403, times=1, headers={"Retry-After": "1"},
                             body=b'{"message": "You have exceeded a secondary rate limit. Please wait a few '
                                  b'minutes before you try again."}'))
    snapshot = nightly(fake.settings(http_retries=3), tmp_path)
    assert status(snapshot, "github:voidful/textrl") == (Status.OK, None)


# -- permanent faults: not retried -------------------------------------------------------------

@pytest.mark.parametrize(("code", "reason"), [(404, "not found on GitHub (deleted or private)"),
                                              (401, "GitHub answered HTTP 401"),
                                              (410, "GitHub answered HTTP 410")])
def test_permanent_github_fault_is_not_retried(code: int, reason: str, fake: FakeAPI, tmp_path: Path) -> None:
    message = {404: "Not Found", 401: "Bad credentials", 410: "Gone"}[code]
    body = f'{{"message": "{message}", "documentation_url": "https://docs.github.com/rest"}}'.encode()
    fake.faults.append(Fault(r"/github/repos/voidful/TextRL$", status=code, body=body))
    snapshot = nightly(fake.settings(http_retries=3), tmp_path)
    assert status(snapshot, "github:voidful/textrl") == (Status.ERROR, reason)
    assert hits(fake, "/repos/voidful/TextRL") == 1


def test_permanent_hub_fault_is_not_retried(fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(Fault(r"/hf/api/datasets/stanfordnlp/SHP$", status=404, body=b'{"error": "Repository not found"}',
                             headers={"X-Error-Code": "RepoNotFound"}))
    snapshot = nightly(fake.settings(http_retries=3), tmp_path)
    assert status(snapshot, "hf:dataset/stanfordnlp/shp")[0] == Status.ERROR
    assert hits(fake, "/api/datasets/stanfordnlp/SHP") == 1


# -- nothing lost --------------------------------------------------------------------------------

def test_github_down_beyond_the_retry_budget_keeps_every_repo_stale(fake: FakeAPI, tmp_path: Path) -> None:
    """Every repository but one answers 503 all night (all of them would be the whole source
    failing: refused, `test_a_whole_source_failing_is_refused`)."""
    settings = fake.settings(http_retries=10, retry_budget_seconds=1)
    first = nightly(settings, tmp_path)
    fake.faults.append(Fault(r"^/github/repos/(?!voidful/TextRL)", status=503, headers={"Retry-After": "1"}))
    started = time.monotonic()
    second = nightly(settings, tmp_path)
    assert time.monotonic() - started < 60  # one budget, not ten retries per request
    before = {e.id: e for e in first.entries if e.kind == "repo" and e.id != "github:voidful/textrl"}
    after = {e.id: e for e in second.entries if e.kind == "repo" and e.id != "github:voidful/textrl"}
    assert before and before.keys() == after.keys()
    for entry_id, entry in after.items():
        assert entry.status == Status.STALE and entry.repo == before[entry_id].repo
        assert entry.stale_since == before[entry_id].fetched_at
        assert entry.status_reason and entry.status_reason.startswith("GitHub kept failing")
    diff = (tmp_path / "out/diffs").glob("*.json")
    import json
    events = json.loads(next(diff).read_text())["events"]
    assert sorted(e["id"] for e in events if e["event"] == "went_stale") == sorted(after)


def test_network_down_keeps_latest_and_refuses_the_run(fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(http_retries=0)
    nightly(settings, tmp_path)
    latest = (tmp_path / "out/latest.json").read_bytes(), (tmp_path / "out/latest.parquet").read_bytes()
    fake.faults.append(Fault(r".", status=0))
    with pytest.raises(RejectedRunError,
                       match=r"run rejected, latest\.\* kept: 16 of 16 entries that were ok could not be fetched"):
        nightly(settings, tmp_path)
    assert ((tmp_path / "out/latest.json").read_bytes(), (tmp_path / "out/latest.parquet").read_bytes()) == latest


@pytest.mark.parametrize("garbage", [b"{not json", b"", b'{"header": {"schema_version": "9.0"}, "entries": []}'])
def test_corrupted_previous_snapshot_starts_a_fresh_history(garbage: bytes, fake: FakeAPI, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out/latest.json").write_bytes(garbage)
    snapshot = nightly(fake.settings(), tmp_path)
    assert status(snapshot, "github:lvwerra/trl") == (Status.OK, None)
    assert "previous snapshot unreadable, starting a fresh history" in caplog.text
    (diff,) = (tmp_path / "out/diffs").glob("*.json")
    assert '"first_run": true' in diff.read_text()
