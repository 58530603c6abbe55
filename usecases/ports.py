"""Ports: what the use cases need from the outside world, each a ``typing.Protocol``.

Adapters implement them (Redis, the carrier, the composition root's functions); tests may
pass ten-line fakes. Keep this a plain list of Protocols.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from matching import Candidate, MatchRequest
from storage.records import RequestRecord
from storage.roster import CoordinatorRecord, SupporterRecord


class BoardNotifier(Protocol):
    """Tells every console watching the board that something changed (no personal data:
    an event kind such as ``request.acked`` and at most a request id)."""

    def publish(self, kind: str, request_id: str | None = None) -> None: ...


class AttemptCounter(Protocol):
    """Counts failed sign-ins per key within a rolling window (login throttling)."""

    def count(self, key: str) -> int: ...

    def hit(self, key: str, window: timedelta) -> int: ...

    def clear(self, key: str) -> None: ...


class DueBy(Protocol):
    """The promise made to a caller: when a request created at ``created`` must be handled."""

    def __call__(self, created: datetime, urgency: str) -> datetime: ...


class CandidateOf(Protocol):
    """A roster row as matching sees it, with the minutes of month ``month_key``."""

    def __call__(self, record: SupporterRecord, month_key: str) -> Candidate: ...


class MatchRequestOf(Protocol):
    """A stored request as matching sees it, leaving out the ``exclude``d supporters."""

    def __call__(self, request: RequestRecord, exclude: frozenset[str]) -> MatchRequest: ...


class PhoneParser(Protocol):
    """A typed-in number as E.164, or None when it is not a valid number."""

    def __call__(self, raw: str) -> str | None: ...


class PagingOrder(Protocol):
    """Coordinators in the order escalation pages them at ``now`` (on call first)."""

    def __call__(
        self, coordinators: list[CoordinatorRecord], now: datetime
    ) -> list[CoordinatorRecord]: ...


class OnCallNow(Protocol):
    """Whether escalation counts ``coordinator`` as on call at ``now``."""

    def __call__(self, coordinator: CoordinatorRecord, now: datetime, /) -> bool: ...
