"""Webhooks of the legs Peerline dials: the supporter's offer and the caller's call back.

Each handler re-checks the database before it bridges anyone: by the time a supporter
presses 1, the caller may have hung up.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from ivr import Language
from ivr.menus import CRISIS_KEY
from ivr.messages import Msg
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.repository import Store
from telephony import bridge, paths, twiml
from telephony.inbound import VoiceCall
from telephony.withdrawal import Withdrawals

logger = logging.getLogger(__name__)

# Twilio's CallStatus for a leg that never connected, and what it means for the offer.
_MISSED = {
    "busy": OfferStatus.NO_ANSWER,
    "no-answer": OfferStatus.NO_ANSWER,
    "failed": OfferStatus.FAILED,
    "canceled": OfferStatus.CANCELED,
}


class Sink(Protocol):
    def dispatch(
        self, request_id: str, urgency: str, delay: timedelta | None = None, round_: int = 0
    ) -> None: ...
    def connect_caller(self, request_id: str) -> None: ...
    def call_back(self, request_id: str, attempt: int, delay: timedelta | None = None) -> None: ...
    def text_first(self, request_id: str, attempt: int) -> None: ...
    def cancel_leg(self, call_sid: str, say: str = "") -> None: ...
    def callback_failed(self, request_id: str, offer_id: str = "") -> None: ...


class Legs:
    def __init__(
        self,
        store: Store,
        offers: DispatchStore,
        sink: Sink,
        withdrawals: Withdrawals,
        crisis_number: str,
        long_call: timedelta,
        cool_off: timedelta,
    ) -> None:
        self.store, self.offers, self.sink = store, offers, sink
        self.withdrawals = withdrawals
        self.crisis_number = crisis_number
        self.long_call, self.cool_off = long_call, cool_off

    # -- the supporter's leg ----------------------------------------------------------------
    def offer(self, offer_id: str, call: VoiceCall) -> str:
        """The supporter picked up: whisper role and urgency, ask for 1."""
        offer = self.offers.offer(offer_id)
        if offer is not None and offer.status == OfferStatus.CANCELED:
            return bridge.to_supporter("no_longer_waiting")
        if offer is None or offer.status != OfferStatus.RINGING:
            return bridge.to_supporter("gone")
        request = self.store.get_request(offer.request_id)
        if request is None:
            return bridge.to_supporter("gone")
        self.offers.picked_up(offer_id)  # from now on only words, not a cancel, reach them
        return bridge.whisper(
            request.role, request.urgency, request.language, paths.offer_answer(offer_id)
        )

    def offer_answer(self, offer_id: str, call: VoiceCall) -> str:
        offer = self.offers.offer(offer_id)
        if offer is None:
            return bridge.to_supporter("gone")
        request = self.store.get_request(offer.request_id)
        if request is None:
            return bridge.to_supporter("gone")
        if offer.status == OfferStatus.ACCEPTED:  # a re-delivered "1"
            return bridge.supporter_joins(request.id, request.contact_mode)
        if call.digits == "1":
            if not self.offers.accept(offer_id):
                self.offers.end_offer(offer_id, OfferStatus.CANCELED, reason="caller_left")
                return bridge.to_supporter("no_longer_waiting")
            self.store.add_event("offer.accepted", request_id=request.id, offer_id=offer_id)
            logger.info("offer accepted request=%s offer=%s", request.id, offer_id)
            if request.contact_mode == "callback":
                self.sink.call_back(request.id, request.callback_attempts)
            elif request.contact_mode == "text_first":
                self.sink.text_first(request.id, request.callback_attempts)
            else:
                self.sink.connect_caller(request.id)
            return bridge.supporter_joins(request.id, request.contact_mode)
        # 2, silence, or anything else: pass to the next supporter
        reason = "declined" if call.digits == "2" else "no_choice"
        status = OfferStatus.DECLINED if call.digits == "2" else OfferStatus.NO_ANSWER
        if self.offers.end_offer(offer_id, status, reason=reason):
            self.store.add_event("offer.declined", request_id=request.id, reason=reason)
            self.sink.dispatch(request.id, request.urgency)
        return bridge.to_supporter("declined")

    def offer_status(self, offer_id: str, call: VoiceCall, duration: int) -> None:
        """The supporter's leg changed state: missed → next candidate; ended → close up."""
        offer = self.offers.offer(offer_id)
        if offer is None:
            return
        if call.call_status in _MISSED or (
            call.call_status == "completed" and offer.status == OfferStatus.RINGING
        ):
            status = _MISSED.get(call.call_status, OfferStatus.NO_ANSWER)
            if self.offers.end_offer(offer_id, status, reason=call.call_status):
                request = self.store.get_request(offer.request_id)
                self.store.add_event(
                    "offer.missed", request_id=offer.request_id, status=call.call_status
                )
                if request is not None and request.status == RequestStatus.WAITING:
                    self.sink.dispatch(request.id, request.urgency)
            return
        ended = call.call_status == "completed" and offer.status == OfferStatus.ACCEPTED
        if ended and self.offers.finish(offer_id, duration, self.cool_off, self.long_call):
            minutes = max(1, -(-duration // 60))
            self.store.add_event("request.completed", request_id=offer.request_id, minutes=minutes)
            logger.info("call completed request=%s", offer.request_id)

    # -- the caller's leg -------------------------------------------------------------------
    def join(self, request_id: str, call: VoiceCall) -> str:
        """A holding caller, redirected by the connect job: into the conference."""
        request = self.store.get_request(request_id)
        if self.store.in_crisis(call.call_sid):  # a redirect raced the caller's 9: 9 wins
            lang = Language(request.language) if request else Language.EN
            return twiml.crisis_transfer(lang, self.crisis_number)
        if request is None or request.source_sid != call.call_sid:
            return twiml.spoken(Language.EN, Msg.CRISIS_FAILED)
        if request.status != RequestStatus.CONNECTED:
            return twiml.spoken(Language(request.language), Msg.CRISIS_FAILED)
        return bridge.caller_joins(request_id, request.language)

    def callback(self, request_id: str, call: VoiceCall) -> str:
        request = self.store.get_request(request_id)
        if request is None or request.status != RequestStatus.CONNECTED:
            return bridge.to_caller(request.language if request else "en", "not_now")
        return bridge.callback_offer(request.language, paths.callback_answer(request_id))

    def callback_answer(self, request_id: str, call: VoiceCall) -> str:
        request = self.store.get_request(request_id)
        language = request.language if request else "en"
        if call.digits[:1] == CRISIS_KEY:
            self.withdrawals.crisis(call.call_sid, request_id if request else None, "callback")
            return twiml.crisis_transfer(Language(language), self.crisis_number)
        if request is None or request.status != RequestStatus.CONNECTED:
            return bridge.to_caller(language, "not_now")
        if call.digits == "1":
            self.store.add_event("callback.connected", request_id=request_id)
            return bridge.caller_joins(request_id, language)
        self.sink.callback_failed(request_id, self._accepted_offer(request_id))
        return bridge.to_caller(language, "not_now")

    def callback_status(self, request_id: str, call: VoiceCall) -> None:
        # Hanging up at the "press 1" prompt requests no <Gather> action, only this final
        # "completed": unless they pressed 1, the caller was not reached.
        hung_up_at_prompt = call.call_status == "completed" and not any(
            kind == "callback.connected" for kind, _ in self.store.events(request_id)
        )
        if call.call_status in _MISSED or hung_up_at_prompt:
            self.sink.callback_failed(request_id, self._accepted_offer(request_id))

    def _accepted_offer(self, request_id: str) -> str:
        offer = self.offers.active_offer(request_id)
        return offer.id if offer is not None else ""
