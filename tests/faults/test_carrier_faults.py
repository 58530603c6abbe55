"""The carrier misbehaves while Peerline rings supporters: 429 and 500 before placing the call
(clear failures: retry), and a call placed whose answer is a 500, never arrives or comes
too late (ambiguous: the call exists, so it must not be placed again)."""

from __future__ import annotations

import pytest

from tests.faults.plant import Plant
from tests.faults.services import (
    FAILED,
    FAILED_AFTER_PLACING,
    LIMITED,
    LOST_AFTER_PLACING,
    TIMEOUT_AFTER_PLACING,
)

pytestmark = pytest.mark.faults


def ring_through(plant: Plant, faults: list[str], intakes: int) -> None:
    plant.supporters(intakes * 3)
    plant.carrier.faults.extend(faults)
    plant.start("worker")  # RQ's own scheduler (in the worker) moves retries: no reconciler
    for i in range(intakes):
        plant.call(i)
    plant.wait_dispatched(timeout=45)
    # Let a retry that would dial again (RQ's first retry comes 1 s later) have its chance.
    plant.wait_quiet(seconds=3)


def test_carrier_failures_before_and_after_placing_ring_each_request_once(plant: Plant) -> None:
    """Clear failures are retried; for the ambiguous ones the call the carrier did place
    is found (exactly once: docs/exactly-once.md) instead of placing another."""
    faults = [LIMITED, FAILED, FAILED_AFTER_PLACING, LOST_AFTER_PLACING, TIMEOUT_AFTER_PLACING]
    ring_through(plant, faults, intakes=5)
    # One Calls.create per request, plus one more for each clear failure (429, 500); the
    # three placed calls whose answers were lost were looked up, not created again.
    assert plant.carrier.attempts == 5 + 2
    plant.tally().assert_exactly_once()
