"""What the live board hears: every event logged about a request, as a board event.

The request's event log already records each thing that happens to it, wherever it
happens (intake, dispatch, the legs, withdrawal, escalation, the console), so the board is
fed from there rather than by a publish call beside every change: ``Store.on_request_event``
calls ``BoardRelay`` after the event is committed, and the relay publishes a board event
(a kind and the request id, never personal data) through the ``BoardNotifier`` port.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from usecases.ports import BoardNotifier

logger = logging.getLogger(__name__)


class BoardEvent(StrEnum):
    CREATED = "request.created"
    OFFERED = "request.offered"
    CONNECTED = "request.connected"
    CLOSED = "request.closed"
    ESCALATED = "request.escalated"
    ACKED = "request.acked"
    CHANGED = "request.changed"  # anything else logged about a request


_FROM_LOG = {
    "request.created": BoardEvent.CREATED,
    "offer.ringing": BoardEvent.OFFERED,
    "offer.accepted": BoardEvent.CONNECTED,
    "callback.connected": BoardEvent.CONNECTED,
    "request.completed": BoardEvent.CLOSED,
    "request.withdrawn": BoardEvent.CLOSED,
    "request.closed": BoardEvent.CLOSED,
    "request.expired": BoardEvent.CLOSED,
    "coordinator.paged": BoardEvent.ESCALATED,
    "coordinator.ack": BoardEvent.ACKED,
}


def board_event(log_kind: str) -> BoardEvent:
    """The board event for an event-log kind such as ``offer.ringing``."""
    return _FROM_LOG.get(log_kind, BoardEvent.CHANGED)


class BoardRelay:
    """A ``Store.on_request_event`` listener that tells every open board."""

    def __init__(self, notifier: BoardNotifier) -> None:
        self.notifier = notifier

    def __call__(self, log_kind: str, request_id: str) -> None:
        try:
            self.notifier.publish(board_event(log_kind), request_id)
        except Exception:  # a board missing one update must never fail a call
            logger.warning("board event not published request=%s", request_id, exc_info=True)
