"""Classify an inbound text: compliance keyword first, then roster commands. Pure.

Compliance keywords mirror what Twilio itself acts on, so our opt-out record never
disagrees with Twilio's block: one word, any case, surrounding whitespace and punctuation
tolerated ("Stop.", " stop! "). "STOP PLEASE" or "I can't stop crying" is *not* an
opt-out. A lone "YES" is an opt-in because Twilio treats it as one (it lifts the block);
"YES K7Q2" is two words, which Twilio ignores, so it is a supporter's acceptance.

Commands are parsed without knowing who sent them; the caller checks the sender against
``SUPPORTER_COMMANDS`` / ``COORDINATOR_COMMANDS``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O/1/I: they read alike
TICKET_CODE_LENGTH = 4
_CODE = re.compile(f"[{TICKET_ALPHABET}]{{{TICKET_CODE_LENGTH}}}")
_TOKEN = re.compile(r"[^\W_]+")


class KeywordKind(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


@dataclass(frozen=True)
class Keyword:
    kind: KeywordKind
    word: str  # the keyword as configured, upper case ("STOPALL")


@dataclass(frozen=True)
class Keywords:
    """The keyword sets in force; change them only together with Advanced Opt-Out."""

    opt_out: frozenset[str]
    opt_in: frozenset[str]
    help: frozenset[str]

    def kind_of(self, word: str) -> KeywordKind | None:
        word = word.upper()
        for kind, words in (
            (KeywordKind.OPT_OUT, self.opt_out),
            (KeywordKind.OPT_IN, self.opt_in),
            (KeywordKind.HELP, self.help),
        ):
            if word in words:
                return kind
        return None


TWILIO_KEYWORDS = Keywords(
    opt_out=frozenset(
        {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    ),
    opt_in=frozenset({"START", "UNSTOP", "YES"}),
    help=frozenset({"HELP", "INFO"}),
)


class CommandKind(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    STATUS = "status"
    ACCEPT = "accept"  # YES <code>
    DECLINE = "decline"  # NO <code>
    ACK = "ack"  # ACK <code>
    CLOSE = "close"  # CLOSE <code>: a coordinator ends a request nobody has taken
    COVER = "cover"


class CodeProblem(StrEnum):
    MISSING = "missing"  # "ACK" alone
    INVALID = "invalid"  # "ACK K0Q2": cannot be a ticket code


@dataclass(frozen=True)
class Command:
    kind: CommandKind
    code: str | None = None  # upper case, for ACCEPT/DECLINE/ACK/CLOSE
    problem: CodeProblem | None = None  # set instead of ``code`` when it is unusable
    duration: timedelta | None = None  # AVAILABLE 2h, AWAY 3d: how long it lasts


SUPPORTER_COMMANDS = frozenset(
    {
        CommandKind.AVAILABLE,
        CommandKind.AWAY,
        CommandKind.STATUS,
        CommandKind.ACCEPT,
        CommandKind.DECLINE,
    }
)
COORDINATOR_COMMANDS = frozenset(
    {CommandKind.ACK, CommandKind.CLOSE, CommandKind.STATUS, CommandKind.COVER}
)

_BARE = {
    "AVAILABLE": CommandKind.AVAILABLE,
    "AWAY": CommandKind.AWAY,
    "STATUS": CommandKind.STATUS,
    "COVER": CommandKind.COVER,
}
_TIMED = frozenset({CommandKind.AVAILABLE, CommandKind.AWAY})
_DURATION = re.compile(r"(\d{1,3})(M|MIN|MINS|MINUTES?|H|HR|HRS|HOURS?|D|DAYS?)")
_UNIT = {"M": timedelta(minutes=1), "H": timedelta(hours=1), "D": timedelta(days=1)}
_WITH_CODE = {
    "YES": CommandKind.ACCEPT,
    "NO": CommandKind.DECLINE,
    "ACK": CommandKind.ACK,
    "CLOSE": CommandKind.CLOSE,
}


def is_ticket_code(text: str) -> bool:
    """True when ``text`` (any case) is a well-formed ticket code."""
    return _CODE.fullmatch(text.upper()) is not None


def keyword(text: str, keywords: Keywords = TWILIO_KEYWORDS) -> Keyword | None:
    """The compliance keyword ``text`` is, if it is exactly one (STOP, START, HELP …)."""
    tokens = _tokens(text)  # punctuation, symbols and spacing never form a token
    if len(tokens) != 1:
        return None
    kind = keywords.kind_of(tokens[0])
    return None if kind is None else Keyword(kind, tokens[0].upper())


def command(text: str) -> Command | None:
    """The roster command in ``text``, or None when it is not one.

    Bare commands (AVAILABLE, AWAY, STATUS, COVER) must be the whole message, since
    trailing words can change their meaning ("AVAILABLE tomorrow"); AVAILABLE and AWAY may
    end with a duration instead ("AVAILABLE 2h", "AWAY 3 days", "available 90 min"). Code
    commands accept trailing words after a valid code ("YES K7Q2 on my way"): the code pins
    the intent.
    """
    tokens = [t.upper() for t in _tokens(text)]
    if not tokens:
        return None
    head, rest = tokens[0], tokens[1:]
    if head in _BARE:
        if not rest:
            return Command(_BARE[head])
        duration = _duration("".join(rest)) if _BARE[head] in _TIMED else None
        return Command(_BARE[head], duration=duration) if duration else None
    kind = _WITH_CODE.get(head)
    if kind is None:
        return None
    if not rest:
        return Command(kind, problem=CodeProblem.MISSING)
    if is_ticket_code(rest[0]):
        return Command(kind, code=rest[0])
    if len(rest) == 1 and len(rest[0]) == TICKET_CODE_LENGTH:
        return Command(kind, problem=CodeProblem.INVALID)
    return None


def _duration(text: str) -> timedelta | None:
    """ "2H", "90MIN", "3DAYS" (the tokens after the command, joined) as a duration."""
    match = _DURATION.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        return None
    return int(match.group(1)) * _UNIT[match.group(2)[0]]


def classify(text: str, keywords: Keywords = TWILIO_KEYWORDS) -> Keyword | Command | None:
    """Keyword first (so a lone YES is an opt-in), then command, else None (intake text)."""
    return keyword(text, keywords) or command(text)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text))
