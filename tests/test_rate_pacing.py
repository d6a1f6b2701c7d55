"""Pacing without a configured rate: the ThrottleFollower learns the server's rate from its
throttling answers (a fake clock, so nothing waits), and end to end it keeps an apply whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.platform.ratelimit import RateLimiter, ThrottleFollower
from tests.e2e import Lab, emulator


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def follower(clock: FakeClock) -> ThrottleFollower:
    return ThrottleFollower(window=2.0, growth=0.01, clock=clock, sleep=clock.sleep)


def answers(pacer: ThrottleFollower, clock: FakeClock, per_second: float, seconds: float) -> None:
    """Successful answers at ``per_second``, evenly spread."""
    for _ in range(int(per_second * seconds)):
        clock.now += 1 / per_second
        pacer.observe(throttled=False)


def test_nothing_is_paced_until_the_server_throttles() -> None:
    clock = FakeClock()
    pacer = follower(clock)
    answers(pacer, clock, 100, 3)
    pacer.acquire()
    assert pacer.rate is None and clock.slept == []


def test_after_the_burst_the_pace_is_what_the_server_accepts() -> None:
    clock = FakeClock()
    pacer = follower(clock)
    answers(pacer, clock, 60, 0.5)  # the server's burst allowance, then its first throttle
    pacer.observe(throttled=True)
    first_guess = pacer.rate
    assert first_guess is not None and first_guess > 20
    answers(pacer, clock, 20, 1.0)  # the allowance is spent: 20 a second get through
    pacer.observe(throttled=True)
    assert pacer.rate == pytest.approx(20, rel=0.02)


def test_a_burst_of_throttles_is_measured_once() -> None:
    clock = FakeClock()
    pacer = follower(clock)
    answers(pacer, clock, 20, 2)
    pacer.observe(throttled=True)
    measured = pacer.rate
    for _ in range(10):
        clock.now += 0.01
        pacer.observe(throttled=True)
    assert pacer.rate == measured


def test_the_pace_grows_between_throttles_and_paces_requests() -> None:
    clock = FakeClock()
    pacer = follower(clock)
    answers(pacer, clock, 20, 2)
    pacer.observe(throttled=True)
    base = pacer.rate
    assert base is not None
    clock.now += 10  # ten seconds without a throttle: 1% a second more
    pacer.acquire()
    assert pacer.rate == pytest.approx(base * 1.10, rel=0.001)
    started = clock.now
    for _ in range(50):
        pacer.acquire()
    assert clock.now - started == pytest.approx(50 / pacer.rate, rel=0.05)


def test_botocore_answers_are_read_for_throttling() -> None:
    clock = FakeClock()
    pacer = follower(clock)
    answers(pacer, clock, 20, 2)

    class Http:
        status_code = 400

    pacer.needs_retry(response=(Http(), {"Error": {"Code": "AccessDenied"}}))
    pacer.needs_retry(response=None, caught_exception=ConnectionError())
    assert pacer.rate is None
    pacer.needs_retry(response=(Http(), {"Error": {"Code": "ThrottlingException"}}))
    assert pacer.rate is not None


def test_the_configured_limit_paces_at_its_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(21):
        limiter.acquire()
    assert clock.now - start == pytest.approx(2.0, rel=0.05)


def test_an_apply_throttled_by_the_server_alone_grants_everyone(tmp_path: Path) -> None:
    with emulator(tmp_path, rate_limit=10) as server:
        lab = Lab(tmp_path / "lab", server)  # no rate_limit in the lab's target
        lab.write_study("many", workers=[f"AEXAMPLEPACED{index:05d}" for index in range(80)])
        run = lab.run("apply", "--auto-approve", AWS_MAX_ATTEMPTS="10")
        assert run.status == 0, run.output
        counters = server.counters()["AssociateQualificationWithWorker"]
        assert counters["throttled"] > 0  # the server did throttle: the follower had to pace
        assert counters["failed"] == 0
        # The apply drained the server's token bucket; lift the limit so looking behind the tool's
        # back (one attempt per call) is not throttled in turn.
        server.set_faults(rate_limit=0)
        assert {f"AEXAMPLEPACED{index:05d}" for index in range(80)} <= lab.holders("deception").keys()
        again = lab.run("plan", "--detailed-exitcode")
        assert again.status == 0, again.output
