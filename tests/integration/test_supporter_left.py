"""Issue 9: a supporter who hangs up before the called-back caller joined did not serve the
request. It goes back to waiting (not completed), the caller's ringing leg is cancelled,
the supporter is freed, the call backs not taken are not counted, and it is offered again;
a caller who answers after their supporter left hears that a peer will call back, with the
crisis key, and never joins an empty conference."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from ivr.catalogue import voice
from ivr.messages import Msg
from ivr.model import Language
from storage.dispatch_models import OfferStatus
from storage.models import HelpRequest, RequestStatus
from tests.integration.conftest import Leg, Line, leg_post, sid_of, supporter_leg
from tests.keypresses import CALLBACK_NURSE_TODAY

pytestmark = pytest.mark.integration

CALLER = "+16175551234"
ANA, BEN = "+12015550101", "+12015550102"
LEFT = "callback.supporter_left"


def request_by_phone(line: Line) -> str:
    call = line.twilio.call(caller=CALLER)
    call.start()
    for key in CALLBACK_NURSE_TODAY:
        call.press(key)
    with line.services.store.engine.connect() as conn:
        return conn.execute(
            select(HelpRequest.id).where(HelpRequest.source_sid == call.sid)
        ).scalar_one()


def accepted_and_ringing(line: Line) -> tuple[str, Leg, str]:
    """Ana and Ben on shift; Ana accepts a call back and Peerline rings the caller."""
    line.supporter("Ana Lopez", ANA)
    line.supporter("Ben Ode", BEN)
    rid = request_by_phone(line)
    line.work()
    leg = supporter_leg(line)
    leg_post(line, f"/twilio/offer/answer?offer={leg.offer_id}", leg.sid, leg.to, Digits="1")
    line.work()  # the call back
    assert line.carrier.calls[-1]["kind"] == "call_back"
    return rid, leg, sid_of(line, -1)


def supporter_hangs_up(line: Line, leg: Leg, seconds: int = 40) -> None:
    path = f"/twilio/offer/status?offer={leg.offer_id}"
    leg_post(line, path, leg.sid, leg.to, CallStatus="completed", CallDuration=str(seconds))


def said(document: ET.Element) -> str:
    return " ".join(s.text or "" for s in document.iter("Say"))


def test_the_supporter_leaving_before_the_caller_joined_offers_the_request_again(
    line: Line,
) -> None:
    rid, leg, caller_sid = accepted_and_ringing(line)
    supporter_hangs_up(line, leg)

    # Written before the webhook answered: waiting again, nothing counted, supporter free.
    request = line.services.store.get_request(rid)
    assert request is not None
    assert (request.status, request.callback_attempts, request.supporter_id) == (
        RequestStatus.WAITING,
        0,
        None,
    )
    offer = line.deps.dispatcher.offers.offer(leg.offer_id)
    assert offer is not None and offer.status == OfferStatus.CANCELED
    kinds = [kind for kind, _ in line.services.store.events(rid)]
    assert LEFT in kinds and "request.completed" not in kinds
    assert not any(s.busy for s in line.roster.supporters())

    line.work()  # the cancel of the caller's leg, and the new dispatch round
    assert {"sid": caller_sid, "status": "canceled"} in line.carrier.updates
    assert [u for u in line.carrier.updates if u["sid"] == leg.sid] == []  # nothing to say
    again = supporter_leg(line)
    assert again.to != leg.to  # the one who left was just rung: the next supporter is

    # The cancelled leg's status arrives: not a call back the caller missed.
    path = f"/twilio/callback/status?request={rid}"
    leg_post(line, path, caller_sid, CALLER, CallStatus="canceled")
    line.work()
    request = line.services.store.get_request(rid)
    assert request is not None and request.callback_attempts == 0
    assert "callback.missed" not in [kind for kind, _ in line.services.store.events(rid)]

    # The next supporter accepts: a new call back rings the caller (same attempt, a new call).
    leg_post(line, f"/twilio/offer/answer?offer={again.offer_id}", again.sid, again.to, Digits="1")
    line.work()
    assert (line.carrier.calls[-1]["kind"], line.carrier.calls[-1]["to"]) == ("call_back", CALLER)
    new_sid = sid_of(line, -1)
    assert new_sid != caller_sid
    joined = leg_post(line, f"/twilio/callback/answer?request={rid}", new_sid, CALLER, Digits="1")
    assert (joined.findtext("Dial/Conference") or "") == f"peerline-{rid}"
    supporter_hangs_up(line, again, 1200)
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.COMPLETED


def test_a_late_status_of_the_stopped_leg_does_not_free_the_next_supporter(line: Line) -> None:
    rid, leg, caller_sid = accepted_and_ringing(line)
    supporter_hangs_up(line, leg)
    line.work()
    again = supporter_leg(line)
    leg_post(line, f"/twilio/offer/answer?offer={again.offer_id}", again.sid, again.to, Digits="1")
    line.work()
    path = f"/twilio/callback/status?request={rid}"
    leg_post(line, path, caller_sid, CALLER, CallStatus="canceled")  # late, after the next 1
    line.work()
    request = line.services.store.get_request(rid)
    assert request is not None
    assert (request.status, request.callback_attempts) == (RequestStatus.CONNECTED, 0)
    offer = line.deps.dispatcher.offers.offer(again.offer_id)
    assert offer is not None and offer.status == OfferStatus.ACCEPTED


def test_a_caller_who_answers_after_the_supporter_left_hears_a_peer_will_call_back(
    line: Line,
) -> None:
    rid, leg, caller_sid = accepted_and_ringing(line)
    supporter_hangs_up(line, leg)
    # The race: the caller picked up before the cancel reached the carrier.
    hello = leg_post(line, f"/twilio/callback?request={rid}", caller_sid, CALLER)
    assert hello.find("Dial") is None
    assert said(hello) == voice(Msg.CALLBACK_PEER_LEFT, Language.EN)
    gather = hello.find("Gather")
    assert gather is not None and f"request={rid}" in (gather.get("action") or "")
    assert hello.find("Hangup") is not None  # silence: the call ends kindly
    # 1 does not put them into an empty conference.
    again = leg_post(line, f"/twilio/callback/answer?request={rid}", caller_sid, CALLER, Digits="1")
    assert again.find("Dial") is None and said(again) == said(hello)
    # 9 is still the crisis line.
    crisis = leg_post(
        line, f"/twilio/callback/answer?request={rid}", caller_sid, CALLER, Digits="9"
    )
    assert (crisis.findtext("Dial") or "").strip() == line.settings.crisis_number


def test_a_caller_at_the_prompt_who_presses_1_after_the_supporter_left_is_not_bridged(
    line: Line,
) -> None:
    rid, leg, caller_sid = accepted_and_ringing(line)
    prompt = leg_post(line, f"/twilio/callback?request={rid}", caller_sid, CALLER)
    assert prompt.find("Gather") is not None  # "press 1 to be connected now"
    supporter_hangs_up(line, leg)
    joined = leg_post(
        line, f"/twilio/callback/answer?request={rid}", caller_sid, CALLER, Digits="1"
    )
    assert joined.find("Dial") is None
    assert said(joined) == voice(Msg.CALLBACK_PEER_LEFT, Language.EN)
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.WAITING
    # They hang up: the leg's end is not a call back the caller missed.
    path = f"/twilio/callback/status?request={rid}"
    leg_post(line, path, caller_sid, CALLER, CallStatus="completed", CallDuration="20")
    line.work()
    request = line.services.store.get_request(rid)
    assert request is not None and request.callback_attempts == 0


def test_a_holding_caller_s_call_still_completes_when_the_supporter_hangs_up(
    line: Line,
) -> None:
    """Unchanged for a holding caller: the supporter's hang-up ends the call."""
    from tests.keypresses import HOLD_NURSE_TODAY

    line.supporter("Ana Lopez", ANA)
    call = line.twilio.call(caller=CALLER)
    call.start()
    for key in HOLD_NURSE_TODAY:
        call.press(key)
    line.work()
    leg = supporter_leg(line)
    leg_post(line, f"/twilio/offer/answer?offer={leg.offer_id}", leg.sid, leg.to, Digits="1")
    line.work()
    supporter_hangs_up(line, leg, 600)
    with line.services.store.engine.connect() as conn:
        status = conn.execute(
            select(HelpRequest.status).where(HelpRequest.source_sid == call.sid)
        ).scalar_one()
    assert status == RequestStatus.COMPLETED
