"""What happens after an offer: cool-off, the monthly cap, a call back nobody answers, an offer
that times out, and the language and organization filters as callers set them by phone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ivr.messages import Msg
from storage.dispatch_models import OfferStatus
from storage.models import HelpRequest, RequestStatus
from storage.roster import NewSupporter, SupporterRecord
from tests.integration.conftest import Leg, Line, leg_post, sid_of, supporter_leg
from tests.keypresses import CALLBACK_NURSE_TODAY
from usecases.dispatch import Dispatcher
from usecases.errors import RetryableCarrierError

pytestmark = pytest.mark.integration

HOTLINE = "+16175550100"
CALLER, OTHER_CALLER = "+16175551234", "+16175551235"
ANA, BEN, CAM, KIM = "+12015550101", "+12015550102", "+12015550103", "+12015550199"
SPANISH_CALLBACK_NURSE_TODAY = ["2", "1", "1", "3", "2", "1", "1", "2", "2"]
MGH = "Massachusetts General Hospital"
TUFTS = "Tufts Medical Center"


@dataclass(frozen=True)
class Said:
    """A spoken answer (``SpeechResult``) at a speech-and-keypad prompt."""

    words: str


def request_by_phone(line: Line, turns: Sequence[str | Said], caller: str = CALLER) -> str:
    call = line.twilio.call(caller=caller)
    call.start()
    for turn in turns:
        if isinstance(turn, Said):
            call.say(turn.words)
        elif turn:
            call.press(turn)
        else:
            call.silence()
    with line.services.store.engine.connect() as conn:
        return conn.execute(
            select(HelpRequest.id).where(HelpRequest.source_sid == call.sid)
        ).scalar_one()


def accept(line: Line, leg: Leg) -> None:
    leg_post(line, f"/twilio/offer/answer?offer={leg.offer_id}", leg.sid, leg.to, Digits="1")


def hang_up_after(line: Line, leg: Leg, seconds: int) -> None:
    leg_post(
        line,
        f"/twilio/offer/status?offer={leg.offer_id}",
        leg.sid,
        leg.to,
        CallStatus="completed",
        CallDuration=str(seconds),
    )


def talk(line: Line, caller: str, seconds: int) -> Leg:
    """A call-back request end to end: offered, accepted, caller rung, a conversation of
    ``seconds``, hung up."""
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY, caller=caller)
    line.work()
    leg = supporter_leg(line)
    accept(line, leg)
    line.work()  # the call back to the caller
    assert line.carrier.calls[-1]["to"] == caller
    path = f"/twilio/callback/answer?request={rid}"
    joined = leg_post(line, path, sid_of(line, -1), caller, Digits="1")
    assert (joined.findtext("Dial/Conference") or "") == f"peerline-{rid}"
    hang_up_after(line, leg, seconds)
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.COMPLETED
    return leg


def supporter_named(line: Line, name: str) -> SupporterRecord:
    [record] = [s for s in line.roster.supporters() if s.name == name]
    return record


def next_offer_goes_to(line: Line, caller: str = OTHER_CALLER) -> str:
    request_by_phone(line, CALLBACK_NURSE_TODAY, caller=caller)
    line.work()
    return supporter_leg(line).to


# -- cool-off and the monthly cap ----------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "cooling", "next_to"),
    [
        (45 * 60, True, BEN),  # a 45-minute call earns a cool-off
        (45 * 60 - 1, False, ANA),  # a second shorter does not
    ],
)
def test_a_long_call_puts_the_supporter_in_cool_off_so_the_next_request_goes_elsewhere(
    line: Line, seconds: int, cooling: bool, next_to: str
) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")  # same role as the callers: first choice
    line.supporter("Ben Ode", BEN, role="tech")  # related role: second
    assert talk(line, CALLER, seconds).to == ANA
    ana = supporter_named(line, "Ana Lopez")
    assert not ana.busy
    assert ana.last_call_ended_at is not None
    expected = ana.last_call_ended_at + timedelta(minutes=30) if cooling else None
    assert ana.cool_off_until == expected
    assert next_offer_goes_to(line) == next_to


@pytest.mark.parametrize(
    ("seconds", "minutes", "next_to"),
    [
        (30 * 60, 30, BEN),  # reached the 30-minute cap: out for the month
        (29 * 60, 29, ANA),  # a minute under it: still in
    ],
)
def test_the_monthly_cap_excludes_a_supporter_whose_minutes_reached_it(
    line: Line, seconds: int, minutes: int, next_to: str
) -> None:
    line.roster.add_supporters(
        [
            NewSupporter(
                name="Ana Lopez",
                phone=ANA,
                role="nurse",
                organization=TUFTS,
                on_shift=True,
                monthly_cap_minutes=30,
            )
        ]
    )
    line.supporter("Ben Ode", BEN, role="tech")
    assert talk(line, CALLER, seconds).to == ANA
    ana = supporter_named(line, "Ana Lopez")
    assert (ana.month_minutes, ana.cool_off_until) == (minutes, None)
    assert next_offer_goes_to(line) == next_to


# -- a carrier hiccup -----------------------------------------------------------------------


def test_a_transient_carrier_error_does_not_bar_the_supporter_from_the_retry(line: Line) -> None:
    """A 5xx/429 before the phone ever rang is not an offer: RQ's retry rings them again
    instead of telling a holding caller that nobody is available."""
    line.supporter("Ana Lopez", ANA)
    line.roster.add_coordinator("Coordinator Kim", KIM)
    line.carrier.fail[ANA] = RetryableCarrierError("twilio 503 None", None)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()  # the dispatch job fails; RQ schedules its retry
    assert line.carrier.calls == []
    assert f"dispatch-{rid}" in line.scheduled()
    del line.carrier.fail[ANA]
    line.deps.dispatcher.dispatch(rid)  # what the retry runs
    assert [c["to"] for c in line.carrier.calls] == [ANA]
    assert ("dispatch.nobody_available", {}) not in line.services.store.events(rid)
    assert line.carrier.messages == []  # nobody paged
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.OFFERED


# -- a call back the caller doesn't pick up -------------------------------------------------


def test_an_unanswered_call_back_frees_the_supporter_and_the_third_expires_the_request(
    line: Line,
) -> None:
    for name, phone in [("Ana Lopez", ANA), ("Ben Ode", BEN), ("Cam Diaz", CAM)]:
        line.supporter(name, phone)
    line.roster.add_coordinator("Coordinator Kim", KIM)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    rung: list[str] = []
    for attempt in (1, 2, 3):
        if attempt == 1:
            line.work()
        else:
            # The retry is a delayed job; run what it would run, now.
            assert any(j.startswith(f"dispatch-{rid}-at") for j in line.scheduled())
            line.deps.dispatcher.dispatch(rid)
        leg = supporter_leg(line)
        rung.append(leg.to)
        accept(line, leg)
        line.work()  # call_back: Peerline rings the caller from the hotline
        assert (line.carrier.calls[-1]["to"], line.carrier.calls[-1]["from_"]) == (
            CALLER,
            HOTLINE,
        )
        caller_sid = sid_of(line, -1)
        leg_post(
            line,
            f"/twilio/callback/status?request={rid}",
            caller_sid,
            CALLER,
            CallStatus="no-answer",
        )
        line.work()  # callback_failed, then the supporter's leg is told and ended

        told = [u for u in line.carrier.updates if u["sid"] == leg.sid]
        assert len(told) == 1 and Msg.CALLER_NOT_REACHED in told[0]["said"]
        assert not any(s.busy for s in line.roster.supporters())
        request = line.services.store.get_request(rid)
        assert request is not None
        status = RequestStatus.WAITING if attempt < 3 else RequestStatus.EXPIRED
        assert (request.status, request.callback_attempts, request.supporter_id) == (
            status,
            attempt,
            None,
        )
        offer = line.deps.dispatcher.offers.offer(leg.offer_id)
        assert offer is not None and offer.status == OfferStatus.CANCELED
        pages = [m for m in line.carrier.messages if m["to"] == KIM]
        if attempt < 3:
            assert pages == [], f"paged after {attempt} failure(s)"
    assert sorted(rung) == sorted([ANA, BEN, CAM])  # nobody was rung twice within 30 min
    [page] = [m for m in line.carrier.messages if m["to"] == KIM]
    assert request is not None
    assert page["body"] == (
        f"Peerline: ticket {request.ticket}, urgent, expired: caller not reached after 3 "
        "call backs."
    )
    assert CALLER not in page["body"] and CALLER[2:] not in page["body"]


def test_a_re_delivered_no_answer_does_not_count_twice(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    accept(line, leg)
    line.work()
    caller_sid = sid_of(line, -1)
    for _ in range(2):  # Twilio delivers at least once
        leg_post(
            line,
            f"/twilio/callback/status?request={rid}",
            caller_sid,
            CALLER,
            CallStatus="no-answer",
        )
    line.work()
    request = line.services.store.get_request(rid)
    assert request is not None and request.callback_attempts == 1
    assert len([u for u in line.carrier.updates if u["sid"] == leg.sid]) == 1


def call_back_answered(line: Line) -> tuple[str, Leg, str]:
    """A call-back request accepted by Ana; the caller's phone rang and they picked up."""
    line.supporter("Ana Lopez", ANA)
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    accept(line, leg)
    line.work()
    caller_sid = sid_of(line, -1)
    prompt = leg_post(line, f"/twilio/callback?request={rid}", caller_sid, CALLER)
    assert prompt.find("Gather") is not None  # "press 1 to be connected now"
    return rid, leg, caller_sid


def test_a_caller_who_hangs_up_at_the_call_back_prompt_was_not_reached(line: Line) -> None:
    rid, leg, caller_sid = call_back_answered(line)
    # Hanging up during <Gather> sends no action request, only the leg's final status.
    path = f"/twilio/callback/status?request={rid}"
    leg_post(line, path, caller_sid, CALLER, CallStatus="completed", CallDuration="6")
    line.work()
    request = line.services.store.get_request(rid)
    assert request is not None
    assert (request.status, request.callback_attempts) == (RequestStatus.WAITING, 1)
    told = [u for u in line.carrier.updates if u["sid"] == leg.sid]
    assert len(told) == 1 and Msg.CALLER_NOT_REACHED in told[0]["said"]
    assert not supporter_named(line, "Ana Lopez").busy


def test_a_call_back_that_connected_is_not_retried_when_the_caller_hangs_up(line: Line) -> None:
    rid, leg, caller_sid = call_back_answered(line)
    joined = leg_post(
        line, f"/twilio/callback/answer?request={rid}", caller_sid, CALLER, Digits="1"
    )
    assert (joined.findtext("Dial/Conference") or "") == f"peerline-{rid}"
    path = f"/twilio/callback/status?request={rid}"
    leg_post(line, path, caller_sid, CALLER, CallStatus="completed", CallDuration="1500")
    line.work()
    request = line.services.store.get_request(rid)
    assert request is not None
    assert (request.status, request.callback_attempts) == (RequestStatus.CONNECTED, 0)
    assert [u for u in line.carrier.updates if u["sid"] == leg.sid] == []
    hang_up_after(line, leg, 1510)  # the supporter's leg ends with the conference
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.COMPLETED


# -- an offer whose time ran out without a status callback -------------------------------------


def shifted(dispatcher: Dispatcher, by: timedelta) -> Dispatcher:
    """The same dispatcher, its clock ``by`` ahead (the check_offer job running late)."""
    d = dispatcher
    return Dispatcher(
        d.store,
        d.offers,
        d.roster,
        d.outbound,
        d.jobs,
        d.escalator,
        d.config,
        clock=lambda: datetime.now(UTC) + by,
    )


def test_check_offer_past_expiry_times_it_out_cancels_the_leg_and_rings_the_next(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")
    line.supporter("Ben Ode", BEN, role="tech")
    rid = request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    assert leg.to == ANA
    assert any(j == f"check-{leg.offer_id}" for j in line.scheduled())

    line.deps.dispatcher.check_offer(leg.offer_id)  # on time: not expired yet, nothing to do
    offer = line.deps.dispatcher.offers.offer(leg.offer_id)
    assert offer is not None and offer.status == OfferStatus.RINGING

    shifted(line.deps.dispatcher, timedelta(minutes=5)).check_offer(leg.offer_id)
    offer = line.deps.dispatcher.offers.offer(leg.offer_id)
    assert offer is not None and offer.status == OfferStatus.TIMED_OUT
    line.work()  # cancel Ana's leg, dispatch again
    assert {"sid": leg.sid, "status": "canceled"} in line.carrier.updates
    assert supporter_leg(line).to == BEN
    assert not supporter_named(line, "Ana Lopez").busy
    assert supporter_named(line, "Ben Ode").busy
    request = line.services.store.get_request(rid)
    assert request is not None and request.status == RequestStatus.OFFERED


def test_check_offer_after_the_status_callback_closed_it_does_nothing(line: Line) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")
    line.supporter("Ben Ode", BEN, role="tech")
    request_by_phone(line, CALLBACK_NURSE_TODAY)
    line.work()
    leg = supporter_leg(line)
    path = f"/twilio/offer/status?offer={leg.offer_id}"
    leg_post(line, path, leg.sid, leg.to, CallStatus="no-answer")
    line.work()  # Ben rung
    calls, updates = len(line.carrier.calls), list(line.carrier.updates)
    shifted(line.deps.dispatcher, timedelta(minutes=5)).check_offer(leg.offer_id)
    line.work()
    offer = line.deps.dispatcher.offers.offer(leg.offer_id)
    assert offer is not None and offer.status == OfferStatus.NO_ANSWER
    assert (len(line.carrier.calls), line.carrier.updates) == (calls, updates)


# -- language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "offered_to"),
    [(SPANISH_CALLBACK_NURSE_TODAY, BEN), (CALLBACK_NURSE_TODAY, ANA)],
    ids=["spanish", "english"],
)
def test_a_spanish_caller_is_offered_only_to_a_spanish_speaker(
    line: Line, keys: list[str], offered_to: str
) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")  # same role, English only
    line.supporter("Ben Ode", BEN, role="tech", languages=("en", "es"))
    rid = request_by_phone(line, keys)
    line.work()
    assert [c["to"] for c in line.carrier.calls] == [offered_to]
    request = line.services.store.get_request(rid)
    assert request is not None and request.language == ("es" if offered_to == BEN else "en")
    leg = supporter_leg(line)
    whisper = leg_post(line, f"/twilio/offer?offer={leg.offer_id}", leg.sid, leg.to)
    said = " ".join(s.text or "" for s in whisper.iter("Say"))
    assert ("in Spanish" in said) is (offered_to == BEN)


def test_a_spanish_caller_with_no_spanish_speaker_on_shift_is_offered_to_nobody(
    line: Line,
) -> None:
    line.supporter("Ana Lopez", ANA, role="nurse")
    line.roster.add_coordinator("Coordinator Kim", KIM)
    rid = request_by_phone(line, SPANISH_CALLBACK_NURSE_TODAY)
    line.work()
    assert line.carrier.calls == []
    assert ("dispatch.nobody_available", {}) in line.services.store.events(rid)
    assert [m["to"] for m in line.carrier.messages] == [KIM]


# -- the organization rule, as the caller answers it by voice ------------------------------------


@pytest.mark.parametrize(
    ("turns", "organization", "offered_to"),
    [
        # 1: someone outside my organization; then the name, said aloud
        (["1", "1", "1", "1", Said("MGH"), "2", "1", "2", "2"], MGH, BEN),
        # 2: my organization is fine (no name asked)
        (["1", "1", "1", "2", "2", "1", "2", "2"], None, ANA),
        # 1, then nothing heard twice: nothing can be excluded
        (["1", "1", "1", "1", "", "", "2", "1", "2", "2"], None, ANA),
    ],
    ids=["outside-my-organization", "my-organization-is-fine", "name-not-heard"],
)
def test_the_organization_rule_follows_what_the_caller_said(
    line: Line, turns: list[str | Said], organization: str | None, offered_to: str
) -> None:
    line.services.store.add_organization(MGH, ["MGH", "Mass General"])
    line.services.store.add_organization(TUFTS)
    line.supporter("Ana Lopez", ANA, role="nurse", organization=MGH)  # same role as caller
    line.supporter("Ben Ode", BEN, role="tech", organization=TUFTS)
    rid = request_by_phone(line, turns)
    request = line.services.store.get_request(rid)
    assert request is not None and request.organization == organization
    line.work()
    assert [c["to"] for c in line.carrier.calls] == [offered_to]


def test_outside_my_organization_with_only_same_organization_peers_offers_nobody(
    line: Line,
) -> None:
    line.services.store.add_organization(MGH, ["MGH", "Mass General"])
    line.supporter("Ana Lopez", ANA, role="nurse", organization=MGH)
    line.supporter("Ben Ode", BEN, role="tech", organization=MGH)
    rid = request_by_phone(line, ["1", "1", "1", "1", Said("Mass General"), "2", "1", "2", "2"])
    request = line.services.store.get_request(rid)
    assert request is not None and request.organization == MGH
    line.work()
    assert line.carrier.calls == []  # never crosses the organization rule without consent
    assert ("dispatch.nobody_available", {}) in line.services.store.events(rid)
