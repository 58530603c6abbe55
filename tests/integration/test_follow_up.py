"""Follow-up and sessions: the consent at intake, the one text after a connected call, "1"
to talk again with the same peer, the optional feedback, the episode's cap and the purge."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from ivr.catalogue import sms
from ivr.messages import Msg
from ivr.model import CallbackWindow, Channel, ContactMode, Language
from matching.calling import CallingHours, QuietHours
from peerline.services import follow_up_replies
from storage.follow_up_models import Feedback, FollowUp, FollowUpOutcome, FollowUpStep
from storage.models import HelpRequest, RequestStatus
from storage.records import RequestRecord
from tests.integration.conftest import Console, Line, leg_post, sid_of, supporter_leg
from tests.integration.test_dispatch_outcomes import accept, hang_up_after, request_by_phone
from tests.request_support import waiting_request
from usecases.candidates import zone as zone_named

pytestmark = pytest.mark.integration

HOTLINE = "+16175550100"
CALLER = "+16175551234"
ANA, BEN = "+12015550101", "+12015550102"
# en, nurse, today, no preference, call me back, asap, another role is fine, then:
CONSENTING = ["1", "1", "1", "3", "2", "1", "1", "1"]  # yes, one text after the call
DECLINING = ["1", "1", "1", "3", "2", "1", "1", "2"]  # no follow-up text


def no_quiet_hours(line: Line, moment: datetime) -> None:
    texts = line.deps.follow_ups
    calling = CallingHours(zone_named(line.settings.timezone), QuietHours.parse(""))
    texts.config = replace(texts.config, calling=calling)
    texts.clock = lambda: moment


def text(line: Line, body: str, sender: str = CALLER) -> str:
    response = line.twilio.signed_post(
        "/twilio/sms",
        {"MessageSid": f"SM{uuid.uuid4().hex}", "From": sender, "To": HOTLINE, "Body": body},
    )
    assert response.status_code == 200
    return " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))


def to(line: Line, number: str) -> list[str]:
    return [m["body"] for m in line.carrier.messages if m["to"] == number]


def request(line: Line, rid: str) -> RequestRecord:
    found = line.services.store.get_request(rid)
    assert found is not None
    return found


def connect_and_end(line: Line, rid: str, supporter: str = ANA) -> None:
    """The request's offer (to ``supporter``) accepted, the caller rung back and bridged,
    a ten-minute conversation, hung up."""
    line.work()
    leg = supporter_leg(line)
    assert leg.to == supporter
    accept(line, leg)
    line.work()  # the call back to the caller
    joined = leg_post(
        line, f"/twilio/callback/answer?request={rid}", sid_of(line, -1), CALLER, Digits="1"
    )
    assert (joined.findtext("Dial/Conference") or "") == f"peerline-{rid}"
    hang_up_after(line, leg, 600)
    assert request(line, rid).status is RequestStatus.COMPLETED


def session(line: Line, keys: list[str] = CONSENTING) -> RequestRecord:
    rid = request_by_phone(line, keys)
    connect_and_end(line, rid)
    return request(line, rid)


def exchange(line: Line, rid: str) -> FollowUp:
    with line.services.store.engine.connect() as conn:
        row = conn.execute(select(FollowUp).where(FollowUp.request_id == rid)).one()
    return row  # type: ignore[return-value]


def feedback(line: Line) -> list[tuple[str, str, str, str]]:
    with line.services.store.engine.connect() as conn:
        rows = conn.execute(
            select(Feedback.role_group, Feedback.urgency, Feedback.question, Feedback.answer)
        ).all()
    return sorted(tuple(r) for r in rows)  # type: ignore[misc]


# -- the consent ------------------------------------------------------------------------------


def test_the_answer_at_intake_is_kept_on_the_request(line: Line) -> None:
    assert request(line, request_by_phone(line, CONSENTING)).follow_up_ok is True
    other = request_by_phone(line, DECLINING, caller="+16175551299")
    assert request(line, other).follow_up_ok is False


def test_a_texter_is_asked_too(line: Line) -> None:
    for body in ["hello", "1", "1", "1", "3", "1", "1", "1"]:
        last = text(line, body, sender="+16175550123")
    assert last.startswith("Last question, optional: may we text you once")
    assert text(line, "yes", sender="+16175550123") == ""  # a lone YES is Twilio's opt-in
    assert line.services.store.open_request_of("+16175550123") is None
    text(line, "1", sender="+16175550123")
    texted = line.services.store.open_request_of("+16175550123")
    assert texted is not None and texted.follow_up_ok is True


# -- the one text after the call --------------------------------------------------------------


def test_one_text_after_the_configured_delay_never_twice(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    first = session(line)
    assert first.closed_at is not None
    no_quiet_hours(line, first.closed_at + timedelta(hours=48) - timedelta(seconds=1))
    assert line.deps.follow_ups.send_due() == 0, "not before 48 hours"
    no_quiet_hours(line, first.closed_at + timedelta(hours=48))
    assert line.deps.follow_ups.send_due() == 1
    assert line.deps.follow_ups.send_due() == 0, "a re-run pass sends nothing more"
    assert to(line, CALLER) == [sms(Msg.FOLLOW_UP_OFFER, Language.EN)]
    assert "talk again with the same peer? Reply 1" in to(line, CALLER)[0]
    assert exchange(line, first.id).step == FollowUpStep.OFFERED
    events = line.services.store.events(first.id)
    assert ("follow_up.sent", {"session": 1, "last": False}) in events


def test_no_text_without_consent_nor_in_the_quiet_hours(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    declined = session(line, DECLINING)
    assert declined.closed_at is not None
    no_quiet_hours(line, declined.closed_at + timedelta(hours=49))
    assert line.deps.follow_ups.send_due() == 0
    assert to(line, CALLER) == []
    consented = session(line)
    assert consented.closed_at is not None
    texts = line.deps.follow_ups
    quiet = CallingHours(zone_named(line.settings.timezone), QuietHours.parse("00:00-23:59"))
    texts.config = replace(texts.config, calling=quiet)
    texts.clock = lambda: consented.closed_at + timedelta(hours=49)  # type: ignore[operator]
    assert texts.send_due() == 0, "quiet hours: still due when they end"
    no_quiet_hours(line, consented.closed_at + timedelta(hours=49))
    assert texts.send_due() == 1
    no_quiet_hours(line, consented.closed_at + timedelta(hours=48 + 25))
    assert texts.send_due() == 0


def test_a_number_that_texted_stop_gets_no_follow_up(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    first = session(line)
    assert first.closed_at is not None
    text(line, "STOP")
    no_quiet_hours(line, first.closed_at + timedelta(hours=48))
    assert line.deps.follow_ups.send_due() == 0
    assert to(line, CALLER) == []
    row = exchange(line, first.id)
    assert (row.step, row.outcome) == (FollowUpStep.DONE, FollowUpOutcome.NOT_SENT)


# -- "1": the same peer first -----------------------------------------------------------------


def offered(line: Line) -> RequestRecord:
    first = session(line)
    assert first.closed_at is not None
    no_quiet_hours(line, first.closed_at + timedelta(hours=48))
    assert line.deps.follow_ups.send_due() == 1
    return first


def test_reply_1_makes_a_follow_up_request_offered_first_to_the_same_peer(line: Line) -> None:
    ana = line.supporter("Ana Lopez", ANA)
    first = offered(line)
    line.supporter("Ben Okafor", BEN)  # also free, and would do as well
    reply = text(line, "1")
    assert reply == (
        f"{sms(Msg.FOLLOW_UP_ACCEPTED, Language.EN)}\n{sms(Msg.FEEDBACK_HELPED, Language.EN)}"
    )
    again = line.services.store.open_request_of(CALLER)
    assert again is not None and again.id != first.id
    assert (again.episode_id, again.session_no, again.previous_supporter_id) == (first.id, 2, ana)
    assert (again.role, again.urgency, again.contact_mode) == (
        first.role,
        first.urgency,
        ContactMode.CALLBACK,
    )
    assert again.callback_window is CallbackWindow.ASAP and again.channel is Channel.SMS
    assert again.other_role_ok is True and again.follow_up_ok is True
    line.work()
    assert supporter_leg(line).to == ANA, "offered first to the same peer"
    row = exchange(line, first.id)
    assert (row.outcome, row.next_request_id) == (FollowUpOutcome.ACCEPTED, again.id)


def test_when_the_same_peer_is_not_free_the_ladder_goes_on(line: Line) -> None:
    ana = line.supporter("Ana Lopez", ANA)
    first = offered(line)
    line.roster.set_on_shift(ana, False)
    line.supporter("Ben Okafor", BEN)
    text(line, "1")
    line.work()
    assert supporter_leg(line).to == BEN
    again = line.services.store.open_request_of(CALLER)
    assert again is not None and again.previous_supporter_id == first.supporter_id


def test_two_copies_of_the_1_make_one_request(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    offered(line)
    text(line, "1")
    text(line, "1")  # now a feedback score, not a second request
    rows = line.services.store.count_requests()
    assert rows.get(RequestStatus.WAITING, 0) + rows.get(RequestStatus.OFFERED, 0) == 1


# -- the optional feedback --------------------------------------------------------------------


def test_feedback_is_kept_without_anything_that_leads_back_to_the_caller(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    first = offered(line)
    assert text(line, "2").startswith(sms(Msg.FOLLOW_UP_DECLINED, Language.EN))
    assert line.services.store.open_request_of(CALLER) is None, "no means nothing more"
    assert text(line, "4") == sms(Msg.FEEDBACK_RECOMMEND, Language.EN)
    assert text(line, "1") == sms(Msg.FEEDBACK_THANKS, Language.EN, hotline=HOTLINE)
    assert feedback(line) == [
        ("nursing", "urgent", "helped", "4"),
        ("nursing", "urgent", "recommend", "yes"),
    ]
    assert exchange(line, first.id).step == FollowUpStep.DONE
    assert Feedback.__table__.columns.keys() == [
        "id",
        "day",
        "role_group",
        "urgency",
        "question",
        "answer",
    ]
    kinds = [kind for kind, _ in line.services.store.events()]
    assert kinds.count("feedback.answered") == 2
    for _kind, detail in line.services.store.events():
        assert "answer" not in detail and "4" not in detail.values()


def test_a_non_answer_is_not_taken_as_one(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    first = offered(line)
    text(line, "1")  # talk again: their request is open
    assert "your request is in" in text(line, "thanks, it did")
    assert feedback(line) == []
    assert exchange(line, first.id).step == FollowUpStep.HELPED
    assert text(line, "5") == sms(Msg.FEEDBACK_RECOMMEND, Language.EN)


def test_a_new_text_conversation_takes_the_texts_before_a_pending_question(line: Line) -> None:
    """Someone asking for a peer again is never held up by an optional question."""
    line.supporter("Ana Lopez", ANA)
    first = offered(line)
    assert "Para español" in text(line, "hello")  # not an answer: a new intake begins
    assert "Which best describes your role" in text(line, "1")  # English, not "talk again"
    assert exchange(line, first.id).step == FollowUpStep.OFFERED
    assert line.services.store.open_request_of(CALLER) is None
    text(line, "2")  # the role question's answer, not a feedback score
    assert feedback(line) == []


def test_an_answer_after_the_reply_window_is_not_about_that_text(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    first = offered(line)
    later = follow_up_replies(line.services)
    sent = exchange(line, first.id).sent_at
    later.clock = lambda: sent + timedelta(hours=73)
    assert later.reply(CALLER, "1", "SMlate") is None


# -- the episode's cap ------------------------------------------------------------------------


def test_after_the_last_session_only_thanks_and_the_feedback_question(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    texts = line.deps.follow_ups
    texts.config = replace(texts.config, sessions=2)
    first = offered(line)
    text(line, "1")
    again = line.services.store.open_request_of(CALLER)
    assert again is not None
    connect_and_end(line, again.id)
    ended = request(line, again.id)
    assert ended.closed_at is not None and ended.session_no == 2
    no_quiet_hours(line, ended.closed_at + timedelta(hours=48))
    assert texts.send_due() == 1
    last = to(line, CALLER)[-1]
    assert last == f"{sms(Msg.FOLLOW_UP_LAST, Language.EN)} {sms(Msg.FEEDBACK_HELPED, Language.EN)}"
    assert "Reply 1" not in last.split("?")[0]
    assert exchange(line, again.id).outcome == FollowUpOutcome.LAST
    assert text(line, "5") == sms(Msg.FEEDBACK_RECOMMEND, Language.EN)
    assert exchange(line, first.id).step == FollowUpStep.HELPED  # the older one waits no more


# -- the purge --------------------------------------------------------------------------------


def test_a_consenting_callers_number_is_kept_until_the_exchange_settles(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    store = line.services.store
    first = offered(line)
    assert first.closed_at is not None
    window = line.deps.follow_ups.config.window
    soon = first.closed_at + timedelta(hours=1)
    purge = {"closed_before": soon, "follow_ups_since": soon - window}
    assert store.forget_callers(**purge) == 0, "the exchange is open: the number stays"
    assert store.caller_of(first.id) == CALLER
    text(line, "2")  # declined, then the feedback: still asking
    assert store.forget_callers(**purge) == 0
    text(line, "3")
    text(line, "2")  # settled
    assert store.forget_callers(**purge) == 1
    assert store.caller_of(first.id) is None


def test_the_number_goes_when_the_window_closes_unanswered(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    store = line.services.store
    first = offered(line)
    assert first.closed_at is not None
    window = line.deps.follow_ups.config.window
    before = first.closed_at + window - timedelta(seconds=1)
    assert store.forget_callers(closed_before=before, follow_ups_since=before - window) == 0
    after = first.closed_at + window + timedelta(seconds=1)
    assert store.forget_callers(closed_before=after, follow_ups_since=after - window) == 1


# -- the coordinator sees it ------------------------------------------------------------------


def test_the_request_page_names_the_session_and_the_answer(console: Console) -> None:
    store = console.services.store
    first = waiting_request(store, caller=CALLER)
    again = waiting_request(store, caller="+16175551299")
    with store.engine.begin() as db:
        db.execute(update(HelpRequest).where(HelpRequest.id == first).values(follow_up_ok=False))
        db.execute(
            update(HelpRequest)
            .where(HelpRequest.id == again)
            .values(follow_up_ok=True, session_no=2, episode_id=first)
        )
    console.login("cory")
    page = console.client.get(f"/console/requests/{first}").text
    assert "first · follow-up text no" in page
    page = console.client.get(f"/console/requests/{again}").text
    assert "follow-up: session 2 of the caller's episode · follow-up text yes" in page
    api = console.client.get(f"/api/v1/requests/{again}", headers=console.bearer()).json()
    assert (api["session_no"], api["follow_up_ok"]) == (2, True)
