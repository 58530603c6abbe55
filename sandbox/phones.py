"""The sandbox's model of the telephone network: phones, call legs, text messages."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import phonenumbers

if TYPE_CHECKING:
    from sandbox.clock import Timer

E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def new_sid(prefix: str) -> str:
    """A Twilio-shaped SID: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def is_phone_number(number: str) -> bool:
    """True for a dialable E.164 number, as Twilio would accept it."""
    if not E164.match(number):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return False


def country_of(number: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


def formatted(number: str) -> str:
    """How Twilio formats a number in ``to_formatted``/``from_formatted``."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    fmt = phonenumbers.PhoneNumberFormat
    style = fmt.NATIONAL if parsed.country_code == 1 else fmt.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


class CallStatus(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    FAILED = "failed"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"


FINAL_STATUSES = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.FAILED,
        CallStatus.NO_ANSWER,
        CallStatus.CANCELED,
    }
)


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND_API = "outbound-api"
    OUTBOUND_DIAL = "outbound-dial"


class Heard(StrEnum):
    """Kinds of lines in a call's log, i.e. what the person on the phone experienced."""

    SAY = "say"
    PLAY = "play"
    PAUSE = "pause"
    MUSIC = "music"
    PRESSED = "pressed"
    SPOKE = "spoke"
    STATUS = "status"
    CONNECTED = "connected"
    ERROR = "error"


@dataclass(frozen=True)
class LogLine:
    at: float
    kind: Heard
    text: str
    language: str = ""
    repeat: bool = False  # words already played earlier in the same document


@dataclass(frozen=True)
class Notice:
    """An error as Twilio's debugger would show it (``code`` is Twilio's, or ``sandbox:…``)."""

    at: float
    code: str
    message: str
    call_sid: str | None = None


@dataclass(eq=False)
class Call:
    """One call leg. ``phone`` is the virtual phone at the human end of the leg."""

    sid: str
    account_sid: str
    from_: str
    to: str
    direction: Direction
    created_at: float
    status: CallStatus = CallStatus.QUEUED
    parent_sid: str | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    updated_at: float = 0.0
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_events: frozenset[str] = frozenset()
    ring_timeout: float = 60.0
    sequence: int = 0
    epoch: int = 0  # bumped whenever the running TwiML is abandoned; stale work checks it
    log: list[LogLine] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    program: Any = None  # interpreter.Program while TwiML runs on this leg
    player: Any = None  # playback.Player while prompts play to this leg
    connected_to: str | None = None  # what this leg is joined to, for people to read

    @property
    def phone(self) -> str:
        return self.from_ if self.direction is Direction.INBOUND else self.to

    @property
    def caller_id(self) -> str:
        """The number this leg's phone shows for the other end."""
        return self.to if self.direction is Direction.INBOUND else self.from_

    @property
    def ended(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    def duration(self) -> int:
        if self.answered_at is None:
            return 0
        end = self.ended_at if self.ended_at is not None else self.answered_at
        return round(end - self.answered_at)

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


@dataclass(eq=False)
class Message:
    sid: str
    account_sid: str
    from_: str
    to: str
    body: str
    direction: str  # inbound | outbound-api | outbound-reply
    created_at: float
    status: str
    updated_at: float = 0.0
    sent_at: float | None = None
    status_callback: str | None = None
    error_code: int | None = None

    @property
    def num_segments(self) -> int:
        return segments(self.body)


@dataclass(eq=False)
class Phone:
    """A virtual phone. Every E.164 number the sandbox hears of becomes one."""

    number: str
    label: str = ""
    opted_out: bool = False  # replied STOP to the hotline: texts to it fail with 21610
    open_by_default: bool = False  # the page shows it when first opened
    calls: list[str] = field(default_factory=list)  # sids, oldest first
    messages: list[str] = field(default_factory=list)  # sids sent or received, oldest first


_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = set("^{}\\[~]|€\f")


def segments(body: str) -> int:
    """SMS segments for ``body``: GSM-7 160/153, else UCS-2 70/67 (in UTF-16 units)."""
    if all(c in _GSM7 or c in _GSM7_EXT for c in body):
        units, single, multi = sum(2 if c in _GSM7_EXT else 1 for c in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    if units <= single:
        return 1
    return -(-units // multi)
