"""Dispatch: rank the roster for a waiting request, claim one supporter exactly once, ring them.

Every step re-reads the database and changes it with a conditional update, so a job that
runs twice (RQ retry, a re-delivered callback, a worker killed mid-job) does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol

from ivr.confirmation import ETA
from ivr.messages import Msg
from ivr.model import ContactMode, Urgency
from matching import TrainingPolicy
from matching.calling import CallingHours
from matching.sla import REDISPATCH_AFTER
from matching.training import DEFAULT_POLICY
from matching.widening import offers, question
from storage.dispatch import DispatchStore
from storage.dispatch_models import UNCONFIRMED, OfferStatus
from storage.models import RequestStatus
from storage.offer_records import OfferRecord
from storage.records import RequestRecord
from storage.repository import Store
from storage.roster import RosterStore
from usecases.candidates import Candidates, match_request, month_key
from usecases.consent import ask_consent
from usecases.errors import (
    AmbiguousCarrierError,
    CarrierConfigError,
    CarrierError,
    PermanentCarrierError,
)
from usecases.outbound import Outbound
from usecases.ports import Jobs
from usecases.replies import lines

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchConfig:
    ring_seconds: int = 30  # Twilio's Timeout for the supporter's phone to ring
    answer_seconds: int = 10  # then this long to press 1 at the offer menu
    reoffer_after: timedelta = timedelta(minutes=30)  # who declined isn't re-rung sooner
    training: TrainingPolicy = DEFAULT_POLICY  # refresher interval, who in training takes what
    calling: CallingHours | None = None  # when callers may be called; None: any time


class _Outcome(Enum):
    RINGING = "ringing"
    LOST = "lost"  # another worker claimed the supporter first; nothing reached the carrier
    FAILED = "failed"  # the carrier refused this number; try the next supporter


class Escalator(Protocol):
    """What the dispatcher needs from escalation (see usecases.escalation)."""

    def watch(self, request: RequestRecord) -> None: ...
    def no_supporter(self, request: RequestRecord) -> None: ...


class Dispatcher:
    def __init__(
        self,
        store: Store,
        offers: DispatchStore,
        roster: RosterStore,
        outbound: Outbound,
        jobs: Jobs,
        escalator: Escalator,
        config: DispatchConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.offers, self.roster = store, offers, roster
        self.outbound, self.jobs, self.escalator = outbound, jobs, escalator
        self.config, self.clock = config, clock
        self._candidates = Candidates(config.training)

    def dispatch(self, request_id: str) -> None:
        """Offer a waiting request to the best available supporter, or escalate."""
        request = self.store.get_request(request_id)
        if request is None or request.status is not RequestStatus.WAITING:
            return
        self.escalator.watch(request)
        now = self.clock()
        if self._not_yet(request, now):
            return
        training = self.config.training
        # Who could take it at all, filtered in SQL; matching still applies every rule.
        # Supporters rung for it lately (``reoffer_after``) are left out there too.
        people = self.roster.free_supporters(
            now,
            not_rung_for=(request_id, now - self.config.reoffer_after),
            trainees=training.trainee_may_take(Urgency(request.urgency)),
        )
        pool = self._candidates.of(people, month_key(now))
        calling = self.config.calling
        wanted = match_request(request, frozenset(), calling.zone if calling else None)
        # Same or related role in the caller's language first; other roles or English only
        # as far as the caller consented (matching.widening). Organization and availability
        # always hold. Wait for our turn at the carrier *before* claiming: a claim must never
        # sit unplaced behind the throttle, where the reconciler would take it for a dead
        # worker's. A claim lost to another worker keeps the slot; only a call the carrier
        # saw spends it.
        slot = False
        for choice in offers(wanted, pool, now, limit=10, training=training):
            if not slot:
                self.outbound.wait_for_call_slot()
                slot = True
            outcome = self._offer(request, choice.candidate.id, choice.score.step.name.lower())
            if outcome is _Outcome.RINGING:
                return
            slot = outcome is _Outcome.LOST
        kind = question(wanted, pool, now, training=training)
        if kind is not None and request.contact_mode is ContactMode.HOLD:
            # Someone outside what the caller asked for is free: ask them first (their next
            # hold turn), rather than widen silently or end their call.
            ask_consent(self.store, request.id, kind)
            self.jobs.dispatch(request.id, request.urgency, after=REDISPATCH_AFTER[request.urgency])
            return
        self._nobody(request)

    def _not_yet(self, request: RequestRecord, now: datetime) -> bool:
        """A call back asked for in a window (or outside the quiet hours) is dispatched when
        the caller may be called, not the moment a supporter happens to be free."""
        calling = self.config.calling
        if calling is None:
            return False
        when = calling.earliest(now, request.contact_mode, request.callback_window)
        if when <= now:
            return False
        self.jobs.dispatch(request.id, request.urgency, after=when - now)
        self.store.add_event("dispatch.deferred", request_id=request.id, until=when.isoformat())
        logger.info("dispatch deferred to the caller's window request=%s", request.id)
        return True

    def assign(self, request_id: str, supporter_id: str) -> None:
        """A coordinator chose the supporter (``usecases.board_actions``): claim and ring
        them exactly as dispatch would. If that can't happen now (the request is no longer
        waiting, the caller may not be called yet, the supporter was just taken, their
        number failed), log why; a request still waiting is then dispatched as usual (one
        asked for in a window, when the window opens)."""
        request = self.store.get_request(request_id)
        if request is None:
            return
        if request.status is not RequestStatus.WAITING:
            reason = f"request_{request.status}"
        elif self._not_yet(request, self.clock()):
            reason = "outside_window"
        else:
            self.outbound.wait_for_call_slot()
            outcome = self._offer(request, supporter_id, "assigned")
            if outcome is _Outcome.RINGING:
                return
            reason = f"supporter_{outcome.value}"
            self.jobs.dispatch(request.id, request.urgency)
        self.store.add_event(
            "assign.failed", request_id=request.id, supporter_id=supporter_id, reason=reason
        )
        logger.info("assignment not placed request=%s reason=%s", request.id, reason)

    def _offer(self, request: RequestRecord, supporter_id: str, step: str) -> _Outcome:
        """Claim the supporter and ring them; the caller must hold a call slot."""
        cfg = self.config
        claimed = self.offers.claim_with_phone(
            request.id, supporter_id, timedelta(seconds=cfg.ring_seconds + cfg.answer_seconds)
        )
        if claimed is None:
            return _Outcome.LOST  # taken by another worker a moment ago: next candidate
        offer, stored_phone = claimed
        phone = self.roster.phone(stored_phone)  # the one number this dispatch decrypts
        try:
            if not phone:
                raise PermanentCarrierError("supporter has no number")
            sid = self.outbound.ring_supporter(
                phone, offer_id=offer.id, ring_seconds=cfg.ring_seconds, slot_taken=True
            )
        except CarrierConfigError as exc:
            # Our credentials or From number, not theirs: flag nobody; every call would fail
            # alike, so the job fails loudly (and retries, in case an operator fixed it).
            self.offers.end_offer(offer.id, OfferStatus.FAILED, reason=f"config:{exc.code}")
            logger.error("carrier refused our configuration code=%s", exc.code)
            raise
        except PermanentCarrierError as exc:
            # One bad number must never block the others: flag it and move on.
            self.roster.flag_bad_number(supporter_id)
            self.offers.end_offer(offer.id, OfferStatus.FAILED, reason=f"permanent:{exc.code}")
            self.store.add_event("offer.bad_number", request_id=request.id, code=exc.code)
            return _Outcome.FAILED
        except AmbiguousCarrierError:
            # The carrier may have placed it and could not be asked. The offer counts as
            # made: this supporter isn't rung again for this request soon, and if the call
            # turns up, its status callback cancels it (``SupporterLeg.status``).
            self.offers.end_offer(offer.id, OfferStatus.FAILED, reason=UNCONFIRMED)
            raise  # RQ retries the job with backoff
        except CarrierError:
            self.offers.end_offer(offer.id, OfferStatus.FAILED, reason="carrier_retry")
            raise
        ringing = ("offer.ringing", {"offer_id": offer.id, "step": step})
        if not self.offers.attach_call(offer.id, sid, event=ringing):
            # The caller left or pressed 9 while the call was being placed.
            self.jobs.end_call(sid)
            return _Outcome.RINGING  # the request is closed: nothing more to offer
        self.store.announce("offer.ringing", request.id)
        self.jobs.check_offer(
            offer.id, after=timedelta(seconds=cfg.ring_seconds + cfg.answer_seconds + 15)
        )
        logger.info("offer ringing request=%s offer=%s", request.id, offer.id)
        return _Outcome.RINGING

    def _nobody(self, request: RequestRecord) -> None:
        """Nobody can take it now: page a coordinator, tell a holding caller the truth."""
        self.store.add_event("dispatch.nobody_available", request_id=request.id)
        logger.info("no supporter available request=%s", request.id)
        self.escalator.no_supporter(request)
        holding = request.contact_mode is ContactMode.HOLD and self.store.caller_of(request.id)
        if holding and self.store.convert_to_callback(request.id):
            said = lines(request.language, Msg.NOBODY_NOW, ETA[request.urgency], Msg.CRISIS_FAILED)
            self.jobs.end_call(request.source_sid, said)
        self.jobs.dispatch(request.id, request.urgency, after=REDISPATCH_AFTER[request.urgency])

    def check_offer(self, offer_id: str) -> None:
        """The offer's time is up; if no status callback closed it, close it now."""
        offer = self.offers.offer(offer_id)
        if offer is None or offer.status is not OfferStatus.RINGING:
            return
        if self.clock() < offer.expires_at:
            return
        if self.offers.end_offer(offer_id, OfferStatus.TIMED_OUT, reason="no_callback"):
            self._redispatch(offer.request_id, offer.call_sid)

    def recover_stuck_offers(self) -> int:
        """Offers still ringing past their time (a status callback lost, a worker killed
        between claim and call): close them, free the supporter, dispatch again."""
        closed = 0
        for offer in self.offers.stuck_offers():
            if not self.offers.end_offer(offer.id, OfferStatus.TIMED_OUT, reason="stuck"):
                continue
            closed += 1
            logger.warning(
                "offer=%s was stuck; request=%s re-dispatched", offer.id, offer.request_id
            )
            self._redispatch(offer.request_id, offer.call_sid or self._placed_call(offer))
        return closed

    def _placed_call(self, offer: OfferRecord) -> str | None:
        """The call a worker killed mid-request may have placed for ``offer`` (it is
        cancelled, so it doesn't ring on beside the next offer); best effort."""
        phone = self.roster.supporter_phone(offer.supporter_id)
        if phone is None:
            return None
        try:
            return self.outbound.find_call(phone, offer.created_at)
        except CarrierError:
            return None

    def _redispatch(self, request_id: str, call_sid: str | None) -> None:
        if call_sid:
            self.jobs.end_call(call_sid)
        request = self.store.get_request(request_id)
        if request is not None:
            self.jobs.dispatch(request.id, request.urgency, after=timedelta(0))
