"""Consent before the match widens, for a caller holding on the line: asked first, and the
crisis key still wins at that question. Through the sandbox carrier, end to end."""

from __future__ import annotations

import pytest

from sandbox.phones import CallStatus
from tests.e2e.conftest import CRISIS, World

pytestmark = pytest.mark.e2e
CALLER, ANA, BEN = "+16175550123", "+16175550101", "+16175550102"
HOLD_NURSE = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, connect now
HOLD_SPANISH_NURSE = ["2", "1", "1", "3", "1", "2"]
QUESTION = (
    "No nurse is free right now. To talk now with another healthcare worker, press 1."
    " For a nurse to call you back, press 2."
)


def holding(world: World, keys: list[str] = HOLD_NURSE):  # type: ignore[no-untyped-def]
    """A caller on hold while only a physician (not on a nurse's ladder) is on shift."""
    world.supporter("Ben Ode", BEN, role="physician")
    caller = world.box.phone(CALLER).dial()
    for key in keys:
        caller.press(key)
    rid = world.request_id()
    world.work()  # dispatch: nobody on the ladder, a physician free: the question is put
    return caller, rid


def until_asked(world: World, caller) -> None:  # type: ignore[no-untyped-def]
    caller.listen()  # the confirmation, then the first hold pass
    world.box.advance(40)  # the pass times out; the next one asks
    caller.listen()


def test_the_holding_caller_is_asked_before_another_role_is_offered(world: World) -> None:
    caller, rid = holding(world)
    assert world.box.phone(BEN).calls() == [], "nobody outside the ladder is rung unasked"
    request = world.services.store.get_request(rid)
    assert request is not None and request.consent_asked == "role"
    until_asked(world, caller)
    assert caller.heard(QUESTION)
    assert caller.heard("Press 9 at any time for the crisis line.")
    caller.press("1")  # yes: talk now with another healthcare worker
    assert world.services.store.get_request(rid).other_role_ok is True  # type: ignore[union-attr]
    world.work()  # dispatch again, widened: the physician rings
    supporter = world.box.phone(BEN).answer()
    assert supporter.heard("A nurse needs peer support today")
    supporter.press("1")
    world.work()  # the holding caller is moved into the conference
    supporter.listen()
    caller.listen()
    assert caller.connected and supporter.connected
    kinds = [kind for kind, _ in world.services.store.events(rid)]
    order = [kinds.index(k) for k in ("consent.asked", "consent.given", "offer.ringing")]
    assert order == sorted(order)


def test_nine_at_the_question_is_the_crisis_line_and_rings_nobody(world: World) -> None:
    caller, rid = holding(world)
    until_asked(world, caller)
    caller.press("9")
    assert world.services.store.get_request(rid).status == "withdrawn"  # type: ignore[union-attr]
    world.work()
    caller.listen()
    assert caller.heard("Connecting you to the 988")
    assert [c.parent_sid for c in world.box.phone(CRISIS).calls()] == [caller.sid]
    assert world.box.phone(BEN).calls() == []


def test_two_keeps_the_callers_choice_and_turns_it_into_a_call_back(world: World) -> None:
    caller, rid = holding(world)
    until_asked(world, caller)
    caller.press("2")
    caller.listen()
    assert caller.heard("All right. We have kept your request")
    world.box.advance(2)
    assert caller.status is CallStatus.COMPLETED
    request = world.services.store.get_request(rid)
    assert request is not None
    assert (request.contact_mode, request.other_role_ok, request.consent_asked) == (
        "callback",
        False,
        None,
    )
    world.deps.dispatcher.dispatch(rid)  # the next round still never widens
    world.work()
    assert world.box.phone(BEN).calls() == []


def test_a_spanish_speaker_is_asked_before_a_peer_talks_in_english(world: World) -> None:
    world.supporter("Ana Lopez", ANA, role="nurse")  # a nurse, but English only
    caller, _ = holding(world, HOLD_SPANISH_NURSE)
    assert world.box.phone(ANA).calls() == []
    until_asked(world, caller)
    assert caller.heard(
        "En este momento no hay ningún colega que hable español disponible. Para hablar"
        " ahora con un colega en inglés, oprima 1."
    )
    caller.press("1")
    world.work()
    supporter = world.box.phone(ANA).answer()
    assert supporter.heard("They speak Spanish, and talking in English is fine with them.")
    assert world.box.phone(BEN).calls() == [], "the same role first, in English"
