"""Who may start a call or a text conversation: the blocklist and the rate limits.

Checked on a new call's first webhook and on every inbound text, before anything touches
the intake, in this order:

1. **The global rate** per channel (new calls, texts per second for all numbers together,
   averaged over ten seconds so that a burst — a hundred callers after the same news — is
   let in): a flood is turned away before it reaches the database.
2. **The blocklist**: a blocked number's call is rejected unanswered, its text unanswered.
3. **The rate per number** (calls, texts per hour), keyed by the number's blind index.

Over a limit, a caller is *not* rejected: they hear, in English and Spanish, that
Peerline can't take the call now, to call 911 in danger and 988 if thinking about
suicide, and goodbye. A person in distress may well call again and again, and a busy
tone tells them nothing; the words cost a few seconds of an inbound call and no database
or queue work. A text over a limit gets no answer (an answer is an outbound text, the
very thing a flood would multiply) — except that STOP and START always pass the number's
own checks, so an opt-out is never lost. A withheld number has no per-number count; the
global rate is its limit. A call already under way is never limited: the limits apply to
its first webhook only, so the crisis key keeps working on every later turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ivr.keywords import Keyword, KeywordKind, classify
from usecases.ports import RateLimiter

HOUR = 3600.0
GLOBAL_WINDOW = 10.0  # seconds the global rate is averaged over
OPT_WORDS = (KeywordKind.OPT_OUT, KeywordKind.OPT_IN)


class Verdict(StrEnum):
    ADMIT = "admit"
    BLOCKED = "blocked"  # on the blocklist: <Reject/>, or no answer to a text
    LIMITED = "limited"  # over a rate limit: the 911/988 goodbye, or no answer


class Blocked(Protocol):
    def is_blocked(self, number: str) -> bool: ...


@dataclass(frozen=True)
class Limits:
    """Per number per hour, and for all numbers together per second (averaged over
    ``GLOBAL_WINDOW``); 0 = no limit."""

    calls_per_number_per_hour: int = 20
    texts_per_number_per_hour: int = 60
    calls_per_second: int = 20
    texts_per_second: int = 50


class Admission:
    def __init__(
        self,
        blocklist: Blocked,
        limiter: RateLimiter,
        fingerprint: Callable[[str], str],
        limits: Limits,
    ) -> None:
        """``fingerprint`` is the number's blind index: rate-limit keys never hold a number."""
        self.blocklist, self.limiter, self.fingerprint = blocklist, limiter, fingerprint
        self.limits = limits

    def call(self, caller: str | None, call_sid: str) -> Verdict:
        """A new call's first webhook (a re-delivery counts once)."""
        limits = self.limits
        return self._check(
            "call", caller, call_sid, limits.calls_per_second, limits.calls_per_number_per_hour
        )

    def text(self, sender: str | None, message_sid: str, body: str) -> Verdict:
        """An inbound text (a re-delivery counts once)."""
        limits = self.limits
        global_rate = self._global("text", message_sid, limits.texts_per_second)
        if global_rate is not Verdict.ADMIT:
            return global_rate
        word = classify(body)
        if isinstance(word, Keyword) and word.kind in OPT_WORDS:
            return Verdict.ADMIT  # STOP and START are always recorded
        return self._number("text", sender, message_sid, limits.texts_per_number_per_hour)

    def _check(
        self, channel: str, number: str | None, event: str, per_second: int, per_hour: int
    ) -> Verdict:
        verdict = self._global(channel, event, per_second)
        if verdict is Verdict.ADMIT:
            verdict = self._number(channel, number, event, per_hour)
        return verdict

    def _global(self, channel: str, event: str, per_second: int) -> Verdict:
        if not per_second:
            return Verdict.ADMIT
        budget = int(per_second * GLOBAL_WINDOW)
        if not self.limiter.admit(f"{channel}:all", event, budget, GLOBAL_WINDOW):
            return Verdict.LIMITED
        return Verdict.ADMIT

    def _number(self, channel: str, number: str | None, event: str, per_hour: int) -> Verdict:
        if number is None:
            return Verdict.ADMIT
        if self.blocklist.is_blocked(number):
            return Verdict.BLOCKED
        key = f"{channel}:{self.fingerprint(number)}"
        if per_hour and not self.limiter.admit(key, event, per_hour, HOUR):
            return Verdict.LIMITED
        return Verdict.ADMIT
