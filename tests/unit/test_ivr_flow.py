"""The intake flow as a table: every (state, key) pair, the crisis key everywhere, silence."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ivr import (
    Answers,
    CallbackWindow,
    Channel,
    Completed,
    ContactMode,
    Crisis,
    Ended,
    Inbound,
    Language,
    OrgPreference,
    Role,
    Session,
    State,
    Urgency,
    advance,
    start,
)
from ivr.digits import spoken_digits
from ivr.messages import Msg
from ivr.model import Input, Line, NumberCheck
from ivr.prompts import sentences

S = State
KEYS = [*"0123456789", "*", "#"]
MENU_STATES = [
    S.LANGUAGE,
    S.ROLE,
    S.URGENCY,
    S.ORG_PREF,
    S.CONTACT,
    S.CALLBACK_WINDOW,
    S.OTHER_ROLE,
    S.OTHER_LANGUAGE,
    S.FOLLOW_UP,
]

# Written out by hand from the design brief, not derived from ivr.menus.
VALID: dict[State, dict[str, State]] = {
    S.LANGUAGE: {"1": S.ROLE, "2": S.ROLE},
    S.ROLE: {k: S.URGENCY for k in "012345678"},
    S.URGENCY: {"1": S.ORG_PREF, "2": S.ORG_PREF, "3": S.ORG_PREF},
    S.ORG_PREF: {"1": S.ORG_NAME, "2": S.CONTACT, "3": S.CONTACT},
    # The last question of every intake, for a caller we could text: one follow-up text?
    S.CONTACT: {"1": S.FOLLOW_UP, "2": S.CALLBACK_WINDOW},
    # A nurse asking for a call back is asked whether another role may call (consent).
    S.CALLBACK_WINDOW: {"1": S.OTHER_ROLE, "2": S.OTHER_ROLE, "3": S.OTHER_ROLE, "4": S.OTHER_ROLE},
    S.OTHER_ROLE: {"1": S.FOLLOW_UP, "2": S.FOLLOW_UP},
    S.OTHER_LANGUAGE: {"1": S.FOLLOW_UP, "2": S.FOLLOW_UP},
    S.FOLLOW_UP: {"1": S.DONE, "2": S.DONE},
}
ROLES = {
    "1": Role.NURSE,
    "2": Role.PHYSICIAN,
    "3": Role.TRAINEE,
    "4": Role.APP,
    "5": Role.ALLIED,
    "6": Role.TECH,
    "7": Role.SUPPORT,
    "8": Role.OTHER,
    "0": Role.UNSPECIFIED,
}


def at(state: State, language: Language = Language.EN, **answers: object) -> Session:
    base = Answers(role=Role.NURSE, urgency=Urgency.SOON, org_preference=OrgPreference.ANY)
    if state is S.OTHER_LANGUAGE:  # the role question comes first
        base = replace(base, other_role_ok=False)
    return Session(state=state, language=language, answers=replace(base, **answers), answered=3)


@pytest.mark.parametrize("state", MENU_STATES)
@pytest.mark.parametrize("key", KEYS)
def test_every_key_at_every_menu(state: State, key: str) -> None:
    step = advance(at(state), Inbound(digits=key))
    if key == "9":
        assert step.session.state is S.CRISIS
        assert isinstance(step.outcome, Crisis)
    elif key in VALID[state]:
        assert step.session.state is VALID[state][key]
        assert step.session.retries == 0
    else:
        assert step.session.state is state, "an invalid key replays the same menu"
        assert step.prompt.lines[0].msg is Msg.INVALID
        assert step.prompt.menu is state
        assert step.outcome is None


@pytest.mark.parametrize("state", [*MENU_STATES, S.ORG_NAME, S.CALLBACK_NUMBER, S.CALLBACK_CONFIRM])
def test_crisis_key_wins_at_every_menu_in_both_languages(state: State) -> None:
    for language in Language:
        step = advance(at(state, language), Inbound(digits="9"))
        assert isinstance(step.outcome, Crisis)
        assert step.outcome.from_state is state
        assert step.prompt.language is language


def test_crisis_key_wins_even_while_asked_to_speak() -> None:
    step = advance(at(S.ORG_NAME), Inbound(digits="9", speech="Mass General"))
    assert isinstance(step.outcome, Crisis)


@pytest.mark.parametrize(("key", "role"), sorted(ROLES.items()))
def test_role_codes(key: str, role: Role) -> None:
    assert advance(at(S.ROLE), Inbound(digits=key)).session.answers.role is role


@pytest.mark.parametrize(
    ("key", "urgency"), [("1", Urgency.URGENT), ("2", Urgency.SOON), ("3", Urgency.ROUTINE)]
)
def test_urgency_codes(key: str, urgency: Urgency) -> None:
    assert advance(at(S.URGENCY), Inbound(digits=key)).session.answers.urgency is urgency


def test_start_is_the_safety_gate_with_spanish_offer() -> None:
    step = start()
    msgs = [(line.msg, line.language) for line in step.prompt.lines]
    assert msgs[0] == (Msg.SAFETY, Language.EN)
    assert (Msg.SPANISH_OFFER, Language.ES) in msgs
    assert step.session.state is S.LANGUAGE


def test_spanish_branch_switches_every_following_prompt() -> None:
    step = advance(start().session, Inbound(digits="2"))
    assert step.session.language is Language.ES
    assert {line.language for line in step.prompt.lines} == {Language.ES}
    assert [line.msg for line in step.prompt.lines] == [
        Msg.SAFETY,
        Msg.CONFIDENTIALITY,
        Msg.ASK_ROLE,
    ]
    step = advance(step.session, Inbound(digits="1"))
    assert step.prompt.language is Language.ES


def test_english_gets_confidentiality_before_the_role_menu() -> None:
    step = advance(start().session, Inbound(digits="1"))
    assert [line.msg for line in step.prompt.lines] == [Msg.CONFIDENTIALITY, Msg.ASK_ROLE]


def test_silence_at_the_gate_means_english() -> None:
    step = advance(start().session, Inbound())
    assert (step.session.state, step.session.language) == (S.ROLE, Language.EN)


@pytest.mark.parametrize(
    ("state", "default_next", "field", "value"),
    [
        (S.ROLE, S.URGENCY, "role", Role.UNSPECIFIED),
        (S.URGENCY, S.ORG_PREF, "urgency", Urgency.SOON),
        (S.ORG_PREF, S.ORG_NAME, "org_preference", OrgPreference.OUTSIDE),
        (S.CONTACT, S.FOLLOW_UP, "contact_mode", ContactMode.HOLD),
        (S.CALLBACK_WINDOW, S.OTHER_ROLE, "callback_window", CallbackWindow.ASAP),
        (S.OTHER_ROLE, S.FOLLOW_UP, "other_role_ok", False),  # silence is no consent
        (S.OTHER_LANGUAGE, S.FOLLOW_UP, "other_language_ok", False),
    ],
)
def test_silence_replays_once_then_applies_the_gentle_default(
    state: State, default_next: State, field: str, value: object
) -> None:
    first = advance(at(state), Inbound())
    assert first.session.state is state
    assert first.prompt.lines[0].msg is Msg.NO_INPUT
    second = advance(first.session, Inbound())
    assert second.session.state is default_next
    assert getattr(second.session.answers, field) == value


def test_repeated_invalid_keys_fall_back_to_the_default_instead_of_looping() -> None:
    session = at(S.URGENCY)
    for _ in range(3):
        session = advance(session, Inbound(digits="*")).session
        assert session.state is S.URGENCY
    assert advance(session, Inbound(digits="*")).session.state is S.ORG_PREF


def test_multi_digit_garbage_is_just_invalid() -> None:
    step = advance(at(S.ROLE), Inbound(digits="*#77"))
    assert step.session.state is S.ROLE
    assert step.prompt.lines[0].msg is Msg.INVALID
    long = advance(at(S.ROLE), Inbound(digits="1" * 500))
    assert long.session.state is S.ROLE


def test_organization_heard_and_matched_is_kept() -> None:
    step = advance(
        at(S.ORG_NAME),
        Inbound(speech="mass general", organization="Massachusetts General Hospital"),
    )
    assert step.session.state is S.CONTACT
    assert step.session.answers.organization == "Massachusetts General Hospital"
    assert not step.session.answers.organization_unknown


def test_organization_heard_but_unmatched_excludes_nothing_but_is_flagged() -> None:
    step = advance(at(S.ORG_NAME), Inbound(speech="a clinic nobody knows"))
    assert step.session.state is S.CONTACT
    assert step.session.answers.organization is None
    assert step.session.answers.organization_unknown


def test_risk_heard_in_a_spoken_answer_offers_the_crisis_key_then_goes_on() -> None:
    step = advance(at(S.ORG_NAME), Inbound(speech="x", risk=True))
    assert step.session.state is S.CONTACT, "screening never blocks the intake"
    assert [line.msg for line in step.prompt.lines][:2] == [Msg.RISK_HEARD, Msg.ASK_CONTACT]
    plain = advance(at(S.ORG_NAME), Inbound(speech="x"))
    assert Msg.RISK_HEARD not in [line.msg for line in plain.prompt.lines]


def test_the_crisis_key_wins_over_risk_words_said_with_it() -> None:
    step = advance(at(S.ORG_NAME), Inbound(digits="9", speech="x", risk=True))
    assert isinstance(step.outcome, Crisis)
    assert Msg.RISK_HEARD not in [line.msg for line in step.prompt.lines]


def test_a_text_never_gets_the_spoken_risk_line() -> None:
    """By text the desk answers risk language itself, before the flow."""
    session = replace(at(S.ORG_NAME), channel=Channel.SMS)
    step = advance(session, Inbound(speech="x", risk=True))
    assert Msg.RISK_HEARD not in [line.msg for line in step.prompt.lines]


def test_no_organization_answer_asks_again_then_flags_for_the_coordinator() -> None:
    first = advance(at(S.ORG_NAME), Inbound())
    assert first.session.state is S.ORG_NAME
    assert first.prompt.lines[0].msg is Msg.ORG_NOT_HEARD
    second = advance(first.session, Inbound())
    assert second.session.state is S.CONTACT
    assert second.session.answers.organization_unknown


def test_hold_completes_with_answers() -> None:
    step = advance(at(S.CONTACT, follow_up_ok=False), Inbound(digits="1"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.contact_mode is ContactMode.HOLD
    assert [line.msg for line in step.prompt.lines] == [Msg.CONFIRM_HOLD]


@pytest.mark.parametrize(
    ("urgency", "eta"),
    [
        (Urgency.URGENT, Msg.ETA_URGENT),
        (Urgency.SOON, Msg.ETA_SOON),
        (Urgency.ROUTINE, Msg.ETA_ROUTINE),
    ],
)
def test_callback_confirmation_states_window_and_honest_eta(urgency: Urgency, eta: Msg) -> None:
    session = at(
        S.CALLBACK_WINDOW,
        urgency=urgency,
        contact_mode=ContactMode.CALLBACK,
        other_role_ok=True,
        follow_up_ok=False,
    )
    step = advance(session, Inbound(digits="4"))
    assert isinstance(step.outcome, Completed)
    assert [line.msg for line in step.prompt.lines] == [
        Msg.CONFIRM_CALLBACK,
        Msg.WINDOW_EVENING,
        eta,
    ]


def test_repeated_invalid_keys_at_the_gate_continue_in_english_rather_than_hang_up() -> None:
    session = start().session
    for _ in range(3):
        session = advance(session, Inbound(digits="7")).session
        assert session.state is S.LANGUAGE
    step = advance(session, Inbound(digits="7"))
    assert (step.session.state, step.session.language) == (S.ROLE, Language.EN)
    assert not isinstance(step.outcome, Ended)


@pytest.mark.parametrize("state", [S.DONE, S.CRISIS, S.ENDED])
def test_turns_after_the_end_change_nothing(state: State) -> None:
    session = at(state)
    step = advance(session, Inbound(digits="1"))
    assert step.session == session
    assert step.outcome is None


def test_session_round_trips_through_json_shape() -> None:
    session = at(
        S.CONTACT,
        Language.ES,
        organization="Tufts Medical Center",
        callback_window=CallbackWindow.MORNING,
    )
    assert Session.from_dict(session.to_dict()) == session
    assert Session.from_dict(Session(channel=Channel.SMS).to_dict()).channel is Channel.SMS


def test_whole_walk_to_a_request() -> None:
    step = start()
    for key in ["2", "1", "1", "1"]:
        step = advance(step.session, Inbound(digits=key))
    step = advance(step.session, Inbound(speech="MGH", organization="Massachusetts General"))
    step = advance(step.session, Inbound(digits="2"))
    step = advance(step.session, Inbound(digits="3"))
    assert step.session.state is S.OTHER_ROLE
    assert step.prompt.lines[0] == Line(Msg.ASK_OTHER_ROLE, Language.ES, role=Role.NURSE)
    step = advance(step.session, Inbound(digits="2"))  # wait for a nurse
    assert step.session.state is S.OTHER_LANGUAGE  # a Spanish speaker: may a peer use English?
    step = advance(step.session, Inbound(digits="1"))
    assert step.session.state is S.FOLLOW_UP  # the last question: one text after the call?
    assert step.prompt.lines[0].msg is Msg.ASK_FOLLOW_UP
    step = advance(step.session, Inbound(digits="1"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers == Answers(
        role=Role.NURSE,
        urgency=Urgency.URGENT,
        org_preference=OrgPreference.OUTSIDE,
        organization="Massachusetts General",
        contact_mode=ContactMode.CALLBACK,
        callback_window=CallbackWindow.AFTERNOON,
        other_role_ok=False,
        other_language_ok=True,
        follow_up_ok=True,
    )
    assert step.outcome.language is Language.ES


def test_a_caller_who_never_presses_a_key_gets_a_goodbye_not_a_request() -> None:
    step = start()
    for _ in range(12):
        if step.session.state in (S.DONE, S.ENDED):
            break
        step = advance(step.session, Inbound())
    assert step.session.state is S.ENDED
    assert isinstance(step.outcome, Ended)
    assert step.prompt.lines[0].msg is Msg.GOODBYE


def test_one_real_answer_is_enough_for_silence_to_mean_stay_on_the_line() -> None:
    step = advance(start().session, Inbound(digits="1"))
    while step.session.state not in (S.DONE, S.ENDED):
        step = advance(step.session, Inbound())
    assert step.session.state is S.DONE
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.contact_mode is ContactMode.HOLD


def _hidden_caller_at_contact() -> Session:
    return replace(at(S.CONTACT), caller_known=False)


def test_a_withheld_number_choosing_a_call_back_is_asked_for_a_number() -> None:
    step = advance(_hidden_caller_at_contact(), Inbound(digits="2"))
    assert step.session.state is S.CALLBACK_NUMBER
    assert step.prompt.lines[-1].msg is Msg.ASK_CALLBACK_NUMBER


def test_a_valid_keyed_number_is_read_back_before_anything_relies_on_it() -> None:
    asked = advance(_hidden_caller_at_contact(), Inbound(digits="2")).session
    step = advance(asked, Inbound(digits="9195551234", number_check=NumberCheck.OK))
    assert step.session.state is S.CALLBACK_CONFIRM, "a number starting with 9 is not crisis"
    assert not step.session.caller_known, "not until the caller says it is right"
    assert [line.msg for line in step.prompt.lines] == [Msg.READ_BACK, Msg.CONFIRM_NUMBER]
    assert step.prompt.input is Input.DTMF and step.prompt.menu is None
    assert "9195551234" not in str(step.session.to_dict())


def test_nine_alone_is_still_the_crisis_key_while_keying_a_number() -> None:
    asked = advance(_hidden_caller_at_contact(), Inbound(digits="2")).session
    assert isinstance(advance(asked, Inbound(digits="9")).outcome, Crisis)


def test_a_bad_number_is_asked_again_then_the_caller_is_connected_now() -> None:
    session = advance(_hidden_caller_at_contact(), Inbound(digits="2")).session
    for _ in range(2):
        step = advance(session, Inbound(digits="123", number_check=NumberCheck.INVALID))
        assert step.session.state is S.CALLBACK_NUMBER
        assert [line.msg for line in step.prompt.lines] == [
            Msg.BAD_NUMBER,
            Msg.ASK_NUMBER_AGAIN,
        ]
        session = step.session
    step = advance(session, Inbound(digits="123", number_check=NumberCheck.INVALID))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.contact_mode is ContactMode.HOLD
    assert [line.msg for line in step.prompt.lines] == [Msg.NUMBER_NOT_NEEDED, Msg.CONFIRM_HOLD]


def test_star_while_keying_a_number_means_connect_now() -> None:
    session = advance(_hidden_caller_at_contact(), Inbound(digits="2")).session
    step = advance(session, Inbound(digits="*"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.contact_mode is ContactMode.HOLD


@pytest.mark.parametrize(
    ("check", "said"),
    [
        (NumberCheck.INVALID, Msg.BAD_NUMBER),
        (NumberCheck.US_ONLY, Msg.NUMBER_US_ONLY),
        (NumberCheck.COUNTRY, Msg.NUMBER_COUNTRY),
        (NumberCheck.REFUSED, Msg.NUMBER_REFUSED),
    ],
)
def test_a_refused_number_is_answered_with_its_reason_and_asked_for_again(
    check: NumberCheck, said: Msg
) -> None:
    asked = advance(_hidden_caller_at_contact(), Inbound(digits="2")).session
    step = advance(asked, Inbound(digits="19005550123", number_check=check))
    assert step.session.state is S.CALLBACK_NUMBER
    assert [line.msg for line in step.prompt.lines] == [said, Msg.ASK_NUMBER_AGAIN]
    assert step.prompt.input is Input.NUMBER
    assert step.outcome is None and not step.session.caller_known


def _confirming(retries: int = 0) -> Session:
    session = at(S.CALLBACK_CONFIRM, contact_mode=ContactMode.CALLBACK)
    return replace(session, caller_known=False, retries=retries)


# The confirm state as a table over every key, written out by hand.
CONFIRM: dict[str, tuple[State, Msg]] = {
    "1": (S.CALLBACK_WINDOW, Msg.ASK_CALLBACK_WINDOW),
    "2": (S.CALLBACK_NUMBER, Msg.ASK_NUMBER_AGAIN),
    "9": (S.CRISIS, Msg.CRISIS_CONNECTING),
    "*": (S.DONE, Msg.NUMBER_NOT_NEEDED),
}


@pytest.mark.parametrize("key", KEYS)
def test_every_key_at_the_confirm_step(key: str) -> None:
    step = advance(_confirming(), Inbound(digits=key))
    state, first = CONFIRM.get(key, (S.CALLBACK_CONFIRM, Msg.INVALID))
    assert step.session.state is state
    assert step.prompt.lines[0].msg is first
    assert step.session.caller_known is (key == "1")
    if state is S.CALLBACK_CONFIRM:  # anything else reads the number back again
        assert [line.msg for line in step.prompt.lines[1:]] == [Msg.READ_BACK, Msg.CONFIRM_NUMBER]
    if key == "*":
        assert isinstance(step.outcome, Completed)
        assert step.outcome.answers.contact_mode is ContactMode.HOLD
    if key == "9":
        assert isinstance(step.outcome, Crisis) and step.outcome.from_state is S.CALLBACK_CONFIRM


def test_silence_at_the_confirm_step_replays_once_then_connects_now() -> None:
    first = advance(_confirming(), Inbound())
    assert first.session.state is S.CALLBACK_CONFIRM
    assert [line.msg for line in first.prompt.lines] == [
        Msg.NO_INPUT,
        Msg.READ_BACK,
        Msg.CONFIRM_NUMBER,
    ]
    second = advance(first.session, Inbound())
    assert isinstance(second.outcome, Completed)
    assert second.outcome.answers.contact_mode is ContactMode.HOLD
    assert not second.session.caller_known


def test_repeated_wrong_keys_at_the_confirm_step_end_in_connect_now() -> None:
    session = _confirming()
    for _ in range(2):
        session = advance(session, Inbound(digits="5")).session
        assert session.state is S.CALLBACK_CONFIRM
    step = advance(session, Inbound(digits="5"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.contact_mode is ContactMode.HOLD


def test_confirmed_number_leads_to_a_call_back_request() -> None:
    step = advance(_confirming(retries=1), Inbound(digits="1"))
    assert (step.session.state, step.session.retries, step.session.caller_known) == (
        S.CALLBACK_WINDOW,
        0,
        True,
    )
    step = advance(step.session, Inbound(digits="2"))
    step = advance(step.session, Inbound(digits="1"))  # another role may call
    assert step.session.state is S.FOLLOW_UP
    step = advance(step.session, Inbound(digits="2"))  # no follow-up text
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.contact_mode is ContactMode.CALLBACK
    assert step.outcome.answers.callback_window is CallbackWindow.MORNING
    assert step.outcome.answers.other_role_ok is True


def test_a_caller_id_we_may_not_call_is_asked_for_another_number() -> None:
    step = start(caller_known=True, caller_refused=True)
    assert not step.session.caller_known and step.session.caller_refused
    session = replace(at(S.CONTACT), caller_known=False, caller_refused=True)
    step = advance(session, Inbound(digits="2"))
    assert step.session.state is S.CALLBACK_NUMBER
    assert [line.msg for line in step.prompt.lines] == [Msg.ASK_OTHER_NUMBER]
    step = advance(step.session, Inbound(digits="6175550150", number_check=NumberCheck.OK))
    step = advance(step.session, Inbound(digits="1"))
    assert step.session.caller_known and not step.session.caller_refused
    held = advance(replace(at(S.CONTACT), caller_known=False, caller_refused=True), Inbound("1"))
    assert held.session.state is S.DONE, "connect now needs no number"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (Language.EN, "You entered 6 1 7, 5 5 5, 0 1 5 0."),
        (Language.ES, "Usted marcó 6 1 7, 5 5 5, 0 1 5 0."),
    ],
)
def test_the_read_back_speaks_the_digits_the_edge_supplies(language: Language, said: str) -> None:
    session = replace(at(S.CALLBACK_NUMBER, language), caller_known=False)
    step = advance(session, Inbound(digits="6175550150", number_check=NumberCheck.OK))
    spoken = spoken_digits("6175550150")
    words = [w for w, _ in sentences(step.prompt, Channel.VOICE, readback=spoken)]
    assert words[0] == said
    assert words[1].startswith(("Press 1 if that is right", "Oprima 1 si es correcto"))
    assert "9" in words[-1], "the crisis key is named at the confirm step too"


def test_session_round_trips_with_the_refused_caller_id_flag() -> None:
    session = replace(at(S.CALLBACK_CONFIRM), caller_known=False, caller_refused=True)
    assert Session.from_dict(session.to_dict()) == session


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [
        ("6175550150", "6 1 7, 5 5 5, 0 1 5 0"),
        ("16175550150", "1, 6 1 7, 5 5 5, 0 1 5 0"),
        ("447400123456", "4 4 7, 4 0 0, 1 2 3, 4 5 6"),
        ("4474001234567", "4 4 7, 4 0 0, 1 2 3, 4 5 6 7"),
        ("+1 (617) 555-0150", "6 1 7, 5 5 5, 0 1 5 0"),
        ("", ""),
    ],
)
def test_spoken_digits_are_grouped_as_people_say_them(digits: str, spoken: str) -> None:
    assert spoken_digits(digits.replace("+1 ", "")) == spoken


def test_a_caller_who_did_not_say_their_role_is_not_asked_about_other_roles() -> None:
    session = at(
        S.CALLBACK_WINDOW,
        role=Role.UNSPECIFIED,
        contact_mode=ContactMode.CALLBACK,
        follow_up_ok=False,
    )
    step = advance(session, Inbound(digits="1"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.other_role_ok is None


def test_holding_callers_are_not_asked_at_intake() -> None:
    """They are asked when it matters, while they hold (usecases.consent)."""
    step = advance(at(S.CONTACT), Inbound(digits="1"))
    assert step.session.state is S.FOLLOW_UP  # the only question after "connect now"
    step = advance(step.session, Inbound(digits="2"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.other_role_ok is None


def test_the_consent_question_names_the_callers_role() -> None:
    session = at(S.CALLBACK_WINDOW, role=Role.PHYSICIAN, contact_mode=ContactMode.CALLBACK)
    step = advance(session, Inbound(digits="1"))
    said = " ".join(words for words, _ in sentences(step.prompt, Channel.VOICE))
    assert said.startswith(
        "If no physician is free at that time, may another healthcare worker call you instead?"
    )
    assert "If that's fine, press 1." in said and "press 9" in said.lower()


# -- the follow-up question: the last of every intake for a caller we could text ----------


@pytest.mark.parametrize(("key", "ok"), [("1", True), ("2", False)])
def test_the_follow_up_answer_completes_the_request_with_it(key: str, ok: bool) -> None:
    step = advance(at(S.FOLLOW_UP, contact_mode=ContactMode.HOLD), Inbound(digits=key))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.follow_up_ok is ok
    assert [line.msg for line in step.prompt.lines] == [Msg.CONFIRM_HOLD]


def test_silence_at_the_follow_up_question_is_no_at_once() -> None:
    """Optional: a holding caller is not kept waiting for a second silence."""
    step = advance(at(S.FOLLOW_UP, contact_mode=ContactMode.HOLD), Inbound())
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.follow_up_ok is False


def test_an_invalid_key_at_the_follow_up_question_asks_again() -> None:
    step = advance(at(S.FOLLOW_UP), Inbound(digits="7"))
    assert step.session.state is S.FOLLOW_UP
    assert [line.msg for line in step.prompt.lines] == [Msg.INVALID, Msg.ASK_FOLLOW_UP]


@pytest.mark.parametrize("language", list(Language))
def test_the_crisis_key_wins_at_the_follow_up_question(language: Language) -> None:
    step = advance(at(S.FOLLOW_UP, language), Inbound(digits="9"))
    assert isinstance(step.outcome, Crisis)
    assert step.outcome.from_state is S.FOLLOW_UP
    assert step.session.state is S.CRISIS
    assert not isinstance(step.outcome, Completed), "no request: the crisis line instead"


def test_a_withheld_caller_holding_is_not_asked_for_a_follow_up_text() -> None:
    """Nobody to text: the question would be a promise we could not keep."""
    step = advance(_hidden_caller_at_contact(), Inbound(digits="1"))
    assert isinstance(step.outcome, Completed)
    assert step.outcome.answers.follow_up_ok is None


def test_a_confirmed_keyed_number_is_asked_the_follow_up_question() -> None:
    session = advance(_hidden_caller_at_contact(), Inbound(digits="2")).session
    session = advance(session, Inbound(digits="6175550150", number_check=NumberCheck.OK)).session
    session = advance(session, Inbound(digits="1")).session  # the number is right
    session = advance(session, Inbound(digits="1")).session  # as soon as possible
    step = advance(session, Inbound(digits="2"))  # wait for a nurse
    assert step.session.state is S.FOLLOW_UP


def test_the_follow_up_answer_round_trips() -> None:
    session = at(S.DONE, follow_up_ok=True)
    assert Session.from_dict(session.to_dict()) == session
