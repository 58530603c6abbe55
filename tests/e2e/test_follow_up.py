"""Follow-up and sessions through the sandbox carrier: a caller says yes at the end of
intake, talks with Ana, gets one text 48 hours later, replies 1, and Ana's phone rings
first; then the two optional questions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from matching.calling import CallingHours, QuietHours
from tests.e2e.conftest import World
from usecases.candidates import zone as zone_named

pytestmark = pytest.mark.e2e
CALLER, ANA, BEN = "+16175550123", "+16175550101", "+16175550102"
HOLD_YES = ["1", "1", "1", "3", "1", "1"]  # ..., connect now, yes: one text after the call


def reply(world: World, body: str) -> str:
    phone = world.box.phone(CALLER)
    before = len(phone.inbox())
    phone.send_sms(world.hotline, body)
    world.box.settle()
    return "\n".join(m.body for m in phone.inbox()[before:])


def test_a_caller_who_said_yes_is_texted_once_and_1_rings_the_same_peer_first(
    world: World,
) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = world.box.phone(CALLER).dial()
    caller.press("1")
    for key in HOLD_YES[1:-1]:
        caller.press(key)
    assert caller.heard("May we send you one text message after your call")
    caller.press(HOLD_YES[-1])
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()
    supporter.listen()
    caller.listen()
    assert caller.connected
    world.box.advance(20 * 60)
    supporter.hang_up()
    world.work()
    [first] = [r for r in world.services.store.count_requests()]
    assert first == "completed"
    world.supporter("Ben Okafor", BEN)  # free too: the same peer still comes first

    texts = world.deps.follow_ups
    calling = CallingHours(zone_named(world.services.settings.timezone), QuietHours.parse(""))
    texts.config = replace(texts.config, calling=calling)
    ended = world.services.store.clock()
    texts.clock = lambda: ended + timedelta(hours=47)
    assert texts.send_due() == 0
    texts.clock = lambda: ended + timedelta(hours=48, minutes=1)
    assert texts.send_due() == 1
    assert texts.send_due() == 0
    [offer] = [m.body for m in world.box.phone(CALLER).inbox()]
    assert "Would you like to talk again with the same peer? Reply 1" in offer
    assert "988" in offer

    answered = reply(world, "1")
    assert answered.startswith("Peerline: thank you. We'll ask the same peer first")
    assert "did the call help? Reply a number from 1 (not at all) to 5 (a lot)." in answered
    world.work()
    assert len(world.box.phone(ANA).ringing()) == 1, "the same peer first"
    assert world.box.phone(BEN).ringing() == []

    assert "recommend Peerline to a colleague? Reply 1 for yes or 2 for no." in reply(world, "4")
    assert reply(world, "1").startswith("Peerline: thank you. We're here whenever you need us")
    assert "your request is in" in reply(world, "1")  # no question pending: the open request
