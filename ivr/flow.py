"""The intake state machine: ``start`` a session, then ``advance`` it one caller turn at a time.

Both are pure. The crisis key is honoured before any per-state rule, so it works from
every menu, including while the caller is asked to speak.
"""

from __future__ import annotations

from dataclasses import replace

from ivr.confirmation import complete
from ivr.menus import CRISIS_KEY, menu_for
from ivr.messages import Msg
from ivr.model import (
    CallbackWindow,
    Channel,
    Consent,
    ContactMode,
    Crisis,
    Ended,
    Inbound,
    Input,
    Language,
    Line,
    NumberCheck,
    OrgPreference,
    Prompt,
    Role,
    Session,
    State,
    Step,
    Urgency,
)
from ivr.sms_render import after_crisis_numbers

MAX_RETRIES = 3  # invalid keys tolerated at one menu before its default applies

_QUESTION = {
    State.ROLE: Msg.ASK_ROLE,
    State.URGENCY: Msg.ASK_URGENCY,
    State.ORG_PREF: Msg.ASK_ORG_PREF,
    State.CONTACT: Msg.ASK_CONTACT,
    State.CALLBACK_WINDOW: Msg.ASK_CALLBACK_WINDOW,
    State.OTHER_ROLE: Msg.ASK_OTHER_ROLE,
    State.OTHER_LANGUAGE: Msg.ASK_OTHER_LANGUAGE,
    State.FOLLOW_UP: Msg.ASK_FOLLOW_UP,
}
_NUMBER_PROBLEM = {
    NumberCheck.INVALID: Msg.BAD_NUMBER,
    NumberCheck.US_ONLY: Msg.NUMBER_US_ONLY,
    NumberCheck.COUNTRY: Msg.NUMBER_COUNTRY,
    NumberCheck.REFUSED: Msg.NUMBER_REFUSED,
}


def start(
    channel: Channel = Channel.VOICE, *, caller_known: bool = True, caller_refused: bool = False
) -> Step:
    """The first step of every contact: the safety gate and the language offer.

    ``caller_refused``: the caller ID is a number we may not call back; the flow treats it
    as withheld and asks for another number if the caller wants a call back."""
    known = caller_known and not caller_refused
    session = Session(channel=channel, caller_known=known, caller_refused=caller_refused)
    return Step(session, ask(session))


def advance(session: Session, inbound: Inbound) -> Step:
    """The caller did something; decide what happens next. Pure."""
    if session.state in (State.DONE, State.CRISIS, State.ENDED):
        return Step(session, _closing(session))
    if _wants_crisis(session, inbound):
        return crisis(session)
    if session.state is State.ORG_NAME:
        step = _org_name(session, inbound)
    elif session.state is State.CALLBACK_NUMBER:
        step = _callback_number(session, inbound)
    elif session.state is State.CALLBACK_CONFIRM:
        step = _callback_confirm(session, inbound)
    else:
        step = _menu_turn(session, inbound)
    return _after_risk(step) if inbound.risk and session.channel is Channel.VOICE else step


def _after_risk(step: Step) -> Step:
    """The risk screen heard danger in a spoken answer: the next words offer the crisis key
    plainly, then the flow goes on (screening never blocks the intake). By text the desk
    answers risk language itself, before the flow."""
    lines = (Line(Msg.RISK_HEARD, step.session.language), *step.prompt.lines)
    return replace(step, prompt=replace(step.prompt, lines=lines))


def _wants_crisis(session: Session, inbound: Inbound) -> bool:
    if session.state is State.CALLBACK_NUMBER:
        return inbound.digits == CRISIS_KEY  # area codes may start with 9: only 9 alone
    return inbound.digits[:1] == CRISIS_KEY


def crisis(session: Session) -> Step:
    """Key 9: voice transfers to the crisis line; a text gets the crisis numbers at once and
    the conversation stays where it was, so the person may still ask for a peer."""
    lang = session.language
    if session.channel is Channel.SMS:
        stay = replace(session, retries=0)
        if session.state in (State.DONE, State.ENDED, State.CRISIS):
            return Step(stay, _say(lang, Msg.CRISIS_TEXT), Crisis(from_state=session.state))
        again = after_crisis_numbers(ask(stay))  # 911 and 988 said once, not again below
        lines = (Line(Msg.CRISIS_TEXT, lang), *again.lines)
        return Step(stay, replace(again, lines=lines), Crisis(from_state=session.state))
    moved = replace(session, state=State.CRISIS, retries=0)
    return Step(moved, _say(lang, Msg.CRISIS_CONNECTING), Crisis(from_state=session.state))


def ask(session: Session, *before: Msg) -> Prompt:
    """The prompt for the session's current state, optionally preceded by ``before``."""
    lang, state = session.language, session.state
    lines = [Line(m, lang) for m in before]
    if state is State.LANGUAGE:
        lines += [Line(Msg.SAFETY, Language.EN), Line(Msg.SPANISH_OFFER, Language.ES)]
        lines.append(Line(Msg.ENGLISH_STAY, Language.EN))
        return Prompt(tuple(lines), menu=State.LANGUAGE, language=lang)
    if state is State.ORG_NAME:
        lines.append(Line(Msg.ASK_ORG_NAME, lang))
        return Prompt(tuple(lines), menu=None, input=Input.SPEECH, language=lang)
    if state is State.CALLBACK_NUMBER:
        lines.append(Line(_number_question(session, again=bool(before)), lang))
        return Prompt(tuple(lines), menu=None, input=Input.NUMBER, language=lang)
    if state is State.CALLBACK_CONFIRM:
        lines += [Line(Msg.READ_BACK, lang), Line(Msg.CONFIRM_NUMBER, lang)]
        return Prompt(tuple(lines), menu=None, input=Input.DTMF, language=lang)
    lines.append(Line(_QUESTION[state], lang, role=session.answers.role))
    return Prompt(tuple(lines), menu=state, language=lang)


def _menu_turn(session: Session, inbound: Inbound) -> Step:
    menu = menu_for(session.state, session.channel)
    if inbound.empty:
        # The follow-up question is optional: silence is "no" at once, nobody waits twice.
        if session.retries == 0 and session.state not in (State.LANGUAGE, State.FOLLOW_UP):
            again = replace(session, retries=1)
            return Step(again, ask(again, Msg.NO_INPUT))
        return _default_or_goodbye(session)
    value = menu.choose(inbound.digits)
    if value is None:
        if session.retries >= MAX_RETRIES:
            return _default_or_goodbye(session)
        again = replace(session, retries=session.retries + 1)
        return Step(again, ask(again, Msg.INVALID))
    return _chose(replace(session, answered=session.answered + 1), value)


def _default_or_goodbye(session: Session) -> Step:
    default = menu_for(session.state, session.channel).default
    # A caller who never pressed a key (a pocket dial, a dropped line) gets a goodbye
    # rather than a request built entirely from our defaults.
    if default is None or (session.state is State.CONTACT and session.answered == 0):
        ended = replace(session, state=State.ENDED)
        return Step(ended, _say(session.language, Msg.GOODBYE), Ended("no_input"))
    return _chose(session, default)


def _chose(session: Session, value: str) -> Step:
    state = session.state
    if state is State.LANGUAGE:
        lang = Language(value)
        moved = replace(session, language=lang).moved(State.ROLE)
        before = (
            (Msg.SAFETY, Msg.CONFIDENTIALITY) if lang is Language.ES else (Msg.CONFIDENTIALITY,)
        )
        return Step(moved, ask(moved, *before))
    if state is State.ROLE:
        return _next(session.moved(State.URGENCY, role=Role(value)))
    if state is State.URGENCY:
        return _next(session.moved(State.ORG_PREF, urgency=Urgency(value)))
    if state is State.ORG_PREF:
        pref = OrgPreference(value)
        after = State.ORG_NAME if pref is OrgPreference.OUTSIDE else State.CONTACT
        return _next(session.moved(after, org_preference=pref))
    if state is State.CONTACT:
        mode = ContactMode(value)
        if mode is ContactMode.CALLBACK:
            after = State.CALLBACK_WINDOW if session.caller_known else State.CALLBACK_NUMBER
            return _next(session.moved(after, contact_mode=mode))
        if mode is ContactMode.TEXT_FIRST:
            return _later(session.moved(State.DONE, contact_mode=mode))
        return _finish(session.moved(State.DONE, contact_mode=mode))  # asked while holding
    if state is State.CALLBACK_WINDOW:
        return _later(session.moved(State.DONE, callback_window=CallbackWindow(value)))
    if state is State.OTHER_ROLE:
        return _later(session.moved(State.DONE, other_role_ok=value == Consent.YES))
    if state is State.OTHER_LANGUAGE:
        return _later(session.moved(State.DONE, other_language_ok=value == Consent.YES))
    if state is State.FOLLOW_UP:
        return complete(session.moved(State.DONE, follow_up_ok=value == Consent.YES))
    raise ValueError(f"no menu at state {state}")  # pragma: no cover - guarded by advance


def _later(session: Session) -> Step:
    """A call later (a call back, text first): before the request is made, ask whether
    someone in another role (or, for a Spanish speaker, in English) may call if nobody in
    theirs is free then — the match never widens without it. A holding caller is asked
    when it matters instead (``usecases.consent``)."""
    answers = session.answers
    if answers.role not in (None, Role.UNSPECIFIED) and answers.other_role_ok is None:
        return _next(session.moved(State.OTHER_ROLE))
    if session.language is not Language.EN and answers.other_language_ok is None:
        return _next(session.moved(State.OTHER_LANGUAGE))
    return _finish(session.moved(State.DONE))


def _finish(session: Session) -> Step:
    """The end of intake: a caller we could text is asked one optional last question — may
    we text them once after the call, to offer another session with the same peer
    (``usecases.follow_up``)? Then the confirmation, and the request."""
    if session.caller_known and session.answers.follow_up_ok is None:
        return _next(session.moved(State.FOLLOW_UP))
    return complete(session.moved(State.DONE))


def _org_name(session: Session, inbound: Inbound) -> Step:
    if inbound.organization:
        return _next(session.moved(State.CONTACT, organization=inbound.organization))
    if inbound.speech or inbound.digits:
        # Heard something we can't match. If it really is an organization we don't know, no
        # supporter belongs to it; but it may be a known one misheard, so the coordinator
        # board is told (the flag), while matching excludes nobody.
        return _next(session.moved(State.CONTACT, organization_unknown=True))
    if session.retries == 0:
        again = replace(session, retries=1)
        return Step(
            again,
            Prompt(
                (Line(Msg.ORG_NOT_HEARD, session.language),),
                input=Input.SPEECH,
                language=session.language,
            ),
        )
    return _next(session.moved(State.CONTACT, organization_unknown=True))


def _callback_number(session: Session, inbound: Inbound) -> Step:
    """No callable caller ID and a call back chosen: take a number by keypad, or hold instead.

    The edge has checked the keyed number against the outbound policy; a refused one is
    answered with its reason and asked for again."""
    if inbound.number_check is NumberCheck.OK:
        return _next(session.moved(State.CALLBACK_CONFIRM))
    if inbound.digits == "*" or session.retries >= 2:
        return _hold_instead(session)
    again = replace(session, retries=session.retries + 1)
    if inbound.number_check is not None:
        problem = _NUMBER_PROBLEM[inbound.number_check]
    else:
        problem = Msg.NO_INPUT if inbound.empty else Msg.BAD_NUMBER
    return Step(again, ask(again, problem))


def _callback_confirm(session: Session, inbound: Inbound) -> Step:
    """The keyed number was read back: 1 it's right, 2 enter it again, star hold instead."""
    if inbound.digits == "1":
        confirmed = replace(session, caller_known=True, caller_refused=False)
        return _next(confirmed.moved(State.CALLBACK_WINDOW))
    if inbound.digits == "2":
        moved = session.moved(State.CALLBACK_NUMBER)
        question = Line(Msg.ASK_NUMBER_AGAIN, session.language)
        return Step(moved, replace(ask(moved), lines=(question,)))
    if inbound.digits == "*" or session.retries >= 2 or (inbound.empty and session.retries):
        return _hold_instead(session)
    again = replace(session, retries=session.retries + 1)
    return Step(again, ask(again, Msg.NO_INPUT if inbound.empty else Msg.INVALID))


def _number_question(session: Session, *, again: bool) -> Msg:
    if again:
        return Msg.ASK_NUMBER_AGAIN
    return Msg.ASK_OTHER_NUMBER if session.caller_refused else Msg.ASK_CALLBACK_NUMBER


def _hold_instead(session: Session) -> Step:
    held = session.moved(State.DONE, contact_mode=ContactMode.HOLD)
    step = complete(held)
    lines = (Line(Msg.NUMBER_NOT_NEEDED, session.language), *step.prompt.lines)
    return replace(step, prompt=replace(step.prompt, lines=lines))


def _next(session: Session) -> Step:
    return Step(session, ask(session))


def _closing(session: Session) -> Prompt:
    """A turn after the flow ended (a late or repeated delivery): say goodbye, safely."""
    return _say(session.language, Msg.CRISIS_FAILED)


def _say(language: Language, *msgs: Msg) -> Prompt:
    return Prompt(tuple(Line(m, language) for m in msgs), input=Input.NONE, language=language)
