"""Every request ends: expiry after the promise plus grace, STOP/CANCEL, CLOSE by a
coordinator, "press 2" on the call-back leg; exactly one terminal state each; the purge."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from ivr.messages import Msg
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.records import RequestRecord
from tests.integration.conftest import Line, leg_post, sid_of, supporter_leg
from tests.integration.test_dispatch_outcomes import (
    ANA,
    CALLBACK_NURSE_TODAY,
    CALLER,
    KIM,
    accept,
    request_by_phone,
)
from usecases.lifecycle import ExpiryReason

pytestmark = pytest.mark.integration

HOTLINE = "+16175550100"
TEXTER = "+16175550123"
# en, nurse, today, no preference, call me back, as soon as possible, another role is fine
TEXT_CALLBACK_TODAY = ["hello", "1", "1", "1", "3", "1", "1", "1", "2"]  # no follow-up text


def text(line: Line, sender: str, body: str) -> str:
    response = line.twilio.signed_post(
        "/twilio/sms",
        {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": HOTLINE, "Body": body},
    )
    assert response.status_code == 200
    return " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))


def texted_request(line: Line, sender: str = TEXTER) -> RequestRecord:
    for body in TEXT_CALLBACK_TODAY:
        text(line, sender, body)
    request = line.services.store.open_request_of(sender)
    assert request is not None
    return request


def at(line: Line, moment: datetime) -> None:
    line.deps.expiry.clock = lambda: moment


def to(line: Line, number: str) -> list[str]:
    return [m["body"] for m in line.carrier.messages if m["to"] == number]


# -- expiry -----------------------------------------------------------------------------------


def test_nothing_expires_before_the_promise_plus_the_grace(line: Line) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)  # urgent: two hours
    request = line.services.store.get_request(rid)
    assert request is not None
    deadline = line.deps.expiry.deadline(request)
    assert deadline == request.created_at + timedelta(hours=2) + timedelta(minutes=60)
    at(line, deadline - timedelta(seconds=1))
    assert line.deps.expiry.expire_overdue() == 0
    assert line.status(rid) is RequestStatus.WAITING
    at(line, deadline)
    assert line.deps.expiry.expire_overdue() == 1
    assert line.status(rid) is RequestStatus.EXPIRED
    assert line.deps.expiry.expire_overdue() == 0  # once


def test_an_expired_call_request_tells_the_coordinator_once_and_texts_nobody(line: Line) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    request = line.services.store.get_request(rid)
    assert request is not None
    at(line, line.deps.expiry.deadline(request))
    line.deps.expiry.expire_overdue()
    assert to(line, KIM) == [
        f"Peerline: ticket {request.ticket}, urgent, expired: nobody reached the caller in time."
    ]
    assert to(line, CALLER) == []  # they called; a text could reach someone else's eyes
    assert ("request.expired", {"reason": "overdue"}) in line.services.store.events(rid)


def test_an_expired_text_request_gets_a_kind_text_with_988_and_the_hotline(line: Line) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    request = texted_request(line)
    at(line, line.deps.expiry.deadline(request))
    assert line.deps.expiry.expire_overdue() == 1
    [farewell] = to(line, TEXTER)
    assert "988" in farewell and HOTLINE in farewell and "closed your request" in farewell
    assert len(to(line, KIM)) == 1
    # Afterwards the number is no open caller: nothing else may be texted to it.
    assert not line.services.store.is_open_caller(TEXTER)


def test_an_opted_out_texter_gets_no_expiry_text(line: Line) -> None:
    request = texted_request(line)
    line.deps.outbound.ledger.set_opted_out(TEXTER, True)  # STOP lost, or opted out elsewhere
    at(line, line.deps.expiry.deadline(request))
    assert line.deps.expiry.expire_overdue() == 1
    assert to(line, TEXTER) == []


def test_a_request_offered_at_its_deadline_expires_and_the_ringing_phone_stops(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    request = line.services.store.get_request(rid)
    assert request is not None and request.status is RequestStatus.OFFERED
    at(line, line.deps.expiry.deadline(request))
    assert line.deps.expiry.expire_overdue() == 1
    line.work()
    assert {"sid": leg.sid, "status": "canceled"} in line.carrier.updates
    assert line.deps.dispatcher.offers.offer(leg.offer_id).status is OfferStatus.CANCELED  # type: ignore[union-attr]
    assert not any(s.busy for s in line.roster.supporters())
    accept(line, leg)  # too late: the supporter is told, nothing reopens
    assert line.status(rid) is RequestStatus.EXPIRED


def test_an_ended_request_is_purged_of_the_callers_number_after_the_grace(line: Line) -> None:
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    request = line.services.store.get_request(rid)
    assert request is not None
    line.deps.expiry.expire(request, ExpiryReason.OVERDUE)
    store = line.services.store
    assert store.caller_of(rid) == CALLER
    assert store.forget_callers(closed_before=store.clock() + timedelta(seconds=1)) == 1
    assert store.caller_of(rid) is None


# -- the caller ends it -----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "cancel", "Stop."])
def test_a_texters_stop_or_cancel_withdraws_their_open_request(line: Line, word: str) -> None:
    request = texted_request(line)
    assert text(line, TEXTER, word) == ""  # the carrier confirms; we send nothing
    assert line.status(request.id) is RequestStatus.WITHDRAWN
    events = line.services.store.events(request.id)
    assert ("request.withdrawn", {"reason": f"texted_{word.strip('.').lower()}"}) in events


def test_stop_while_a_supporters_phone_rings_cancels_the_leg(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    request = texted_request(line)
    line.work()
    leg = supporter_leg(line)
    text(line, TEXTER, "STOP")
    line.work()
    assert {"sid": leg.sid, "status": "canceled"} in line.carrier.updates
    assert line.status(request.id) is RequestStatus.WITHDRAWN


def test_stop_after_a_supporter_took_the_request_does_not_end_the_call(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    request = texted_request(line)
    line.work()
    accept(line, supporter_leg(line))
    text(line, TEXTER, "STOP")
    assert line.status(request.id) is RequestStatus.CONNECTED


def test_no_longer_needed_press_2_on_the_call_back_withdraws_and_frees_the_supporter(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    accept(line, leg)
    line.work()
    caller_sid = sid_of(line, -1)
    hello = leg_post(line, f"/twilio/callback?request={rid}", caller_sid, CALLER)
    assert "no longer need this call, press 2" in ET.tostring(hello, encoding="unicode")
    bye = leg_post(line, f"/twilio/callback/answer?request={rid}", caller_sid, CALLER, Digits="2")
    assert "closed your request" in (bye.findtext("Say") or "")
    assert bye.find("Dial") is None
    line.work()
    assert line.status(rid) is RequestStatus.WITHDRAWN
    [told] = [u for u in line.carrier.updates if u["sid"] == leg.sid]
    assert told["said"] == (Msg.NO_LONGER_WAITING,)
    assert not any(s.busy for s in line.roster.supporters())


# -- a coordinator closes it -------------------------------------------------------------------


def test_close_by_text_ends_a_waiting_request_once(line: Line) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    request = line.services.store.get_request(rid)
    assert request is not None
    ticket = request.ticket
    assert text(line, KIM, f"close {ticket}") == f"Peerline: ticket {ticket} is closed."
    assert line.status(rid) is RequestStatus.CLOSED
    assert text(line, KIM, f"CLOSE {ticket}") == (
        f"Peerline: ticket {ticket} had already ended (closed)."
    )
    # Exactly one terminal state: nothing later moves it.
    at(line, line.deps.expiry.deadline(request))
    assert line.deps.expiry.expire_overdue() == 0
    assert not line.deps.expiry.expire(request, ExpiryReason.OVERDUE)
    assert line.status(rid) is RequestStatus.CLOSED
    closed = line.services.store.get_request(rid)
    assert closed is not None


def test_close_refuses_a_request_in_a_call_and_an_unknown_ticket(line: Line) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    accept(line, supporter_leg(line))
    request = line.services.store.get_request(rid)
    assert request is not None
    reply = text(line, KIM, f"CLOSE {request.ticket}")
    assert reply == (
        f"Peerline: ticket {request.ticket} is with a supporter; it closes when the call ends."
    )
    assert line.status(rid) is RequestStatus.CONNECTED
    assert text(line, KIM, "CLOSE ZZZZ") == "Peerline: no ticket ZZZZ."


def test_a_supporter_or_a_caller_cannot_close_a_ticket(line: Line) -> None:
    line.supporter("Ana Lopez", ANA, on_shift=False)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    request = line.services.store.get_request(rid)
    assert request is not None
    text(line, ANA, f"CLOSE {request.ticket}")
    text(line, CALLER, f"CLOSE {request.ticket}")
    assert line.status(rid) is RequestStatus.WAITING
