"""The reliability table (docs/reliability.md), one test per row: a fault injected into the local fake
API, what the run did, and what was lost (nothing). Real clients, real HTTP."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from builders import entry_for
from conftest import BUNDLED, fetch_source, needing_schema, run
from enrich.core.errors import RejectedRunError
from enrich.core.listing import parse_list
from enrich.core.model import Entry, Failure, Snapshot, Status
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.run.build import build
from enrich.run.job import RunResult
from enrich.sandbox.sample import sample_data_dir
from enrich.sandbox.sample.papers import site_path
from enrich.sandbox.server import HANG, ArxivRoutes, FakeAPI, Fault, _strip_entry_namespaces
from enrich.sources.base import claims
from enrich.sources.registry import SOURCES
from enrich.store.raw import RawStore

OFFLINE = {"web": "offline: web pages are not fetched"}


def nightly(settings: Settings, tmp_path: Path) -> Snapshot:
    return run(str(BUNDLED), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
               skip=OFFLINE).snapshot


def bundled_fetch(source: str, settings: Settings, tmp_path: Path, store: RawStore | None = None) -> dict[str, Outcome]:
    """One source's fetch of the bundled list's entries it serves, outside a night: where the
    question is how that source meets a fault, not what the night around it does."""
    entries = [e for e in parse_list(BUNDLED.read_bytes(), str(BUNDLED)).entries if claims(SOURCES[source], e)]
    return fetch_source(source, entries, settings, store or RawStore(tmp_path / "raw" / "r1"))


SOURCE_OF = {"github": "github", "hf": "huggingface", "arxiv": "arxiv"}  # by an entry id's prefix


def status(snapshot: Snapshot, entry_id: str) -> tuple[Status, str | None]:
    entry = next(e for e in snapshot.entries if e.id == entry_id)
    return entry.status, entry.status_reason


def by_id(snapshot: Snapshot) -> dict[str, Entry]:
    return {e.id: e for e in snapshot.entries}


def hits(fake: FakeAPI, pattern: str) -> int:
    return sum(1 for x in fake.requests() if pattern in x.path)


# -- transient faults: retried, honouring Retry-After / reset, then fine ---------------------

TRANSIENT = [
    # (fault, entry that meets it: of the source whose fetch is run)
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
    source = SOURCE_OF[entry_id.split(":")[0]]
    outcomes = bundled_fetch(source, fake.settings(http_retries=3, allow_loopback=True), tmp_path)
    assert (outcomes[entry_id].status, outcomes[entry_id].reason) == (Status.OK, None)
    assert fault.times == 0  # the fault was met, and the retry got through


def test_primary_rate_limit_waits_for_the_reset(fake: FakeAPI, tmp_path: Path) -> None:
    reset = str(int(time.time()) + 2)
    fault = Fault(r"/github/repos/voidful/TextRL$", status=403, times=1, headers={
        "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset, "X-RateLimit-Limit": "60"},
        body=b'{"message": "API rate limit exceeded for 127.0.0.1.", "documentation_url": '
             b'"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}')
    fake.faults.append(fault)
    outcome = bundled_fetch("github", fake.settings(http_retries=3), tmp_path)["github:voidful/textrl"]
    assert (outcome.status, outcome.reason) == (Status.OK, None)
    assert fault.times == 0  # the limit was met, and the request asked again after the reset


def test_secondary_rate_limit_honours_retry_after(fake: FakeAPI, tmp_path: Path) -> None:
    fault = Fault(r"/github/repos/voidful/TextRL$", status=403, times=1, headers={"Retry-After": "1"},
                  body=b'{"message": "You have exceeded a secondary rate limit. Please wait a few '
                       b'minutes before you try again."}')
    fake.faults.append(fault)
    outcome = bundled_fetch("github", fake.settings(http_retries=3), tmp_path)["github:voidful/textrl"]
    assert (outcome.status, outcome.reason) == (Status.OK, None)
    assert fault.times == 0  # the limit was met, and the request asked again after the wait


# -- permanent faults: not retried -------------------------------------------------------------

@pytest.mark.parametrize(("code", "reason"), [(404, "not found on GitHub (deleted or private)"),
                                              (401, "GitHub answered HTTP 401"),
                                              (410, "GitHub answered HTTP 410")])
def test_permanent_github_fault_is_not_retried(code: int, reason: str, fake: FakeAPI, tmp_path: Path) -> None:
    message = {404: "Not Found", 401: "Bad credentials", 410: "Gone"}[code]
    body = f'{{"message": "{message}", "documentation_url": "https://docs.github.com/rest"}}'.encode()
    fake.faults.append(Fault(r"/github/repos/voidful/TextRL$", status=code, body=body))
    outcome = bundled_fetch("github", fake.settings(http_retries=3), tmp_path)["github:voidful/textrl"]
    assert (outcome.status, outcome.reason) == (Status.ERROR, reason)
    assert hits(fake, "/repos/voidful/TextRL") == 1


def test_permanent_hub_fault_is_not_retried(fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(Fault(r"/hf/api/datasets/stanfordnlp/SHP$", status=404, body=b'{"error": "Repository not found"}',
                             headers={"X-Error-Code": "RepoNotFound"}))
    outcomes = bundled_fetch("huggingface", fake.settings(http_retries=3), tmp_path)
    assert outcomes["hf:dataset/stanfordnlp/shp"].status == Status.ERROR
    assert hits(fake, "/api/datasets/stanfordnlp/SHP") == 1


# -- nothing lost --------------------------------------------------------------------------------

def test_github_down_beyond_the_retry_budget_keeps_every_repo_stale(
    clean_night: Callable[[bool], tuple[RunResult, Path]], fake: FakeAPI, tmp_path: Path
) -> None:
    """Every repository but one answers 503 all night (all of them: the whole source failing,
    published all the same, `test_source_down.py`). Night 1 is the shared clean one."""
    settings = fake.settings(http_retries=10, retry_budget_seconds=1)
    first = after_clean_night(clean_night, tmp_path)
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
    events = json.loads((tmp_path / f"out/diffs/runs/{second.header.run_id}.json").read_text())["events"]
    assert sorted(e["id"] for e in events if e["event"] == "went_stale") == sorted(after)


def test_network_down_keeps_latest_and_refuses_the_run(clean_night: Callable[[bool], tuple[RunResult, Path]],
                                                       fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(http_retries=0)
    after_clean_night(clean_night, tmp_path)
    latest = (tmp_path / "out/latest.json").read_bytes(), (tmp_path / "out/latest.parquet").read_bytes()
    fake.faults.append(Fault(r".", status=0))
    with pytest.raises(RejectedRunError,
                       match=r"run rejected, latest\.\* kept: 16 of 16 entries that were ok could not be fetched"):
        nightly(settings, tmp_path)
    assert ((tmp_path / "out/latest.json").read_bytes(), (tmp_path / "out/latest.parquet").read_bytes()) == latest


@pytest.mark.parametrize("garbage", [b"{not json", b"", b'{"header": {"schema_version": "9.0"}, "entries": []}'])
def test_corrupted_previous_snapshot_starts_a_fresh_history(garbage: bytes, fake: FakeAPI, tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    """(The small list of the publish guard's cases: what is read of the night before does not
    depend on the list's size.)"""
    (tmp_path / "out").mkdir()
    (tmp_path / "out/latest.json").write_bytes(garbage)
    serve_pages(fake, 1)
    snapshot = night(fake, tmp_path, small_list(tmp_path, dead=0))
    assert [status(snapshot, e.id) for e in snapshot.entries] == [(Status.OK, None)] * 4
    assert "previous snapshot unreadable, starting a fresh history" in caplog.text
    (diff,) = (tmp_path / "out/diffs").glob("*.json")
    assert '"first_run": true' in diff.read_text()


# -- one malformed answer costs that entry, never the night (#18 items 1, 6) -----------------

def sample(relative: str) -> dict:
    return json.loads((sample_data_dir() / relative).read_text())


def body(data: object) -> bytes:
    return json.dumps(data).encode()


TEXTRL = "github:voidful/textrl"
SHP = "hf:dataset/stanfordnlp/shp"
HTRL = r"/github/repos/voidful/TextRL"
SHP_INFO = r"/hf/api/datasets/stanfordnlp/SHP$"
SHP_CARD = r"/hf/datasets/stanfordnlp/SHP/resolve/"
REPO_FIELDS = ("stars", "forks", "languages", "last_commit_at", "commits_30d", "commits_365d",
               "contributors", "latest_release")


@dataclass
class Malformed:
    """One upstream answer that is not what the API sends, the entry it belongs to, what the
    entry says, and which of its fields keep last night's value (None: the whole record)."""

    name: str
    faults: Callable[[Path], list[Fault]]  # from night 1's raw folder
    entry: str
    reason: str
    kept: tuple[str, ...] | None
    token: bool = False
    overrides: dict[str, object] = field(default_factory=dict)


def graphql_answer_with(change: dict[str, object]) -> Callable[[Path], list[Fault]]:
    """Night 1's GraphQL answer, replayed with TextRL's node changed."""
    def faults(run_dir: Path) -> list[Fault]:
        data: dict[str, object] = {"rateLimit": {"cost": 1, "remaining": 4999, "resetAt": "2030-01-01T00:00:00Z"}}
        for doc in RawStore(run_dir).documents("github"):
            x = doc["exchanges"][0]
            node = dict(x["body"])
            if doc["entry_id"] == TEXTRL:
                node.update(change)
            data[x["alias"]] = node
        return [Fault(r"^/github/graphql$", status=200, body=body({"data": data}))]
    return faults


def arxiv_feed_with_bad_id(run_dir: Path) -> list[Fault]:
    ids = sorted(p.stem for p in (sample_data_dir() / "arxiv").glob("*.xml"))
    entries = "".join(_strip_entry_namespaces((sample_data_dir() / f"arxiv/{i}.xml").read_text()) for i in ids)
    entries = entries.replace("/abs/2204.05862v", "/abs/2204.05862v1.pdf#v", 1)
    feed = ArxivRoutes.FEED_HEAD + "  <title>arXiv Query</title>\n" + entries + "</feed>\n"
    return [Fault(r"/arxiv/api/query", status=200, body=feed.encode(),
                  headers={"Content-Type": "application/atom+xml"})]


def fixed(*faults: Fault) -> Callable[[Path], list[Fault]]:
    return lambda run_dir: list(faults)


HTML = b"<!DOCTYPE html><html><body><h1>Whoa there!</h1></body></html>"
BINARY_CARD = b"---\nlicense: mit\n---\n\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" + bytes(range(256))

MALFORMED = [
    Malformed("stats [1,2,3]", fixed(Fault(rf"{HTRL}/stats/commit_activity$", 200, body=b"[1, 2, 3]")),
              TEXTRL, "commit activity: GitHub sent a malformed answer", ("commits_30d", "commits_365d")),
    Malformed("stats as HTML", fixed(Fault(rf"{HTRL}/stats/commit_activity$", 200, body=HTML,
                                           headers={"Content-Type": "text/html"})),
              TEXTRL, "commit activity: GitHub sent a malformed answer", ("commits_30d", "commits_365d")),
    Malformed("commits {}", fixed(Fault(rf"{HTRL}/commits$", 200, body=b"{}")),
              TEXTRL, "newest commit: GitHub sent a malformed answer", ("last_commit_at",)),
    Malformed("languages as a list", fixed(Fault(rf"{HTRL}/languages$", 200, body=b'["Python"]')),
              TEXTRL, "languages: GitHub sent a malformed answer", ("languages",)),
    Malformed("contributors Link without page=", fixed(Fault(
        rf"{HTRL}/contributors$", 200, body=b'[{"login": "x"}]',
        headers={"Link": '<https://api.github.com/repos/voidful/TextRL/contributors?per_page=1>; rel="last"'})),
              TEXTRL, "contributor count: GitHub sent a malformed answer", ("contributors",)),
    Malformed("stars '4,745'", fixed(Fault(rf"{HTRL}$", 200, body=body(
        {**sample("github/repos/voidful/TextRL.json"), "stargazers_count": "4,745"}))),
              TEXTRL, "GitHub sent a malformed answer (stargazers_count: Input should be a valid integer)", None),
    Malformed("full_name null", fixed(Fault(rf"{HTRL}$", 200, body=body(
        {**sample("github/repos/voidful/TextRL.json"), "full_name": None}))),
              TEXTRL, "GitHub sent a malformed answer (no full_name)", None),
    Malformed("GraphQL stargazerCount 'many'", graphql_answer_with({"stargazerCount": "many"}),
              TEXTRL, "GitHub sent a malformed answer (stargazerCount: Input should be a valid integer)",
              None, token=True),
    Malformed("Hub info an array", fixed(Fault(SHP_INFO, 200, body=b'[{"id": "stanfordnlp/SHP"}]')),
              SHP, "the Hub sent a malformed answer (not a JSON object)", None),
    Malformed("Hub info without id", fixed(Fault(SHP_INFO, 200, body=body(
        {k: v for k, v in sample("huggingface/datasets/stanfordnlp/SHP.json").items() if k != "id"}))),
              SHP, "the Hub sent a malformed answer (id: Field required)", None),
    Malformed("Hub likes 'lots'", fixed(Fault(SHP_INFO, 200, body=body(
        {**sample("huggingface/datasets/stanfordnlp/SHP.json"), "likes": "lots"}))),
              SHP, "the Hub sent a malformed answer (likes: Input should be a valid integer)", None),
    Malformed("Hub info without sha", fixed(Fault(SHP_INFO, 200, body=body(
        {k: v for k, v in sample("huggingface/datasets/stanfordnlp/SHP.json").items() if k != "sha"}))),
              SHP, "the Hub sent a malformed answer (no sha)", ("sha",)),
    Malformed("binary card with YAML front matter", fixed(Fault(SHP_CARD, 200, body=BINARY_CARD,
                                                                headers={"Content-Type": "text/plain"})),
              SHP, "card not read (not text)", ("card",)),
    Malformed("card over the size cap", fixed(Fault(SHP_CARD, 200, body=b"# big\n" + b"x" * 5000,
                                                    headers={"Content-Type": "text/plain"})),
              SHP, "card not read (larger than 4000 bytes)", ("card",), overrides={"web_max_bytes": 4000}),
    Malformed("arXiv id …/abs/2204.05862v1.pdf", arxiv_feed_with_bad_id,
              "arxiv:2204.05862", "arXiv sent a malformed entry", None),
]


@pytest.fixture(scope="module")
def clean_night(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bool], tuple[RunResult, Path]]:
    """Night 1 of the bundled list, clean (with a token or without): run once for all the
    malformed-answer cases, each of which copies its output folder (its own fake serves night 2)."""
    nights: dict[bool, tuple[RunResult, Path]] = {}

    def night(token: bool) -> tuple[RunResult, Path]:
        if token not in nights:
            folder = tmp_path_factory.mktemp(f"clean-night-{'token' if token else 'anonymous'}")
            with FakeAPI([]) as fake:
                settings = fake.settings(http_retries=1, allow_loopback=True,
                                         **({"github_token": "fake-token-for-tests"} if token else {}))
                result = run(str(BUNDLED), settings=settings, out_dir=folder / "out", raw_root=folder / "raw1",
                             skip=OFFLINE)
            nights[token] = (result, folder / "out")
        return nights[token]

    return night


def after_clean_night(clean_night: Callable[[bool], tuple[RunResult, Path]], tmp_path: Path) -> Snapshot:
    """Night 1 (the shared clean one, anonymous) as if `nightly` had run it here: its output
    and raw folders copied to ``tmp_path``; its snapshot."""
    first, out = clean_night(False)
    shutil.copytree(out, tmp_path / "out")
    shutil.copytree(first.run_dir.parent, tmp_path / "raw")
    return first.snapshot


@pytest.mark.parametrize("case", needing_schema(MALFORMED, lambda c: c.token), ids=lambda c: c.name)
def test_a_malformed_answer_costs_its_entry_only(case: Malformed, clean_night: Callable[[bool], tuple[RunResult, Path]],
                                                 fake: FakeAPI, tmp_path: Path) -> None:
    """Night 1 is clean; on night 2 one upstream answer is malformed: that entry is stale with
    the reason (the fields it could not read keep night 1's values), and every other entry is ok.

    Night 2 is its source's alone: that source fetches the bundled list's entries again (all of
    them, a fresh context: no ETags, no reused card) into a copy of night 1's raw folder, and
    the snapshot is built from it (`build`, what a run publishes) against night 1's. The whole
    night around a malformed answer (every source, the publish, a rebuild of the raw folder
    giving the published snapshot) is `test_a_night_that_meets_a_malformed_answer_publishes_the_rest`'s."""
    first, _ = clean_night(case.token)
    store = its_source_again(case, first, fake, tmp_path)
    before, after = by_id(first.snapshot), by_id(build(store, first.snapshot))
    entry = after[case.entry]
    assert entry.status == Status.STALE and case.reason in (entry.status_reason or ""), entry.status_reason
    assert entry.stale_since == before[case.entry].fetched_at
    record, earlier = (getattr(e, "repo") or getattr(e, "hub") or getattr(e, "paper")
                       for e in (entry, before[case.entry]))
    if case.kept is None:
        assert record == earlier and entry.fetched_at == before[case.entry].fetched_at
    else:
        assert entry.fetched_at and entry.fetched_at > before[case.entry].fetched_at  # type: ignore[operator]
        for name in case.kept:
            assert getattr(record, name) == getattr(earlier, name) is not None, name
    others = [e for e in after.values() if e.id != case.entry and e.status != Status.SKIPPED]
    assert others and all(e.status == Status.OK for e in others), [(e.id, e.status_reason) for e in others
                                                                    if e.status != Status.OK]


def its_source_again(case: Malformed, first: RunResult, fake: FakeAPI, tmp_path: Path) -> RawStore:
    """Night 1's raw folder (copied) with the case's source fetched again against its faults
    (the bundled list's entries of that source, a fresh context: no ETags, no reused card)."""
    token = {"github_token": "fake-token-for-tests"} if case.token else {}
    settings = fake.settings(http_retries=1, allow_loopback=True, **token, **case.overrides)
    fake.faults.extend(case.faults(first.run_dir))
    store = RawStore(tmp_path / "raw2" / first.run_dir.name)
    shutil.copytree(first.run_dir, store.run_dir)
    bundled_fetch(SOURCE_OF[case.entry.split(":")[0]], settings, tmp_path, store)
    return store


@pytest.mark.parametrize("case", [c for c in MALFORMED if c.kept is None and not c.token],
                         ids=lambda c: c.name)
def test_a_malformed_answer_on_a_first_run_is_an_error(case: Malformed, clean_night: Callable[[bool], tuple[RunResult, Path]],
                                                       fake: FakeAPI, tmp_path: Path) -> None:
    """With no night before (the snapshot built without one), the entry is an error: nothing
    to keep. Its source's fetch alone, as in `test_a_malformed_answer_costs_its_entry_only`."""
    first, _ = clean_night(False)
    entries = by_id(build(its_source_again(case, first, fake, tmp_path)))
    entry = entries[case.entry]
    assert (entry.status, entry.failure) == (Status.ERROR, Failure.MALFORMED)
    assert case.reason in (entry.status_reason or "")
    others = [e for e in entries.values() if e.id != case.entry and e.status != Status.SKIPPED]
    assert others and all(e.status == Status.OK for e in others), [(e.id, e.status_reason) for e in others
                                                                    if e.status != Status.OK]


def test_a_night_that_meets_a_malformed_answer_publishes_the_rest(fake: FakeAPI, tmp_path: Path) -> None:
    """A whole night (every source, the publish) meets one malformed answer: its entry is an
    error, every other entry is ok and published, and a rebuild of the raw folder gives the
    same snapshot. The other cases ask the same of their source's fetch alone."""
    case = next(c for c in MALFORMED if c.name == "stars '4,745'")
    fake.faults.extend(case.faults(tmp_path))
    result = run(str(BUNDLED), settings=fake.settings(http_retries=1), out_dir=tmp_path / "out",
                 raw_root=tmp_path / "raw", skip=OFFLINE)
    entry = by_id(result.snapshot)[case.entry]
    assert (entry.status, entry.failure) == (Status.ERROR, Failure.MALFORMED)
    assert case.reason in (entry.status_reason or "")
    others = [e for e in result.snapshot.entries if e.id != case.entry and e.status != Status.SKIPPED]
    assert others and all(e.status == Status.OK for e in others), [(e.id, e.status_reason) for e in others
                                                                    if e.status != Status.OK]
    assert (tmp_path / "out/latest.json").read_text().count(result.snapshot.header.run_id) == 1  # published
    assert build(RawStore(result.run_dir)) == result.snapshot


def test_rebuild_of_a_raw_folder_no_reader_expected_fails_only_those_entries(
    clean_night: Callable[[bool], tuple[RunResult, Path]], tmp_path: Path
) -> None:
    """A document of a shape nothing checks for (a bug, a hand edit) fails its entry with a
    one-line reason in a rebuild, never the rebuild. (Night 1's raw folder, shared, copied.)"""
    first, _ = clean_night(False)
    store = RawStore(tmp_path / "raw" / first.run_dir.name)
    shutil.copytree(first.run_dir, store.run_dir)
    assert all(e.status == Status.OK for e in build(store).entries if e.kind in ("repo", "dataset", "paper"))
    (textrl,) = [d for d in store.documents("github") if d["entry_id"] == TEXTRL]
    textrl["exchanges"][0]["fetched_at"] = "last tuesday"
    store.put("github", TEXTRL, textrl)
    store.put("huggingface", SHP, {"entry_id": SHP, "kind": "dataset", "exchanges": "nope"})
    for doc in store.documents("arxiv"):
        doc["fetched_at"] = None
        store.put("arxiv", "query-00001", doc)
    rebuilt = build(store)
    entries = by_id(rebuilt)
    for broken in (TEXTRL, SHP, "arxiv:2204.05862"):
        assert entries[broken].status == Status.ERROR, broken
        assert entries[broken].status_reason.startswith("answer could not be read"), broken  # type: ignore[union-attr]
        assert "\n" not in entries[broken].status_reason  # type: ignore[operator]
    fine = [e for e in rebuilt.entries if e.kind in ("repo", "dataset") and e.id not in (TEXTRL, SHP)]
    assert fine and all(e.status == Status.OK for e in fine)


# -- no upstream can hold the night (#18 items 2, 3) -------------------------------------------

@pytest.mark.parametrize("page", [
    "drip?bytes=40&every=0.1",  # the body, one byte every 0.1 s: every read is quick
    "drip-headers?bytes=40&every=0.1",  # the headers, likewise: httpx never sees a response
    "slow-redirect/4?every=0.3",  # four redirects, each answered in time
])
def test_a_page_that_drips_is_timed_out_as_a_whole(page: str, fake: FakeAPI, tmp_path: Path) -> None:
    settings = fake.settings(allow_loopback=True, web_timeout_seconds=1.0)
    entry = entry_for(f"{fake.base_url}/pages/{page}")
    ok = entry_for(f"{fake.base_url}/pages/ok")
    outcomes = fetch_source("web", [entry, ok], settings, RawStore(tmp_path / "raw" / "r1"))
    assert (outcomes[entry.id].status, outcomes[entry.id].reason) == (Status.ERROR, "timed out")
    assert outcomes[entry.id].failure == Failure.UNREACHABLE
    assert outcomes[ok.id].status == Status.OK


# A read timeout that every answer of the fake meets on a loaded machine (2 cores, load 20) when
# the run is one source's fetch alone, short enough that waiting it out twice costs little.
READ_TIMEOUT = 0.5


@pytest.mark.parametrize(("times", "expected"), [(None, Status.STALE), (1, Status.OK)])
def test_arxiv_that_accepts_and_never_answers_is_timed_out(
    times: int | None, expected: Status, clean_night: Callable[[bool], tuple[RunResult, Path]],
    fake: FakeAPI, tmp_path: Path
) -> None:
    """The arxiv client sends no timeout of its own: its session gets one. A request that times
    out is asked again (within the run's budget), then its papers go stale; the other batches
    are fine. (arXiv as a whole failing is published too: `test_source_down.py`.)

    Night 1 is clean (shared); night 2 is arXiv's fetch alone (as in
    `test_a_malformed_answer_costs_its_entry_only`), the snapshot built against night 1's. The
    hung request is never answered (`HANG`), so it times out however slow the machine; the
    other requests are the fetch's only ones (no other source's threads beside them), each
    answered well within the read timeout, and asked again if not."""
    first, _ = clean_night(False)
    # The first batch (the three smallest ids) hangs.
    fault = Fault(r"^/arxiv/api/query", status=HANG, times=times, query=r"1909\.08593")
    case = Malformed("arXiv hangs", fixed(fault), "arxiv:2209.07858", "arXiv: timed out", None,
                     overrides={"http_timeout_seconds": READ_TIMEOUT, "arxiv_batch_size": 3})
    second = build(its_source_again(case, first, fake, tmp_path), first.snapshot)
    hung = {"arxiv:1909.08593", "arxiv:2204.05862", "arxiv:2209.07858"}
    papers = [e for e in second.entries if e.id in hung]
    assert len(papers) == 3 and all(e.status == expected for e in papers)
    assert fault.times in (None, 0)  # the hang was met (and, once, asked again past it)
    if expected == Status.STALE:
        assert all(e.status_reason == "arXiv: timed out" and e.failure == Failure.UNREACHABLE for e in papers)
        assert all(e.paper == by_id(first.snapshot)[e.id].paper for e in papers)
        assert all(e.stale_since == by_id(first.snapshot)[e.id].fetched_at for e in papers)
    others = [e for e in second.entries if e.kind in ("repo", "dataset", "paper") and e.id not in hung]
    assert others and all(e.status == Status.OK for e in others)


# -- GraphQL: a malformed answer is one batch's, a refusal costs one query (#18 items 4, 5) ----

REPOS7 = ["huggingface/trl", "CarperAI/trlx", "allenai/RL4LMs", "lucidrains/PaLM-rlhf-pytorch",
          "voidful/TextRL", "openai/lm-human-preferences", "LAION-AI/Open-Assistant"]


def graphql_run(fake: FakeAPI, tmp_path: Path, repos: list[str] = REPOS7,
                **overrides: object) -> dict[str, Outcome]:
    settings = fake.settings(**{"github_token": "fake-token-for-tests", "github_graphql_batch_size": 4,
                                **overrides})
    entries = [entry_for(f"https://github.com/{r}") for r in repos]
    return fetch_source("github", entries, settings, RawStore(tmp_path / "raw" / "r1"))


def graphql_queries(fake: FakeAPI) -> int:
    return sum(1 for e in fake.requests("github") if e.path == "/github/graphql")


@pytest.mark.graphql_schema
def test_graphql_answered_with_html_is_asked_again(fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(Fault(r"^/github/graphql$", status=200, body=HTML, times=1,
                             headers={"Content-Type": "text/html"}))
    outcomes = graphql_run(fake, tmp_path, http_retries=2)
    assert all(o.status == Status.OK for o in outcomes.values())
    assert graphql_queries(fake) == 3  # the HTML, then both batches


@pytest.mark.graphql_schema
def test_graphql_html_that_persists_fails_its_batch_not_the_later_ones(fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(Fault(r"^/github/graphql$", status=200, body=HTML, times=2,
                             headers={"Content-Type": "text/html"}))
    outcomes = graphql_run(fake, tmp_path, http_retries=1)
    first, later = REPOS7[:4], REPOS7[4:]
    for name in first:
        outcome = outcomes[f"github:{name.lower()}"]
        assert (outcome.status, outcome.failure) == (Status.ERROR, Failure.MALFORMED)
        assert outcome.reason == "GitHub sent a malformed GraphQL answer 2 times"
    assert all(outcomes[f"github:{n.lower()}"].status == Status.OK for n in later)


@pytest.mark.parametrize(("status", "queries"), [(401, 1), (403, 1), (400, 1), (502, 5), (504, 5)])
def test_a_graphql_batch_is_split_only_when_it_timed_out(status: int, queries: int, fake: FakeAPI,
                                                         tmp_path: Path) -> None:
    """A persistent refusal costs one query, not 2n-1; a 502/504 (GitHub's "took too long")
    is asked again as two halves (and here fails them too)."""
    fake.faults.append(Fault(r"^/github/graphql$", status=status,
                             body=b'{"message": "Bad credentials", "documentation_url": "https://docs.github.com"}'))
    outcomes = graphql_run(fake, tmp_path, REPOS7[:3], http_retries=0)
    assert all(o.status == Status.ERROR for o in outcomes.values())
    assert graphql_queries(fake) == queries  # 3 repositories in one batch: 2*3-1 when split


# -- the publish guard refuses regressions, not dead links (#18 item 30) -----------------------

# The small list's pages: sample pages (test data) on a host of their own, which the fake serves
# through its mirror of sites (``web_mirror_url``), so that a page's link does not name the
# fake's port and one night's folders serve another fake's night.
PAGES = "https://docs.sample.org"


def small_list(folder: Path, dead: int, live: int = 1) -> Path:
    """Three repositories, ``live`` pages (`serve_pages`) and ``dead`` pages that answer 404."""
    lines = ["# Sample list (test data)", "", "## Code", ""]
    lines += [f"* https://github.com/{name}" for name in ("huggingface/trl", "voidful/TextRL", "CarperAI/trlx")]
    lines += ["", "## Pages", ""]
    lines += [f"* [live {i}]({PAGES}/live-{i})" for i in range(live)]
    lines += [f"* [dead {i}]({PAGES}/gone-{i})" for i in range(dead)]
    path = folder / "list.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def serve_pages(fake: FakeAPI, live: int) -> None:
    """The small list's ``live`` pages, in the fake's newest data folder."""
    for i in range(live):
        path = fake.data_dirs[-1] / site_path(f"{PAGES}/live-{i}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><head><title>Live page {i} (sample page)</title></head><body></body></html>")


def night(fake: FakeAPI, tmp_path: Path, listed: Path, **overrides: object) -> Snapshot:
    settings = fake.settings(**{"allow_loopback": True, "http_retries": 0, "web_mirror_url": fake.sites_url,
                                **overrides})
    return run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw").snapshot


def test_a_first_run_of_a_list_of_dead_links_is_published(fake: FakeAPI, tmp_path: Path) -> None:
    serve_pages(fake, 1)
    snapshot = night(fake, tmp_path, small_list(tmp_path, dead=6))
    dead = [e for e in snapshot.entries if "gone-" in e.id]
    assert len(dead) == 6 and all(e.status == Status.ERROR and e.failure == Failure.NOT_FOUND for e in dead)
    assert all(e.status == Status.OK for e in snapshot.entries if e not in dead)
    assert (tmp_path / "out/latest.json").is_file()
    again = night(fake, tmp_path, small_list(tmp_path, dead=6))  # and every night after
    assert [e.status for e in again.entries] == [e.status for e in snapshot.entries]


@dataclass
class Regression:
    name: str
    faults: list[Fault]
    refused: str | None  # the refusal's words, or None: published
    overrides: dict[str, object] = field(default_factory=dict)
    rate_limit: int | None = None


REGRESSIONS = [
    Regression("network down", [Fault(r".", status=0)], "9 of 9 entries that were ok could not be fetched"),
    # One source down: its entries keep their last values, the others' night is published.
    Regression("GitHub down, the rest fine", [Fault(r"^/github/", status=0)], None),
    Regression("a token revoked", [Fault(r"^/github/repos/", status=401, body=b'{"message": "Bad credentials"}')],
               None),
    Regression("one repository down", [Fault(r"^/github/repos/voidful/", status=0)], None),
    Regression("every repository deleted", [Fault(r"^/github/repos/", status=404, body=b'{"message": "Not Found"}')],
               None),
    Regression("every page gone", [Fault(r"^/sites/", status=404, body=b"<title>Not found</title>")], None),
    Regression("the rate limit spent: deferred", [], None, rate_limit=0),
]


@pytest.fixture(scope="module")
def guard_night_1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Night 1 of the small list (3 repositories, 6 live pages, 3 dead ones), published: run once
    for the module on a fake of its own; its folder holds the list, ``out`` and ``raw``."""
    folder = tmp_path_factory.mktemp("guard-night-1")
    (folder / "fake-data").mkdir()
    with FakeAPI([folder / "fake-data"]) as fake:
        serve_pages(fake, 6)
        night(fake, folder, small_list(folder, dead=3, live=6))
    return folder


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda c: c.name)
def test_the_publish_guard_refuses_regressions_only(case: Regression, guard_night_1: Path, fake: FakeAPI,
                                                    tmp_path: Path) -> None:
    """Night 1 publishes (3 repositories, 6 live pages, 3 dead ones: shared, its folders copied);
    night 2 meets the fault."""
    for name in ("out", "raw"):
        shutil.copytree(guard_night_1 / name, tmp_path / name)
    listed = guard_night_1 / "list.md"  # the same list, read only
    serve_pages(fake, 6)
    latest = (tmp_path / "out/latest.json").read_bytes()
    fake.faults.extend(case.faults)
    if case.rate_limit is not None:
        fake.rate_limits["core"] = case.rate_limit
    if case.refused is None:
        second = night(fake, tmp_path, listed, **case.overrides)
        assert (tmp_path / "out/latest.json").read_bytes() != latest
        assert any(e.status != Status.OK for e in second.entries)
        return
    with pytest.raises(RejectedRunError, match=re.escape(case.refused)):
        night(fake, tmp_path, listed, **case.overrides)
    assert (tmp_path / "out/latest.json").read_bytes() == latest
    assert list((tmp_path / "out/rejected").glob("*.json"))


def test_a_first_run_with_the_network_down_is_refused(fake: FakeAPI, tmp_path: Path) -> None:
    fake.faults.append(Fault(r".", status=0))
    with pytest.raises(RejectedRunError, match=r"7 of 7 entries could not be fetched"):
        night(fake, tmp_path, small_list(tmp_path, dead=3))
    assert not (tmp_path / "out/latest.json").exists()
