"""Matching and dispatch on a real database and Redis, with a recording carrier."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from ivr.messages import Msg
from storage.dispatch_models import Offer
from storage.models import HelpRequest
from storage.roster_models import Supporter
from tests.integration.conftest import Line, leg_post, supporter_leg
from tests.keypresses import CALLBACK_NURSE_TODAY, HOLD_NURSE_TODAY
from tests.twilio_driver import Call
from usecases.errors import PermanentCarrierError

CALLER = "+16175551234"
HOTLINE = "+16175550100"
ANA, BEN, CAM = "+12015550101", "+12015550102", "+12015550103"


def request_by_phone(line: Line, keys: list[str], caller: str = CALLER) -> tuple[Call, str]:
    call = line.twilio.call(caller=caller)
    call.start()
    for key in keys:
        call.press(key)
    with line.services.store.engine.connect() as conn:
        rid = conn.execute(
            select(HelpRequest.id).where(HelpRequest.source_sid == call.sid)
        ).scalar_one()
    return call, rid


def query(url: str, name: str) -> str:
    return parse_qs(urlparse(url).query)[name][0]


def words(doc: ET.Element) -> str:
    return " ".join(s.text or "" for s in doc.iter("Say"))


def test_callback_request_rings_the_best_supporter_from_the_hotline(line: Line) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")
    line.supporter("Ben Ode", BEN, role="physician")
    _, rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    [call] = line.carrier.calls
    assert call["to"] == ANA and call["from_"] == HOTLINE
    assert call["ring_seconds"] == 30
    assert call["kind"] == "offer" and call["offer_id"]
    assert line.services.store.get_request(rid).status == "offered"  # type: ignore[union-attr]


def test_supporter_hears_role_and_urgency_only_then_accepts_and_caller_is_called_back(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    _, rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    offer_id, sid, to = supporter_leg(line)
    whisper = leg_post(line, f"/twilio/offer?offer={offer_id}", sid, to)
    said = words(whisper)
    assert "A nurse needs peer support today" in said and "Press 1" in said
    document = ET.tostring(whisper, encoding="unicode")
    assert CALLER not in document and CALLER[2:] not in document and ANA not in document
    joined = leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    conference = joined.find("Dial/Conference")
    assert conference is not None and conference.text == f"peerline-{rid}"
    line.work()  # the call-back job
    back = line.carrier.calls[-1]
    assert (back["to"], back["from_"]) == (CALLER, HOTLINE)
    caller_sid = f"CAfa{len(line.carrier.calls):030x}"
    offer_doc = leg_post(line, f"/twilio/callback?request={rid}", caller_sid, CALLER)
    assert "calling back with the peer supporter" in words(offer_doc)
    doc = leg_post(line, f"/twilio/callback/answer?request={rid}", caller_sid, CALLER, Digits="1")
    assert (doc.findtext("Dial/Conference") or "") == f"peerline-{rid}"
    # the conversation ends: minutes counted, supporter freed, request completed
    leg_post(
        line,
        f"/twilio/offer/status?offer={offer_id}",
        sid,
        to,
        CallStatus="completed",
        CallDuration="1250",
    )
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == "completed"
    [ana] = line.roster.supporters()
    assert (ana.busy, ana.month_minutes) == (False, 21)


def test_decline_rings_the_next_supporter(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    line.supporter("Ben Ode", BEN)
    request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    offer_id, sid, first = supporter_leg(line)
    doc = leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, first, Digits="2")
    assert doc.find("Hangup") is not None
    line.work()
    assert len(line.carrier.calls) == 2
    assert {c["to"] for c in line.carrier.calls} == {ANA, BEN}


def test_no_answer_and_busy_move_on_to_the_next_supporter(line: Line) -> None:
    for name, phone in [("Ana", ANA), ("Ben", BEN), ("Cam", CAM)]:
        line.supporter(name, phone)
    request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    for status in ["no-answer", "busy"]:
        offer_id, sid, to = supporter_leg(line)
        leg_post(line, f"/twilio/offer/status?offer={offer_id}", sid, to, CallStatus=status)
        line.work()
    assert [c["to"] for c in line.carrier.calls] == sorted(
        {ANA, BEN, CAM}, key=[c["to"] for c in line.carrier.calls].index
    )
    assert len({c["to"] for c in line.carrier.calls}) == 3


def test_holding_caller_is_moved_into_the_conference_on_accept(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()
    offer_id, sid, to = supporter_leg(line)
    leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    line.work()  # connect_caller
    [update] = line.carrier.updates
    assert update["sid"] == call.sid
    assert update["moved_to"] == rid
    doc = call.post(f"/twilio/voice/join?request={rid}")
    assert (doc.findtext("Dial/Conference") or "") == f"peerline-{rid}"


def test_caller_hanging_up_while_the_supporter_rings_cancels_that_leg(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()
    offer_id, sid, to = supporter_leg(line)
    call.hang_up()
    line.work()
    assert {"sid": sid, "status": "canceled"} in line.carrier.updates
    assert line.services.store.get_request(rid).status == "withdrawn"  # type: ignore[union-attr]
    [ana] = line.roster.supporters()
    assert not ana.busy
    late = leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    assert "no longer" in words(late) or "taken care of" in words(late)


def test_bad_number_is_flagged_and_never_blocks_the_others(line: Line) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")  # ranked first: same role
    line.supporter("Ben Ode", BEN, role="tech")  # related role: next
    line.carrier.fail[ANA] = PermanentCarrierError("opted out", 21610)
    request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    assert [c["to"] for c in line.carrier.calls] == [BEN]
    flagged = {s.name: s.bad_number for s in line.roster.supporters()}
    assert flagged == {"Ana Lopez": True, "Ben Ode": False}


def test_nobody_available_pages_the_coordinator_without_pii_and_tells_the_caller(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA, on_shift=False)
    line.roster.add_coordinator("Coordinator Kim", "+12015550199")
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()
    assert line.carrier.calls == []
    [page] = line.carrier.messages
    ticket = line.services.store.get_request(rid).ticket  # type: ignore[union-attr]
    assert page["to"] == "+12015550199" and page["from_"] == HOTLINE
    assert re.fullmatch(
        rf"Peerline: ticket {ticket}, urgent, waiting \d+ min\. "
        rf"Reply ACK {ticket}\.",
        page["body"],
    )
    told = [u for u in line.carrier.updates if u["sid"] == call.sid]
    assert told and Msg.NOBODY_NOW in told[0]["said"]
    request = line.services.store.get_request(rid)
    assert request is not None and request.contact_mode == "callback"
    assert any(j.startswith(f"dispatch-{rid}-at") for j in line.scheduled())


def test_two_dispatchers_never_claim_the_same_supporter(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    _, first = request_by_phone(line, CALLBACK_NURSE_TODAY, caller="+16175551201")
    _, second = request_by_phone(line, CALLBACK_NURSE_TODAY, caller="+16175551202")
    offers = line.deps.dispatcher.offers
    from datetime import timedelta

    [ana] = line.roster.supporters()
    a = offers.claim(first, ana.id, timedelta(seconds=40))
    b = offers.claim(second, ana.id, timedelta(seconds=40))
    assert (a is None) != (b is None)
    with line.services.store.engine.connect() as conn:
        assert conn.execute(select(Supporter.busy_offer_id)).scalar_one() == (a or b).id  # type: ignore[union-attr]
        assert len(conn.execute(select(Offer)).all()) == 1


def test_a_closed_or_unknown_request_is_never_offered(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    call.hang_up()  # withdrawn before any worker ran
    line.work()
    line.deps.dispatcher.dispatch("0" * 32)
    assert line.carrier.calls == []
    assert line.services.store.get_request(rid).status == "withdrawn"  # type: ignore[union-attr]


def _physician_from_bmc_calling_back(line: Line, other_role: str) -> None:
    line.supporter("Sam Support", ANA, role="support", organization="Tufts Medical Center")
    line.supporter("Pat Pharm", BEN, role="allied", organization="Boston Medical Center")
    line.services.store.add_organization("Boston Medical Center", ["BMC"])
    call = line.twilio.call()
    call.start()
    for key in ["1", "2", "1", "1"]:  # English, physician, today, outside my organization
        call.press(key)
    call.say("BMC")
    call.press("2")  # call me back
    call.press("1")  # as soon as possible
    call.press(other_role)  # may another healthcare worker call?
    call.press("2")  # no follow-up text
    line.work()


def test_with_consent_nobody_in_a_related_role_widens_to_any_role_never_the_organization(
    line: Line,
) -> None:
    _physician_from_bmc_calling_back(line, "1")
    # neither role is on the physician's ladder; Pat works where the caller does
    assert [c["to"] for c in line.carrier.calls] == [ANA]


def test_without_consent_the_match_never_widens(line: Line) -> None:
    _physician_from_bmc_calling_back(line, "2")
    assert line.carrier.calls == [], "nobody outside the physician's ladder is rung"
    kinds = [kind for kind, _ in line.services.store.events()]
    assert "dispatch.nobody_available" in kinds  # the coordinator hears instead


def test_a_caller_gone_before_the_redirect_is_withdrawn_and_the_supporter_told(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    line.work()
    offer_id, sid, to = supporter_leg(line)
    line.carrier.fail_updates[call.sid] = PermanentCarrierError("not in progress", 21220)
    leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    line.work()  # connect_caller: Twilio says the caller's call is over
    assert line.services.store.get_request(rid).status == "withdrawn"  # type: ignore[union-attr]
    told = [u for u in line.carrier.updates if u["sid"] == sid]
    assert told and Msg.CALLER_LEFT in told[0]["said"]
    [ana] = line.roster.supporters()
    assert not ana.busy


def test_a_stale_call_back_failure_never_releases_a_newer_offer(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    _, rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    offer_id, sid, to = supporter_leg(line)
    leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    line.deps.caller_leg.callback_failed(rid, offer_id="f" * 32)  # about some older offer
    assert line.services.store.get_request(rid).status == "connected"  # type: ignore[union-attr]
    line.deps.caller_leg.callback_failed(rid, offer_id=offer_id)
    assert line.services.store.get_request(rid).status == "waiting"  # type: ignore[union-attr]


def test_a_follow_up_goes_first_to_the_same_supporter(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    _, first = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    offer_id, sid, to = supporter_leg(line)
    leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, to, Digits="1")
    line.work()  # the call back; the caller presses 1 and joins
    caller_sid = f"CAfa{len(line.carrier.calls):030x}"
    path = f"/twilio/callback/answer?request={first}"
    leg_post(line, path, caller_sid, CALLER, Digits="1")
    leg_post(
        line,
        f"/twilio/offer/status?offer={offer_id}",
        sid,
        to,
        CallStatus="completed",
        CallDuration="900",
    )
    line.supporter("Ben Ode", BEN)  # fewer minutes this month: fairness alone would pick Ben
    _, second = request_by_phone(line, CALLBACK_NURSE_TODAY)
    [ana] = [s for s in line.roster.supporters() if s.name == "Ana Lopez"]
    assert line.services.store.get_request(second).previous_supporter_id == ana.id  # type: ignore[union-attr]
    line.work()
    assert line.carrier.calls[-1]["to"] == ANA


def test_the_identity_link_is_forgotten_after_the_grace_period(line: Line) -> None:
    store = line.services.store
    call, rid = request_by_phone(line, HOLD_NURSE_TODAY)
    call.hang_up()  # withdrawn: closed now
    assert store.forget_callers(closed_before=datetime.now(UTC) - timedelta(days=1)) == 0
    assert store.caller_of(rid) == CALLER
    assert store.forget_callers(closed_before=datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert store.caller_of(rid) is None
    assert store.session_caller(call.sid) is None
    assert not store.is_open_caller(CALLER)
    assert ("request.withdrawn", {"reason": "caller_hung_up_while_holding"}) in store.events(rid)
