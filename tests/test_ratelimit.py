"""Admission against GitHub's rate-limit windows, and REST pacing, with a clock of our own."""

from __future__ import annotations

import pytest

from enrich.sources.github.ratelimit import RateLimits, Windows, merge
from enrich.sources.limits import Pacer, RetryBudget


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def headers(remaining: int, reset: float, resource: str = "core") -> dict[str, str]:
    return {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset)), "X-RateLimit-Resource": resource}


@pytest.mark.parametrize(
    ("remaining", "budget", "expected", "slept"),
    [
        (100, 0, None, []),  # room left: go ahead
        (3, 0, "deferred", []),  # no room, no budget: deferred, never a 403
        (3, 120, None, [61.0]),  # no room, the reset within budget: wait for it, then go
    ],
)
def test_admit(remaining: int, budget: float, expected: str | None, slept: list[float]) -> None:
    clock = Clock()
    rate = RateLimits(RetryBudget(budget), clock=clock, sleep=clock.sleep)
    rate.observe(headers(remaining, clock.now + 60), 200)
    verdict = rate.admit("core", 6)
    assert (verdict if verdict is None else verdict.split(":")[0]) == expected
    assert clock.slept == slept


def test_reservations_count_until_released() -> None:
    clock = Clock()
    rate = RateLimits(RetryBudget(0), clock=clock, sleep=clock.sleep)
    rate.observe(headers(10, clock.now + 60), 200)
    assert rate.admit("core", 6) is None
    assert rate.admit("core", 6) is not None  # 4 left while the first is in flight
    rate.release("core", 6)
    rate.observe(headers(4, clock.now + 60), 200)
    assert rate.admit("core", 4) is None


def test_a_request_counted_by_the_headers_is_not_reserved_as_well() -> None:
    """Four workers, five requests left: the answers of two in flight are read before the first
    worker's release; what is left still admits the fifth repository (it was deferred when a
    request counted both as spent, by the headers, and as reserved, until released)."""
    clock = Clock()
    rate = RateLimits(RetryBudget(0), clock=clock, sleep=clock.sleep)
    rate.observe(headers(5, clock.now + 60), 200)
    assert [rate.admit("core", 1) for _ in range(4)] == [None] * 4  # A, B, C, D in flight
    rate.observe(headers(4, clock.now + 60), 200)  # A's answer
    rate.observe(headers(3, clock.now + 60), 200)  # B's answer, before A released
    rate.release("core", 1)  # A done
    assert rate.admit("core", 1) is None  # E fits: 3 left, C and D reserved
    assert rate.admit("core", 1) is not None  # and nothing more does
    for _ in range(3):  # B, C, D (their answers read) and E release: nothing is left reserved
        rate.release("core", 1)
    rate.observe(headers(0, clock.now + 60), 200)
    rate.release("core", 1)
    window = rate.windows["core"]
    assert (window.remaining, window.reserved, window.settled) == (0, 0, 0)


@pytest.mark.parametrize(("authorized", "spent"), [(True, 1), (False, 2)])
def test_304s_are_free_only_with_a_token_and_usage_merges(authorized: bool, spent: int) -> None:
    """GitHub does not count a 304 to an authorized conditional request; an anonymous one it
    does (so an anonymous warm night is one request per unchanged repository, not zero)."""
    rate = RateLimits(RetryBudget(0), authorized=authorized)
    rate.observe(headers(99, 2e9), 200)
    rate.observe(headers(99, 2e9), 304)
    rate.observe(headers(40, 2e9, "graphql"), 200, cost=7)
    usage = rate.usage()
    assert usage["core"]["spent"] == spent and usage["graphql"]["spent"] == 7
    merged = merge([usage, {"core": {**usage["core"], "spent": 2, "remaining": 90}}])
    assert merged["core"]["spent"] == spent + 2 and merged["core"]["remaining"] == 90


def test_windows_learnt_by_one_task_admit_every_task() -> None:
    """The run's windows are shared: what one task learns from /rate_limit, another admits
    against, reservations included, so two tasks never spend one window twice."""
    clock = Clock()
    shared = Windows()
    first = RateLimits(RetryBudget(0), clock=clock, sleep=clock.sleep, windows=shared)
    second = RateLimits(RetryBudget(0), clock=clock, sleep=clock.sleep, windows=shared)
    first.learn({"resources": {"core": {"limit": 60, "remaining": 7, "reset": int(clock.now) + 60,
                                        "used": 53}}})
    assert first.admit("core", 6) is None
    assert second.admit("core", 6) is not None  # 1 left while the first is in flight
    assert second.usage()["core"]["deferred"] == 1 and first.usage()["core"]["deferred"] == 0


def test_pacer_spaces_requests_evenly() -> None:
    slept: list[float] = []
    pacer = Pacer(per_minute=600, sleep=slept.append)  # one every 0.1 s
    for _ in range(3):
        pacer.wait()
    assert len(slept) == 2
    assert 0.09 < slept[0] <= 0.1 and 0.19 < slept[1] <= 0.2
    Pacer(per_minute=0, sleep=slept.append).wait()  # 0: no pacing
    assert len(slept) == 2
