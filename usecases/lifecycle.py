"""Every request ends (invariant 2): the ways a request closes that are not a conversation.

A request reaches exactly one terminal state. Each ending below is one conditional update
from an open status (``storage.dispatch.DispatchStore.withdraw``), so whichever comes first
wins and every later one changes nothing:

- ``close_request``: a coordinator closes a ticket (``CLOSE K7Q2`` by text; the console
  can call the same use case). Only a request nobody has taken yet; a connected one closes
  when its call ends.
- ``caller_opted_out``: a texter's STOP or CANCEL withdraws their open request.
- ``expire``: nobody reached the caller within the promise plus a grace period
  (``expire_overdue``, the scheduler's pass), or the call backs ran out
  (``callbacks_exhausted``). The on-call coordinator is told once; a caller who reached us
  by text (or chose "text me first" on the web form) and has not opted out gets a kind
  text naming 988 and the hotline.

Every ending stamps ``closed_at``, which starts the identity purge's clock
(``RequestQueries.forget_callers``): no ended request keeps a caller's number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from ivr.catalogue import sms
from ivr.messages import Msg
from ivr.model import Channel, ContactMode
from matching.sla import ClosedDays, promised_by
from storage.models import UNANSWERED_STATUSES, RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from usecases.errors import CarrierError
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose
from usecases.withdrawal import Withdrawals

logger = logging.getLogger(__name__)


class Closed(StrEnum):
    """What a coordinator's CLOSE did."""

    CLOSED = "closed"
    ENDED = "ended"  # the request had already ended (connected and done, withdrawn …)
    IN_CALL = "in_call"  # a supporter has it: it closes when the call ends
    NO_TICKET = "no_ticket"


class ExpiryReason(StrEnum):
    OVERDUE = "overdue"  # the promise plus the grace period went by
    NOT_REACHED = "not_reached"  # the call backs ran out


class Teller(Protocol):
    """What expiry needs from escalation (``usecases.escalation.Escalation``)."""

    def tell_on_call(
        self, request: RequestRecord, msg: Msg, kind: str, **values: object
    ) -> None: ...


@dataclass(frozen=True)
class LifecycleConfig:
    zone: ZoneInfo
    holidays: ClosedDays = ()
    grace: timedelta = timedelta(hours=1)  # after the promise, before a request expires
    callback_attempts: int = 3  # call backs not taken before a request expires


class Lifecycle:
    """Closing and withdrawing: needs the database and the queue only (any process)."""

    def __init__(self, store: Store, withdrawals: Withdrawals) -> None:
        self.store, self.withdrawals = store, withdrawals

    def close_request(self, ticket: str, reason: str, by: str) -> Closed:
        """A coordinator (``by``: their id) closes ``ticket`` for ``reason``."""
        request = self.store.find_by_ticket(ticket)
        if request is None:
            return Closed.NO_TICKET
        if request.status in UNANSWERED_STATUSES and self.withdrawals.end(
            request.id, RequestStatus.CLOSED, reason=reason
        ):
            self.store.add_event("request.closed_by", request_id=request.id, coordinator=by)
            return Closed.CLOSED
        current = self.store.get_request(request.id) or request
        if current.status is RequestStatus.CONNECTED:
            return Closed.IN_CALL
        return Closed.ENDED

    def caller_opted_out(self, sender: str, keyword: str) -> bool:
        """The caller texted STOP or CANCEL (``keyword``): their open request is withdrawn,
        unless a supporter is already talking with them."""
        request = self.store.open_request_of(sender)
        if request is None or request.status not in UNANSWERED_STATUSES:
            return False
        return self.withdrawals.withdraw(request.id, reason=f"texted_{keyword.lower()}")


def texted(request: RequestRecord) -> bool:
    """The caller reached us by text, or chose "text me first" on the web form: the
    expiry may text them (a caller who phoned may share their phone; who asked for a call
    back on the form asked for a call, not texts)."""
    if request.channel is Channel.SMS:
        return True
    return request.channel is Channel.WEB and request.contact_mode is ContactMode.TEXT_FIRST


class Expiry:
    """Requests nobody could reach in time: needs the carrier (workers, the scheduler)."""

    def __init__(
        self,
        store: Store,
        withdrawals: Withdrawals,
        outbound: Outbound,
        teller: Teller,
        config: LifecycleConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.withdrawals, self.outbound = store, withdrawals, outbound
        self.teller, self.config, self.clock = teller, config, clock

    def deadline(self, request: RequestRecord) -> datetime:
        """When ``request`` expires if nobody has taken it: the promise plus the grace."""
        window = request.callback_window if request.contact_mode is ContactMode.CALLBACK else None
        promise = promised_by(
            request.created_at, request.urgency, window, self.config.zone, self.config.holidays
        )
        return promise + self.config.grace

    def expire_overdue(self) -> int:
        """The scheduler's pass: expire every unanswered request past its deadline."""
        now = self.clock()
        expired = 0
        for request in self.store.unanswered_requests():
            if now >= self.deadline(request) and self.expire(request, ExpiryReason.OVERDUE):
                expired += 1
        return expired

    def callbacks_exhausted(self, request: RequestRecord) -> bool:
        """The caller did not take the last call back we may place: expire it now."""
        return self.expire(request, ExpiryReason.NOT_REACHED)

    def expire(self, request: RequestRecord, reason: ExpiryReason) -> bool:
        """End ``request`` as expired (once), tell the coordinator, text a texter."""
        if not self.withdrawals.end(
            request.id, RequestStatus.EXPIRED, reason=reason.value, farewell=Msg.NO_LONGER_WAITING
        ):
            return False
        if reason is ExpiryReason.NOT_REACHED:
            attempts = self.config.callback_attempts
            self.teller.tell_on_call(request, Msg.PAGE_NOT_REACHED, "expired", attempts=attempts)
        else:
            self.teller.tell_on_call(request, Msg.PAGE_EXPIRED, "expired")
        if texted(request):
            self._farewell(request)
        return True

    def _farewell(self, request: RequestRecord) -> None:
        """The kind last text: 988 and the hotline. Opted-out texters get nothing."""
        number = self.store.caller_of(request.id)
        if number is None:
            return
        body = sms(Msg.REQUEST_EXPIRED, request.language, hotline=self.outbound.hotline)
        try:
            self.outbound.sms(number, body, purpose=Purpose.FAREWELL, key=f"farewell:{request.id}")
        except CarrierError as exc:  # opted out, or unreachable: nothing more to do
            logger.info("expiry text not sent request=%s code=%s", request.id, exc.code)
            return
        self.store.add_event("request.expiry_texted", request_id=request.id)
