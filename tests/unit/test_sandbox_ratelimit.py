"""The CPS limiter behind 20429: a token bucket on the sandbox clock."""

from sandbox.clock import ManualClock
from sandbox.ratelimit import RateLimit


def test_one_per_second_by_default() -> None:
    clock = ManualClock()
    limit = RateLimit(clock, 1.0)

    assert limit.take()
    assert not limit.take()
    clock.advance(0.5)
    assert not limit.take()
    clock.advance(0.5)
    assert limit.take()


def test_higher_rates_allow_a_burst_of_that_size() -> None:
    clock = ManualClock()
    limit = RateLimit(clock, 3.0)

    assert [limit.take() for _ in range(4)] == [True, True, True, False]
    clock.advance(1)
    assert [limit.take() for _ in range(4)] == [True, True, True, False]
