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


# -- #22 item 4: rate-limit headers are screened ------------------------------------------------

ABSURD = [
    {"X-RateLimit-Reset": "1000000000000"},  # the year 33658: datetime cannot hold it
    {"X-RateLimit-Reset": "nan"},
    {"X-RateLimit-Reset": "inf"},
    {"X-RateLimit-Reset": "1e400"},
    {"X-RateLimit-Reset": "-5"},
    {"X-RateLimit-Remaining": "nan"},
    {"X-RateLimit-Remaining": "-1"},
    {"X-RateLimit-Limit": "99999999999999999999"},
    {"X-RateLimit-Limit": "five thousand"},
]


@pytest.mark.parametrize("absurd", ABSURD, ids=[str(a) for a in ABSURD])
def test_absurd_rate_limit_headers_are_unknown_never_a_crash(absurd: dict[str, str]) -> None:
    """A reading no window can have teaches nothing: admission goes ahead as with no reading,
    and the usage report and the reason of a deferral stay writable."""
    clock = Clock()
    rate = RateLimits(RetryBudget(0), clock=clock, sleep=clock.sleep)
    rate.observe({**headers(3, clock.now + 60), **absurd}, 200)
    assert "core" not in rate.windows
    assert rate.admit("core", 6) is None
    assert rate.usage()["core"]["spent"] == 1


@pytest.mark.parametrize("reset", [10**12, float("nan"), -1])
def test_an_absurd_rate_limit_answer_teaches_nothing(reset: float) -> None:
    rate = RateLimits(RetryBudget(0))
    rate.learn({"resources": {"core": {"limit": 60, "remaining": 0, "reset": reset}}})
    assert rate.windows == {}
    rate.learn({"resources": {"core": {"limit": 60, "remaining": 0, "reset": 2_000_000_000}}})
    assert rate.windows["core"].remaining == 0
    assert "deferred" in (rate.admit("core", 1) or "")


@pytest.mark.parametrize(("wait", "most", "paid"), [
    (10, None, True), (float("nan"), None, False), (float("inf"), None, False), (-1, None, False),
    (999_999, None, False), (100, 60, False), (60, 60, True),
])
def test_a_wait_is_paid_only_when_it_is_a_number_within_bounds(wait: float, most: float | None,
                                                              paid: bool) -> None:
    budget = RetryBudget(1_000, scale=0)
    assert budget.wait(wait, most) is paid
    assert budget.spent == (wait if paid else 0)


# -- #22 item 9b: another process on the same token spends the window unseen ---------------------

def test_a_low_window_is_read_again_before_each_admission() -> None:
    """Two runs on one token (two lists at once): what this run's headers said a moment ago
    may be gone. Once a window is low (under a tenth of its limit), each admission first reads
    it again from ``/rate_limit`` (free), so the work is deferred rather than asked into 403s."""
    clock = Clock()
    rate = RateLimits(RetryBudget(0), clock=clock, sleep=clock.sleep)
    truth = {"remaining": 0}
    reads: list[int] = []

    def refresh() -> None:
        reads.append(truth["remaining"])
        rate.learn({"resources": {"core": {"limit": 5000, "remaining": truth["remaining"],
                                           "reset": int(clock.now) + 60}}})

    rate.refresh = refresh
    rate.observe(headers(4000, clock.now + 60), 200)
    assert rate.admit("core", 1) is None and reads == []  # plenty left: no read
    rate.release("core", 1)
    rate.observe(headers(5, clock.now + 60), 200)  # low: 5 of 5000 left, as far as we know
    assert "deferred" in (rate.admit("core", 1) or "")  # the other run has spent them
    assert reads == [0]
    truth["remaining"] = 3
    rate.learn({"resources": {"core": {"limit": 5000, "remaining": 3, "reset": int(clock.now) + 120}}})
    assert rate.admit("core", 1) is None and reads == [0, 3]
