"""The crisis key always wins (invariant 6), at every place a caller can press it.

Each test drives the real app through the sandbox carrier, presses 9, lets the workers run
and the supporter act, then checks what the carrier was asked to do afterwards: the caller's
call is never moved (it stays dialed to the crisis line), a ringing supporter leg is
cancelled, a supporter who already answered is told and released, and the request is
withdrawn for good.
"""

from __future__ import annotations

import pytest

from sandbox import CallHandle
from sandbox.phones import CallStatus
from storage.dispatch import DispatchStore
from tests.e2e.conftest import CRISIS, World
from tests.twilio_driver import TwilioDriver

pytestmark = pytest.mark.e2e
CALLER, ANA = "+16175550123", "+16175550101"
HOLD = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, connect now
CALLBACK = ["1", "1", "1", "3", "2", "1", "1", "2"]  # ... call me back, asap, any role


def call_in(world: World, keys: list[str]) -> CallHandle:
    call = world.box.phone(CALLER).dial()
    for key in keys:
        call.press(key)
    return call


def assert_in_crisis_transfer(world: World, caller: CallHandle) -> None:
    """The caller heard the transfer and their call is dialing the crisis line, untouched."""
    caller.listen()  # "Connecting you to the 988 ...", then the Dial rings
    assert caller.heard("Connecting you to the 988")
    crisis_legs = [c for c in world.box.phone(CRISIS).calls() if c.parent_sid == caller.sid]
    assert crisis_legs, "the caller's call dialed the crisis number"
    assert crisis_legs[-1].status is CallStatus.RINGING, "and is still on that transfer"
    assert not caller.connected or crisis_legs[-1].connected
    moved = [
        d
        for d in world.box.deliveries()
        if "/twilio/voice/join" in d.url and dict(d.params).get("CallSid") == caller.sid
    ]
    assert moved == [], "no REST update ever redirected the caller out of the transfer"


def request_status(world: World, rid: str) -> str:
    request = world.services.store.get_request(rid)
    assert request is not None
    return str(request.status)


def test_nine_while_holding_and_the_supporter_ringing_cancels_the_leg(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()
    [ringing] = world.box.phone(ANA).ringing()
    caller.press("9")
    assert request_status(world, rid) == "withdrawn", "withdrawn before the webhook answered"
    world.work()
    assert ringing.status is CallStatus.CANCELED
    assert world.box.phone(ANA).ringing() == []
    assert_in_crisis_transfer(world, caller)
    [ana] = world.roster.supporters()
    assert not ana.busy


def test_nine_while_the_supporter_hears_the_offer_releases_them(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()
    supporter = world.box.phone(ANA).answer()
    assert supporter.heard("A nurse needs peer support today")
    caller.press("9")
    supporter.press("1")  # before Peerline's message reaches them
    world.work()
    supporter.listen()  # "the caller is no longer waiting", then Peerline hangs up
    assert supporter.heard("no longer waiting")
    assert supporter.status is CallStatus.COMPLETED
    assert request_status(world, rid) == "withdrawn"
    assert_in_crisis_transfer(world, caller)


def test_nine_after_the_supporter_accepted_never_moves_the_caller(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")  # accepted: the connect job is queued, not yet run
    caller.press("9")  # the caller, still in the hold loop, asks for the crisis line
    world.work()  # the connect job runs now and must leave the caller alone
    supporter.listen()  # "the caller is no longer waiting", then Peerline hangs up
    assert supporter.heard("no longer waiting")
    assert supporter.status is CallStatus.COMPLETED
    assert request_status(world, rid) == "withdrawn"
    assert_in_crisis_transfer(world, caller)
    [ana] = world.roster.supporters()
    assert not ana.busy


def test_nine_before_any_supporter_was_rung_rings_nobody(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    caller.press("9")  # the dispatch job has not run yet
    world.work()
    assert world.box.phone(ANA).calls() == []
    assert request_status(world, rid) == "withdrawn"
    assert_in_crisis_transfer(world, caller)


def test_nine_on_the_call_back_leg_withdraws_and_releases_the_supporter(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    first = call_in(world, CALLBACK)
    first.listen()  # the confirmation, the crisis key live to the end
    world.box.advance(2)
    assert first.status is CallStatus.COMPLETED
    rid = world.request_id()
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()  # the call back rings the caller
    caller = world.box.phone(CALLER).answer()
    assert caller.heard("calling back with the peer supporter")
    caller.press("9")
    world.work()
    supporter.listen()  # "the caller is no longer waiting", then Peerline hangs up
    assert supporter.heard("no longer waiting")
    assert supporter.status is CallStatus.COMPLETED
    assert request_status(world, rid) == "withdrawn"
    assert_in_crisis_transfer(world, caller)
    world.box.advance(3600)  # no later call back, no later offer
    world.work()
    assert len(world.box.phone(CALLER).calls()) == 2
    assert len(world.box.phone(ANA).calls()) == 1


@pytest.mark.parametrize(
    "keys",
    [
        [],  # the safety gate / language menu
        ["1"],  # role
        ["1", "1"],  # how soon
        ["1", "1", "1"],  # organization preference
        ["1", "1", "1", "1"],  # organization name (speech with keys live)
        ["1", "1", "1", "3"],  # connect now or call back
        ["1", "1", "1", "3", "2"],  # call-back window
        ["1", "1", "1", "3", "2", "1"],  # may another role call you? (consent)
        ["1", "1", "1", "3", "2", "1", "1"],  # one follow-up text after the call? (last)
        ["1", "1", "1", "3", "1"],  # the same question, asked of a caller who will hold
    ],
)
def test_nine_at_every_intake_menu_transfers_and_creates_nothing(
    world: World, keys: list[str]
) -> None:
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, keys)
    caller.press("9")
    world.work()
    assert world.services.store.waiting_requests() == []
    assert world.box.phone(ANA).calls() == []
    assert_in_crisis_transfer(world, caller)


def test_a_stale_accept_never_redirects_a_caller_in_crisis(world: World) -> None:
    """Belt and braces: even if the connect job finds the request connected (a race), it
    leaves a caller whose session is in crisis alone."""
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    # The caller's 9 was recorded, but the request row still says connected (the race
    # where the connect job read it a moment before the withdrawal landed).
    world.services.store.mark_crisis(caller.sid)
    world.deps.caller_leg.connect(rid)
    assert [
        d
        for d in world.box.deliveries()
        if "/twilio/voice/join" in d.url and dict(d.params).get("CallSid") == caller.sid
    ] == []
    offers = DispatchStore(world.services.store.engine)
    assert offers.active_offer(rid) is not None  # untouched by the guard itself


def test_nine_at_the_apology_withdraws_when_the_database_answers(
    world: World, twilio: TwilioDriver
) -> None:
    """A hold webhook failed (the caller heard the apology, whose keys go to the fallback
    URL); the caller presses 9 there. The fallback needs no database to transfer, but when
    the database answers it withdraws the request too, so nobody moves the caller later."""
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, HOLD)
    rid = world.request_id()
    world.work()
    [ringing] = world.box.phone(ANA).ringing()
    response = twilio.signed_post(
        "/twilio/voice/fallback", {"CallSid": caller.sid, "From": CALLER, "Digits": "9"}
    )
    assert "<Dial" in response.text and CRISIS in response.text
    assert request_status(world, rid) == "withdrawn"
    assert world.services.store.in_crisis(caller.sid)
    world.work()
    assert ringing.status is CallStatus.CANCELED


def test_nine_while_hearing_the_call_back_confirmation_withdraws_the_request(
    world: World,
) -> None:
    """The closing words still listen for 9: the caller who just asked for a call back and
    presses 9 before we hang up is transferred, and nobody is rung for them later."""
    world.supporter("Ana Lopez", ANA)
    caller = call_in(world, CALLBACK)
    rid = world.request_id()
    caller.press("9")
    assert request_status(world, rid) == "withdrawn"
    world.work()
    assert world.box.phone(ANA).calls() == []
    assert_in_crisis_transfer(world, caller)
