"""One logical send is one carrier call, even when the carrier's answer is lost.

The real twilio SDK (``TwilioCarrier``) talks to a local Twilio double that places a call
and then answers 500, or answers only after the client has given up (``FlakyTwilio``).
Every test counts what the carrier placed: one call per offer, one call back per attempt,
one text per page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from jobs import context
from peerline import bootstrap
from sandbox import SandboxServer
from storage.dispatch_models import UNCONFIRMED, Offer, OfferStatus
from storage.models import RequestStatus
from telephony.carrier import TwilioCarrier, twilio_client
from tests.e2e.conftest import PUBLIC_URL
from tests.integration.conftest import Line, leg_post
from tests.integration.test_dispatch_outcomes import request_by_phone
from tests.keypresses import CALLBACK_NURSE_TODAY
from tests.support.flaky_twilio import FlakyTwilio
from usecases.errors import AmbiguousCarrierError, RetryableCarrierError
from usecases.outbound_policy import Purpose

pytestmark = pytest.mark.integration

CALLER = "+16175551234"
ANA, BEN, KIM = "+12015550101", "+12015550102", "+12015550199"
CLIENT_TIMEOUT = 1.0  # seconds: a lookup under load still answers; "timeout-after" hangs 2.5


@pytest.fixture
def flaky(line: Line, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlakyTwilio]:
    """``line`` with its worker side on the real SDK, talking to a FlakyTwilio."""
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    twilio = FlakyTwilio()
    with SandboxServer(twilio.app()) as server:
        settings = line.settings
        client = twilio_client(
            settings.twilio_account_sid, "token", server.url, timeout=CLIENT_TIMEOUT
        )
        line.deps = bootstrap.dispatch_deps(line.services, TwilioCarrier(client, PUBLIC_URL))
        context.install(lambda: line.deps)
        yield twilio
        twilio.stopping = True


def offer_of(line: Line, rid: str) -> tuple[str, str | None, OfferStatus]:
    offer = line.deps.dispatcher.offers.active_offer(rid)
    assert offer is not None
    return offer.id, offer.call_sid, offer.status


@pytest.mark.parametrize("fault", ["500-after", "timeout-after"])
def test_an_offer_whose_answer_was_lost_is_found_not_dialed_again(
    line: Line, flaky: FlakyTwilio, fault: str
) -> None:
    line.supporter("Ana Lopez", ANA)
    flaky.fail_next(ANA, fault)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=CALLER)
    line.work()
    [call] = flaky.calls_to(ANA)
    offer_id, sid, status = offer_of(line, rid)
    assert (sid, status) == (call.sid, OfferStatus.RINGING)
    assert call.url.endswith(f"offer={offer_id}")  # our marker rides on the call
    assert not any(j.startswith(f"dispatch-{rid}") for j in line.scheduled())  # no retry
    line.deps.dispatcher.dispatch(rid)  # a stray re-run changes nothing
    assert len(flaky.calls) == 1


def test_a_500_that_placed_nothing_is_retried_and_rings_once(
    line: Line, flaky: FlakyTwilio
) -> None:
    line.supporter("Ana Lopez", ANA)
    flaky.fail_next(ANA, "500-before")
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=CALLER)
    line.work()  # 500, and the carrier shows no call: RQ retries the dispatch
    assert flaky.calls == [] and f"dispatch-{rid}" in line.scheduled()
    line.deps.dispatcher.dispatch(rid)  # what the retry runs: Ana is not barred
    assert [c.to for c in flaky.calls] == [ANA]


def test_when_the_carrier_cannot_be_asked_the_offer_counts_and_its_call_is_stopped(
    line: Line, flaky: FlakyTwilio
) -> None:
    line.supporter("Ana Lopez", ANA)
    flaky.fail_next(ANA, "500-after")
    flaky.list_fails = True
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=CALLER)
    with pytest.raises(AmbiguousCarrierError):
        line.deps.dispatcher.dispatch(rid)
    line.supporter("Ben Ode", BEN)
    [ana_call] = flaky.calls_to(ANA)
    with line.services.store.engine.connect() as db:
        [(failed_id, reason)] = db.execute(
            select(Offer.id, Offer.reason).where(
                Offer.request_id == rid, Offer.status == OfferStatus.FAILED
            )
        ).all()
    assert reason == UNCONFIRMED
    flaky.list_fails = False
    line.deps.dispatcher.dispatch(rid)  # the retry: Ana may be ringing, so Ben is next
    assert [c.to for c in flaky.calls] == [ANA, BEN]
    # Ana's call reports in under its offer id; nobody owns it any more, so it is stopped.
    path = f"/twilio/offer/status?offer={failed_id}"
    leg_post(line, path, ana_call.sid, ANA, CallStatus="ringing")
    line.work()
    assert (ana_call.sid, {"Status": "canceled"}) in flaky.updates
    assert len(flaky.calls_to(ANA)) == 1


def test_a_status_callback_gives_an_unconfirmed_offer_its_call(
    line: Line, flaky: FlakyTwilio
) -> None:
    """A worker killed after Calls.create, before it learned the SID: the call's own status
    callback (it carries the offer id) attaches it to the offer."""
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=CALLER)
    [ana] = line.roster.supporters()
    offer = line.deps.dispatcher.offers.claim(rid, ana.id, timedelta(seconds=40))
    assert offer is not None
    flaky.fail_next(ANA, "500-after")
    flaky.list_fails = True
    with pytest.raises(AmbiguousCarrierError):
        line.deps.outbound.ring_supporter(ANA, offer_id=offer.id, ring_seconds=30)
    [call] = flaky.calls_to(ANA)
    assert offer_of(line, rid)[1:] == (None, OfferStatus.RINGING)
    leg_post(line, f"/twilio/offer/status?offer={offer.id}", call.sid, ANA, CallStatus="ringing")
    assert offer_of(line, rid)[1:] == (call.sid, OfferStatus.RINGING)
    line.work()
    assert flaky.updates == []  # its own call: not stopped


@pytest.mark.parametrize("fault", ["500-after", "timeout-after"])
def test_a_call_back_whose_answer_was_lost_rings_the_caller_once(
    line: Line, flaky: FlakyTwilio, fault: str
) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=CALLER)
    line.work()
    offer_id, sid, _ = offer_of(line, rid)
    assert sid is not None
    flaky.fail_next(CALLER, fault)
    leg_post(line, f"/twilio/offer/answer?offer={offer_id}", sid, ANA, Digits="1")
    line.work()  # call_back: placed, answer lost, found
    line.deps.caller_leg.call_back(rid)  # a re-run of the same job (worker killed after)
    assert len(flaky.calls_to(CALLER)) == 1
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.CONNECTED


@pytest.mark.parametrize("fault", ["500-after", "timeout-after", "500-before"])
def test_one_page_is_one_text_whatever_the_carrier_answered(
    line: Line, flaky: FlakyTwilio, fault: str
) -> None:
    line.roster.add_coordinator("Coordinator Kim", KIM)
    out = line.deps.outbound
    flaky.fail_next(KIM, fault)
    body = "Peerline: ticket K7Q2, urgent, waiting 15 min. Reply ACK K7Q2."
    send = lambda: out.sms(KIM, body, purpose=Purpose.COORDINATOR, key="page:test:0")  # noqa: E731
    if fault == "500-before":
        with pytest.raises(RetryableCarrierError):
            send()
        assert flaky.messages == []
    first = send()  # the job's retry (or the first and only try)
    assert send() == first  # any later re-run returns the same message
    assert [m.sid for m in flaky.messages] == [first]


def test_a_worker_killed_after_placing_leaves_no_call_ringing_and_no_second_ring(
    line: Line, flaky: FlakyTwilio
) -> None:
    """Calls.create went through, then the worker died before saving the SID. The
    reconciler closes the offer, finds its call at the carrier and cancels it; the next
    dispatch does not ring the same supporter again for this request."""
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=CALLER)
    [ana] = line.roster.supporters()
    offers = line.deps.dispatcher.offers
    offer = offers.claim(rid, ana.id, timedelta(seconds=40))
    assert offer is not None
    line.deps.outbound.carrier.ring_supporter(  # placed; the SID never reaches the offer
        to=ANA, from_=line.settings.hotline_number, offer_id=offer.id, ring_seconds=30
    )
    [call] = flaky.calls_to(ANA)
    real_clock = offers.clock
    offers.clock = lambda: real_clock() + timedelta(minutes=1)  # the reconciler, later
    assert line.deps.dispatcher.recover_stuck_offers() == 1
    offers.clock = real_clock
    line.work()  # the cancel, then the re-dispatch
    assert (call.sid, {"Status": "canceled"}) in flaky.updates
    assert len(flaky.calls_to(ANA)) == 1, "Ana was rung again for the same request"
