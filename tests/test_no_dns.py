"""No name resolution is not a dead link (#22 item 8).

A host that does not resolve is a fact about the link (``not_found``: dead after
`Rules.dead_after_runs` nights in a row) only when some other listed host resolved in the same
run. When none did, the run had no DNS: those failures are the run's (``unreachable``), and
``enrich check`` calls nothing flaky or dead for them. The rule is a table over the web source's
`settle`; the nights are the real job, the pages' hosts in ``.invalid`` (a name that never
resolves, with or without DNS: RFC 6761), the repositories on the local fake API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from enrich.core.check import FindingKind
from enrich.core.model import Failure, Status, WebPage
from enrich.core.outcome import Outcome
from enrich.sandbox.server import FakeAPI
from enrich.sources.web import WebSource

NIGHT1 = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
NO_NAME = "host does not resolve ([Errno -2] Name or service not known)"
TRY_AGAIN = "host does not resolve ([Errno -3] Temporary failure in name resolution)"
RUNS = "no host of the list resolved this run: "


def unresolved(reason: str = NO_NAME, failure: Failure = Failure.NOT_FOUND) -> Outcome[WebPage]:
    return Outcome(Status.ERROR, reason=reason, failure=failure)


def answered(status: int = 200) -> Outcome[WebPage]:
    page = WebPage(final_url="https://huggingface.co/blog/rlhf", http_status=status, checked_at=NIGHT1)
    if status >= 400:
        return Outcome(Status.ERROR, page, f"broken link: HTTP {status}", NIGHT1, Failure.NOT_FOUND)
    return Outcome(Status.OK, page, fetched_at=NIGHT1)


SKIPPED: Outcome[WebPage] = Outcome(Status.SKIPPED, reason="offline: web pages are not fetched")
REFUSED = Outcome[WebPage](Status.ERROR, reason="refused: intranet.example resolves to a non-public address",
                           failure=Failure.BLOCKED)
TIMED_OUT = Outcome[WebPage](Status.ERROR, reason="timed out", failure=Failure.UNREACHABLE)


@dataclass
class Case:
    name: str
    outcomes: list[Outcome[WebPage]]
    the_runs: bool  # whether the names that did not resolve are the run's failure


CASES = [
    Case("no listed host resolves", [unresolved()] * 3, True),
    Case("no listed host resolves: temporary failures", [unresolved(TRY_AGAIN, Failure.UNREACHABLE)] * 2, True),
    Case("no listed host resolves, both kinds", [unresolved(), unresolved(TRY_AGAIN, Failure.UNREACHABLE)], True),
    Case("the only page tried does not resolve, the rest skipped", [unresolved(), SKIPPED, SKIPPED], True),
    Case("one page answered", [unresolved(), unresolved(), answered()], False),
    Case("one page answered 404 (its host resolved)", [unresolved(), answered(404)], False),
    Case("one page refused for its address (its host resolved)", [unresolved(), REFUSED], False),
    Case("one page timed out (its host resolved)", [unresolved(), TIMED_OUT], False),
    Case("every page answered", [answered(), answered(404)], False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_name_that_does_not_resolve_is_the_runs_when_no_listed_host_resolves(case: Case) -> None:
    outcomes = {f"https://page-{n}.example/": o for n, o in enumerate(case.outcomes)}
    settled = WebSource().settle(outcomes)
    assert settled.keys() == outcomes.keys()
    for key, before in outcomes.items():
        after = settled[key]
        if case.the_runs and (before.reason or "").startswith("host does not resolve"):
            assert (after.status, after.failure, after.reason) == (Status.ERROR, Failure.UNREACHABLE,
                                                                    RUNS + (before.reason or ""))
        else:
            assert after == before


def small_list(tmp_path: Path, fake: FakeAPI, live: int) -> Path:
    lines = ["# RLHF resources (test data)", "", "## Code", ""]
    lines += [f"* https://github.com/{name}" for name in ("huggingface/trl", "voidful/TextRL", "CarperAI/trlx")]
    lines += ["", "## Reading", "",
              "* [The RLHF handbook](https://rlhf-handbook.invalid/)",
              "* [Preference data guide](https://docs.preference-data.invalid/guide)",
              "* [PPO for reward models](http://www.reward-models.invalid/blog/ppo)"]
    lines += [f"* [A page that answers]({fake.base_url}/pages/ok?n={n})" for n in range(live)]
    path = tmp_path / "list.md"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("live", "nights"), [
    # No listed host resolves: the run's trouble, three nights in a row, never flaky or dead.
    (0, [set(), set(), set()]),
    # One listed host resolves: the three others are dead links (flaky until the third night).
    (1, [{FindingKind.FLAKY}, {FindingKind.FLAKY}, {FindingKind.DEAD}]),
])
def test_the_check_calls_no_dns_neither_flaky_nor_dead(live: int, nights: list[set[FindingKind]], fake: FakeAPI,
                                                       tmp_path: Path) -> None:
    listed = small_list(tmp_path, fake, live)
    settings = fake.settings(allow_loopback=True, http_retries=0)
    for night, expected in enumerate(nights):
        options: dict[str, Any] = {"now": NIGHT1 + timedelta(days=night)}
        result = run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw", **options)
        pages = [e for e in result.snapshot.entries if ".invalid" in e.url]
        assert len(pages) == 3
        failure = Failure.UNREACHABLE if not live else Failure.NOT_FOUND
        assert all(e.status == Status.ERROR and e.failure == failure for e in pages), [
            (e.id, e.failure, e.status_reason) for e in pages]
        assert result.check is not None
        found = {f.kind for f in result.check.findings if ".invalid" in f.url}
        assert found == expected, (night, [f.message for f in result.check.findings])
        assert all(e.status == Status.OK for e in result.snapshot.entries if e.kind == "repo")
