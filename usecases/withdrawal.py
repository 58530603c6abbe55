"""The caller is gone, or pressed the crisis key: close their request and free the supporter.

Invariant 6: pressing 9 anywhere withdraws the request at once (before the webhook
answers), cancels a supporter leg that is still ringing, tells a supporter who already
picked up that the caller is no longer waiting, and marks the caller's call as a crisis
transfer so nothing ever moves it again.
"""

from __future__ import annotations

import logging

from ivr.messages import Msg
from ivr.model import Language
from storage.dispatch import DispatchStore
from storage.models import RequestStatus
from storage.repository import Store
from usecases.ports import Jobs, Marks
from usecases.replies import lines

logger = logging.getLogger(__name__)


class Withdrawals:
    def __init__(self, store: Store, offers: DispatchStore, jobs: Jobs, marks: Marks) -> None:
        self.store, self.offers, self.jobs, self.marks = store, offers, jobs, marks

    def crisis(self, call_sid: str, request_id: str | None, from_state: str) -> None:
        """The caller on ``call_sid`` pressed 9 (``request_id``: their open request, if any)."""
        self.marks.mark(call_sid)
        self.store.mark_crisis(call_sid)
        self.store.add_event(
            "crisis.transfer", request_id=request_id, session_sid=call_sid, from_state=from_state
        )
        if request_id is not None:
            self.withdraw(request_id, reason="crisis_key", bridged_ok=True)

    def withdraw(
        self,
        request_id: str,
        *,
        reason: str,
        bridged_ok: bool = False,
        farewell: Msg = Msg.NO_LONGER_WAITING,
    ) -> bool:
        """Close the request if still open; end its supporter's leg kindly. Idempotent.

        ``bridged_ok`` also withdraws a request whose supporter accepted but whose caller
        was never bridged. A supporter who picked up hears ``farewell``.
        """
        return self.end(
            request_id,
            RequestStatus.WITHDRAWN,
            reason=reason,
            bridged_ok=bridged_ok,
            farewell=farewell,
        )

    def end(
        self,
        request_id: str,
        status: RequestStatus,
        *,
        reason: str,
        bridged_ok: bool = False,
        farewell: Msg = Msg.NO_LONGER_WAITING,
    ) -> bool:
        """Move an open request to the terminal ``status`` (withdrawn, expired, closed) and
        stop its supporter's leg: a ringing phone is cancelled, a supporter who picked up
        hears ``farewell``. Only the first ending counts; False for every later one."""
        ended, offer = self.offers.withdraw(
            request_id, reason=reason, bridged_ok=bridged_ok, to=status
        )
        if ended:
            self.store.add_event(f"request.{status.value}", request_id=request_id, reason=reason)
            logger.info("request %s request=%s reason=%s", status.value, request_id, reason)
        if offer is not None and offer.call_sid:
            if offer.picked_up:  # a cancel can't stop an answered call: say why, hang up
                self.jobs.end_call(offer.call_sid, lines(Language.EN, farewell))
            else:
                self.jobs.end_call(offer.call_sid)  # stop the phone ringing
        return ended
