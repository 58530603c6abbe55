"""The dispatch use case: rank, claim one supporter exactly once, ring them; and the legs after.

Every step re-reads the database and changes it with a conditional update, so a job that
runs twice (RQ retry, a re-delivered callback, a worker killed mid-job) does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol

from jobs.candidates import candidate, match_request, month_key
from jobs.enqueue import JobSink
from jobs.outbound import ForbiddenDestination, Outbound
from matching import rank
from peerline.ports import CarrierError, PermanentCarrierError, RetryableCarrierError
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from storage.roster import RosterStore
from telephony import bridge, paths
from usecases.outbound_policy import Purpose, Refusal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchConfig:
    public_base: str
    ring_seconds: int = 30  # Twilio's Timeout for the supporter's phone to ring
    answer_seconds: int = 10  # then this long to press 1 at the offer menu
    long_call: timedelta = timedelta(minutes=45)
    cool_off: timedelta = timedelta(minutes=30)
    reoffer_after: timedelta = timedelta(minutes=30)  # who declined isn't re-rung sooner
    max_callback_attempts: int = 3
    retry_after: dict[str, timedelta] = field(
        default_factory=lambda: {
            "urgent": timedelta(minutes=2),
            "soon": timedelta(minutes=15),
            "routine": timedelta(hours=1),
        }
    )

    def url(self, path: str) -> str:
        return self.public_base + path


class _Outcome(Enum):
    RINGING = "ringing"
    LOST = "lost"  # another worker claimed the supporter first; nothing reached the carrier
    FAILED = "failed"  # the carrier refused this number; try the next supporter


class Escalator(Protocol):
    """What the dispatcher needs from escalation (see jobs.escalation)."""

    def watch(self, request: RequestRecord) -> None: ...
    def no_supporter(self, request: RequestRecord) -> None: ...
    def callback_failed(self, request: RequestRecord) -> None: ...


class Dispatcher:
    def __init__(
        self,
        store: Store,
        offers: DispatchStore,
        roster: RosterStore,
        outbound: Outbound,
        sink: JobSink,
        escalator: Escalator,
        config: DispatchConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.offers, self.roster = store, offers, roster
        self.outbound, self.sink, self.escalator = outbound, sink, escalator
        self.config, self.clock = config, clock

    def dispatch(self, request_id: str) -> None:
        """Offer a waiting request to the best available supporter, or escalate."""
        request = self.store.get_request(request_id)
        if request is None or request.status != RequestStatus.WAITING:
            return
        self.escalator.watch(request)
        now = self.clock()
        exclude = self.offers.offered_supporters(request_id, since=now - self.config.reoffer_after)
        pool = [candidate(r, month_key(now)) for r in self.roster.supporters(active_only=True)]
        wanted = match_request(request, exclude)
        # Same or related role first; if nobody there can take it, any role. Widening only
        # relaxes the role ladder: organization, language and availability still hold.
        # Wait for our turn at the carrier *before* claiming: a claim must never sit unplaced
        # behind the throttle, where the reconciler would take it for a dead worker's. A claim
        # lost to another worker keeps the slot; only a call the carrier saw spends it.
        slot = False
        for widen in (False, True):
            for choice in rank(wanted, pool, now, widen=widen, limit=10):
                if not slot:
                    self.outbound.wait_for_call_slot()
                    slot = True
                outcome = self._offer(request, choice.candidate.id, choice.score.step.name.lower())
                if outcome is _Outcome.RINGING:
                    return
                slot = outcome is _Outcome.LOST
        self._nobody(request, now)

    def _offer(self, request: RequestRecord, supporter_id: str, step: str) -> _Outcome:
        """Claim the supporter and ring them; the caller must hold a call slot."""
        cfg = self.config
        offer = self.offers.claim(
            request.id, supporter_id, timedelta(seconds=cfg.ring_seconds + cfg.answer_seconds)
        )
        if offer is None:
            return _Outcome.LOST  # taken by another worker a moment ago: next candidate
        phone = self.roster.supporter_phone(supporter_id)
        try:
            if phone is None:
                raise PermanentCarrierError("supporter has no number")
            sid = self.outbound.call(
                phone,
                purpose=Purpose.SUPPORTER,
                url=cfg.url(paths.offer(offer.id)),
                status_callback=cfg.url(paths.offer_status(offer.id)),
                timeout=cfg.ring_seconds,
                slot_taken=True,
            )
        except PermanentCarrierError as exc:
            # One bad number must never block the others: flag it and move on.
            self.roster.flag_bad_number(supporter_id)
            self.offers.end_offer(offer.id, OfferStatus.FAILED, reason=f"permanent:{exc.code}")
            self.store.add_event("offer.bad_number", request_id=request.id, code=exc.code)
            return _Outcome.FAILED
        except (RetryableCarrierError, CarrierError):
            self.offers.end_offer(offer.id, OfferStatus.FAILED, reason="carrier_retry")
            raise  # RQ retries the job with backoff
        self.offers.attach_call(offer.id, sid)
        self.store.add_event("offer.ringing", request_id=request.id, offer_id=offer.id, step=step)
        self.sink.check_offer(
            offer.id, delay=timedelta(seconds=cfg.ring_seconds + cfg.answer_seconds + 15)
        )
        logger.info("offer ringing request=%s offer=%s", request.id, offer.id)
        return _Outcome.RINGING

    def _nobody(self, request: RequestRecord, now: datetime) -> None:
        """Nobody can take it now: page a coordinator, tell a holding caller the truth."""
        self.store.add_event("dispatch.nobody_available", request_id=request.id)
        logger.info("no supporter available request=%s", request.id)
        self.escalator.no_supporter(request)
        holding = request.contact_mode == "hold" and self.store.caller_of(request.id)
        if holding and self.store.convert_to_callback(request.id):
            self.sink.cancel_leg(
                request.source_sid, say=bridge.nobody_now(request.language, request.urgency)
            )
        self.sink.dispatch(
            request.id,
            request.urgency,
            delay=self.config.retry_after.get(request.urgency),
            round_=int(now.timestamp()),
        )

    def connect_caller(self, request_id: str) -> None:
        """Move a holding caller into the conference their supporter just joined."""
        request = self.store.get_request(request_id)
        if request is None or request.status != RequestStatus.CONNECTED:
            return
        try:
            self.outbound.update_call(
                request.source_sid, url=self.config.url(paths.join(request_id))
            )
        except PermanentCarrierError:
            self._caller_gone(request)

    def call_back(self, request_id: str) -> None:
        """Ring the caller from the hotline; the supporter waits in the conference."""
        request = self.store.get_request(request_id)
        if request is None or request.status != RequestStatus.CONNECTED:
            return
        number = self.store.caller_of(request_id)
        try:
            if number is None:
                raise ForbiddenDestination(Refusal.INVALID)
            self.outbound.call(
                number,
                purpose=Purpose.CALL_BACK,
                url=self.config.url(paths.callback(request_id)),
                status_callback=self.config.url(paths.callback_status(request_id)),
                timeout=self.config.ring_seconds,
            )
        except ForbiddenDestination as exc:
            self._cannot_call(request, str(exc.reason))
        except PermanentCarrierError as exc:  # e.g. 21215 geo permissions: it won't change
            self._cannot_call(request, "carrier", exc.code)

    def _cannot_call(self, request: RequestRecord, reason: str, code: int | None = None) -> None:
        """The call back can't be placed, now or on a retry (the outbound policy or the
        carrier refused the number). Retrying every few minutes would ring supporter after
        supporter for nothing: free the supporter with a kind word, hold the request out of
        dispatch and page a coordinator once, who takes it from there."""
        offer = self.offers.active_offer(request.id)
        released = offer is not None and self.offers.release_accepted(offer.id, "cannot_call")
        if released and offer is not None and offer.call_sid:
            self.sink.cancel_leg(offer.call_sid, say=bridge.cannot_call_caller(request.language))
        if not self.store.hold_for_coordinator(request.id):
            return  # already held, or the request moved on
        self.store.add_event("callback.refused", request_id=request.id, reason=reason, code=code)
        logger.warning("call back refused request=%s reason=%s", request.id, reason)
        self.escalator.callback_failed(request)

    def callback_failed(self, request_id: str, offer_id: str = "") -> None:
        """The caller didn't pick up our call back: free the supporter, try again later.

        ``offer_id`` pins the offer the failure was about, so a late duplicate never
        releases a newer supporter who took the request since."""
        request = self.store.get_request(request_id)
        offer = self.offers.active_offer(request_id)
        if offer is not None and offer_id and offer.id != offer_id:
            return
        if request is None or offer is None or offer.status != OfferStatus.ACCEPTED:
            return
        if not self.offers.release_accepted(offer.id, reason="caller_not_reached"):
            return
        if offer.call_sid:
            self.sink.cancel_leg(offer.call_sid, say=bridge.caller_not_reached(request.language))
        self.offers.back_to_waiting(request_id, count_attempt=True)
        self.store.add_event(
            "callback.not_reached", request_id=request_id, attempt=request.callback_attempts + 1
        )
        if request.callback_attempts + 1 >= self.config.max_callback_attempts:
            self.escalator.callback_failed(request)
        self.sink.dispatch(
            request_id,
            request.urgency,
            delay=self.config.retry_after.get(request.urgency),
            round_=int(self.clock().timestamp()),
        )

    def end_leg(self, call_sid: str, say: str) -> None:
        """Cancel a ringing leg, or end a live one (saying ``say`` first when given)."""
        try:
            if say:
                self.outbound.update_call(call_sid, twiml=say)
            else:
                self.outbound.update_call(call_sid, status="canceled")
        except PermanentCarrierError:
            pass  # already over
        except CarrierError:
            if say:
                raise
            self.outbound.update_call(call_sid, status="completed")

    def check_offer(self, offer_id: str) -> None:
        """The offer's time is up; if no status callback closed it, close it now."""
        offer = self.offers.offer(offer_id)
        if offer is None or offer.status != OfferStatus.RINGING:
            return
        if self.clock() < offer.expires_at:
            return
        if self.offers.end_offer(offer_id, OfferStatus.TIMED_OUT, reason="no_callback"):
            if offer.call_sid:
                self.sink.cancel_leg(offer.call_sid)
            request = self.store.get_request(offer.request_id)
            if request is not None:
                self.sink.dispatch(
                    request.id,
                    request.urgency,
                    round_=int(self.clock().timestamp()),
                    delay=timedelta(0),
                )

    def _caller_gone(self, request: RequestRecord) -> None:
        offer = self.offers.active_offer(request.id)
        self.store.set_request_status(
            request.id, RequestStatus.WITHDRAWN, only_from=(RequestStatus.CONNECTED,)
        )
        self.store.add_event(
            "request.withdrawn", request_id=request.id, reason="caller_left_before_bridge"
        )
        released = offer is not None and self.offers.release_accepted(offer.id, "caller_left")
        if released and offer is not None and offer.call_sid:
            self.sink.cancel_leg(offer.call_sid, say=bridge.caller_left(request.language))
