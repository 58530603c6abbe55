"""The sandbox clocks: a manual one that fires timers in order, and a wall clock."""

import threading

import pytest

from sandbox.clock import ManualClock, SystemClock


def test_manual_clock_fires_due_timers_in_order_and_stops_at_the_target() -> None:
    clock = ManualClock(start=100.0)
    fired: list[tuple[str, float]] = []
    clock.call_later(5, lambda: fired.append(("five", clock.now())))
    clock.call_later(2, lambda: fired.append(("two", clock.now())))
    clock.call_later(9, lambda: fired.append(("nine", clock.now())))

    clock.advance(6)

    assert fired == [("two", 102.0), ("five", 105.0)]
    assert clock.now() == 106.0
    assert clock.pending == 1


def test_cancelled_timers_never_fire() -> None:
    clock = ManualClock()
    fired: list[str] = []
    clock.call_later(1, lambda: fired.append("kept"))
    clock.call_later(1, lambda: fired.append("cancelled")).cancel()

    clock.advance(1)

    assert fired == ["kept"]


def test_timers_scheduled_while_advancing_fire_if_due_within_the_advance() -> None:
    clock = ManualClock(start=0.0)
    fired: list[float] = []

    def again() -> None:
        fired.append(clock.now())
        if len(fired) < 3:
            clock.call_later(2, again)

    clock.call_later(2, again)
    clock.advance(5)

    assert fired == [2.0, 4.0]


def test_settle_runs_around_every_timer() -> None:
    clock = ManualClock()
    calls: list[str] = []
    clock.settle = lambda: calls.append("settle")
    clock.call_later(1, lambda: calls.append("timer"))

    clock.advance(2)

    assert calls == ["settle", "timer", "settle"]


def test_a_runaway_timer_loop_fails_loudly() -> None:
    clock = ManualClock()

    def forever() -> None:
        clock.call_later(0, forever)

    clock.call_later(0, forever)
    with pytest.raises(RuntimeError, match="timers fired"):
        clock.advance(1)


def test_system_clock_fires_on_its_own_thread() -> None:
    clock = SystemClock()
    fired = threading.Event()
    try:
        clock.call_later(0.01, fired.set)
        assert fired.wait(timeout=2)
    finally:
        clock.close()
