"""Invariant 5, the toll-fraud guard: Peerline calls and texts only the roster, coordinators,
callers with an open request and the crisis number. Built by the composition root, as the
workers build it, over a real database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from storage.models import HelpRequest, RequestStatus
from tests.e2e.conftest import CRISIS
from tests.integration.conftest import Line
from tests.twilio_driver import Call
from usecases.errors import ForbiddenDestination, PermanentCarrierError
from usecases.outbound import Outbound

pytestmark = pytest.mark.integration

HOTLINE = "+16175550100"
SUPPORTER, COORDINATOR = "+12015550101", "+12015550199"
CALLER, STRANGER = "+16175551234", "+19005550123"
CALLBACK_NURSE_TODAY = ["1", "1", "1", "3", "2", "1"]  # en, nurse, today, any org, back, asap
HOLD_NURSE_TODAY = ["1", "1", "1", "3", "1"]


def outbound(line: Line) -> Outbound:
    return line.deps.dispatcher.outbound


def place_call(out: Outbound, to: str) -> str:
    return out.ring_supporter(to, offer_id="0" * 32, ring_seconds=30)


def send_sms(out: Outbound, to: str) -> str:
    return out.sms(to, "Peerline: test")


CONTACTS: list[Callable[[Outbound, str], str]] = [place_call, send_sms]


def open_request(line: Line, caller: str, keys: list[str]) -> tuple[Call, str]:
    call = line.twilio.call(caller=caller)
    call.start()
    for key in keys:
        call.press(key)
    with line.services.store.engine.connect() as conn:
        rid = conn.execute(
            select(HelpRequest.id).where(HelpRequest.source_sid == call.sid)
        ).scalar_one()
    return call, rid


def nothing_sent(line: Line) -> bool:
    return line.carrier.calls == [] and line.carrier.messages == []


@pytest.mark.parametrize("contact", CONTACTS)
def test_a_number_nobody_gave_us_is_refused_before_the_carrier(
    line: Line, contact: Callable[[Outbound, str], str]
) -> None:
    line.supporter("Ana Lopez", SUPPORTER)
    line.roster.add_coordinator("Coordinator Kim", COORDINATOR)
    open_request(line, CALLER, CALLBACK_NURSE_TODAY)
    with pytest.raises(ForbiddenDestination) as refused:
        contact(outbound(line), STRANGER)
    assert isinstance(refused.value, PermanentCarrierError)  # never retried by RQ
    assert nothing_sent(line)


@pytest.mark.parametrize("contact", CONTACTS)
def test_the_hotline_itself_is_not_a_destination(
    line: Line, contact: Callable[[Outbound, str], str]
) -> None:
    with pytest.raises(ForbiddenDestination):
        contact(outbound(line), HOTLINE)
    assert nothing_sent(line)


@pytest.mark.parametrize("contact", CONTACTS)
@pytest.mark.parametrize("kind", ["supporter", "coordinator", "open caller", "crisis line"])
def test_each_legitimate_kind_of_number_is_allowed(
    line: Line, contact: Callable[[Outbound, str], str], kind: str
) -> None:
    line.supporter("Ana Lopez", SUPPORTER)
    line.roster.add_coordinator("Coordinator Kim", COORDINATOR)
    open_request(line, CALLER, CALLBACK_NURSE_TODAY)
    number = {
        "supporter": SUPPORTER,
        "coordinator": COORDINATOR,
        "open caller": CALLER,
        "crisis line": CRISIS,
    }[kind]
    sid = contact(outbound(line), number)
    sent = line.carrier.calls + line.carrier.messages
    assert [m["to"] for m in sent] == [number]
    assert sent[0]["from_"] == HOTLINE
    assert sid[:2] in ("CA", "SM")


@pytest.mark.parametrize("contact", CONTACTS)
def test_a_caller_whose_request_has_closed_is_no_longer_callable(
    line: Line, contact: Callable[[Outbound, str], str]
) -> None:
    _, rid = open_request(line, CALLER, CALLBACK_NURSE_TODAY)
    contact(outbound(line), CALLER)  # open: allowed
    assert line.services.store.set_request_status(rid, RequestStatus.COMPLETED)
    before = len(line.carrier.calls) + len(line.carrier.messages)
    with pytest.raises(ForbiddenDestination):
        contact(outbound(line), CALLER)
    assert len(line.carrier.calls) + len(line.carrier.messages) == before


def test_a_holding_caller_who_hung_up_is_no_longer_callable(line: Line) -> None:
    call, rid = open_request(line, CALLER, HOLD_NURSE_TODAY)
    call.hang_up()
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.WITHDRAWN
    with pytest.raises(ForbiddenDestination):
        place_call(outbound(line), CALLER)
    assert nothing_sent(line)


def test_one_open_request_keeps_a_caller_callable_though_an_older_one_closed(
    line: Line,
) -> None:
    first, old = open_request(line, CALLER, HOLD_NURSE_TODAY)
    first.hang_up()  # withdrawn
    open_request(line, CALLER, CALLBACK_NURSE_TODAY)
    place_call(outbound(line), CALLER)
    assert [c["to"] for c in line.carrier.calls] == [CALLER]
    closed = line.services.store.get_request(old)
    assert closed is not None and closed.status == RequestStatus.WITHDRAWN
