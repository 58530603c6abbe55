"""The intake flow by text: same states, SMS wording, its own contact menu, crisis by text."""

from __future__ import annotations

import pytest

from ivr import (
    Channel,
    Completed,
    ContactMode,
    Crisis,
    Inbound,
    Language,
    State,
    Step,
    advance,
    start,
)
from ivr.catalogue import sms
from ivr.flow import ask
from ivr.messages import Msg
from ivr.segments import measure
from ivr.sms_render import render_sms


def walk(*keys: str, language: str = "1"):  # type: ignore[no-untyped-def]
    step = advance(start(Channel.SMS).session, Inbound(digits=language))
    for key in keys:
        step = advance(step.session, Inbound(digits=key))
    return step


def test_first_reply_is_the_safety_notice_with_988_and_911_and_spanish() -> None:
    text = render_sms(start(Channel.SMS))
    assert "not a crisis line" in text.lower() or "Not a crisis line" in text
    assert "911" in text and "988" in text and "Para español, responda 2" in text
    assert "press" not in text.lower()


def test_menus_read_as_reply_lines() -> None:
    text = render_sms(walk())
    assert "\n1 Nurse\n" in text and "\n0 Prefer not to say\n" in text
    assert text.endswith("Reply 9 for crisis numbers.")


def test_by_text_the_contact_menu_is_call_back_or_text_first() -> None:
    step = walk("1", "1", "3")
    assert step.session.state is State.CONTACT
    text = render_sms(step)
    assert "1 Call me back" in text and "2 Text me first" in text
    assert "stay on the line" not in text.lower()


def test_text_first_completes_with_an_honest_eta_in_one_segment() -> None:
    step = walk("1", "1", "3", "2")
    assert step.session.state is State.OTHER_ROLE
    text = render_sms(step)
    assert text.startswith("If no nurse is free then, may another healthcare worker call you")
    assert "\n1 Yes, that's fine\n2 No, I'll wait for someone in my role\n" in text
    step = advance(step.session, Inbound(digits="1"))
    assert step.session.state is State.FOLLOW_UP
    text = render_sms(step)
    assert text.startswith("Last question, optional: may we text you once")
    assert "\n1 Yes, text me once\n2 No, thanks\n" in text
    step = advance(step.session, Inbound(digits="1"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.other_role_ok is True
    assert step.outcome.answers.follow_up_ok is True
    assert step.outcome.answers.contact_mode is ContactMode.TEXT_FIRST
    text = render_sms(step)
    assert "within two hours" in text
    assert measure(text).count == 1


def test_call_back_by_text_asks_for_a_window() -> None:
    step = walk("1", "2", "3", "1")
    assert step.session.state is State.CALLBACK_WINDOW
    done = advance(advance(step.session, Inbound(digits="3")).session, Inbound(digits="2"))
    done = advance(done.session, Inbound(digits="2"))  # no follow-up text
    assert isinstance(done.outcome, Completed)
    assert done.outcome.answers.other_role_ok is False
    assert "call you from this number" in render_sms(done)


@pytest.mark.parametrize("state_keys", [(), ("1",), ("1", "1"), ("1", "1", "3")])
def test_nine_by_text_sends_crisis_numbers_and_keeps_the_conversation(
    state_keys: tuple[str, ...],
) -> None:
    before = walk(*state_keys)
    step = advance(before.session, Inbound(digits="9"))
    assert isinstance(step.outcome, Crisis)
    assert step.session.state is before.session.state
    text = render_sms(step)
    crisis = sms(Msg.CRISIS_TEXT, Language.EN)
    assert crisis.startswith("If you are in danger, call 911 now.") and "988" in crisis
    # The numbers once, then the question again, without the safety notice or the
    # "reply 9" reminder that would say them a second time.
    question = Step(before.session, ask(before.session))
    assert text == f"{crisis} {render_sms(question, after_crisis=True)}"
    assert text.count("911") == 1 and "Reply 9" not in text
    assert render_sms(before).split("\n")[-1] != text.split("\n")[-1]  # the reminder


def test_nine_at_the_first_question_gives_the_numbers_once_and_says_who_we_are() -> None:
    step = advance(start(Channel.SMS).session, Inbound(digits="9"))
    assert isinstance(step.outcome, Crisis) and step.session.state is State.LANGUAGE
    assert render_sms(step) == (
        "If you are in danger, call 911 now. To reach the 988 Suicide and Crisis Lifeline,"
        " call or text 988, any time. Peerline: confidential peer support for healthcare"
        " workers. Para español, responda 2. Reply 1 to continue in English."
    )


def test_the_welcome_after_the_crisis_numbers_leaves_them_out() -> None:
    welcome = render_sms(start(Channel.SMS), after_crisis=True)
    assert welcome == (
        "Peerline: confidential peer support for healthcare workers."
        " Para español, responda 2. Reply 1 to continue in English."
    )
    assert measure(f"{sms(Msg.CRISIS_TEXT, Language.EN)}\n{welcome}").count <= 2


def test_spanish_by_text() -> None:
    step = advance(start(Channel.SMS).session, Inbound(digits="2"))
    assert step.session.language is Language.ES
    text = render_sms(step)
    assert "1 Enfermería" in text and "Responda 9" in text
