"""A call back the sender refuses (outbound policy, daily cap, or a carrier's permanent no):
no carrier request, an audit event, the supporter's leg ended kindly, one coordinator page,
and the request held for the coordinator instead of re-dispatched every few minutes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.messages import Msg
from ivr.model import Urgency
from jobs.reconciler import reconcile
from storage.dispatch_models import OfferStatus
from storage.models import DispatchState, HelpRequest, RequestStatus
from tests.integration.conftest import Leg, Line, leg_post, supporter_leg
from tests.keypresses import CALLBACK_NURSE_TODAY
from tests.request_support import waiting_request
from usecases.errors import PermanentCarrierError

pytestmark = pytest.mark.integration

CALLER = "+16175551234"
ANA, BEN, KIM = "+12015550101", "+12015550102", "+12015550199"


def request_from(line: Line, caller: str) -> str:
    """A waiting call-back request holding ``caller``, as a row made before the policy
    existed would (intake now refuses such numbers, so it is written directly)."""
    request_id = waiting_request(
        line.services.store,
        sid="CA" + "d" * 32,
        caller=caller,
        org_preference="any",
        contact_mode="callback",
    )
    line.deps.dispatcher.jobs.dispatch(request_id, Urgency.URGENT)
    return request_id


def by_phone(line: Line, caller: str = CALLER) -> str:
    call = line.twilio.call(caller=caller)
    call.start()
    for key in CALLBACK_NURSE_TODAY:
        call.press(key)
    with line.services.store.engine.connect() as conn:
        return conn.execute(
            select(HelpRequest.id).where(HelpRequest.source_sid == call.sid)
        ).scalar_one()


def accept(line: Line, leg: Leg) -> None:
    leg_post(line, f"/twilio/offer/answer?offer={leg.offer_id}", leg.sid, leg.to, Digits="1")


def offered_and_accepted(line: Line) -> Leg:
    line.work()  # dispatch: Ana's phone rings
    leg = supporter_leg(line)
    accept(line, leg)  # queues the call back
    line.work()  # call_back (refused), then the supporter's leg and the page
    line.work()
    return leg


def held_for_the_coordinator(line: Line, rid: str, leg: Leg, reason: str) -> None:
    store = line.services.store
    request = store.get_request(rid)
    assert request is not None
    assert (request.status, request.dispatch_state, request.supporter_id) == (
        RequestStatus.WAITING,
        DispatchState.HELD,
        None,
    )
    offer = line.deps.dispatcher.offers.offer(leg.offer_id)
    assert offer is not None and offer.status == OfferStatus.CANCELED
    assert not any(s.busy for s in line.roster.supporters())
    [told] = [u for u in line.carrier.updates if u["sid"] == leg.sid]
    assert told["said"] == (Msg.CANNOT_CALL_CALLER,)
    refused = [d for kind, d in store.events(rid) if kind == "callback.refused"]
    assert [d["reason"] for d in refused] == [reason]
    [page] = [m for m in line.carrier.messages if m["to"] == KIM]
    assert page["body"].startswith(f"Peerline: ticket {request.ticket}, urgent, waiting")


def nothing_more_happens(line: Line, rid: str) -> None:
    """No retry loop: no delayed dispatch, the reconciler leaves it, a re-run does nothing."""
    calls, pages = len(line.carrier.calls), len(line.carrier.messages)
    assert not [j for j in line.scheduled() if j.startswith(f"dispatch-{rid}")]
    assert reconcile(line.services.store, line.services.queues).enqueued == 0
    line.deps.caller_leg.call_back(rid)  # a re-delivered call_back job
    line.work()
    assert (len(line.carrier.calls), len(line.carrier.messages)) == (calls, pages)


def setup(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    line.roster.add_coordinator("Coordinator Kim", KIM)


@pytest.mark.parametrize(
    ("number", "reason"),
    [("+19005550123", "prefix"), ("+18095550123", "country"), ("+882164001234", "network")],
)
def test_a_refused_call_back_makes_no_carrier_request_and_is_left_for_a_coordinator(
    line: Line, number: str, reason: str
) -> None:
    setup(line)
    rid = request_from(line, number)
    leg = offered_and_accepted(line)
    assert [c["to"] for c in line.carrier.calls] == [ANA], "only the supporter was rung"
    held_for_the_coordinator(line, rid, leg, reason)
    audit = [d for kind, d in line.services.store.events() if kind == "outbound.refused"]
    assert audit == [{"purpose": "call_back", "reason": reason}]
    assert number[2:] not in str(line.services.store.events()), "no number in any event"
    nothing_more_happens(line, rid)


def test_the_daily_cap_stops_a_fourth_call_back_the_same_way(line: Line) -> None:
    setup(line)
    rid = by_phone(line)
    out = line.deps.dispatcher.outbound
    for attempt in range(3):  # three call backs to this number already today
        out.call_back(CALLER, request_id="0" * 32, ring_seconds=30, attempt=attempt)
    leg = offered_and_accepted(line)
    assert [c["to"] for c in line.carrier.calls] == [CALLER] * 3 + [ANA]
    held_for_the_coordinator(line, rid, leg, "daily_cap")
    nothing_more_happens(line, rid)


def test_a_carriers_permanent_refusal_is_not_retried_either(line: Line) -> None:
    setup(line)
    rid = by_phone(line)
    line.carrier.fail[CALLER] = PermanentCarrierError("geo permissions", 21215)
    leg = offered_and_accepted(line)
    held_for_the_coordinator(line, rid, leg, "carrier")
    [refused] = [d for kind, d in line.services.store.events(rid) if kind == "callback.refused"]
    assert refused["code"] == 21215


def test_a_held_request_is_not_dispatched_again_by_the_reconciler(line: Line) -> None:
    setup(line)
    line.supporter("Ben Ode", BEN)
    rid = request_from(line, "+19005550123")
    offered_and_accepted(line)
    rung = len(line.carrier.calls)
    assert reconcile(line.services.store, line.services.queues).enqueued == 0
    line.work()
    assert len(line.carrier.calls) == rung, "nobody else is rung for a number we can't call"
    assert len([m for m in line.carrier.messages if m["to"] == KIM]) == 1
    request = line.services.store.get_request(rid)
    assert request is not None and request.dispatch_state == DispatchState.HELD
