"""Intake from the public web form: the same questions as the phone and text lines, asked
all at once, walked through the same pure flow (``ivr.advance``) and saved by the same
intake turn (``usecases.intake``) as a call-back or text-first request, channel ``web``.

A number on the blocklist is refused as any number we may not call is. The answers are
menu values; each becomes the key its menu gives it (``ivr.menus``) and the
flow decides as it does for a caller pressing keys. The organization is free text, matched
as a texted answer is; it is also the one place risk language can appear, and it gets the
crisis answer (911, 988) and a page to the on-call coordinator, while the request still
goes in (screening never blocks the intake). A text-first request is confirmed by text
through the one outbound sender (a job). Invalid answers are returned per field, worded
in the form's catalogue (``ivr/catalogue/web.toml``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import ivr
from ivr.menus import menu_for
from ivr.model import (
    Answers,
    Channel,
    Completed,
    Consent,
    ContactMode,
    Inbound,
    Language,
    NumberCheck,
    OrgPreference,
    Role,
    Session,
    State,
)
from ivr.screening import RiskPhrases, screen
from storage.repository import Store
from usecases.admission import Blocked
from usecases.callback_number import check_keyed
from usecases.intake import IntakeTurn, KnownOrganizations, Turn
from usecases.outbound_policy import OutboundPolicy
from usecases.ports import Jobs
from usecases.risk_pages import PageReason

logger = logging.getLogger(__name__)

QUESTIONS = (State.ROLE, State.URGENCY, State.ORG_PREF, State.CONTACT, State.CALLBACK_WINDOW)
# Consent to widen the match, asked last as the flow does; optional (no answer: no).
# The last, the one follow-up text after the call (``usecases.follow_up``): optional too.
CONSENTS = (State.OTHER_ROLE, State.OTHER_LANGUAGE, State.FOLLOW_UP)
_PHONE_PROBLEM = {
    NumberCheck.INVALID: "phone_invalid",
    NumberCheck.US_ONLY: "phone_us_only",
    NumberCheck.COUNTRY: "phone_country",
    NumberCheck.REFUSED: "phone_refused",
}
MAX_TEXT = 1000  # the organization's name, as read (the field takes 200 characters)
SAVED = "web form"  # what the session keeps as its last answer (there is no TwiML)


@dataclass(frozen=True)
class WebAnswers:
    """The form as sent: menu values by state, the organization's name, the number."""

    language: Language
    choices: dict[State, str] = field(default_factory=dict)
    organization: str = ""
    phone: str = ""


@dataclass(frozen=True)
class WebOutcome:
    problems: dict[str, str]  # field → the catalogue key of what is wrong; empty: accepted
    answers: Answers | None = None
    risk: bool = False  # the crisis answer goes first
    texted: bool = False  # a confirmation text is on its way


class WebIntake:
    def __init__(
        self,
        store: Store,
        turns: IntakeTurn,
        jobs: Jobs,
        organizations: KnownOrganizations,
        policy: OutboundPolicy,
        phrases: RiskPhrases,
        blocked: Blocked,
    ) -> None:
        self.store, self.turns, self.jobs = store, turns, jobs
        self.organizations, self.policy, self.phrases = organizations, policy, phrases
        self.blocked = blocked

    def submit(self, form: WebAnswers, nonce: str) -> WebOutcome:
        """Check the form, then walk the flow and save the request. ``nonce`` names the
        session: the same form sent twice makes one request."""
        problems = missing_choices(form)
        check, number, _reason = check_keyed(self.policy, form.phone)
        if number is None:
            problems["phone"] = _PHONE_PROBLEM[check]
        elif self.blocked.is_blocked(number):  # said as any refused number is: no more
            problems["phone"] = _PHONE_PROBLEM[NumberCheck.REFUSED]
        if problems or number is None:
            return WebOutcome(problems)
        *before, last = self._inbounds(form)
        step = ivr.start(Channel.WEB)
        for inbound in before:
            step = ivr.advance(step.session, inbound)
        sid = f"WEB{nonce}"[:64]
        record = self.store.begin_session(sid, Channel.WEB, step.session.to_dict(), SAVED, number)
        risk = screen(form.organization[:MAX_TEXT], self.phrases).risk
        if record.turn:  # this form was sent before: the same answer, nothing new
            done = Session.from_dict(record.flow).answers
            return WebOutcome({}, done, risk, done.contact_mode is ContactMode.TEXT_FIRST)
        turned = self.turns.take(
            Turn(sid, record.turn, Session.from_dict(record.flow), last, caller=number),
            Channel.WEB,
            lambda _step: SAVED,
        )
        outcome = turned.step.outcome
        if not isinstance(outcome, Completed):  # pragma: no cover - answers checked above
            raise RuntimeError(f"web form did not complete the flow: {turned.step.session.state}")
        request_id = None if turned.stale else self._request_of(sid)
        texted = outcome.answers.contact_mode is ContactMode.TEXT_FIRST
        if request_id is not None:
            # The request is durable already: the queue being down must not turn the
            # confirmation page into an error (the dispatch is the reconciler's to redo).
            try:
                if risk:
                    self._page(number, request_id)
                if texted:
                    self.jobs.confirm_request(request_id)
            except Exception:
                logger.warning(
                    "web request queued work failed request=%s", request_id, exc_info=True
                )
                texted = False
        logger.info("web request session=%s stale=%s", sid, turned.stale)
        return WebOutcome({}, outcome.answers, risk, texted)

    def _inbounds(self, form: WebAnswers) -> list[Inbound]:
        """What a caller would have done at each question, in the flow's order."""
        keyed = {
            state: _key(state, form.choices[state]) for state in QUESTIONS if state in form.choices
        }
        out = [Inbound(digits=_key(State.LANGUAGE, form.language.value))]
        out += [Inbound(digits=keyed[s]) for s in (State.ROLE, State.URGENCY, State.ORG_PREF)]
        if form.choices[State.ORG_PREF] == OrgPreference.OUTSIDE:
            name = " ".join(form.organization[:MAX_TEXT].split())[:200]
            if name:
                out.append(Inbound(speech=name, organization=self.organizations.match(name)))
            else:  # no answer twice: nothing excluded, the board flags it (ivr.flow)
                out += [Inbound(), Inbound()]
        out.append(Inbound(digits=keyed[State.CONTACT]))
        if form.choices[State.CONTACT] == ContactMode.CALLBACK:
            out.append(Inbound(digits=keyed[State.CALLBACK_WINDOW]))
        # Consent to widen the match (ivr.flow._later): the form does not ask yet, so the
        # answer is no — the caller's role and language hold, as the flow's silence default.
        if form.choices[State.ROLE] != Role.UNSPECIFIED:
            out.append(Inbound(digits=_key(State.OTHER_ROLE, _consent(form, State.OTHER_ROLE))))
        if form.language is not Language.EN:
            language = _consent(form, State.OTHER_LANGUAGE)
            out.append(Inbound(digits=_key(State.OTHER_LANGUAGE, language)))
        out.append(Inbound(digits=_key(State.FOLLOW_UP, _consent(form, State.FOLLOW_UP))))
        return out

    def _request_of(self, sid: str) -> str | None:
        record = self.store.get_session(sid)
        return record.request_id if record else None

    def _page(self, number: str, request_id: str) -> None:
        request = self.store.get_request(request_id)
        if request is None:  # pragma: no cover - saved in this very call
            return
        self.store.add_event("web.risk_language", request_id=request_id)
        key = self.store.cipher.blind_index(number)[:32]
        self.jobs.page_risk(key, request.ticket, PageReason.RISK_WEB)


def missing_choices(form: WebAnswers) -> dict[str, str]:
    """Every question without a valid answer (the call-back time only for a call back)."""
    problems: dict[str, str] = {}
    for state in CONSENTS:
        if state in form.choices and form.choices[state] not in options(state):
            problems[state.value] = "choose_one"
    for state in QUESTIONS:
        calling = form.choices.get(State.CONTACT) == ContactMode.CALLBACK
        if state is State.CALLBACK_WINDOW and not calling:
            continue
        values = {option.value for option in menu_for(state, Channel.WEB).options}
        if form.choices.get(state) not in values:
            problems[state.value] = "choose_one"
    return problems


def options(state: State) -> list[str]:
    """The values the form offers at ``state``: the web's menu, in its order."""
    return [option.value for option in menu_for(state, Channel.WEB).options]


def _consent(form: WebAnswers, state: State) -> str:
    return form.choices.get(state, Consent.NO)


def _key(state: State, value: str) -> str:
    for option in menu_for(state, Channel.WEB).options:
        if option.value == value:
            return option.key
    raise ValueError(f"{value!r} is not an answer at {state}")  # pragma: no cover
