"""The masked bridge end to end: Peerline's real TwilioCarrier talks to the sandbox over HTTP,
the sandbox rings virtual phones and posts signed webhooks back into Peerline."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.phones import CallStatus
from storage.dispatch import DispatchStore
from tests.conftest import lose_everything
from tests.e2e.conftest import World

pytestmark = pytest.mark.e2e
CALLER, ANA, BEN, KIM = "+16175550123", "+16175550101", "+16175550102", "+16175550104"
HOLD = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, connect now
CALLBACK = ["1", "1", "1", "3", "2", "1", "1", "2"]


def call_in(world: World, keys: list[str]):  # type: ignore[no-untyped-def]
    call = world.box.phone(CALLER).dial()
    for key in keys:
        call.press(key)
    return call


def test_caller_and_supporter_meet_in_one_conference_seeing_only_the_hotline(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()  # dispatch: Peerline's carrier creates the supporter's call over REST
    [ringing] = world.box.phone(ANA).ringing()
    assert ringing.caller_id == world.hotline, "the supporter sees the hotline, not the caller"
    supporter = world.box.phone(ANA).answer()
    assert supporter.heard("A nurse needs peer support today")
    supporter.press("1")
    world.work()  # connect_caller: Peerline redirects the holding caller's live call
    supporter.listen()  # each hears a sentence before joining the conference
    caller.listen()
    legs = world.box.conference(f"peerline-{rid}")
    assert {leg.sid for leg in legs} == {caller.sid, supporter.sid}
    assert caller.connected and supporter.connected
    transcript = " ".join(caller.transcript() + supporter.transcript())
    assert ANA not in transcript and CALLER not in transcript
    supporter.hang_up()  # the conversation ends; Peerline ends the caller's call with it
    world.work()
    caller.listen()
    assert caller.heard("Your peer supporter has left the call.")
    request = world.services.store.get_request(rid)
    assert request is not None and request.status == "completed"
    [ana] = world.roster.supporters()
    assert not ana.busy and ana.month_minutes >= 1
    assert caller.status is CallStatus.COMPLETED


def test_a_decline_rings_the_next_supporter(world: World) -> None:
    world.supporter("Ana Lopez", ANA, role="nurse")
    world.supporter("Ben Ode", BEN, role="tech")
    call_in(world, HOLD)
    world.work()
    first = world.box.phone(ANA).answer()
    first.press("2")
    world.work()
    [ringing] = world.box.phone(BEN).ringing()
    assert ringing.caller_id == world.hotline


def test_the_caller_hanging_up_cancels_the_ringing_supporter(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()
    [ringing] = world.box.phone(ANA).ringing()
    caller.hang_up()
    world.work()  # the cancel job: Peerline updates the supporter's call to canceled
    assert world.box.phone(ANA).ringing() == []
    assert ringing.status is CallStatus.CANCELED
    assert world.services.store.get_request(rid).status == "withdrawn"  # type: ignore[union-attr]


def test_call_back_rings_the_caller_from_the_hotline(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    first = call_in(world, CALLBACK)
    first.listen()  # "… within two hours …" (9 still live), then Peerline hangs up
    world.box.advance(2)
    assert first.status is CallStatus.COMPLETED
    rid = world.request_id()
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()  # call_back job
    [back] = world.box.phone(CALLER).ringing()
    assert back.caller_id == world.hotline
    caller = world.box.phone(CALLER).answer()
    assert caller.heard("calling back with the peer supporter")
    caller.press("1")
    supporter.listen()
    caller.listen()
    assert {leg.sid for leg in world.box.conference(f"peerline-{rid}")} == {
        caller.sid,
        supporter.sid,
    }


def test_nobody_available_texts_the_coordinator_no_pii_and_ack_works(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    caller = call_in(world, HOLD)
    world.work()
    assert caller.heard("no peer supporter is available right now")
    [page] = world.box.phone(KIM).inbox()
    match = re.fullmatch(
        r"Peerline: ticket (\w{4}), urgent, waiting \d+ min\. Reply ACK \1\.", page.body
    )
    assert match, page.body
    world.box.phone(KIM).send_sms(world.hotline, f"ACK {match.group(1)}")
    replies = world.box.phone(KIM).inbox()
    assert replies[-1].body == f"Peerline: ticket {match.group(1)} is yours. Thank you."


def test_a_dispatch_whose_worker_died_after_the_claim_still_connects(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    world.supporter("Ben Ode", BEN, role="tech")
    caller = call_in(world, HOLD)
    rid = world.request_id()
    [ana] = [s for s in world.roster.supporters() if s.name == "Ana Lopez"]
    # The worker claimed Ana and died before placing the call (SIGKILL between the two).
    offers = DispatchStore(world.services.store.engine)
    assert offers.claim(rid, ana.id, timedelta(seconds=40)) is not None
    lose_everything(world.services.queues.connection)  # and its job is gone with it
    later = DispatchStore(
        world.services.store.engine, clock=lambda: datetime.now(UTC) + timedelta(seconds=31)
    )
    dispatcher = world.deps.dispatcher
    dispatcher.offers = later
    assert dispatcher.recover_stuck_offers() == 1
    world.work()
    [ringing] = world.box.phone(BEN).ringing() or world.box.phone(ANA).ringing()
    supporter = world.box.phone(ringing.to).answer()
    supporter.press("1")
    world.work()
    supporter.listen()
    caller.listen()
    assert caller.connected
    assert world.services.store.get_request(rid).status == "connected"  # type: ignore[union-attr]
