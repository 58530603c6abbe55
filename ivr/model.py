"""Value types of the intake flow. All frozen; serialisable through ``to_dict``/``from_dict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeAlias, TypeVar

from ivr.messages import Msg


class Channel(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    WEB = "web"  # the public request form: the text menus, answered all at once


class Language(StrEnum):
    EN = "en"
    ES = "es"


class State(StrEnum):
    LANGUAGE = "language"  # safety gate + "para español, oprima 2"
    ROLE = "role"
    URGENCY = "urgency"
    ORG_PREF = "org_pref"
    ORG_NAME = "org_name"
    CONTACT = "contact"
    CALLBACK_NUMBER = "callback_number"  # only when the caller's number is withheld
    CALLBACK_CONFIRM = "callback_confirm"  # the keyed number read back: 1 right, 2 again
    CALLBACK_WINDOW = "callback_window"
    OTHER_ROLE = "other_role"  # a later call: may another role call if none of yours is free?
    OTHER_LANGUAGE = "other_language"  # a later call: may a peer call in English?
    FOLLOW_UP = "follow_up"  # the last question: may we text once after the call?
    DONE = "done"  # request created; the caller holds or hangs up
    CRISIS = "crisis"  # transferred to the crisis line
    ENDED = "ended"  # goodbye without a request


TERMINAL_STATES = frozenset({State.DONE, State.CRISIS, State.ENDED})


class Role(StrEnum):
    NURSE = "nurse"
    PHYSICIAN = "physician"
    TRAINEE = "trainee"
    APP = "app"
    ALLIED = "allied"
    TECH = "tech"
    SUPPORT = "support"
    OTHER = "other"
    UNSPECIFIED = "unspecified"


class Urgency(StrEnum):
    URGENT = "urgent"
    SOON = "soon"
    ROUTINE = "routine"


class OrgPreference(StrEnum):
    OUTSIDE = "outside"  # someone outside my organization (the default)
    SAME_OK = "same_ok"  # my organization is fine
    ANY = "any"  # no preference


class ContactMode(StrEnum):
    HOLD = "hold"  # stay on the line, connect now
    CALLBACK = "callback"
    TEXT_FIRST = "text_first"  # SMS: a neutral text to set up the call first


class CallbackWindow(StrEnum):
    ASAP = "asap"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Consent(StrEnum):
    """The caller's answer to "may we widen the match?" or "may we text you once after the
    call?" (silence: no)."""

    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Answers:
    role: Role | None = None
    urgency: Urgency | None = None
    org_preference: OrgPreference | None = None
    organization: str | None = None  # normalized name, for the exclusion rule
    organization_unknown: bool = False  # caller wanted "outside" but gave no usable answer
    contact_mode: ContactMode | None = None
    callback_window: CallbackWindow | None = None
    # Consent to widen the match when nobody in the caller's role (or language) is free;
    # None: not asked (no widening). A holding caller is asked when it matters instead.
    other_role_ok: bool | None = None
    other_language_ok: bool | None = None
    # One text after a connected call offering another session with the same peer
    # (``usecases.follow_up``); None: not asked (a caller we could not text), so no.
    follow_up_ok: bool | None = None


@dataclass(frozen=True)
class Session:
    """Where one caller is in the flow. ``retries`` counts no-input/invalid turns at a menu."""

    channel: Channel = Channel.VOICE
    state: State = State.LANGUAGE
    language: Language = Language.EN
    answers: Answers = field(default_factory=Answers)
    retries: int = 0
    answered: int = 0  # menus the caller answered with a key (not by our default)
    caller_known: bool = True  # False: withheld caller ID, so ask before promising a call
    caller_refused: bool = False  # a caller ID we may not call (outbound policy): ask too

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        raw = dict(data.get("answers") or {})
        answers = Answers(
            role=_opt(Role, raw.get("role")),
            urgency=_opt(Urgency, raw.get("urgency")),
            org_preference=_opt(OrgPreference, raw.get("org_preference")),
            organization=raw.get("organization"),
            organization_unknown=bool(raw.get("organization_unknown", False)),
            contact_mode=_opt(ContactMode, raw.get("contact_mode")),
            callback_window=_opt(CallbackWindow, raw.get("callback_window")),
            other_role_ok=_opt_bool(raw.get("other_role_ok")),
            other_language_ok=_opt_bool(raw.get("other_language_ok")),
            follow_up_ok=_opt_bool(raw.get("follow_up_ok")),
        )
        return cls(
            channel=Channel(data.get("channel", Channel.VOICE)),
            state=State(data.get("state", State.LANGUAGE)),
            language=Language(data.get("language", Language.EN)),
            answers=answers,
            retries=int(data.get("retries", 0)),
            answered=int(data.get("answered", 0)),
            caller_known=bool(data.get("caller_known", True)),
            caller_refused=bool(data.get("caller_refused", False)),
        )

    def moved(self, state: State, **answers: Any) -> Session:
        """The session at ``state`` with ``answers`` recorded and the retry count reset."""
        return replace(self, state=state, answers=replace(self.answers, **answers), retries=0)


E = TypeVar("E", bound=StrEnum)


def _opt(enum: type[E], value: object) -> E | None:
    return None if value is None else enum(str(value))


def _opt_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


class NumberCheck(StrEnum):
    """The edge's verdict on a keyed-in call-back number (the flow never sees the digits)."""

    OK = "ok"
    INVALID = "invalid"  # not a complete number
    US_ONLY = "us_only"  # outside the United States, and only the US is allowed
    COUNTRY = "country"  # outside the allowed countries
    REFUSED = "refused"  # premium, satellite, our own number, the crisis line …


@dataclass(frozen=True)
class Inbound:
    """What the caller did this turn, already parsed by the edge.

    ``organization`` is filled by the edge when it matched ``speech`` against the roster's
    organizations (the flow never sees the raw words, which may identify someone).
    """

    digits: str = ""
    speech: str = ""
    organization: str | None = None
    number_check: NumberCheck | None = None  # the edge's verdict on a keyed-in number
    risk: bool = False  # the edge's risk screen matched the spoken words (never the words)

    @property
    def empty(self) -> bool:
        return not self.digits and not self.speech


class Input(StrEnum):
    DTMF = "dtmf"
    SPEECH = "speech dtmf"  # speech with keys still live (9 = crisis)
    NUMBER = "number"  # several keys ended by '#'
    NONE = "none"


@dataclass(frozen=True)
class Line:
    msg: Msg
    language: Language
    role: Role | None = None  # fills a sentence's {role} / {a_role} ("nurse", "a nurse")


@dataclass(frozen=True)
class Prompt:
    """What to say, then which menu (if any) to offer and how to collect the answer."""

    lines: tuple[Line, ...]
    menu: State | None = None
    input: Input = Input.DTMF
    language: Language = Language.EN
    crisis_said: bool = False  # the crisis numbers were just given: no "reply 9" reminder


@dataclass(frozen=True)
class Completed:
    answers: Answers
    language: Language


@dataclass(frozen=True)
class Crisis:
    """Transfer to the crisis line (key 9, from any menu)."""

    from_state: State


@dataclass(frozen=True)
class Ended:
    reason: str


Outcome: TypeAlias = Completed | Crisis | Ended


@dataclass(frozen=True)
class Step:
    session: Session
    prompt: Prompt
    outcome: Outcome | None = None
