"""Invariant 5, the toll-fraud guard in the one sender: Peerline calls and texts only the
roster, coordinators and callers with an open request, each for its own purpose, and only
numbers the outbound policy allows. Built by the composition root, as the workers build it,
over a real database; every refusal is audited and never reaches the carrier."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.callback_models import CallbackCount
from storage.models import Event, HelpRequest, RequestStatus
from tests.e2e.conftest import CRISIS
from tests.integration.conftest import Line
from tests.keypresses import CALLBACK_NURSE_TODAY, HOLD_NURSE_TODAY
from tests.request_support import waiting_request
from tests.twilio_driver import Call
from usecases.destinations import Destinations
from usecases.errors import ForbiddenDestination, PermanentCarrierError
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose, Refusal

pytestmark = pytest.mark.integration

HOTLINE = "+16175550100"
SUPPORTER, COORDINATOR = "+12015550101", "+12015550199"
CALLER, STRANGER = "+16175551234", "+16175559876"
P = Purpose
# Every purpose but the help key's exception, which reaches the crisis line alone (below).
ORDINARY = [p for p in Purpose if p is not P.CRISIS_CONFERENCE]


def outbound(line: Line) -> Outbound:
    return line.deps.dispatcher.outbound


def place_call(out: Outbound, to: str, purpose: Purpose = P.CALL_BACK) -> str:
    """A call for ``purpose`` (the sender has one method per kind of call); the purposes
    that never call (texts, coordinator pages) go through the sender's text instead."""
    if purpose is P.CALL_BACK:
        return out.call_back(to, request_id=uuid.uuid4().hex, ring_seconds=30)
    if purpose is P.SUPPORTER:
        return out.ring_supporter(to, offer_id=uuid.uuid4().hex, ring_seconds=30)
    return out.sms(to, "Peerline: test", purpose=purpose)


def send_sms(out: Outbound, to: str, purpose: Purpose = P.TEXT) -> str:
    return out.sms(to, "Peerline: test", purpose=purpose)


Contact = Callable[[Outbound, str, Purpose], str]
CONTACTS: list[Contact] = [place_call, send_sms]


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


def sent(line: Line) -> int:
    return len(line.carrier.calls) + len(line.carrier.messages)


def refusals(line: Line) -> list[dict[str, object]]:
    return [d for kind, d in line.services.store.events() if kind == "outbound.refused"]


def no_number_in_events(line: Line, *numbers: str) -> None:
    with line.services.store.engine.connect() as conn:
        rows = conn.execute(select(Event.kind, Event.detail)).all()
    for number in numbers:
        assert number[2:] not in str(rows), "an event row must never hold a number"


def everyone(line: Line) -> None:
    line.supporter("Ana Lopez", SUPPORTER)
    line.roster.add_coordinator("Coordinator Kim", COORDINATOR)
    open_request(line, CALLER, CALLBACK_NURSE_TODAY)


@pytest.mark.parametrize("contact", CONTACTS)
@pytest.mark.parametrize("purpose", ORDINARY)
def test_a_number_nobody_gave_us_is_refused_before_the_carrier_and_audited(
    line: Line, contact: Contact, purpose: Purpose
) -> None:
    everyone(line)
    with pytest.raises(ForbiddenDestination) as refused:
        contact(outbound(line), STRANGER, purpose)
    assert isinstance(refused.value, PermanentCarrierError)  # never retried by RQ
    assert refused.value.reason is Refusal.NOT_A_CONTACT
    assert sent(line) == 0
    assert refusals(line) == [{"purpose": str(purpose), "reason": "not_a_contact"}]
    no_number_in_events(line, STRANGER)


@pytest.mark.parametrize("contact", CONTACTS)
@pytest.mark.parametrize(
    ("number", "reason"),
    [(HOTLINE, Refusal.OWN_NUMBER), (CRISIS, Refusal.CRISIS_LINE)],
)
def test_the_hotline_and_the_crisis_line_are_never_a_destination(
    line: Line, contact: Contact, number: str, reason: Refusal
) -> None:
    # 988 is reached by <Dial> inside the caller's own call, with their caller ID; a REST
    # call from the hotline would ring a crisis counsellor with nobody on our side.
    for purpose in ORDINARY:
        with pytest.raises(ForbiddenDestination) as refused:
            contact(outbound(line), number, purpose)
        assert refused.value.reason is reason
    assert sent(line) == 0
    assert len(refusals(line)) == len(ORDINARY)


def test_the_crisis_line_is_reached_only_by_a_call_into_a_conference(line: Line) -> None:
    """The supporter's help key (usecases.help_key): one call, from the hotline, that joins
    the request's conference; never a text, and never any other number for that purpose."""
    everyone(line)
    out = outbound(line)
    for number in (CRISIS, CALLER):
        with pytest.raises(ForbiddenDestination) as refused:
            out.sms(number, "Peerline: test", purpose=P.CRISIS_CONFERENCE)
        assert refused.value.reason is Refusal.CRISIS_LINE
    request_id = uuid.uuid4().hex
    sid = out.crisis_into_conference(request_id)
    assert out.crisis_into_conference(request_id) == sid, "once per request"
    [call] = line.carrier.calls
    assert (call["kind"], call["to"], call["from_"]) == ("crisis_conference", CRISIS, HOTLINE)
    assert line.carrier.messages == []


@pytest.mark.parametrize("contact", CONTACTS)
@pytest.mark.parametrize(
    ("kind", "purpose"),
    [
        ("supporter", P.SUPPORTER),
        ("coordinator", P.COORDINATOR),
        ("open caller", P.CALL_BACK),
        ("open caller", P.TEXT),
    ],
)
def test_each_legitimate_kind_of_number_is_allowed_for_its_purpose(
    line: Line, contact: Contact, kind: str, purpose: Purpose
) -> None:
    everyone(line)
    number = {"supporter": SUPPORTER, "coordinator": COORDINATOR, "open caller": CALLER}[kind]
    sid = contact(outbound(line), number, purpose)
    made = line.carrier.calls + line.carrier.messages
    assert [m["to"] for m in made] == [number]
    assert made[0]["from_"] == HOTLINE
    assert sid[:2] in ("CA", "SM")
    assert refusals(line) == []


@pytest.mark.parametrize(
    ("number", "purpose"),
    [(SUPPORTER, P.CALL_BACK), (SUPPORTER, P.TEXT), (CALLER, P.SUPPORTER), (CALLER, P.COORDINATOR)],
)
def test_a_known_number_is_allowed_only_for_its_own_purpose(
    line: Line, number: str, purpose: Purpose
) -> None:
    everyone(line)
    with pytest.raises(ForbiddenDestination) as refused:
        place_call(outbound(line), number, purpose)
    assert refused.value.reason is Refusal.NOT_A_CONTACT
    assert sent(line) == 0


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("+19005550123", Refusal.PREFIX),  # premium rate
        ("+18095550123", Refusal.COUNTRY),  # Dominican Republic, NANP
        ("+447400123456", Refusal.COUNTRY),
        ("+882164001234", Refusal.NETWORK),  # satellite / international network
    ],
)
def test_an_open_callers_number_must_still_pass_the_policy(
    line: Line, number: str, reason: Refusal
) -> None:
    # A request that holds such a number (made before the policy, or by some other path)
    # makes the number an open caller: membership alone must not be enough.
    store = line.services.store
    waiting_request(
        store, sid="CA" + "e" * 32, caller=number, org_preference="any", contact_mode="callback"
    )
    assert store.is_open_caller(number)
    for contact in CONTACTS:
        with pytest.raises(ForbiddenDestination) as refused:
            contact(outbound(line), number, P.CALL_BACK)
        assert refused.value.reason is reason
    assert sent(line) == 0
    no_number_in_events(line, number)


def test_a_roster_number_the_policy_refuses_is_not_rung(line: Line) -> None:
    # A coordinator account taken over could put a premium number on the roster.
    line.supporter("Premium Pat", "+19005550123")
    line.roster.add_coordinator("Abroad Al", "+447400123456")
    with pytest.raises(ForbiddenDestination) as premium:
        place_call(outbound(line), "+19005550123", P.SUPPORTER)
    with pytest.raises(ForbiddenDestination) as abroad:
        send_sms(outbound(line), "+447400123456", P.COORDINATOR)
    assert (premium.value.reason, abroad.value.reason) == (Refusal.PREFIX, Refusal.COUNTRY)
    assert sent(line) == 0


def test_call_backs_are_capped_per_number_per_day_and_counted_by_blind_index(line: Line) -> None:
    open_request(line, CALLER, CALLBACK_NURSE_TODAY)
    out = outbound(line)
    for _ in range(line.settings.callbacks_per_day):
        place_call(out, CALLER, P.CALL_BACK)
    with pytest.raises(ForbiddenDestination) as capped:
        place_call(out, CALLER, P.CALL_BACK)
    assert capped.value.reason is Refusal.DAILY_CAP
    assert [c["to"] for c in line.carrier.calls] == [CALLER] * 3
    send_sms(out, CALLER, P.TEXT)  # texts are not call backs
    assert refusals(line) == [{"purpose": "call_back", "reason": "daily_cap"}]
    with line.services.store.engine.connect() as conn:
        rows = conn.execute(select(CallbackCount.number_index, CallbackCount.placed)).all()
    assert [placed for _, placed in rows] == [3]
    assert rows[0][0] == line.services.store.cipher.blind_index(CALLER)
    assert CALLER[2:] not in str(rows)
    # Tomorrow (in the program's time zone) the count starts again; yesterday's row goes.
    guard = out.guard
    assert isinstance(guard, Destinations)
    guard.clock = lambda: datetime.now(UTC) + timedelta(days=2)
    place_call(out, CALLER, P.CALL_BACK)
    with line.services.store.engine.connect() as conn:
        assert [r.placed for r in conn.execute(select(CallbackCount)).all()] == [1]


@pytest.mark.parametrize("contact", CONTACTS)
def test_a_caller_whose_request_has_closed_is_no_longer_callable(
    line: Line, contact: Contact
) -> None:
    _, rid = open_request(line, CALLER, CALLBACK_NURSE_TODAY)
    contact(outbound(line), CALLER, P.CALL_BACK)  # open: allowed
    assert line.services.store.set_request_status(rid, RequestStatus.COMPLETED)
    before = sent(line)
    with pytest.raises(ForbiddenDestination):
        contact(outbound(line), CALLER, P.CALL_BACK)
    assert sent(line) == before


def test_a_holding_caller_who_hung_up_is_no_longer_callable(line: Line) -> None:
    call, rid = open_request(line, CALLER, HOLD_NURSE_TODAY)
    call.hang_up()
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.WITHDRAWN
    with pytest.raises(ForbiddenDestination):
        place_call(outbound(line), CALLER)
    assert sent(line) == 0


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
