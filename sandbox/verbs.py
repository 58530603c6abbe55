"""TwiML verbs and nouns as typed values, with Twilio's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

DEFAULT_WAIT_MUSIC = "http://twimlets.com/holdmusic?Bucket=com.twilio.music.classical"


@dataclass(frozen=True)
class Say:
    text: str
    voice: str = "man"
    language: str = "en-US"
    loop: int = 1


@dataclass(frozen=True)
class Play:
    url: str
    loop: int = 1


@dataclass(frozen=True)
class Pause:
    length: float = 1.0


Prompt: TypeAlias = Say | Play | Pause


@dataclass(frozen=True)
class Gather:
    input: frozenset[str] = frozenset({"dtmf"})
    num_digits: int | None = None
    timeout: float = 5.0
    finish_on_key: str = "#"
    action: str | None = None
    method: str = "POST"
    action_on_empty_result: bool = False
    hints: str = ""
    language: str = "en-US"
    barge_in: bool = True  # a key or words stop the nested prompts (else they are ignored)
    prompts: tuple[Prompt, ...] = ()


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str = "POST"


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"


@dataclass(frozen=True)
class Leave:
    pass


@dataclass(frozen=True)
class Number:
    number: str
    url: str | None = None
    method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_events: frozenset[str] = frozenset({"completed"})


@dataclass(frozen=True)
class Conference:
    name: str
    start_on_enter: bool = True
    end_on_exit: bool = False
    wait_url: str = DEFAULT_WAIT_MUSIC  # "" is silence
    wait_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_events: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Queue:
    name: str
    url: str | None = None
    method: str = "POST"


@dataclass(frozen=True)
class Dial:
    target: tuple[Number, ...] | Conference | Queue
    caller_id: str | None = None
    timeout: float = 30.0
    action: str | None = None
    method: str = "POST"
    hangup_on_star: bool = False  # "*" takes this leg out (conference: it leaves the room)


@dataclass(frozen=True)
class Enqueue:
    name: str
    action: str | None = None
    method: str = "POST"
    wait_url: str = DEFAULT_WAIT_MUSIC
    wait_method: str = "POST"


@dataclass(frozen=True)
class Message:
    body: str
    to: str | None = None
    from_: str | None = None


Verb: TypeAlias = Say | Play | Pause | Gather | Redirect | Hangup | Reject | Leave | Dial | Enqueue
