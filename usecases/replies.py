"""What a call leg hears next, as values. The web adapter renders them as TwiML.

Use cases decide *what* a caller or supporter hears (which sentences, in which language,
and what happens after: hang up, join the conference, wait for a key); ``telephony``
decides *how* (TwiML verbs, URLs, voices). Nothing here knows Twilio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from ivr.messages import Msg
from ivr.model import Language, Line, Role, Urgency


def lines(language: Language, *msgs: Msg) -> tuple[Line, ...]:
    return tuple(Line(m, language) for m in msgs)


@dataclass(frozen=True)
class Farewell:
    """Say these sentences, then hang up."""

    said: tuple[Line, ...]


@dataclass(frozen=True)
class CrisisTransfer:
    """Dial the crisis line from this call (key 9); nothing moves the call afterwards."""

    language: Language


@dataclass(frozen=True)
class Conference:
    """Say these sentences, then join the request's private conference."""

    request_id: str
    said: tuple[Line, ...]
    help_key: str = ""  # the supporter's offer id: "*" steps out to their help menu
    end_on_exit: bool = True  # the room ends when this leg leaves (not the supporter's)


@dataclass(frozen=True)
class HelpMenu:
    """The supporter pressed * in the call: 1 add the crisis line, 2 page, 3 back."""

    offer_id: str


@dataclass(frozen=True)
class Whisper:
    """The offer a supporter hears: who needs support and how soon; 1 accepts, 2 passes."""

    offer_id: str
    role: Role
    urgency: Urgency
    caller_language: Language
    english_ok: bool = False  # a Spanish speaker who agreed to talk in English


@dataclass(frozen=True)
class CallBackOffer:
    """The caller we call back: "press 1 to be connected"; 9 is the crisis line."""

    request_id: str
    language: Language


@dataclass(frozen=True)
class CallBackLater:
    """The called-back caller whose supporter already left: a peer will call back; 9 is
    the crisis line for a few seconds, then the call ends (never an empty conference)."""

    request_id: str
    language: Language


@dataclass(frozen=True)
class Hold:
    """One pass of the hold loop for a caller waiting to be connected."""

    next_cycle: int  # the pass the loop comes back for
    language: Language
    first: bool  # the first pass thanks the caller for waiting


@dataclass(frozen=True)
class ConsentQuestion:
    """Ask a holding caller whether the match may widen: 1 yes, 2 no; 9 is the crisis line."""

    request_id: str
    widening: str  # matching.widening.Widening's value
    said: tuple[Line, ...]
    cycle: int  # the hold pass the loop comes back for
    again: bool  # asked a second time: silence now means no


VoiceReply: TypeAlias = (
    Farewell
    | CrisisTransfer
    | Conference
    | Whisper
    | CallBackOffer
    | CallBackLater
    | Hold
    | ConsentQuestion
    | HelpMenu
)
