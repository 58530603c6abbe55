"""Who Peerline may call or text: the allow-list and the outbound policy together.

A destination must be someone Peerline knows for that purpose (a supporter or coordinator
on the roster; a caller with an open request or conversation, or — for one farewell text —
a request that ended within the hour, or — for the one follow-up text — an exchange after
a session that is not settled yet), not be on the blocklist,
*and* pass the outbound policy. A call back also takes one of the number's call backs for
the day. Every refusal is audited as an event with its purpose and reason, never the number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from usecases.outbound_policy import OutboundPolicy, Purpose, Refusal, Verdict

logger = logging.getLogger(__name__)

STAFF = frozenset({Purpose.SUPPORTER, Purpose.COORDINATOR})
FAREWELL_WITHIN = timedelta(hours=1)  # a farewell text follows its request's end this soon


class Roster(Protocol):
    def is_known_number(self, phone: str) -> bool: ...


class Callers(Protocol):
    def is_open_caller(self, number: str) -> bool: ...
    def closed_caller_since(self, number: str, since: datetime) -> bool: ...
    def add_event(self, kind: str, **detail: Any) -> None: ...


class FollowUpCallers(Protocol):
    def is_follow_up_caller(self, number: str) -> bool: ...


class Blocked(Protocol):
    def is_blocked(self, number: str) -> bool: ...


class Tally(Protocol):
    def placed_on(self, number: str, day: date) -> int: ...
    def reserve(self, number: str, day: date, cap: int) -> bool: ...


class Destinations:
    def __init__(
        self,
        policy: OutboundPolicy,
        roster: Roster,
        callers: Callers,
        tally: Tally,
        zone: ZoneInfo,
        blocklist: Blocked,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        follow_ups: FollowUpCallers | None = None,
    ) -> None:
        self.policy, self.roster, self.callers, self.tally = policy, roster, callers, tally
        self.zone, self.blocklist, self.clock = zone, blocklist, clock
        self.follow_ups = follow_ups

    def verdict(self, number: str, purpose: Purpose) -> Verdict:
        """Allowed, or refused with its reason (audited)."""
        verdict = self._verdict(number, purpose)
        if verdict.reason is not None:
            self.callers.add_event(
                "outbound.refused", purpose=str(purpose), reason=str(verdict.reason)
            )
            logger.warning("outbound contact refused purpose=%s reason=%s", purpose, verdict.reason)
        return verdict

    def _verdict(self, number: str, purpose: Purpose) -> Verdict:
        day = self.clock().astimezone(self.zone).date()  # the program's calendar day
        today = self.tally.placed_on(number, day) if purpose is Purpose.CALL_BACK else 0
        verdict = self.policy.check(number, purpose, callbacks_today=today)
        if verdict.reason is not None:
            return verdict
        if purpose is Purpose.CRISIS_CONFERENCE:
            return verdict  # the crisis line itself: never blocked, never "a contact"
        if self.blocklist.is_blocked(number):
            return Verdict(Refusal.BLOCKED)
        if purpose in STAFF:
            known = self.roster.is_known_number(number)
        elif purpose is Purpose.FAREWELL:  # e.g. "we couldn't reach you in time"
            known = self.callers.closed_caller_since(number, self.clock() - FAREWELL_WITHIN)
        elif purpose is Purpose.FOLLOW_UP:  # said yes at intake; the exchange is not settled
            known = self.follow_ups is not None and self.follow_ups.is_follow_up_caller(number)
        else:
            known = self.callers.is_open_caller(number)
        if not known:
            return Verdict(Refusal.NOT_A_CONTACT)
        # The count read above may be stale by now; the reservation is the atomic word.
        if purpose is Purpose.CALL_BACK and not self.tally.reserve(
            number, day, self.policy.daily_callbacks
        ):
            return Verdict(Refusal.DAILY_CAP)
        return verdict
