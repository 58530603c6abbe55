"""The outbound rate limiter on a real Redis. It keeps time by Redis's own clock, so these
tests use short intervals and real (small) waits, with tolerances for a busy machine."""

from __future__ import annotations

import time

import pytest
from redis import Redis

from jobs.throttle import Throttle

pytestmark = pytest.mark.integration
SLACK = 0.03  # back-to-back reserves are a few ms apart on a loaded machine


def exact(
    redis: Redis, name: str = "calls", rate: float = 10.0, slept: list[float] | None = None
) -> Throttle:
    """No headroom, so slots are exactly 1/rate apart."""
    sink = slept if slept is not None else []
    return Throttle(redis, name, rate, sleep=sink.append, headroom=1.0)


def test_reserves_at_the_same_moment_are_spaced_one_interval_apart(redis_conn: Redis) -> None:
    limiter = exact(redis_conn)
    delays = [limiter.reserve() for _ in range(5)]
    assert delays == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4], abs=SLACK)


def test_wait_sleeps_for_its_slot_and_not_at_all_when_it_is_free(redis_conn: Redis) -> None:
    slept: list[float] = []
    limiter = exact(redis_conn, slept=slept)
    limiter.wait()
    limiter.wait()
    limiter.wait()
    assert len(slept) == 2  # the first caller went straight through
    assert slept == pytest.approx([0.1, 0.2], abs=SLACK)


def test_after_the_backlog_has_passed_there_is_no_delay(redis_conn: Redis) -> None:
    limiter = exact(redis_conn, rate=20.0)
    for _ in range(3):
        limiter.reserve()  # slots now .. now+0.1 are taken
    time.sleep(0.3)
    assert limiter.reserve() == 0.0


def test_two_throttles_on_the_same_key_share_one_budget(redis_conn: Redis) -> None:
    """Workers are separate processes with their own Throttle: Redis holds the budget."""
    a, b = exact(redis_conn), exact(redis_conn)
    delays = [a.reserve(), b.reserve(), a.reserve(), b.reserve()]
    assert delays == pytest.approx([0.0, 0.1, 0.2, 0.3], abs=SLACK)


def test_different_keys_do_not_share_a_budget(redis_conn: Redis) -> None:
    calls, messages = exact(redis_conn, "calls"), exact(redis_conn, "sms")
    assert [calls.reserve(), calls.reserve()] == pytest.approx([0.0, 0.1], abs=SLACK)
    assert [messages.reserve(), messages.reserve()] == pytest.approx([0.0, 0.1], abs=SLACK)


def test_default_headroom_keeps_just_under_the_carriers_rate(redis_conn: Redis) -> None:
    limiter = Throttle(redis_conn, "calls", rate=1.0, sleep=lambda s: None)
    assert limiter.interval_us == pytest.approx(1_052_631, abs=1)  # 1 / 0.95 s
    assert [limiter.reserve(), limiter.reserve()] == pytest.approx([0.0, 1.0526], abs=SLACK)


def test_the_budget_key_expires_once_its_backlog_is_over(redis_conn: Redis) -> None:
    """The key carries a TTL (backlog plus a second), so idle throttles leave nothing behind."""
    limiter = exact(redis_conn, rate=1.0)
    for _ in range(3):
        limiter.reserve()
    ttl_ms = redis_conn.pttl(limiter.key)
    assert 0 < ttl_ms <= 4_000  # the last slot ends 3 s ahead, plus 1 s of slack
