"""The caller's leg once a supporter accepted: move a holding caller into the conference,
or call a caller back from the hotline; and what happens when that call is not taken.

Invariant 6 is re-checked at every step that touches the caller's call: a call in a crisis
transfer (the database's session status, or the Redis mark) is never moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from ivr.menus import CRISIS_KEY
from ivr.messages import Msg
from ivr.model import Language
from matching.calling import CallingHours
from matching.sla import REDISPATCH_AFTER
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from usecases.errors import CarrierError, ForbiddenDestination, PermanentCarrierError
from usecases.help_key import CALLER_LEFT
from usecases.outbound import Outbound
from usecases.outbound_policy import Refusal
from usecases.ports import Jobs, Marks
from usecases.replies import (
    CallBackLater,
    CallBackOffer,
    Conference,
    CrisisTransfer,
    Farewell,
    VoiceReply,
    lines,
)
from usecases.withdrawal import Withdrawals

logger = logging.getLogger(__name__)

KEY_CONNECT, KEY_DECLINE = "1", "2"
# What the reconciler reads to tell how far a call back got (usecases.unfinished).
CALLBACK_PLACED, CALLBACK_MISSED = "callback.placed", "callback.missed"
MISSED = {"busy", "no-answer", "failed", "canceled"}
# The request is waiting for a peer again (its supporter left before the caller joined).
OFFERED_AGAIN = {RequestStatus.WAITING, RequestStatus.OFFERED}


class Escalator(Protocol):
    def callback_failed(self, request: RequestRecord) -> None: ...


class Expirer(Protocol):
    """What the caller's leg needs from ``usecases.lifecycle.Expiry``."""

    def callbacks_exhausted(self, request: RequestRecord) -> bool: ...


@dataclass(frozen=True)
class CallBackPolicy:
    ring_seconds: int = 30
    max_attempts: int = 3  # call backs not taken; then the request expires (coordinator told)
    calling: CallingHours | None = None  # the caller's window and the quiet hours


class CallerLeg:
    def __init__(
        self,
        store: Store,
        offers: DispatchStore,
        outbound: Outbound,
        jobs: Jobs,
        escalator: Escalator,
        withdrawals: Withdrawals,
        marks: Marks,
        policy: CallBackPolicy,
        expiry: Expirer,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.offers, self.outbound, self.jobs = store, offers, outbound, jobs
        self.escalator, self.withdrawals, self.marks = escalator, withdrawals, marks
        self.policy, self.expiry, self.clock = policy, expiry, clock

    # -- a holding caller -------------------------------------------------------------
    def connect(self, request_id: str) -> None:
        """Job: move a holding caller into the conference their supporter just joined."""
        request = self.store.get_request(request_id)
        if request is None or request.status is not RequestStatus.CONNECTED:
            return
        if self.in_crisis(request.source_sid):
            logger.warning("caller is in a crisis transfer; not moved request=%s", request_id)
            return
        try:
            self.outbound.move_to_conference(request.source_sid, request_id)
        except PermanentCarrierError:
            self._caller_gone(request)

    def join(self, request_id: str, call_sid: str) -> VoiceReply:
        """Webhook: the holding caller's call, redirected by ``connect``, asks what next."""
        request = self.store.get_request(request_id)
        if self.store.in_crisis(call_sid):  # a redirect raced the caller's 9: 9 wins
            return CrisisTransfer(request.language if request else Language.EN)
        if request is None or request.source_sid != call_sid:
            return Farewell(lines(Language.EN, Msg.CRISIS_FAILED))
        if request.status is not RequestStatus.CONNECTED:
            return Farewell(lines(request.language, Msg.CRISIS_FAILED))
        return Conference(request_id, lines(request.language, Msg.CALLER_JOIN))

    # -- a call back --------------------------------------------------------------------
    def call_back(self, request_id: str, *, last_try: bool = False) -> None:
        """Job: ring the caller from the hotline; the supporter waits in the conference.

        A failure a retry may fix (a 429, a 5xx, the carrier unreachable) is raised for the
        job's retry, except on its ``last_try``: then, as for a permanent refusal, the
        supporter is let go kindly and a coordinator takes the request — never a supporter
        left alone in the conference and a request stuck as connected."""
        request = self.store.get_request(request_id)
        if request is None or request.status is not RequestStatus.CONNECTED:
            return
        if self._outside_window(request):
            return
        number = self.store.caller_of(request_id)
        offer_id = self._accepted_offer(request_id)
        try:
            if number is None:
                raise ForbiddenDestination(Refusal.INVALID)
            sid = self.outbound.call_back(
                number,
                request_id=request_id,
                attempt=request.callback_attempts,
                ring_seconds=self.policy.ring_seconds,
                offer_id=offer_id,
            )
            self.store.add_event(
                CALLBACK_PLACED,
                request_id=request_id,
                attempt=request.callback_attempts,
                offer_id=offer_id,
                call_sid=sid,  # the ringing leg, to cancel if the supporter leaves first
            )
        except ForbiddenDestination as exc:
            self._cannot_call(request, str(exc.reason))
        except PermanentCarrierError as exc:  # e.g. 21215 geo permissions: it won't change
            self._cannot_call(request, "carrier", exc.code)
        except CarrierError as exc:
            if not last_try:
                raise  # the job retries with backoff
            self._cannot_call(request, "carrier_unreachable", exc.code)

    def _outside_window(self, request: RequestRecord) -> bool:
        """The caller's window closed (or the quiet hours began) between the supporter's
        1 and this call: free the supporter with thanks and offer it again in the next one."""
        calling = self.policy.calling
        if calling is None:
            return False
        now = self.clock()
        when = calling.earliest(now, request.contact_mode, request.callback_window)
        if when <= now:
            return False
        offer = self.offers.active_offer(request.id)
        released = offer is not None and self.offers.release_accepted(offer.id, "outside_window")
        if released and offer is not None and offer.call_sid:
            self.jobs.end_call(offer.call_sid, lines(Language.EN, Msg.CALLER_LATER))
        if self.offers.back_to_waiting(request.id, count_attempt=False):
            self.store.add_event("callback.deferred", request_id=request.id)
            self.jobs.dispatch(request.id, request.urgency, after=when - now)
        return True

    def _cannot_call(self, request: RequestRecord, reason: str, code: int | None = None) -> None:
        """The call back can't be placed, now or on a retry (the outbound policy or the
        carrier refused the number). Retrying every few minutes would ring supporter after
        supporter for nothing: free the supporter with a kind word, hold the request out of
        dispatch and page a coordinator once, who takes it from there."""
        offer = self.offers.active_offer(request.id)
        released = offer is not None and self.offers.release_accepted(offer.id, "cannot_call")
        if released and offer is not None and offer.call_sid:
            self.jobs.end_call(offer.call_sid, lines(Language.EN, Msg.CANNOT_CALL_CALLER))
        if not self.store.hold_for_coordinator(request.id):
            return  # already held, or the request moved on
        self.store.add_event("callback.refused", request_id=request.id, reason=reason, code=code)
        logger.warning("call back refused request=%s reason=%s", request.id, reason)
        self.escalator.callback_failed(request)

    def answered(self, request_id: str) -> VoiceReply:
        """Webhook: the caller picked up our call back (if their supporter already left,
        the request is offered again: they hear that a peer will call back)."""
        request = self.store.get_request(request_id)
        language = request.language if request else Language.EN
        if request is not None and request.status in OFFERED_AGAIN:
            return CallBackLater(request_id, language)
        if request is None or request.status is not RequestStatus.CONNECTED:
            return Farewell(lines(language, Msg.CALLBACK_NOT_NOW))
        return CallBackOffer(request_id, language)

    def answer(self, request_id: str, call_sid: str, digits: str) -> VoiceReply:
        """Webhook: the key the called-back caller pressed (or none)."""
        request = self.store.get_request(request_id)
        language = request.language if request else Language.EN
        if digits[:1] == CRISIS_KEY:
            self.withdrawals.crisis(call_sid, request_id if request else None, "callback")
            return CrisisTransfer(language)
        if request is not None and request.status in OFFERED_AGAIN and digits == KEY_CONNECT:
            return CallBackLater(request_id, language)  # 1 after the supporter left
        if request is None or request.status is not RequestStatus.CONNECTED:
            return Farewell(lines(language, Msg.CALLBACK_NOT_NOW))
        if digits == KEY_CONNECT:
            self.store.add_event("callback.connected", request_id=request_id)
            offer = self.offers.active_offer(request_id)
            if offer is not None:
                self.offers.set_caller_leg(offer.id, call_sid)
            return Conference(request_id, lines(language, Msg.CALLER_JOIN))
        if digits == KEY_DECLINE:  # "if you no longer need this call, press 2"
            self.withdrawals.withdraw(request_id, reason="declined_call_back", bridged_ok=True)
            return Farewell(lines(language, Msg.CALLBACK_DECLINED))
        self._missed(request_id)
        return Farewell(lines(language, Msg.CALLBACK_NOT_NOW))

    def status(self, request_id: str, call_status: str, call_sid: str = "") -> None:
        """Webhook: the call back's final status."""
        # Hanging up at the "press 1" prompt requests no <Gather> action, only this final
        # "completed": unless they pressed 1, the caller was not reached.
        events = self.store.events(request_id)
        hung_up_at_prompt = call_status == "completed" and not any(
            kind == "callback.connected" for kind, _ in events
        )
        if call_status in MISSED or hung_up_at_prompt:
            if self._current_leg(request_id, call_sid, events):
                self._missed(request_id)
        elif call_status == "completed":  # they talked, then hung up: the call is over
            self.store.add_event(CALLER_LEFT, request_id=request_id)

    def callback_failed(self, request_id: str, offer_id: str = "") -> None:
        """Job: the caller didn't pick up our call back: free the supporter, try later.

        ``offer_id`` pins the offer the failure was about, so a late duplicate never
        releases a newer supporter who took the request since."""
        request = self.store.get_request(request_id)
        offer = self.offers.active_offer(request_id)
        if offer is not None and offer_id and offer.id != offer_id:
            return
        if request is None or offer is None or offer.status is not OfferStatus.ACCEPTED:
            return
        if not self.offers.release_accepted(offer.id, reason="caller_not_reached"):
            return
        if offer.call_sid:
            self.jobs.end_call(offer.call_sid, lines(Language.EN, Msg.CALLER_NOT_REACHED))
        self.offers.back_to_waiting(request_id, count_attempt=True)
        self.store.add_event(
            "callback.not_reached", request_id=request_id, attempt=request.callback_attempts + 1
        )
        if request.callback_attempts + 1 >= self.policy.max_attempts:
            self.expiry.callbacks_exhausted(request)  # one coordinator page, then expiry
            return
        self.jobs.dispatch(request_id, request.urgency, after=REDISPATCH_AFTER[request.urgency])

    # -- helpers --------------------------------------------------------------------------
    def in_crisis(self, call_sid: str) -> bool:
        """Invariant 6: a call in a crisis transfer is never touched (database or Redis says)."""
        return self.store.in_crisis(call_sid) or self.marks.marked(call_sid)

    def _missed(self, request_id: str) -> None:
        """The caller did not take the call back: logged first, so the reconciler can
        re-queue ``callback_failed`` if Redis loses it."""
        offer_id = self._accepted_offer(request_id)
        self.store.add_event(CALLBACK_MISSED, request_id=request_id, offer_id=offer_id)
        self.jobs.callback_failed(request_id, offer_id)

    def _current_leg(
        self, request_id: str, call_sid: str, events: list[tuple[str, dict[str, Any]]]
    ) -> bool:
        """The leg is the call back of the supporter who has the request now: not one
        stopped because its supporter left first, nor one from before a newer offer."""
        offer_id = self._accepted_offer(request_id)
        owners = {
            detail.get("offer_id")
            for kind, detail in events
            if kind == CALLBACK_PLACED and call_sid and detail.get("call_sid") == call_sid
        }
        return bool(offer_id) and (not owners or offer_id in owners)

    def _accepted_offer(self, request_id: str) -> str:
        offer = self.offers.active_offer(request_id)
        return offer.id if offer is not None else ""

    def _caller_gone(self, request: RequestRecord) -> None:
        """The redirect found the caller's call over: they left before the bridge."""
        self.withdrawals.withdraw(
            request.id,
            reason="caller_left_before_bridge",
            bridged_ok=True,
            farewell=Msg.CALLER_LEFT,
        )
