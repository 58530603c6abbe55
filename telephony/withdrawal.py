"""The caller is gone, or pressed the crisis key: close their request and free the supporter.

Invariant 6: pressing 9 anywhere withdraws the request at once (before the webhook
answers), cancels a supporter leg that is still ringing, tells a supporter who already
picked up that the caller is no longer waiting, and marks the caller's call as a crisis
transfer so nothing ever moves it again.
"""

from __future__ import annotations

import logging
from typing import Protocol

from storage.dispatch import DispatchStore
from storage.repository import Store
from telephony import bridge

logger = logging.getLogger(__name__)


class LegEnder(Protocol):
    def cancel_leg(self, call_sid: str, say: str = "") -> None: ...


class Marks(Protocol):
    def mark(self, call_sid: str) -> None: ...


class Withdrawals:
    def __init__(self, store: Store, offers: DispatchStore, legs: LegEnder, marks: Marks) -> None:
        self.store, self.offers, self.legs, self.marks = store, offers, legs, marks

    def crisis(self, call_sid: str, request_id: str | None, from_state: str) -> None:
        """The caller on ``call_sid`` pressed 9 (``request_id``: their open request, if any)."""
        self.marks.mark(call_sid)
        self.store.mark_crisis(call_sid)
        self.store.add_event(
            "crisis.transfer", request_id=request_id, session_sid=call_sid, from_state=from_state
        )
        if request_id is not None:
            self.withdraw(request_id, reason="crisis_key", bridged_ok=True)

    def withdraw(self, request_id: str, *, reason: str, bridged_ok: bool = False) -> bool:
        """Close the request if still open; end its supporter's leg kindly. Idempotent."""
        withdrawn, offer = self.offers.withdraw(request_id, reason=reason, bridged_ok=bridged_ok)
        if withdrawn:
            self.store.add_event("request.withdrawn", request_id=request_id, reason=reason)
            logger.info("request withdrawn request=%s reason=%s", request_id, reason)
        if offer is not None and offer.call_sid:
            if offer.picked_up:  # a cancel can't stop an answered call: say why, hang up
                self.legs.cancel_leg(offer.call_sid, say=bridge.to_supporter("no_longer_waiting"))
            else:
                self.legs.cancel_leg(offer.call_sid)  # stop the phone ringing
        return withdrawn
