"""Toll fraud closed end to end: a keyed-in call-back number passes the outbound policy and
is read back before anything relies on it, and the call back goes only to that number.

The intake of a withheld caller is driven by signed webhooks (the sandbox's phones always
present their number); everything Peerline dials goes through its real TwilioCarrier to the
sandbox carrier, whose record of calls is what these tests assert on.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sandbox import CallHandle
from sandbox.phones import CallStatus
from storage.models import CallSession, Event, HelpRequest
from tests.e2e.conftest import CRISIS, World
from tests.twilio_driver import Call, TwilioDriver

pytestmark = pytest.mark.e2e

ANA = "+16175550101"
KEYED = "+16175550150"  # the number the caller keys in
PREMIUM = "+19005550123"
TO_CALL_BACK = ["1", "1", "1", "3", "2"]  # English, nurse, today, no preference, call back


def outbound_calls(world: World) -> list[tuple[str, str]]:
    """Every call Peerline asked the carrier to place: (to, from)."""
    return [(c.to, c.from_) for c in world.box.calls() if c.direction.value == "outbound-api"]


def withheld_to_the_number_prompt(twilio: TwilioDriver) -> Call:
    call = twilio.call(caller="anonymous")
    call.start()
    for key in TO_CALL_BACK:
        call.press(key)
    assert "Your number is hidden" in call.words()
    return call


def supporter_accepts(world: World) -> CallHandle:
    world.work()  # dispatch: the supporter's phone rings
    supporter = world.box.phone(ANA).answer()
    assert supporter.heard("A nurse needs peer support today")
    supporter.press("1")
    world.work()  # call_back
    return supporter


def test_a_withheld_caller_is_refused_a_premium_number_then_called_back_on_the_confirmed_one(
    world: World, twilio: TwilioDriver
) -> None:
    world.supporter("Ana Lopez", ANA)
    call = withheld_to_the_number_prompt(twilio)
    call.press(PREMIUM[2:] + "#")
    assert "We can't call that number." in call.words()
    assert call.gather().get("finishOnKey") == "#", "asked again, keys still live"
    call.press(KEYED[2:] + "#")
    assert "You entered 6 1 7, 5 5 5, 0 1 5 0." in call.words()
    assert "Press 1 if that is right, or 2 to enter it again." in call.words()
    call.press("1")
    assert "When is a good time" in call.words()
    call.press("1")  # as soon as possible
    call.press("2")  # wait for a nurse
    call.press("2")  # no follow-up text
    assert "call you from this Peerline number" in call.words()
    rid = world.request_id()
    assert world.services.store.caller_of(rid) == KEYED

    supporter = supporter_accepts(world)
    [back] = world.box.phone(KEYED).ringing()
    assert back.caller_id == world.hotline
    caller = world.box.phone(KEYED).answer()
    assert caller.heard("calling back with the peer supporter")
    caller.press("1")
    supporter.listen()  # each hears a sentence before joining the conference
    caller.listen()
    assert caller.connected
    assert outbound_calls(world) == [(ANA, world.hotline), (KEYED, world.hotline)]
    assert world.box.phone(PREMIUM).calls() == [], "the premium number was never dialed"


def test_a_caller_whose_caller_id_is_premium_is_asked_for_another_number(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    call = world.box.phone(PREMIUM).dial()
    for key in TO_CALL_BACK:
        call.press(key)
    assert call.heard("We can't call back the number you are calling from.")
    call.press(KEYED[2:] + "#")
    assert call.heard("You entered 6 1 7, 5 5 5, 0 1 5 0.")
    call.press("1")
    call.press("1")
    call.press("1")  # another role may call
    call.press("2")  # no follow-up text
    call.listen()  # the confirmation (the crisis key still live), then Peerline hangs up
    world.box.advance(2)
    assert call.status is CallStatus.COMPLETED
    rid = world.request_id()
    assert world.services.store.caller_of(rid) == KEYED
    supporter_accepts(world)
    assert outbound_calls(world) == [(ANA, world.hotline), (KEYED, world.hotline)]
    assert [c.direction.value for c in world.box.phone(PREMIUM).calls()] == ["inbound"]
    refused = [d for k, d in world.services.store.events() if k == "intake.caller_id_not_callable"]
    assert refused == [{"reason": "prefix"}]


def test_a_premium_caller_id_holding_gets_no_call_back_on_it(world: World) -> None:
    call = world.box.phone(PREMIUM).dial()
    for key in ["1", "1", "1", "3", "1"]:  # connect now: no number needed
        call.press(key)
    assert call.heard("Please stay on the line")
    rid = world.request_id()
    assert world.services.store.caller_of(rid) is None, "a number we may not call isn't kept"


@pytest.mark.parametrize(
    ("keyed", "said"),
    [
        ("+447400123456", "We can only call numbers in the United States."),
        ("+18095550123", "We can only call numbers in the United States."),
        ("+882164001234", "We can't call that number."),
        ("+16175550100", "We can't call that number."),  # the hotline itself
        (CRISIS, "We can't call that number."),
        ("+15005550123", "We can't call that number."),  # a 5XX personal number
    ],
)
def test_each_refused_number_is_answered_with_a_clear_reason(
    twilio: TwilioDriver, keyed: str, said: str
) -> None:
    call = withheld_to_the_number_prompt(twilio)
    digits = keyed[2:] if keyed.startswith("+1") else "011" + keyed[1:]
    call.press(digits + "#")
    assert said in call.words(), call.words()
    assert "Please enter the number to call" in call.words()


def test_spanish_refusal_and_read_back(twilio: TwilioDriver) -> None:
    call = twilio.call(caller="anonymous")
    call.start()
    for key in ["2", "1", "1", "3", "2"]:
        call.press(key)
    call.press("011447400123456#")
    assert "Solo podemos llamar a números de los Estados Unidos." in call.words()
    call.press(KEYED[2:] + "#")
    assert "Usted marcó 6 1 7, 5 5 5, 0 1 5 0." in call.words()
    assert "Oprima 1 si es correcto" in call.words()


def test_the_read_back_digits_are_never_stored_in_the_clear(
    twilio: TwilioDriver, world: World
) -> None:
    call = withheld_to_the_number_prompt(twilio)
    action = call._action()
    call.post(action, Digits=KEYED[2:] + "#")
    served = call.documents[-1]
    assert "6 1 7, 5 5 5, 0 1 5 0" in served
    call.post(action, Digits=KEYED[2:] + "#")  # Twilio re-delivers the same turn
    assert call.documents[-1] == served, "a re-delivery gets the very same document"
    store = world.services.store
    with store.engine.connect() as conn:
        saved = conn.execute(select(CallSession.last_response, CallSession.flow)).one()
        events = conn.execute(select(Event.kind, Event.detail)).all()
        caller_enc = conn.execute(select(CallSession.caller_enc)).scalar_one()
    for digits in ("6175550150", "6 1 7, 5 5 5, 0 1 5 0", "0 1 5 0"):
        assert digits not in str(saved) and digits not in str(events)
    assert caller_enc is not None and b"6175550150" not in caller_enc
    assert store.session_caller(call.sid) == KEYED  # kept, but only encrypted
    jobs = [j for q in world.services.queues.all() for j in q.jobs]
    assert all("6175550150" not in str(j.kwargs) for j in jobs)


def test_enter_it_again_forgets_the_first_number(twilio: TwilioDriver, world: World) -> None:
    call = withheld_to_the_number_prompt(twilio)
    call.press("6175559999#")
    call.press("2")  # that's wrong
    assert "Please enter the number to call" in call.words()
    assert world.services.store.session_caller(call.sid) is None
    call.press(KEYED[2:] + "#")
    call.press("1")
    call.press("1")
    call.press("1")
    call.press("2")  # no follow-up text
    with world.services.store.engine.connect() as conn:
        assert conn.execute(select(HelpRequest.id)).scalar_one()
    assert world.services.store.caller_of(world.request_id()) == KEYED


def test_star_at_the_read_back_means_connect_now_and_keeps_no_number(
    twilio: TwilioDriver, world: World
) -> None:
    call = withheld_to_the_number_prompt(twilio)
    call.press(KEYED[2:] + "#")
    call.press("*")
    assert "connect you now instead" in call.words()
    assert world.services.store.caller_of(world.request_id()) is None


def test_the_crisis_key_wins_at_the_read_back(twilio: TwilioDriver, world: World) -> None:
    call = withheld_to_the_number_prompt(twilio)
    call.press(KEYED[2:] + "#")
    doc = call.press("9")
    assert (doc.findtext("Dial") or "").strip() == CRISIS
    assert world.services.store.session_caller(call.sid) is None
    assert world.services.store.count_requests() == {}


@pytest.mark.parametrize(
    ("texter", "said"),
    [
        ("+447400123456", "we can only call numbers in the United States"),
        (PREMIUM, "we can't call this number"),
    ],
)
def test_a_texter_we_cannot_call_back_is_told_so_and_given_911_and_988(
    world: World, texter: str, said: str
) -> None:
    phone = world.box.phone(texter)
    phone.send_sms(world.hotline, "hello")
    world.box.settle()
    [reply] = phone.inbox()
    assert said in reply.body and "911" in reply.body and "988" in reply.body
    phone.send_sms(world.hotline, "1")
    world.box.settle()
    assert "Which best describes your role" not in phone.inbox()[-1].body
    with world.services.store.engine.connect() as conn:
        assert conn.execute(select(CallSession.sid)).all() == [], "no intake, nothing kept"
    events = [d for kind, d in world.services.store.events() if kind == "sms.not_callable"]
    assert len(events) == 2 and texter[2:] not in str(events)
