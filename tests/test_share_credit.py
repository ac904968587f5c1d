"""A task's share of tonight's GitHub budget is charged with what it spent, not what it was
admitted at: a 304 to an authorized conditional request costs nothing on GitHub ("does not
count against your primary rate limit if a 304 response is returned and the request was made
while correctly authorized", GitHub's REST best practices), and a GraphQL query costs what its
answer's ``rateLimit { cost }`` says, which may be less than the estimate. What was held beyond
that is handed back to the share at the release, for the task's later work."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import run
from enrich.core.links import Kind
from enrich.core.model import Entry, Status
from enrich.sandbox.server import FakeAPI
from enrich.sources.github.ratelimit import RateLimits
from enrich.sources.limits import RetryBudget
from nights import NIGHT_1, NIGHT_2
from test_plan import sample_repositories

DEFERRED = "deferred"
# Steps: ("admit", resource, cost) -> None or DEFERRED; ("answer", resource, status, cost
# or None) -> the answer's headers read; ("release", resource, cost).
CASES = [
    ("authorized 304s are free: every repository fits a share of 2", True, {"core": 2}, [
        *[step for _ in range(4) for step in (("admit", "core", 1), ("answer", "core", 304, None),
                                              ("release", "core", 1))],
        ("admit", "core", 1), ("answer", "core", 200, None), ("release", "core", 1),
        ("admit", "core", 1), ("answer", "core", 200, None), ("release", "core", 1),
        ("admit", "core", 1),
    ], [None, None, None, None, None, None, DEFERRED]),
    ("anonymous 304s count: the share holds two", False, {"core": 2}, [
        *[step for _ in range(2) for step in (("admit", "core", 1), ("answer", "core", 304, None),
                                              ("release", "core", 1))],
        ("admit", "core", 1),
    ], [None, None, DEFERRED]),
    ("a query cheaper than estimated hands the rest back", True, {"graphql": 100}, [
        ("admit", "graphql", 60), ("answer", "graphql", 200, 20), ("release", "graphql", 60),
        ("admit", "graphql", 60), ("answer", "graphql", 200, 20), ("release", "graphql", 60),
        ("admit", "graphql", 60), ("admit", "graphql", 1),
    ], [None, None, None, DEFERRED]),  # charged 20 + 20 + 60 held: 100; estimated, 60 + 60 > 100
    ("a query that cost its estimate hands nothing back", True, {"graphql": 100}, [
        ("admit", "graphql", 60), ("answer", "graphql", 200, 60), ("release", "graphql", 60),
        ("admit", "graphql", 60),
    ], [None, DEFERRED]),
    ("an answer counted while held is not charged twice", True, {"core": 3}, [
        ("admit", "core", 3), ("answer", "core", 200, None), ("admit", "core", 1),
        ("release", "core", 3), ("admit", "core", 2), ("admit", "core", 1),
    ], [None, DEFERRED, None, DEFERRED]),
    ("an answer no admission held is charged all the same", True, {"core": 2}, [
        ("answer", "core", 200, None), ("admit", "core", 1), ("answer", "core", 200, None),
        ("release", "core", 1), ("admit", "core", 1),
    ], [None, DEFERRED]),
    ("a failed request (no answer) costs nothing", True, {"core": 1}, [
        ("admit", "core", 1), ("answer", "core", 0, None), ("release", "core", 1), ("admit", "core", 1),
    ], [None, None]),
    ("no share: admitted against the windows alone", True, {}, [
        ("admit", "core", 50), ("answer", "core", 200, None), ("release", "core", 50), ("admit", "core", 50),
    ], [None, None]),
]


@pytest.mark.parametrize(("name", "authorized", "quota", "steps", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_share_is_charged_with_what_was_spent(name: str, authorized: bool, quota: dict[str, int],
                                                steps: list[tuple[object, ...]], expected: list[str | None]) -> None:
    rate = RateLimits(RetryBudget(0), authorized=authorized, quota=quota)
    admitted: list[str | None] = []
    for step in steps:
        if step[0] == "admit":
            why = rate.admit(str(step[1]), int(step[2]))  # type: ignore[call-overload]
            admitted.append(None if why is None else DEFERRED)
            if why is not None:
                assert why.startswith("deferred: tonight's plan gave this part of the run")
        elif step[0] == "answer":
            headers = {"X-RateLimit-Resource": step[1]}
            rate.observe(headers, int(step[2]), step[3])  # type: ignore[call-overload, arg-type]
        else:
            rate.release(str(step[1]), int(step[2]))  # type: ignore[call-overload]
    assert admitted == expected


def test_a_warm_night_of_304s_is_not_cut_to_its_estimate(fake: FakeAPI, extra_data: Path, tmp_path: Path) -> None:
    """Six repositories over REST with a token: night 1 cold, in a full hour; night 2 only 3
    requests are left, the plan's warm estimate is one a repository (6), so the shares hold 3.
    Every repository answers 304, free: the three requests handed back serve the other three,
    and the night fetches all six, spending none of the hour."""
    urls = sample_repositories(extra_data, 6)
    listed = tmp_path / "list.md"
    listed.write_text("# Sample repositories (sample data)\n\n" + "".join(f"* {u}\n" for u in urls))
    fake.stats_computing_calls = 0
    settings = fake.settings(http_retries=0, github_concurrency=1, external_code_repos=0,
                             github_token="ghp_fake_token_0123456789", github_graphql=False)  # fmt: skip

    def night(when: datetime) -> dict[str, Entry]:
        result = run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                     sources=["github"], now=when)
        return {e.id: e for e in result.snapshot.entries if e.kind == Kind.REPO}

    first = night(NIGHT_1)
    assert all(e.status == Status.OK for e in first.values())
    fake.rate_used.clear()
    fake.rate_reset += 3600
    fake.rate_limits["core"] = 3
    marker = len(fake.requests("github"))
    second = night(NIGHT_2)
    assert {i: (e.status, e.deferred) for i, e in second.items()} == {i: (Status.OK, []) for i in first}
    asked = [e for e in fake.requests("github")[marker:] if "/repos/" in e.path]
    assert len(asked) == 6 and {e.status for e in asked} == {304}
    assert fake.rate_used["core"] == 0 and fake.rate_limited["core"] == 0


@pytest.mark.parametrize("core_left", [0, 1], ids=["no-rest-left", "one-rest-request-left"])
def test_a_contributor_count_still_true_is_kept_without_a_request_or_a_deferral(
    core_left: int, fake: FakeAPI, extra_data: Path, tmp_path: Path
) -> None:
    """GraphQL with a token: night 2 nothing moved, and the hour has (almost) no REST request
    left. Each repository's default branch is where it was, so its count still holds: kept
    with no request, and never marked deferred because the share is spent (a kept count used
    to be admitted, then deferred, before it was found to need no request)."""
    urls = sample_repositories(extra_data, 4)
    listed = tmp_path / "list.md"
    listed.write_text("# Sample repositories (sample data)\n\n" + "".join(f"* {u}\n" for u in urls))
    settings = fake.settings(http_retries=0, github_concurrency=1, external_code_repos=0,
                             github_token="ghp_fake_token_0123456789")  # fmt: skip

    def night(when: datetime) -> dict[str, Entry]:
        result = run(str(listed), settings=settings, out_dir=tmp_path / "out", raw_root=tmp_path / "raw",
                     sources=["github"], now=when)
        return {e.id: e for e in result.snapshot.entries if e.kind == Kind.REPO}

    first = night(NIGHT_1)
    assert all(e.status == Status.OK and e.repo and e.repo.contributors for e in first.values())
    fake.rate_used.clear()
    fake.rate_reset += 3600
    fake.rate_limits["core"] = core_left
    marker = len(fake.requests("github"))
    second = night(NIGHT_2)
    assert {i: (e.status, e.deferred) for i, e in second.items()} == {i: (Status.OK, []) for i in first}
    assert {i: e.repo and e.repo.contributors for i, e in second.items()} == {
        i: e.repo and e.repo.contributors for i, e in first.items()
    }
    assert not [e for e in fake.requests("github")[marker:] if "/contributors" in e.path]
    assert fake.rate_limited["core"] == 0
