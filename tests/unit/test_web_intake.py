"""The web form's answers, walked through the IVR's own flow, complete it with exactly those
answers, for every combination the form offers; missing answers are named per question."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import ivr
from ivr.model import Channel, Completed, ContactMode, Language, OrgPreference, State
from usecases.intake import KnownOrganizations
from usecases.web_intake import QUESTIONS, WebAnswers, WebIntake, missing_choices, options


class Orgs:
    def organizations(self) -> tuple[list[str], dict[str, str]]:
        return ["Tufts Medical Center"], {"tufts": "Tufts Medical Center"}


def intake() -> WebIntake:
    none: Any = None
    return WebIntake(none, none, none, KnownOrganizations(Orgs()), none, none, none)


def walk(form: WebAnswers) -> ivr.Step:
    step = ivr.start(Channel.WEB)
    for inbound in intake()._inbounds(form):
        step = ivr.advance(step.session, inbound)
    return step


COMBINATIONS = list(
    itertools.product(
        options(State.ROLE),
        options(State.URGENCY),
        options(State.ORG_PREF),
        options(State.CONTACT),
        options(State.CALLBACK_WINDOW),
    )
)


def test_the_form_offers_the_text_menus() -> None:
    assert options(State.CONTACT) == [ContactMode.CALLBACK, ContactMode.TEXT_FIRST]
    assert len(options(State.ROLE)) == 9 and len(COMBINATIONS) == 9 * 3 * 3 * 2 * 4


@pytest.mark.parametrize("organization", ["Tufts", "", "Somewhere Else"])
def test_every_combination_completes_the_flow_with_its_answers(organization: str) -> None:
    for role, urgency, pref, contact, window in COMBINATIONS:
        choices = dict(zip(QUESTIONS, (role, urgency, pref, contact, window), strict=True))
        step = walk(WebAnswers(Language.ES, choices, organization, "6175550123"))
        assert isinstance(step.outcome, Completed), choices
        a = step.outcome.answers
        assert (a.role, a.urgency, a.org_preference, a.contact_mode) == (
            role,
            urgency,
            pref,
            contact,
        )
        assert a.callback_window == (window if contact == ContactMode.CALLBACK else None)
        assert step.session.language is Language.ES
        outside = pref == OrgPreference.OUTSIDE
        known = outside and organization == "Tufts"
        assert a.organization == ("Tufts Medical Center" if known else None)
        assert a.organization_unknown == (outside and not known)


@pytest.mark.parametrize(
    ("choices", "missing"),
    [
        ({}, {"role", "urgency", "org_pref", "contact"}),
        (
            {State.ROLE: "nurse", State.URGENCY: "urgent", State.ORG_PREF: "any"},
            {"contact"},
        ),
        (
            {
                State.ROLE: "nurse",
                State.URGENCY: "urgent",
                State.ORG_PREF: "any",
                State.CONTACT: "callback",
            },
            {"callback_window"},
        ),
        (
            {
                State.ROLE: "wizard",
                State.URGENCY: "urgent",
                State.ORG_PREF: "any",
                State.CONTACT: "hold",  # the phone's "stay on the line": not on the web
            },
            {"role", "contact"},
        ),
    ],
)
def test_missing_choices(choices: dict[State, str], missing: set[str]) -> None:
    assert set(missing_choices(WebAnswers(Language.EN, choices))) == missing


@pytest.mark.parametrize(
    ("language", "role", "role_ok", "language_ok", "expected"),
    [
        (Language.EN, "nurse", "yes", None, (True, None)),
        (Language.EN, "nurse", None, None, (False, None)),  # not answered: no
        (Language.EN, "unspecified", "yes", None, (None, None)),  # any role already
        (Language.ES, "tech", "no", "yes", (False, True)),
        (Language.ES, "tech", None, None, (False, False)),
    ],
)
def test_consent_to_widen_is_the_flows_own_question(
    language: Language,
    role: str,
    role_ok: str | None,
    language_ok: str | None,
    expected: tuple[bool | None, bool | None],
) -> None:
    choices = {
        State.ROLE: role,
        State.URGENCY: "soon",
        State.ORG_PREF: "any",
        State.CONTACT: "text_first",
    }
    if role_ok:
        choices[State.OTHER_ROLE] = role_ok
    if language_ok:
        choices[State.OTHER_LANGUAGE] = language_ok
    step = walk(WebAnswers(language, choices))
    assert isinstance(step.outcome, Completed)
    answers = step.outcome.answers
    assert (answers.other_role_ok, answers.other_language_ok) == expected


def test_a_consent_answer_must_be_one_of_its_options() -> None:
    form = WebAnswers(Language.EN, {State.OTHER_ROLE: "maybe"})
    assert missing_choices(form)["other_role"] == "choose_one"
