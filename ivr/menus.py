"""The menus of the brief: which key means what, and what silence defaults to."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.model import (
    CallbackWindow,
    Channel,
    Consent,
    ContactMode,
    OrgPreference,
    Role,
    State,
    Urgency,
)

CRISIS_KEY = "9"


@dataclass(frozen=True)
class Option:
    key: str
    value: str
    label: str  # label id; the words are in ivr/catalogue (labels)


@dataclass(frozen=True)
class Menu:
    state: State
    options: tuple[Option, ...]
    default: str | None  # value used when the caller stays silent twice; None → goodbye

    def choose(self, key: str) -> str | None:
        for option in self.options:
            if option.key == key:
                return option.value
        return None


def _menu(state: State, default: str | None, *options: tuple[str, str]) -> Menu:
    return Menu(state, tuple(Option(k, v, f"{state}.{v}") for k, v in options), default)


MENUS: dict[State, Menu] = {
    # Staying on the line means English: the greeting says so.
    State.LANGUAGE: _menu(State.LANGUAGE, "en", ("1", "en"), ("2", "es")),
    State.ROLE: _menu(
        State.ROLE,
        Role.UNSPECIFIED,
        ("1", Role.NURSE),
        ("2", Role.PHYSICIAN),
        ("3", Role.TRAINEE),
        ("4", Role.APP),
        ("5", Role.ALLIED),
        ("6", Role.TECH),
        ("7", Role.SUPPORT),
        ("8", Role.OTHER),
        ("0", Role.UNSPECIFIED),
    ),
    State.URGENCY: _menu(
        State.URGENCY,
        Urgency.SOON,
        ("1", Urgency.URGENT),
        ("2", Urgency.SOON),
        ("3", Urgency.ROUTINE),
    ),
    State.ORG_PREF: _menu(
        State.ORG_PREF,
        OrgPreference.OUTSIDE,
        ("1", OrgPreference.OUTSIDE),
        ("2", OrgPreference.SAME_OK),
        ("3", OrgPreference.ANY),
    ),
    # Silence here means the caller is still on the line: connect now.
    State.CONTACT: _menu(
        State.CONTACT, ContactMode.HOLD, ("1", ContactMode.HOLD), ("2", ContactMode.CALLBACK)
    ),
    State.CALLBACK_WINDOW: _menu(
        State.CALLBACK_WINDOW,
        CallbackWindow.ASAP,
        ("1", CallbackWindow.ASAP),
        ("2", CallbackWindow.MORNING),
        ("3", CallbackWindow.AFTERNOON),
        ("4", CallbackWindow.EVENING),
    ),
    # Consent to widen the match. Silence keeps the caller's choice: no.
    State.OTHER_ROLE: _menu(State.OTHER_ROLE, Consent.NO, ("1", Consent.YES), ("2", Consent.NO)),
    State.OTHER_LANGUAGE: _menu(
        State.OTHER_LANGUAGE, Consent.NO, ("1", Consent.YES), ("2", Consent.NO)
    ),
    # The one follow-up text after the call. Optional: silence is no.
    State.FOLLOW_UP: _menu(State.FOLLOW_UP, Consent.NO, ("1", Consent.YES), ("2", Consent.NO)),
}

# By text (and on the web form) there is no line to stay on: call me back, or text me first
# to set up the call.
SMS_MENUS: dict[State, Menu] = {
    State.CONTACT: _menu(
        State.CONTACT,
        ContactMode.CALLBACK,
        ("1", ContactMode.CALLBACK),
        ("2", ContactMode.TEXT_FIRST),
    ),
}


def menu_for(state: State, channel: Channel) -> Menu:
    """The menu asked at ``state`` on ``channel``."""
    if channel is not Channel.VOICE and state in SMS_MENUS:
        return SMS_MENUS[state]
    return MENUS[state]
