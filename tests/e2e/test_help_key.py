"""The supporter's help key: "*" in the call steps out to a menu (1 the crisis line into the
call, the caller staying; 2 page the on-call coordinator; 3 back). Through the sandbox."""

from __future__ import annotations

import pytest

from sandbox.phones import CallStatus
from tests.e2e.conftest import CRISIS, World

pytestmark = pytest.mark.e2e
CALLER, ANA, KIM = "+16175550123", "+16175550101", "+16175550104"
HOLD = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, connect now
MENU = (
    "You're out of the call for a moment; the caller can't hear you. To add the 988 Lifeline"
    " to the call, press 1. To page the coordinator on call, press 2. To go back to the call,"
    " press 3."
)


def in_a_call(world: World):  # type: ignore[no-untyped-def]
    world.supporter("Ana Lopez", ANA)
    world.roster.add_coordinator("Kim", KIM)
    caller = world.box.phone(CALLER).dial()
    for key in HOLD:
        caller.press(key)
    rid = world.request_id()
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()
    supporter.listen()
    caller.listen()
    assert caller.connected and supporter.connected
    return caller, supporter, rid


def test_star_then_3_steps_out_and_back_while_the_caller_stays(world: World) -> None:
    caller, supporter, rid = in_a_call(world)
    supporter.press("*")
    supporter.listen()
    assert supporter.heard(MENU)
    assert caller.status is CallStatus.IN_PROGRESS, "the caller stays in the room"
    supporter.press("3")
    supporter.listen()
    assert supporter.heard("Back to the call.")
    assert {leg.sid for leg in world.box.conference(f"peerline-{rid}")} == {
        caller.sid,
        supporter.sid,
    }
    supporter.hang_up()
    world.work()  # the supporter left: the caller's call ends kindly
    caller.listen()
    assert caller.heard("Your peer supporter has left the call.")
    assert caller.status is CallStatus.COMPLETED


def test_star_then_2_pages_the_coordinator_with_the_supporters_name_only(world: World) -> None:
    _caller, supporter, _rid = in_a_call(world)
    supporter.press("*")
    supporter.listen()
    supporter.press("2")
    world.work()
    [page] = world.box.phone(KIM).inbox()
    assert page.body == (
        "Peerline: supporter Ana Lopez asked for a coordinator during a call, now. Please call"
        " them."
    )
    assert supporter.heard("We've paged the coordinator on call. Back to the call.")


def test_star_then_1_adds_the_crisis_line_and_the_caller_stays_with_it(world: World) -> None:
    caller, supporter, rid = in_a_call(world)
    supporter.press("*")
    supporter.listen()
    supporter.press("1")
    world.work()  # the one call to the crisis line: into this conference, from the hotline
    [crisis] = world.box.phone(CRISIS).ringing()
    assert crisis.caller_id == world.hotline
    world.box.phone(CRISIS).answer()
    supporter.listen()  # "We're calling the 988 Lifeline into the call now. Back to the call."
    room = {leg.sid for leg in world.box.conference(f"peerline-{rid}")}
    assert {caller.sid, supporter.sid} <= room and len(room) == 3
    supporter.hang_up()  # a warm transfer: the supporter leaves, the caller stays with 988
    world.work()
    assert caller.status is CallStatus.IN_PROGRESS
    assert len(world.box.conference(f"peerline-{rid}")) == 2
    caller.hang_up()
    world.box.settle()
    assert world.box.conference(f"peerline-{rid}") == []


def test_the_crisis_line_is_still_refused_for_every_other_purpose(world: World) -> None:
    from usecases.errors import ForbiddenDestination
    from usecases.outbound_policy import Purpose

    with pytest.raises(ForbiddenDestination):
        world.deps.outbound.sms(CRISIS, "hello", purpose=Purpose.TEXT)
    assert world.box.phone(CRISIS).calls() == []
