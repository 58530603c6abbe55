"""The SMS channel end to end: sandbox phones text the hotline, Peerline answers by TwiML and
by its real TwilioCarrier; opt-outs, risk language, roster commands, escalation by text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from jobs.enqueue import RqJobs
from jobs.reconciler import close_idle_texts
from storage.repository import Store
from tests.e2e.conftest import World
from usecases.errors import ForbiddenDestination, OptedOut
from usecases.outbound_policy import Purpose

pytestmark = pytest.mark.e2e
TEXTER, ANA, BEN, KIM = "+16175550123", "+16175550101", "+16175550102", "+16175550104"
PAGE = re.compile(r"Peerline: ticket (\w{4}), [\w ,]+\. Reply ACK \1\.")
CRISIS = (
    "If you are in danger, call 911 now. To reach the 988 Suicide and Crisis Lifeline,"
    " call or text 988, any time."
)
WELCOME_AFTER_CRISIS = (
    "Peerline: confidential peer support for healthcare workers."
    " Para español, responda 2. Reply 1 to continue in English."
)


def text(world: World, sender: str, body: str) -> str:
    """Send a text to the hotline; the reply Peerline sent back (or "")."""
    phone = world.box.phone(sender)
    before = len(phone.inbox())
    phone.send_sms(world.hotline, body)
    world.box.settle()
    new = phone.inbox()[before:]
    return "\n".join(m.body for m in new)


def test_a_text_conversation_becomes_a_call_back_request(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    first = text(world, TEXTER, "hi, I had a really hard shift")
    assert "911" in first and "988" in first
    assert "Which best describes your role" in text(world, TEXTER, "1")
    assert "How soon" in text(world, TEXTER, "I'm an RN")
    text(world, TEXTER, "today please")
    assert "1 Call me back" in text(world, TEXTER, "no preference")
    assert "When is a good time" in text(world, TEXTER, "call me back")
    asked = text(world, TEXTER, "asap")
    assert asked.startswith("If no nurse is free then, may another healthcare worker call you")
    last = text(world, TEXTER, "yes, that's fine")
    assert last.startswith("Last question, optional: may we text you once")
    done = text(world, TEXTER, "no thanks")
    assert "will call you from this number" in done and "within two hours" in done
    [request] = world.services.store.waiting_requests()
    assert (request.channel, request.role, request.urgency, request.contact_mode) == (
        "sms",
        "nurse",
        "urgent",
        "callback",
    )
    world.work()  # dispatch: Ana rings; she accepts; we call the texter from the hotline
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()
    [back] = world.box.phone(TEXTER).ringing()
    assert back.caller_id == world.hotline
    assert "your request is in" in text(world, TEXTER, "thanks")


def text_first_request(world: World) -> None:
    text(world, TEXTER, "hello")
    for answer in ["1", "1", "1", "3"]:
        text(world, TEXTER, answer)
    text(world, TEXTER, "2")  # text me first
    text(world, TEXTER, "no")  # wait for a nurse
    assert "text you" in text(world, TEXTER, "2")  # no follow-up text


def test_stop_withdraws_a_waiting_request_and_nothing_more_is_sent(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    text_first_request(world)
    assert "unsubscribed" in text(world, TEXTER, "STOP")  # the carrier's own confirmation
    inbox_before = len(world.box.phone(TEXTER).inbox())
    with pytest.raises(ForbiddenDestination):  # no open request: no longer a contact
        world.deps.dispatcher.outbound.sms(TEXTER, "anything", purpose=Purpose.TEXT)
    world.work()
    assert world.box.phone(ANA).ringing() == [], "nobody is offered a withdrawn request"
    assert world.box.phone(TEXTER).ringing() == []
    assert len(world.box.phone(TEXTER).inbox()) == inbox_before, "nothing sent after STOP"
    text(world, TEXTER, "START")
    assert "Para español" in text(world, TEXTER, "hello")  # a new conversation can begin


def test_stop_after_a_supporter_accepted_stops_texts_but_not_the_call(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    text_first_request(world)
    world.work()
    world.box.phone(ANA).answer().press("1")  # text_first is queued, not yet run
    assert "unsubscribed" in text(world, TEXTER, "STOP")
    inbox_before = len(world.box.phone(TEXTER).inbox())
    with pytest.raises(OptedOut):
        world.deps.dispatcher.outbound.sms(TEXTER, "anything", purpose=Purpose.TEXT)
    world.work()  # text_first: the neutral text is refused, so we call straight away
    assert len(world.box.phone(TEXTER).inbox()) == inbox_before, "nothing sent after STOP"
    assert len(world.box.phone(TEXTER).ringing()) == 1
    text(world, TEXTER, "START")
    assert world.deps.dispatcher.outbound.sms(
        TEXTER, "welcome back", purpose=Purpose.TEXT
    ).startswith("SM")


def test_risk_language_gets_crisis_numbers_and_pages_without_pii(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    reply = text(world, TEXTER, "I just want to end it all, I have 800mg of acetaminophen")
    # (The sandbox reads a <Message> as words, so the line break between the two is a space.)
    assert reply == f"{CRISIS} {WELCOME_AFTER_CRISIS}", (
        "screening never blocks the intake, and the welcome does not repeat 911 and 988"
    )
    assert reply.count("911") == 1
    world.work()
    [page] = world.box.phone(KIM).inbox()
    match = PAGE.fullmatch(page.body)
    assert match and ", risk language in a text, now." in page.body
    assert TEXTER not in page.body and "acetaminophen" not in page.body
    ack = text(world, KIM, f"ACK {match.group(1)}")
    assert ack == f"Peerline: ticket {match.group(1)} is yours. Thank you."
    text(world, TEXTER, "I want to die")
    world.work()
    text(world, TEXTER, "kill myself")
    world.work()
    pages = [m for m in world.box.phone(KIM).inbox() if "risk language" in m.body]
    assert len(pages) == 2, "paged again after the ACK, but not again before the next ACK"


def test_nine_by_text_pages_the_coordinator_and_keeps_the_intake(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    text(world, TEXTER, "hello")
    reply = text(world, TEXTER, "9")
    assert reply == f"{CRISIS} {WELCOME_AFTER_CRISIS}"
    world.work()
    [page] = world.box.phone(KIM).inbox()
    assert PAGE.fullmatch(page.body) and ", asked for the crisis line by text, now." in page.body
    assert "Which best describes your role" in text(world, TEXTER, "1")


def test_nine_as_a_first_text_is_asking_for_the_crisis_line(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    assert text(world, TEXTER, "9") == f"{CRISIS} {WELCOME_AFTER_CRISIS}"
    world.work()
    [page] = world.box.phone(KIM).inbox()
    assert PAGE.fullmatch(page.body) and "asked for the crisis line by text" in page.body
    assert "risk language" not in page.body
    assert "Which best describes your role" in text(world, TEXTER, "1")  # intake goes on


def test_nine_after_the_request_is_in_gets_the_numbers_not_the_same_notice(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    text(world, TEXTER, "hello")
    for answer in ["1", "1", "1", "3", "1", "asap", "2"]:
        text(world, TEXTER, answer)
    assert "within two hours" in text(world, TEXTER, "2")  # no follow-up text
    notice = text(world, TEXTER, "thanks")
    assert "your request is in" in notice and "Reply 9 for crisis numbers" in notice
    assert text(world, TEXTER, "9") == CRISIS
    world.work()
    pages = [m.body for m in world.box.phone(KIM).inbox() if "crisis line" in m.body]
    assert len(pages) == 1


def test_supporter_away_leaves_matching_and_available_returns(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    assert "you're away" in text(world, ANA, "away")
    assert "away (you said AWAY)" in text(world, ANA, "STATUS")
    call = world.box.phone(TEXTER).dial()
    for key in ["1", "1", "1", "3", "1", "2"]:  # ..., connect now, no follow-up text
        call.press(key)
    world.work()
    assert world.box.phone(ANA).ringing() == []
    assert "you're available" in text(world, ANA, "AVAILABLE")
    assert "AVAILABLE, AWAY or STATUS" in text(world, ANA, "what?")


def test_coordinator_ack_by_text_stops_the_escalation(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM, backup_order=0)
    world.roster.add_coordinator("Lee", "+16175550105", backup_order=1)
    call = world.box.phone(TEXTER).dial()
    for key in ["1", "1", "1", "3", "1", "2"]:  # ..., connect now, no follow-up text
        call.press(key)
    world.work()  # nobody on shift: Kim paged now
    [page] = world.box.phone(KIM).inbox()
    ticket = PAGE.fullmatch(page.body).group(1)  # type: ignore[union-attr]
    text(world, KIM, f"ack {ticket}")
    [request] = world.services.store.waiting_requests()
    world.deps.escalation.escalate(request.id, 1)
    assert world.box.phone("+16175550105").inbox() == []
    assert "waiting: urgent 1" in text(world, KIM, "STATUS")
    assert "Pages go to: Kim > Lee" in text(world, KIM, "COVER")


def test_help_describes_the_program_with_the_crisis_numbers(world: World) -> None:
    reply = text(world, TEXTER, "HELP")
    assert "peer support for healthcare workers" in reply and "911" in reply and "988" in reply


def test_a_quiet_conversation_is_closed_kindly_after_a_day(world: World) -> None:
    text(world, TEXTER, "hello")
    store = world.services.store
    later = Store(store.engine, store.cipher, clock=lambda: datetime.now(UTC) + timedelta(hours=25))
    assert close_idle_texts(later, RqJobs(world.services.queues), timedelta(hours=24)) == 1
    world.work()
    assert "closed this conversation" in world.box.phone(TEXTER).inbox()[-1].body
    assert "peer support for healthcare workers" in text(world, TEXTER, "hi again")


def test_an_opted_out_texter_gets_no_reply_but_risk_still_pages(world: World) -> None:
    world.roster.add_coordinator("Kim", KIM)
    text(world, TEXTER, "hello")
    text(world, TEXTER, "STOP")
    assert text(world, TEXTER, "1") == ""
    assert text(world, TEXTER, "I want to kill myself") == ""
    world.work()
    assert any("risk language" in m.body for m in world.box.phone(KIM).inbox())


def test_no_document_or_text_ever_carries_the_other_partys_number(world: World) -> None:
    world.supporter("Ana Lopez", ANA)
    text(world, TEXTER, "hi")
    for answer in ["1", "1", "1", "3", "1", "1", "1", "2"]:
        text(world, TEXTER, answer)
    world.work()
    supporter = world.box.phone(ANA).answer()
    supporter.press("1")
    world.work()
    world.box.phone(TEXTER).answer().press("1")
    served = [d.body for d in world.box.deliveries()]
    texts = [m.body for p in (TEXTER, ANA) for m in world.box.phone(p).messages()]
    assert served and texts
    for document in served + texts:
        for number in (TEXTER, ANA):
            assert number not in document and number[2:] not in document, document
