"""The outbound rate limiter on a real Redis, with an injected clock and sleep (no waiting)."""

from __future__ import annotations

import pytest
from redis import Redis

from jobs.throttle import Throttle

pytestmark = pytest.mark.integration


class FakeTime:
    """A clock that moves only when told to, and a ``sleep`` that records instead of waiting."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def throttle(redis: Redis, time: FakeTime, name: str = "calls", rate: float = 1.0) -> Throttle:
    return Throttle(redis, name, rate, sleep=time.sleep, clock=time.clock)


def test_reserves_at_the_same_instant_are_spaced_one_interval_apart(redis_conn: Redis) -> None:
    time = FakeTime()
    limiter = throttle(redis_conn, time)
    assert [limiter.reserve() for _ in range(5)] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_wait_sleeps_for_its_slot_and_not_at_all_when_it_is_free(redis_conn: Redis) -> None:
    time = FakeTime()
    limiter = throttle(redis_conn, time)
    assert [limiter.wait() for _ in range(3)] == [0.0, 1.0, 2.0]
    assert time.slept == [1.0, 2.0]  # the first caller went straight through


def test_after_the_backlog_has_passed_there_is_no_delay(redis_conn: Redis) -> None:
    time = FakeTime()
    limiter = throttle(redis_conn, time)
    for _ in range(5):
        limiter.reserve()  # slots now+0 .. now+4 are taken
    time.advance(2.5)
    assert limiter.reserve() == 2.5  # the next free slot is now+5
    time.advance(10)
    assert [limiter.reserve(), limiter.reserve()] == [0.0, 1.0]
    assert time.slept == []


def test_a_rate_above_one_per_second_spaces_by_the_fraction(redis_conn: Redis) -> None:
    time = FakeTime()
    limiter = throttle(redis_conn, time, rate=4.0)
    assert [limiter.reserve() for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]


def test_two_throttles_on_the_same_key_share_one_budget(redis_conn: Redis) -> None:
    """Workers are separate processes with their own Throttle: Redis holds the budget."""
    time = FakeTime()
    worker_a = throttle(redis_conn, time)
    worker_b = throttle(redis_conn, time)
    delays = [worker_a.reserve(), worker_b.reserve(), worker_a.reserve(), worker_b.reserve()]
    assert delays == [0.0, 1.0, 2.0, 3.0]


def test_different_keys_do_not_share_a_budget(redis_conn: Redis) -> None:
    time = FakeTime()
    calls, messages = throttle(redis_conn, time, "calls"), throttle(redis_conn, time, "sms")
    assert [calls.reserve(), calls.reserve()] == [0.0, 1.0]
    assert [messages.reserve(), messages.reserve()] == [0.0, 1.0]


def test_the_budget_key_expires_once_its_backlog_is_over(redis_conn: Redis) -> None:
    """The key carries a TTL (backlog plus a second), so idle throttles leave nothing behind."""
    time = FakeTime()
    limiter = throttle(redis_conn, time)
    for _ in range(3):
        limiter.reserve()
    ttl_ms = redis_conn.pttl(limiter.key)
    assert 0 < ttl_ms <= 4_000  # the last slot ends 3 s ahead, plus 1 s of slack
