"""Redis crashes (SIGKILL, no persistence: its queues are gone) and comes back: the worker
and the scheduler ride it out in the same processes, and every intake is dispatched once."""

from __future__ import annotations

import time

import pytest

from tests.faults.plant import HOLD, Plant

pytestmark = pytest.mark.faults


def test_a_redis_crash_loses_no_request_and_stops_no_process(plant: Plant) -> None:
    plant.supporters(12)
    worker, scheduler = plant.start("worker"), plant.start("scheduler")
    for i in range(3):
        plant.call(i)
    plant.text(0)
    plant.wait_dispatched(timeout=30)  # the plant works before the fault

    plant.redis.crash()
    for i in range(3, 6):  # callers and texters keep coming while Redis is gone
        plant.call(i, HOLD if i % 2 else ["1", "1", "1", "3", "2", "1", "1", "2"])
    plant.text(1)
    time.sleep(3)  # long enough for every process to notice
    plant.redis.start()  # empty: every queued job is gone with the crash

    waited = plant.wait_dispatched(timeout=30)
    print(f"all {len(plant.numbers)} intakes rung {waited:.1f} s after Redis came back")
    assert worker.poll() is None and scheduler.poll() is None, "no process quit"
    plant.tally().assert_exactly_once()
    assert "health: scheduler cannot reach Redis" in plant.log("scheduler")
    assert "health: scheduler reaches Redis again" in plant.log("scheduler")
