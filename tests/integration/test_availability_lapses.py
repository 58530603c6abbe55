"""AVAILABLE and AWAY by text lapse, and the roster reads a lapsed one as the schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.roster import RosterStore
from tests.integration.conftest import Line
from tests.integration.test_lifecycle import text

pytestmark = pytest.mark.integration

ANA = "+12015550101"


def roster_at(line: Line, later: timedelta) -> RosterStore:
    store = line.services.store
    return RosterStore(store.engine, store.cipher, clock=lambda: store.clock() + later)


def test_available_for_two_hours_then_the_schedule_again(line: Line) -> None:
    line.supporter("Ana Lopez", ANA, on_shift=False)  # no schedule: never on shift by itself
    reply = text(line, ANA, "AVAILABLE 2h")
    assert reply.startswith("Peerline: you're available until ")
    [ana] = line.roster.supporters()
    assert ana.on_shift is True and ana.on_shift_until is not None
    assert timedelta(hours=2) - (ana.on_shift_until - line.services.store.clock()) < timedelta(
        minutes=1
    )
    [soon] = roster_at(line, timedelta(hours=1, minutes=59)).supporters()
    assert soon.on_shift is True
    [later] = roster_at(line, timedelta(hours=2, minutes=1)).supporters()
    assert later.on_shift is None and later.on_shift_until is None


def test_bare_available_lasts_to_the_end_of_the_day_and_away_until_changed(line: Line) -> None:
    line.supporter("Ana Lopez", ANA, on_shift=False)
    text(line, ANA, "AVAILABLE")
    [ana] = line.roster.supporters()
    assert ana.on_shift_until is not None
    assert ana.on_shift_until - line.services.store.clock() <= timedelta(days=1)
    [tomorrow] = roster_at(line, timedelta(days=1)).supporters()
    assert tomorrow.on_shift is None  # nobody rung at 3 a.m. for yesterday's AVAILABLE
    assert text(line, ANA, "away") == "Peerline: you're away. No calls until you reply AVAILABLE."
    [next_month] = roster_at(line, timedelta(days=30)).supporters()
    assert next_month.on_shift is False


def test_away_for_three_days(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    assert text(line, ANA, "AWAY 3 days").startswith("Peerline: you're away until ")
    [two_days] = roster_at(line, timedelta(days=2)).supporters()
    assert two_days.on_shift is False
    [four_days] = roster_at(line, timedelta(days=4)).supporters()
    assert four_days.on_shift is None
    assert "available (you said AVAILABLE)" not in text(line, ANA, "STATUS")
