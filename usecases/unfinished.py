"""What a connected call back is still owed when Redis lost its jobs (a restart without
persistence, a flush, a failover): decided from the database alone, for the reconciler.

A supporter pressed 1 on a call-back (or text-first) request and waits in the conference.
From then on three jobs carry the request, and the events they log say how far it got:

- nothing logged since the offer was made: the call back (or, for text first, the neutral
  text) is owed;
- ``text_first.notified``: the call back is owed once the text's "two minutes" are up;
- ``callback.placed``: the caller's phone rang; their answer or the call's status comes by
  webhook, nothing is owed;
- ``callback.missed``: the caller did not take it; freeing the supporter and trying again
  (``callback_failed``) is owed.

Waiting requests need no decision here: their dispatch job is re-queued by the reconciler
(``jobs.reconciler``), and dispatch itself re-schedules a windowed one for its window.
Every job owed is keyed by request, attempt or offer, so owing it twice queues it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ivr.model import ContactMode
from storage.board import LoggedEvent
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.records import RequestRecord
from storage.recovery import RecoveryQueries
from usecases.caller_leg import CALLBACK_MISSED as MISSED
from usecases.caller_leg import CALLBACK_PLACED as PLACED
from usecases.notices import CALL_IN

NOTIFIED = "text_first.notified"  # usecases.notices
KINDS = (NOTIFIED, PLACED, MISSED)


class Owed(StrEnum):
    CALL_BACK = "call_back"
    TEXT_FIRST = "text_first"
    CALLBACK_FAILED = "callback_failed"


@dataclass(frozen=True)
class Debt:
    request: RequestRecord
    owed: Owed
    offer_id: str


class Unfinished:
    def __init__(
        self,
        queries: RecoveryQueries,
        offers: DispatchStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        text_first_wait: timedelta = CALL_IN,
    ) -> None:
        self.queries, self.offers, self.clock = queries, offers, clock
        self.text_first_wait = text_first_wait

    def call_backs(self, older_than: timedelta) -> list[Debt]:
        """What each call back a supporter took more than ``older_than`` ago is owed."""
        now = self.clock()
        requests = self.queries.connected_call_backs(now - older_than)
        logs = self.queries.events_of([r.id for r in requests], KINDS)
        debts = []
        for request in requests:
            offer = self.offers.active_offer(request.id)
            if offer is None or offer.status is not OfferStatus.ACCEPTED:
                continue
            # Only what happened since this supporter was offered it: earlier events were
            # another supporter's.
            log = [event for event in logs[request.id] if event.at >= offer.created_at]
            owed = self._owed(request, log, now)
            if owed is not None:
                debts.append(Debt(request, owed, offer.id))
        return debts

    def _owed(self, request: RequestRecord, log: list[LoggedEvent], now: datetime) -> Owed | None:
        kinds = {event.kind for event in log}
        if MISSED in kinds:
            return Owed.CALLBACK_FAILED
        if PLACED in kinds:
            return None  # ringing or talking: the carrier's webhooks say what comes next
        if request.contact_mode is not ContactMode.TEXT_FIRST:
            return Owed.CALL_BACK
        notified = [event.at for event in log if event.kind == NOTIFIED]
        if not notified:
            return Owed.TEXT_FIRST
        return Owed.CALL_BACK if now >= notified[-1] + self.text_first_wait else None
