"""The soak: many intakes by voice and text at once with hang-ups, declines, missed calls,
re-delivered webhooks, a worker SIGKILLed and restarted and a Redis crash, against real
processes. Prints requests in = terminal + open, lost, duplicated and the most calls ever
ringing one number at once; asserts 0, 0 and 1.

``PEERLINE_SOAK_INTAKES`` sets the count (CI runs the default, 30, to fit its budget; run
``PEERLINE_SOAK_INTAKES=1000 pytest -m soak -s`` for the full soak).
"""

from __future__ import annotations

import os
import random
import time

import pytest

from storage.models import OPEN_REQUEST_STATUSES
from tests.faults.plant import CALL_BACK, HOLD, TEXTS, Plant, caller_number
from tests.faults.services import wait_for
from tests.faults.switchboard import Switchboard

pytestmark = pytest.mark.soak
INTAKES = int(os.environ.get("PEERLINE_SOAK_INTAKES", "30"))


def intake(plant: Plant, index: int, rng: random.Random) -> str:
    """One person comes in; what they did ("voice", "text", "hung up", …)."""
    roll = rng.random()
    if roll < 0.05:  # hangs up mid-intake: no request, and not an intake
        call = plant.web.call(caller=caller_number(index))
        call.start()
        call.press("1")
        call.hang_up()
        return "hung up mid-intake"
    if roll < 0.55:
        keys = HOLD if rng.random() < 0.5 else CALL_BACK
        call = plant.web.call(caller=caller_number(index))
        call.start()
        for key in keys:
            call.press(key)
        plant.numbers.append(call.caller)
        if rng.random() < 0.2:  # Twilio delivers the last key again
            call.post(call.url, Digits=keys[-1])
        if keys is HOLD and rng.random() < 0.15:  # gives up while holding
            call.hang_up()
            return "hung up holding"
        return "voice"
    plant.text(index, TEXTS)
    if rng.random() < 0.2:  # the last text delivered again
        plant.text(index, TEXTS, first=len(TEXTS) - 1)
    return "text"


def test_soak(plant: Plant) -> None:
    rng = random.Random(10)
    plant.supporters(40)
    for name in ("worker", "worker-2", "scheduler"):
        plant.start(name)
    board = Switchboard(plant, rng)
    board.start()
    started = time.monotonic()
    kinds: dict[str, int] = {}
    for index in range(INTAKES):
        kind = intake(plant, index, rng)
        kinds[kind] = kinds.get(kind, 0) + 1
        if index == INTAKES // 3:
            plant.kill("worker")  # SIGKILL, mid-work
            plant.start("worker")
        if index == 2 * INTAKES // 3:
            plant.redis.crash()  # a Redis blip: everything queued in it is gone
            time.sleep(1)
            plant.redis.start()
    took_in = time.monotonic() - started

    def settled() -> bool:
        rows = plant.requests()
        return all(status not in OPEN_REQUEST_STATUSES for *_, status in rows)

    try:
        wait_for(settled, timeout=120 + 3 * INTAKES, what="every request to end")
    finally:
        board.stop()
        print(plant.open_requests()[:10], board.errors[:5], dict(board.outcomes))
    tally = plant.tally()
    most = board.most_at_once()
    rows = len(plant.requests())
    print(
        f"\nsoak: {INTAKES} people ({kinds}) in {took_in:.0f} s, settled after"
        f" {time.monotonic() - started:.0f} s; calls {dict(board.outcomes)}\n"
        f"requests in {rows} = terminal {tally.terminal} + open {tally.open};"
        f" lost {len(tally.missing)}, duplicated {len(tally.doubled)};"
        f" most calls ringing one number at once {most} (…{board.busiest})"
    )
    assert board.errors == []
    assert rows == tally.terminal + tally.open
    assert tally.missing == [] and tally.doubled == []
    assert tally.offers_dialed_twice == [] and tally.rung_twice == []
    assert most == 1
