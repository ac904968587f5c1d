"""One source down, or left out of a run, must not cost the other sources' night (#22 items 5, 6).

The rules are tables over the code that decides them (the publish guard, the carry-forward of
`enrich.core.assemble`); the acceptance is the real job against the local fake API, two nights:
the other sources publish, nothing is wiped.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import BUNDLED, needing_schema, run
from enrich.core.assemble import apply_outcome, assemble
from enrich.core.links import Kind
from enrich.core.listing import parse_list
from enrich.core.model import (
    Author,
    Entry,
    Failure,
    HubPaper,
    HubRepo,
    Paper,
    Repo,
    Snapshot,
    Status,
    WebPage,
)
from enrich.core.outcome import Outcome
from enrich.core.settings import Settings
from enrich.core.specs import REGISTRY
from enrich.run.guard import failed_as_a_whole, verdict
from enrich.run.job import RunResult
from enrich.run.summary import failed_sources, one_line, summary_markdown
from enrich.sandbox.sample.generate import load_facts, sample_collection
from enrich.sandbox.server import HANG, FakeAPI, Fault
from enrich.sources import NAMES
from enrich.sources.base import claims, supplement_fields
from enrich.sources.registry import SOURCES

OFFLINE = {"web": "offline: web pages are not fetched"}
TOKEN = "fake-token-for-tests"
NIGHT1 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
NIGHT2 = NIGHT1 + timedelta(days=1)
LISTED = parse_list(BUNDLED.read_bytes(), str(BUNDLED)).entries  # the bundled list's 27 entries


# -- the publish guard: a source down is published, the network down is not (item 5) ----------

def night_of(kinds: dict[Kind, tuple[Status, Failure | None, str | None]], *, fresh: bool = True,
             stale_since: datetime | None = NIGHT1) -> Snapshot:
    """The bundled list's snapshot, web pages skipped (offline): each entry ``ok`` unless its
    kind is in ``kinds`` (status, failure, reason); stale entries keep night 1's values."""
    entries = []
    for entry in LISTED:
        status, failure, reason = kinds.get(entry.kind, (Status.OK, None, None))
        if entry.kind == Kind.WEB:
            status, failure, reason = Status.SKIPPED, None, OFFLINE["web"]
        update: dict[str, Any] = {"status": status, "failure": failure, "status_reason": reason}
        if status == Status.STALE:
            update.update(fetched_at=NIGHT1, stale_since=stale_since)
        elif status == Status.OK:
            update.update(fetched_at=NIGHT2 if fresh else NIGHT1)
        entries.append(entry.model_copy(update=update))
    at = NIGHT2 if fresh else NIGHT1
    return assemble(entries, generated_at=at, run_id=at.strftime("%Y%m%dT%H%M%S%fZ"),
                    list_source=str(BUNDLED), list_sha256="0" * 64)


GOOD = night_of({}, fresh=False)  # night 1: 7 papers, 7 repositories, 2 datasets ok; 11 pages skipped
HUNG = (Status.STALE, Failure.UNREACHABLE, "arXiv: timed out")
HTML = (Status.STALE, Failure.MALFORMED, "GitHub sent a malformed GraphQL answer 2 times")
REVOKED = (Status.STALE, Failure.UNAUTHORIZED, "GitHub answered HTTP 401")
DROPPED = (Status.STALE, Failure.UNREACHABLE, "the Hub kept failing: ConnectionError")
DOWN = {Kind.PAPER: HUNG, Kind.REPO: (Status.STALE, Failure.UNREACHABLE, "GitHub kept failing"),
        Kind.DATASET: DROPPED}


@dataclass
class Night:
    name: str
    tonight: Snapshot
    refused: str | None  # the refusal's words, or None: published
    previous: Snapshot | None = field(default_factory=lambda: GOOD)
    share: float = 0.5


def first(kinds: dict[Kind, tuple[Status, Failure | None, str | None]]) -> Snapshot:
    """A first run: what failed has no values to keep (``error``)."""
    return night_of({k: (Status.ERROR, f, r) for k, (_, f, r) in kinds.items()})


GUARD = [
    # One source down: its entries keep their last values (stale); the others' night is published.
    Night("arXiv accepts and never answers: 7 papers stale", night_of({Kind.PAPER: HUNG}), None),
    Night("GraphQL answers a 200 HTML page: 7 repositories stale", night_of({Kind.REPO: HTML}), None),
    Night("a revoked token: every repository 401", night_of({Kind.REPO: REVOKED}), None),
    Night("the Hub drops every connection: 2 datasets stale", night_of({Kind.DATASET: DROPPED}), None),
    Night("a first run with arXiv down", first({Kind.PAPER: HUNG}), None, previous=None),
    # The share keeps its meaning: more than it of what was ok could not be fetched.
    Night("GitHub and arXiv down: 14 of 16", night_of({Kind.PAPER: HUNG, Kind.REPO: HTML}),
          "14 of 16 entries that were ok could not be fetched (88% > 50%; most often: "),
    Night("the Hub down, a share of 10%", night_of({Kind.DATASET: DROPPED}),
          "2 of 16 entries that were ok could not be fetched (12% > 10%", share=0.1),
    # The network down: nothing refreshed is refused, whatever the share.
    Night("the network down", night_of(DOWN), "16 of 16 entries that were ok could not be fetched"),
    Night("the network down, a share of 100%", night_of(DOWN),
          "nothing could be fetched: none of the 16 entries (most often: arXiv: timed out)", share=1.0),
    Night("a first run with the network down", first(DOWN), "16 of 16 entries could not be fetched",
          previous=None),
    Night("a first run with the network down, a share of 100%", first(DOWN),
          "nothing could be fetched: none of the 16 entries", previous=None, share=1.0),
    # Facts about the list and plans are not failures of the run.
    Night("every repository deleted", night_of({Kind.REPO: (Status.STALE, Failure.NOT_FOUND,
                                                             "not found on GitHub (deleted or private)")}), None),
    Night("a source left out: papers skipped with their values",
          night_of({Kind.PAPER: (Status.SKIPPED, None, "source disabled for this run; values of 2026-11-27 kept")}),
          None),
]


@pytest.mark.parametrize("case", GUARD, ids=lambda c: c.name)
def test_the_guard_publishes_a_source_down_and_refuses_a_night_that_refreshed_nothing(case: Night) -> None:
    why = verdict(case.tonight, case.share, case.previous)
    if case.refused is None:
        assert why is None
    else:
        assert why is not None and case.refused in why, why


def ok(record: object = None) -> Outcome[Any]:
    return Outcome(Status.OK, record, fetched_at=NIGHT2)  # type: ignore[arg-type]


def lost(reason: str, failure: Failure | None = Failure.UNREACHABLE) -> Outcome[Any]:
    return Outcome(Status.ERROR, reason=reason, failure=failure)


WHOLE = [
    ("arXiv hung on its one query", [lost("arXiv: timed out")] * 7,
     "none of its 7 entries could be fetched (most often: arXiv: timed out)"),
    ("GraphQL answered HTML for the batch", [lost("GitHub sent a malformed GraphQL answer 2 times", Failure.MALFORMED)] * 7,
     "none of its 7 entries could be fetched (most often: GitHub sent a malformed GraphQL answer 2 times)"),
    ("every Hub paper page unread (no kind of failure)", [lost("Hub paper page not read: timed out", None)] * 5,
     "none of its 5 entries could be fetched (most often: Hub paper page not read: timed out)"),
    ("a crashed task: its entries given the recorded failure", [lost("huggingface failed: ConnectionError")] * 2,
     "none of its 2 entries could be fetched (most often: huggingface failed: ConnectionError)"),
    ("six of seven down", [lost("arXiv: timed out")] * 6 + [ok()], None),
    ("one entry, down", [lost("the Hub kept failing")], None),  # that entry's trouble
    ("every repository deleted", [lost("not found on GitHub (deleted or private)", Failure.NOT_FOUND)] * 7, None),
    ("the rate limit spent: deferred", [lost("deferred: until 04:00 UTC", Failure.DEFERRED)] * 7, None),
    ("partly refreshed: statistics kept", [Outcome(Status.OK, None, "commit activity: GitHub sent a malformed answer",
                                                   NIGHT2, Failure.MALFORMED, ("commits_30d",))] * 3, None),
]


@pytest.mark.parametrize(("name", "outcomes", "expected"), WHOLE, ids=[w[0] for w in WHOLE])
def test_a_source_failed_as_a_whole_when_none_of_its_entries_could_be_fetched(
    name: str, outcomes: list[Outcome[Any]], expected: str | None
) -> None:
    assert failed_as_a_whole(outcomes) == expected


CLAUSES = [
    ({}, ""),
    ({"arxiv": "none of its 7 entries could be fetched (most often: arXiv: timed out)"},
     "; source arxiv failed: none of its 7 entries could be fetched (most often: arXiv: timed out)"),
    # a task that crashed says so in its own words (`steps.fetch_source`), on one line
    ({"huggingface": "huggingface failed: ConnectionError: ('Connection aborted.',\n  RemoteDisconnected('closed'))"},
     "; source huggingface failed: ConnectionError: ('Connection aborted.', RemoteDisconnected('closed'))"),
    ({"papers": "none of its 7 entries could be fetched (most often: Hub paper page not read: HTTP 503)",
      "huggingface": "none of its 2 entries could be fetched (most often: Hub unreachable (ConnectError))"},
     "; source huggingface failed: none of its 2 entries could be fetched (most often: Hub unreachable (ConnectError))"
     "; source papers failed: none of its 7 entries could be fetched (most often: Hub paper page not read: HTTP 503)"),
]


@pytest.mark.parametrize(("failures", "clause"), CLAUSES)
def test_the_summary_names_the_sources_that_failed(failures: dict[str, str], clause: str) -> None:
    assert failed_sources(failures) == clause


# -- a source left out keeps its last values, with when they were fetched (item 6) ------------

def listed(entry_id: str) -> Entry:
    return next(e for e in LISTED if e.id == entry_id)


PAPER = Paper(arxiv_id="2204.05862", versioned_id="2204.05862v1", version=1, abstract="We apply preference modeling…",
              title="Training a Helpful and Harmless Assistant with RLHF", authors=[Author(name="Yuntao Bai")])
REPO = Repo(repo_id=266404863, full_name="huggingface/trl", html_url="https://github.com/huggingface/trl",
            renamed_from="lvwerra/trl", stars=12874, forks=1745, watchers=76, open_issues=412)
HUB = HubRepo(repo_type="dataset", repo_id="Anthropic/hh-rlhf", downloads=13520, likes=1268)
PAGE = WebPage(final_url="https://carper.ai/", http_status=200, title="CarperAI", checked_at=NIGHT1)
HUB_PAGE = HubPaper(arxiv_id="2204.05862", on_hub=True, upvotes=14, github_repo="https://github.com/anthropics/hh-rlhf",
                    github_repo_id="github:anthropics/hh-rlhf", github_stars=1300, fetched_at=NIGHT1)
KEPT_SINCE = NIGHT1 - timedelta(days=2)


@dataclass
class LeftOut:
    name: str
    entry: str
    field: str
    before: dict[str, Any]  # the entry last night
    status: Status  # tonight
    reason: str | None
    kept: bool = True  # whether last night's values are tonight's
    stale_since: datetime | None = None
    supplement: bool = False
    primary: dict[str, Any] = field(default_factory=dict)  # tonight, before the supplement


LEFT_OUT = [
    LeftOut("arXiv left out: the paper keeps its record", "arxiv:2204.05862", "paper",
            dict(status=Status.OK, paper=PAPER, hub_paper=HUB_PAGE, fetched_at=NIGHT1),
            Status.SKIPPED, "source disabled for this run; values of 2026-11-27 kept"),
    LeftOut("GitHub left out: the repository keeps its stars", "github:lvwerra/trl", "repo",
            dict(status=Status.OK, repo=REPO, fetched_at=NIGHT1),
            Status.SKIPPED, "source disabled for this run; values of 2026-11-27 kept"),
    LeftOut("the Hub left out: the dataset keeps its downloads", "hf:dataset/anthropic/hh-rlhf", "hub",
            dict(status=Status.OK, hub=HUB, fetched_at=NIGHT1),
            Status.SKIPPED, "source disabled for this run; values of 2026-11-27 kept"),
    LeftOut("web left out: the page keeps its title", "https://carper.ai/", "web",
            dict(status=Status.OK, web=PAGE, fetched_at=NIGHT1),
            Status.SKIPPED, "source disabled for this run; values of 2026-11-27 kept"),
    LeftOut("left out after a stale night: still since when they were kept", "github:lvwerra/trl", "repo",
            dict(status=Status.STALE, repo=REPO, fetched_at=NIGHT1, stale_since=KEPT_SINCE,
                 failure=Failure.MALFORMED, status_reason="commit activity: GitHub sent a malformed answer"),
            Status.SKIPPED, "source disabled for this run; values of 2026-11-27 kept", stale_since=KEPT_SINCE),
    LeftOut("left out two nights in a row", "github:lvwerra/trl", "repo",
            dict(status=Status.SKIPPED, repo=REPO, fetched_at=NIGHT1,
                 status_reason="source disabled for this run; values of 2026-11-27 kept"),
            Status.SKIPPED, "source disabled for this run; values of 2026-11-27 kept"),
    LeftOut("left out after an error: nothing good to keep", "github:lvwerra/trl", "repo",
            dict(status=Status.ERROR, failure=Failure.UNREACHABLE, status_reason="GitHub kept failing"),
            Status.SKIPPED, "source disabled for this run", kept=False),
    LeftOut("left out on a first run", "github:lvwerra/trl", "repo", {},
            Status.SKIPPED, "source disabled for this run", kept=False),
    # The papers source is a supplement: the entry's status stays arXiv's, the Hub page is kept.
    LeftOut("papers left out: upvotes and the code tie kept", "arxiv:2204.05862", "hub_paper",
            dict(status=Status.OK, paper=PAPER, hub_paper=HUB_PAGE, fetched_at=NIGHT1),
            Status.OK, "papers: source disabled for this run (last good values of 2026-11-27 kept)",
            supplement=True, primary=dict(status=Status.OK, paper=PAPER, fetched_at=NIGHT2)),
    LeftOut("papers left out while arXiv failed: arXiv's reason stands", "arxiv:2204.05862", "hub_paper",
            dict(status=Status.OK, paper=PAPER, hub_paper=HUB_PAGE, fetched_at=NIGHT1),
            Status.STALE, "arXiv: timed out", supplement=True,
            primary=dict(status=Status.STALE, paper=PAPER, hub_paper=HUB_PAGE, fetched_at=NIGHT1,
                         stale_since=NIGHT1, failure=Failure.UNREACHABLE, status_reason="arXiv: timed out")),
    LeftOut("papers left out on a first run", "arxiv:2204.05862", "hub_paper", {},
            Status.OK, None, kept=False, supplement=True,
            primary=dict(status=Status.OK, paper=PAPER, fetched_at=NIGHT2)),
]


@pytest.mark.parametrize("case", LEFT_OUT, ids=lambda c: c.name)
def test_a_source_left_out_carries_its_last_values_forward(case: LeftOut) -> None:
    entry = listed(case.entry)
    before = entry.model_copy(update=case.before) if case.before else None
    source = SOURCES["papers"] if case.supplement else next(s for s in SOURCES.values() if s.spec.slot.field == case.field)
    reason = f"{source.name}: source disabled for this run" if case.supplement else "source disabled for this run"
    tonight = entry.model_copy(update=case.primary)
    after = apply_outcome(tonight, Outcome(Status.SKIPPED, reason=reason), source.spec, before)
    assert (after.status, after.status_reason) == (case.status, case.reason)
    if not case.kept:
        assert getattr(after, case.field) is None
        return
    assert before is not None and getattr(after, case.field) == getattr(before, case.field) is not None
    if case.supplement:
        assert after.hub_paper is not None and after.hub_paper.fetched_at == NIGHT1  # when they were fetched
        assert after.paper == PAPER
    else:
        assert (after.fetched_at, after.stale_since, after.failure) == (NIGHT1, case.stale_since, None)
        for name in REGISTRY.record_fields:  # the entry's other records too (a paper's Hub page)
            assert getattr(after, name) == getattr(before, name), name


# -- the acceptance: the real job, two nights (items 5, 6) ------------------------------------

HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Whoa there!</h1></body></html>"


@pytest.fixture(scope="module")
def first_nights(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes | None, bool], tuple[RunResult, Path]]:
    """Night 1, clean, of the bundled list (or other list bytes), with a token or without: run
    once for the module (on a fake of its own), each test copying its folders. Night 1's
    list.md is kept as ``list-1.md``."""
    made: dict[tuple[bytes | None, bool], tuple[RunResult, Path]] = {}

    def night(list_bytes: bytes | None, token: bool) -> tuple[RunResult, Path]:
        if (list_bytes, token) not in made:
            folder = tmp_path_factory.mktemp("first-night")
            with FakeAPI([]) as fake:
                settings = fake.settings(http_retries=0, **({"github_token": TOKEN} if token else {}))
                result = run(str(BUNDLED), settings=settings, out_dir=folder / "out", raw_root=folder / "raw",
                             skip=OFFLINE, list_bytes=list_bytes)  # fmt: skip
            (folder / "list-1.md").write_bytes((folder / "out/list.md").read_bytes())
            made[list_bytes, token] = result, folder
        return made[list_bytes, token]

    return night


def nights(first_nights: Callable[[bytes | None, bool], tuple[RunResult, Path]], fake: FakeAPI, tmp_path: Path,
           settings: Settings, faults: list[Fault], list_bytes: bytes | None = None,
           **tonight: Any) -> tuple[RunResult, RunResult]:
    """Night 1 clean (shared: `first_nights`, its folders copied); night 2 with ``faults`` and the
    options ``tonight``, both of the bundled list (or ``list_bytes``)."""
    first_night, folder = first_nights(list_bytes, settings.github_token is not None)
    for name in ("out", "raw", "list-1.md"):
        copy = shutil.copytree if (folder / name).is_dir() else shutil.copyfile
        copy(folder / name, tmp_path / name)
    out = tmp_path / "out"
    fake.faults.extend(faults)
    second = run(str(BUNDLED), settings=settings, out_dir=out, raw_root=tmp_path / "raw", list_bytes=list_bytes,
                 **({"skip": OFFLINE} | tonight))
    assert (out / "latest.json").read_text().count(second.snapshot.header.run_id) == 1  # published
    return first_night, second


def records(entry: Entry) -> dict[str, Any]:
    """An entry's records, without the times a fresh fetch moves."""
    found = {name: getattr(entry, name) for name in REGISTRY.record_fields}
    for name in ("hub_paper", "scholar"):  # supplements' records, with the time they were read
        record = getattr(entry, name)
        if record is not None:
            found[name] = record.model_copy(update={"fetched_at": None})
    return found


def assert_nothing_wiped(before: Snapshot, after: Snapshot) -> None:
    """Every record, tie and score of night 1 is there on night 2 (the fake's facts did not move)."""
    old = {e.id: e for e in before.entries}
    for entry in after.entries:
        assert records(entry) == records(old[entry.id]), entry.id
        assert entry.score == old[entry.id].score, entry.id
        assert entry.ties == old[entry.id].ties, entry.id
    assert [records(e) for e in after.external] == [records(e) for e in before.external]


@dataclass
class Down:
    name: str
    faults: list[Fault]
    failed: tuple[str, ...]  # the sources the summary names
    kinds: tuple[Kind, ...]  # whose entries are stale
    reason: str
    overrides: dict[str, Any] = field(default_factory=dict)


DOWN_CASES = [
    # arXiv's deadline (every request's, in all), not every source's read timeout: the other
    # sources' answers keep the default one on a loaded machine.
    Down("arXiv accepts and never answers", [Fault(r"^/arxiv/api/query", status=HANG)], ("arxiv",),
         (Kind.PAPER,), "arXiv: arXiv timed out (no whole answer within 0.5 s)", {"arxiv_deadline_seconds": 0.5}),
    Down("GraphQL answers a 200 HTML page", [Fault(r"^/github/graphql$", status=200, body=HTML_PAGE,
                                                   headers={"Content-Type": "text/html"})],
         ("github",), (Kind.REPO,), "GitHub sent a malformed GraphQL answer", {"github_token": TOKEN}),
    Down("the Hub drops every connection", [Fault(r"^/hf/", status=0)], ("huggingface", "papers"),
         (Kind.DATASET,), "Hub unreachable (RemoteProtocolError)"),
]


@pytest.mark.parametrize("case", needing_schema(DOWN_CASES, lambda c: "github_token" in c.overrides),
                         ids=lambda c: c.name)
def test_a_source_down_publishes_the_others_and_keeps_its_last_values(
    case: Down, first_nights: Callable[[bytes | None, bool], tuple[RunResult, Path]], fake: FakeAPI, tmp_path: Path
) -> None:
    settings = fake.settings(**{"http_retries": 1, **case.overrides})
    first_night, second = nights(first_nights, fake, tmp_path, settings, case.faults)
    hit = [e for e in second.snapshot.entries if e.kind in case.kinds]
    assert hit and all(e.status == Status.STALE and case.reason in (e.status_reason or "") for e in hit), \
        [(e.id, e.status, e.status_reason) for e in hit]
    assert all(e.fetched_at == e.stale_since and e.fetched_at < second.snapshot.header.generated_at  # type: ignore[operator]
               for e in hit)
    others = [e for e in second.snapshot.entries if e.kind not in case.kinds and e.kind != Kind.WEB]
    assert others and all(e.status == Status.OK and e.fetched_at > first_night.snapshot.header.generated_at  # type: ignore[operator]
                          for e in others)
    assert_nothing_wiped(first_night.snapshot, second.snapshot)
    # The summary's first line and the run's state message name the source that failed.
    assert set(case.failed) <= set(second.source_failures)
    for name in case.failed:
        assert f"source {name} failed: " in one_line(second)
        assert f"source {name} failed" in summary_markdown(second).splitlines()[0]
    assert re.match(r"published 27 entries \(", one_line(second))


@pytest.mark.parametrize("left_out", [n for n in NAMES if n != "web"])
def test_a_source_left_out_wipes_nothing(left_out: str, first_nights: Callable[[bytes | None, bool], tuple[RunResult, Path]],
                                        fake: FakeAPI, tmp_path: Path) -> None:
    """Night 2 runs every source but one (web pages are offline both nights): that source's
    entries keep night 1's values and say so, every score, tie and external repository stays."""
    settings = fake.settings(http_retries=0)
    sources = [n for n in NAMES if n not in (left_out, "web")]
    # The bundled list links no Hub collection: the sample one is added, so every source has some.
    slug = sample_collection(load_facts())["slug"]
    listed = BUNDLED.read_bytes() + f"\n* [RLHF data](https://huggingface.co/collections/{slug})\n".encode()
    first_night, second = nights(first_nights, fake, tmp_path, settings, [], listed, sources=sources)
    assert_nothing_wiped(first_night.snapshot, second.snapshot)
    source = SOURCES[left_out]
    mine = [e for e in second.snapshot.entries if claims(source, e)]
    assert mine
    if supplement_fields(source):  # its entries' status is another source's; its records kept
        slot = source.spec.slot.field
        kept = [e for e in mine if getattr(e, slot) is not None]
        assert kept and all(e.status == Status.OK and e.status_reason == f"{left_out}: source disabled for "
                            f"this run (last good values of {getattr(e, slot).fetched_at:%Y-%m-%d} kept)"
                            for e in kept)
    else:
        assert all(e.status == Status.SKIPPED and e.fetched_at is not None and e.status_reason ==
                   f"source disabled for this run; values of {e.fetched_at:%Y-%m-%d} kept" for e in mine)
    assert not second.source_failures and "failed" not in one_line(second)
    # The enriched list still gives the papers' code, with its stars.
    code = [[line for line in (tmp_path / name).read_text().splitlines() if "code: " in line]
            for name in ("list-1.md", "out/list.md")]
    assert code[0] and code[1] == code[0]
