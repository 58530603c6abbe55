"""Contract: the Redis limiter behaves as the in-memory one the unit tests use, on real
Redis; keys hold no number and expire; an unreachable Redis admits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import pytest
from redis import Redis

from jobs.rate_limits import PREFIX, RedisRateLimiter
from tests.fakes import MemoryRateLimiter

pytestmark = pytest.mark.integration


class Limiter(Protocol):
    now: float

    def admit(self, key: str, event: str, limit: int, window_seconds: float) -> bool: ...


class RedisOnAClock:
    """The Redis limiter on a clock the test moves, like ``MemoryRateLimiter.now``."""

    def __init__(self, redis: Redis) -> None:
        self.now = 1_700_000_000.0
        self.limiter = RedisRateLimiter(redis, clock=lambda: self.now)

    def admit(self, key: str, event: str, limit: int, window_seconds: float) -> bool:
        return self.limiter.admit(key, event, limit, window_seconds)


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> Iterator[Limiter]:
    if request.param == "memory":
        yield MemoryRateLimiter()
    else:
        yield RedisOnAClock(request.getfixturevalue("redis_conn"))


def test_a_sliding_window_admits_up_to_the_limit(limiter: Limiter) -> None:
    admitted = [limiter.admit("call:idx1", f"CA{i}", 3, 60) for i in range(5)]
    assert admitted == [True, True, True, False, False]
    limiter.now += 30
    assert not limiter.admit("call:idx1", "CA5", 3, 60)
    limiter.now += 30  # the first three leave the window together
    assert [limiter.admit("call:idx1", f"CB{i}", 3, 60) for i in range(4)] == [
        True, True, True, False,
    ]  # fmt: skip


def test_refused_events_do_not_push_the_window_forward(limiter: Limiter) -> None:
    assert limiter.admit("k", "e1", 1, 10)
    for step in range(9):
        limiter.now += 1
        assert not limiter.admit("k", f"refused{step}", 1, 10)
    limiter.now += 1
    assert limiter.admit("k", "e2", 1, 10)


def test_an_event_counted_once_is_admitted_again(limiter: Limiter) -> None:
    assert limiter.admit("k", "SM1", 1, 10)
    assert limiter.admit("k", "SM1", 1, 10)  # Twilio re-delivered it
    assert not limiter.admit("k", "SM2", 1, 10)


def test_keys_are_counted_apart(limiter: Limiter) -> None:
    assert limiter.admit("call:a", "CA1", 1, 10) and limiter.admit("call:b", "CA1", 1, 10)
    assert limiter.admit("text:a", "CA1", 1, 10)
    assert not limiter.admit("call:a", "CA2", 1, 10)


def test_redis_keys_expire_with_their_window(redis_conn: Redis) -> None:
    limiter = RedisRateLimiter(redis_conn)
    assert limiter.admit("call:0123abcd", "CA1", 5, 3600)
    ttl = redis_conn.pttl(f"{PREFIX}call:0123abcd")
    assert 3_500_000 < ttl <= 3_600_000
    assert redis_conn.zrange(f"{PREFIX}call:0123abcd", 0, -1) == [b"CA1"]


def test_an_unreachable_redis_admits() -> None:
    gone = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    assert RedisRateLimiter(gone).admit("call:all", "CA1", 1, 1.0)
    assert RedisRateLimiter(gone).admit("call:all", "CA2", 1, 1.0)
