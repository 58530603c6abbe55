"""The coordinator board: open requests by urgency, how long they have waited and have
left on the promise, when the caller will be called (``usecases.promise``), who is being
offered each, their flags, escalation and ACK; and ACK.

The other actions (assign, re-queue, a scheduling text) are in ``usecases.board_actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from storage.alerts import AlertStore
from storage.board import BoardQueries
from storage.board import LoggedEvent as LoggedEvent  # the history's entries, for the edges
from storage.models import OPEN_REQUEST_STATUSES, DispatchState, RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from storage.roster import RosterStore
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Conflict, NotFound
from usecases.promise import Promises

URGENCY_ORDER = {"urgent": 0, "soon": 1, "routine": 2}
REPEATED_NO_ANSWER = 2


class State(StrEnum):
    WAITING = "waiting"
    OFFERING = "offering"
    CONNECTED = "connected"
    NEEDS_CALLBACK = "needs_callback"
    CLOSED = "closed"


@dataclass(frozen=True)
class BoardRow:
    request: RequestRecord
    state: State
    offered_to: str | None  # the supporter's name while an offer rings or is accepted
    age_seconds: int
    due_by: datetime  # the promise: the service level, or the end of the caller's window
    seconds_left: int  # negative once the promise is broken
    calls_from: datetime | None  # the caller may not be called before (window, quiet hours)
    promise: str  # "calls back in the afternoon window from 12:00", "due by 14:35"
    unanswered_offers: int
    flags: tuple[str, ...]


class Board:
    def __init__(
        self,
        store: Store,
        queries: BoardQueries,
        roster: RosterStore,
        alerts: AlertStore,
        promises: Promises,
        audit: AuditTrail,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.queries, self.roster, self.alerts = store, queries, roster, alerts
        self.promises, self.audit, self.clock = promises, audit, clock

    def rows(self, actor: Actor) -> list[BoardRow]:
        """Every open request, most urgent first, then the least time left."""
        actor.require(Role.COORDINATOR)
        requests = self.queries.open_requests()
        rows = self._rows(requests)
        return sorted(rows, key=lambda r: (URGENCY_ORDER.get(r.request.urgency, 9), r.seconds_left))

    def row(self, actor: Actor, request_id: str) -> BoardRow:
        actor.require(Role.COORDINATOR)
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound("no such request")
        return self._rows([request])[0]

    def history(self, actor: Actor, request_id: str) -> list[LoggedEvent]:
        """The request's event log, oldest first: intake, offers, pages, ACKs, actions."""
        actor.require(Role.COORDINATOR)
        if self.store.get_request(request_id) is None:
            raise NotFound("no such request")
        return self.queries.history(request_id)

    def acknowledge(self, actor: Actor, request_id: str) -> bool:
        """Own the request: stops its escalation. False if someone already had."""
        actor.require(Role.COORDINATOR)
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound("no such request")
        if request.status not in OPEN_REQUEST_STATUSES:
            raise Conflict(f"the request is {request.status}; there is nothing to acknowledge")
        fresh = self.alerts.acknowledge(request.id, actor.coordinator_id or "")
        if fresh:
            self.store.add_event("coordinator.ack", request_id=request.id, via="console")
            self.audit.write(actor, "request.ack", "request", request.id, ticket=request.ticket)
        return fresh

    def _rows(self, requests: list[RequestRecord]) -> list[BoardRow]:
        active, unanswered = self.queries.offer_summary([r.id for r in requests])
        now = self.clock()
        names: dict[str, str] = {}
        rows = []
        for request in requests:
            supporter_id = active.get(request.id)
            if supporter_id and supporter_id not in names:
                found = self.roster.supporter(supporter_id)
                names[supporter_id] = found.name if found else "a removed supporter"
            promise = self.promises.of(request, now)
            due = promise.due_by
            flags = []
            if request.organization_unknown:
                flags.append("organization_unknown")
            if unanswered[request.id] >= REPEATED_NO_ANSWER:
                flags.append("repeated_no_answer")
            if request.callback_attempts:
                flags.append("callback_failed")
            if request.dispatch_state is DispatchState.HELD:
                flags.append("held_for_coordinator")  # never dispatched again by itself
            rows.append(
                BoardRow(
                    request=request,
                    state=_state(request),
                    offered_to=names.get(supporter_id) if supporter_id else None,
                    age_seconds=int((now - request.created_at).total_seconds()),
                    due_by=due,
                    seconds_left=int((due - now).total_seconds()),
                    calls_from=promise.calls_from,
                    promise=promise.text,
                    unanswered_offers=unanswered[request.id],
                    flags=tuple(flags),
                )
            )
        return rows


def _state(request: RequestRecord) -> State:
    if request.status == RequestStatus.OFFERED:
        return State.OFFERING
    if request.status == RequestStatus.CONNECTED:
        return State.CONNECTED
    if request.status == RequestStatus.WAITING:
        return State.NEEDS_CALLBACK if request.contact_mode == "callback" else State.WAITING
    return State.CLOSED
