"""Which failures are an outage, the backoff schedule, and one health line per outage."""

from __future__ import annotations

import logging
import threading

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import IntegrityError, OperationalError

from jobs.outages import DATABASE, REDIS, Backoff, Health, outage_of, wait_until_up


def _wrapped(inner: BaseException) -> RuntimeError:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("job failed") from exc
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "service"),
    [
        (RedisConnectionError("refused"), REDIS),
        (RedisTimeoutError("slow"), REDIS),
        (OperationalError("SELECT 1", {}, Exception("connection refused")), DATABASE),
        (_wrapped(RedisConnectionError("refused")), REDIS),  # seen through a wrapper
        (ResponseError("WRONGTYPE"), None),  # Redis answered: a bug, not an outage
        (IntegrityError("INSERT", {}, Exception("duplicate")), None),
        (ValueError("bad data"), None),
    ],
)
def test_an_outage_is_told_from_a_bug(exc: BaseException, service: str | None) -> None:
    assert outage_of(exc) == service


def test_backoff_doubles_to_its_cap_and_starts_afresh_after_reset() -> None:
    backoff = Backoff(first=1, factor=2, cap=30)
    assert [backoff.delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.delay() == 1


def test_health_says_once_that_a_service_went_away_and_once_that_it_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    health = Health("worker", clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="jobs.outages"):
        for _ in range(5):
            health.down(REDIS, RedisConnectionError("refused"), 2)
        assert health.is_down(REDIS)
        now[0] = 112.5
        health.up(REDIS)
        health.up(REDIS)  # already up: nothing more to say
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "health: worker cannot reach Redis (ConnectionError); retrying with backoff, next in 2 s",
        "health: worker reaches Redis again after 12.5 s",
    ]


def test_wait_until_up_retries_an_outage_and_stops_on_request() -> None:
    answers: list[BaseException | None] = [
        RedisConnectionError("x"),
        RedisConnectionError("x"),
        None,
    ]

    def probe() -> None:
        answer = answers.pop(0)
        if answer is not None:
            raise answer

    health = Health("test")
    fast = Backoff(first=0.001, cap=0.001)
    assert wait_until_up(REDIS, probe, health, threading.Event(), fast)
    assert not health.is_down(REDIS) and answers == []
    stopped = threading.Event()
    stopped.set()
    assert not wait_until_up(REDIS, probe, health, stopped, fast)


def test_wait_until_up_does_not_hide_a_bug() -> None:
    def probe() -> None:
        raise ValueError("not an outage")

    with pytest.raises(ValueError, match="not an outage"):
        wait_until_up(REDIS, probe, Health("test"), threading.Event(), Backoff(first=0.001))
