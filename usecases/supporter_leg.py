"""The supporter's leg: the offer they hear, their answer, and how their call ended.

Each step re-checks the database before it bridges anyone: by the time a supporter
presses 1, the caller may have hung up or pressed 9.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from ivr.messages import Msg
from ivr.model import ContactMode, Language
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import RequestStatus
from storage.offer_records import OfferRecord
from storage.records import RequestRecord
from storage.repository import Store
from usecases.caller_leg import CALLBACK_PLACED
from usecases.help_key import crisis_line_added
from usecases.ports import Jobs, Marks
from usecases.replies import Conference, Farewell, VoiceReply, Whisper, lines

logger = logging.getLogger(__name__)

EN = Language.EN  # supporters hear English; the offer says when the caller wants Spanish
KEY_ACCEPT, KEY_PASS = "1", "2"

# Twilio's CallStatus for a leg that never connected, and what it means for the offer.
MISSED = {
    "busy": OfferStatus.NO_ANSWER,
    "no-answer": OfferStatus.NO_ANSWER,
    "failed": OfferStatus.FAILED,
    "canceled": OfferStatus.CANCELED,
}
STILL_RINGING = {"queued", "initiated", "ringing"}
SUPPORTER_LEFT = "callback.supporter_left"  # hung up before the called-back caller joined
_ACCEPTED = {
    ContactMode.HOLD: Msg.ACCEPTED_HOLD,
    ContactMode.CALLBACK: Msg.ACCEPTED_CALLBACK,
    ContactMode.TEXT_FIRST: Msg.ACCEPTED_TEXT_FIRST,
}


def farewell(msg: Msg) -> Farewell:
    return Farewell(lines(EN, msg))


class SupporterLeg:
    def __init__(
        self,
        store: Store,
        offers: DispatchStore,
        jobs: Jobs,
        long_call: timedelta,
        cool_off: timedelta,
        *,
        marks: Marks,
    ) -> None:
        self.store, self.offers, self.jobs, self.marks = store, offers, jobs, marks
        self.long_call, self.cool_off = long_call, cool_off

    def offer(self, offer_id: str, call_sid: str = "") -> VoiceReply:
        """The supporter picked up: who needs support and how soon; 1 to accept."""
        offer = self.offers.offer(offer_id)
        if offer is not None and offer.status is OfferStatus.CANCELED:
            return farewell(Msg.NO_LONGER_WAITING)
        if offer is None or offer.status is not OfferStatus.RINGING:
            return farewell(Msg.OFFER_GONE)
        if offer.call_sid is None and call_sid:
            self.offers.attach_call(offer_id, call_sid)  # the carrier's answer was lost
        elif call_sid and offer.call_sid != call_sid:
            return farewell(Msg.OFFER_GONE)  # a second call for one offer: not this one
        request = self.store.get_request(offer.request_id)
        if request is None:
            return farewell(Msg.OFFER_GONE)
        self.offers.picked_up(offer_id)  # from now on only words, not a cancel, reach them
        english_ok = request.other_language_ok is True
        return Whisper(offer_id, request.role, request.urgency, request.language, english_ok)

    def answer(self, offer_id: str, digits: str) -> VoiceReply:
        """The key pressed at the offer (or none): accept, or pass to the next supporter."""
        offer = self.offers.offer(offer_id)
        request = self.store.get_request(offer.request_id) if offer else None
        if offer is None or request is None:
            return farewell(Msg.OFFER_GONE)
        if offer.status is OfferStatus.ACCEPTED:  # a re-delivered "1"
            return self._conference(request, offer_id)
        if digits == KEY_ACCEPT:
            if not self.offers.accept(offer_id):
                self.offers.end_offer(offer_id, OfferStatus.CANCELED, reason="caller_left")
                return farewell(Msg.NO_LONGER_WAITING)
            self.store.add_event("offer.accepted", request_id=request.id, offer_id=offer_id)
            logger.info("offer accepted request=%s offer=%s", request.id, offer_id)
            if request.contact_mode is ContactMode.CALLBACK:
                self.jobs.call_back(request.id, request.callback_attempts)
            elif request.contact_mode is ContactMode.TEXT_FIRST:
                self.jobs.text_first(request.id, request.callback_attempts)
            else:
                self.jobs.connect_caller(request.id)
            return self._conference(request, offer_id)
        # 2, silence, or anything else: pass to the next supporter
        declined = digits == KEY_PASS
        reason = "declined" if declined else "no_choice"
        status = OfferStatus.DECLINED if declined else OfferStatus.NO_ANSWER
        if self.offers.end_offer(offer_id, status, reason=reason):
            self.store.add_event("offer.declined", request_id=request.id, reason=reason)
            self.jobs.dispatch(request.id, request.urgency)
        return farewell(Msg.OFFER_DECLINED)

    def status(self, offer_id: str, call_status: str, duration: int, call_sid: str = "") -> None:
        """The supporter's leg changed state: missed → next candidate; ended → close up.

        The callback carries our offer id, so it also finds a call whose placing answer was
        lost: an offer still ringing takes its SID; a call the offer doesn't own (the
        offer gave up on it, or it is a second one) is stopped."""
        offer = self.offers.offer(offer_id)
        if offer is None:
            return
        if call_sid and offer.call_sid != call_sid:
            if offer.call_sid is None and offer.status is OfferStatus.RINGING:
                self.offers.attach_call(offer_id, call_sid)
                offer = replace(offer, call_sid=call_sid)
            else:
                self._stray(offer.request_id, call_sid, call_status)
                return
        if call_status in MISSED or (
            call_status == "completed" and offer.status is OfferStatus.RINGING
        ):
            status = MISSED.get(call_status, OfferStatus.NO_ANSWER)
            if self.offers.end_offer(offer_id, status, reason=call_status):
                request = self.store.get_request(offer.request_id)
                self.store.add_event(
                    "offer.missed", request_id=offer.request_id, status=call_status
                )
                if request is not None and request.status is RequestStatus.WAITING:
                    self.jobs.dispatch(request.id, request.urgency)
            return
        ended = call_status == "completed" and offer.status is OfferStatus.ACCEPTED
        if ended and offer.caller_leg_sid is None and self._left_before_caller(offer):
            return
        if ended and self.offers.finish(offer_id, duration, self.cool_off, self.long_call):
            minutes = max(1, -(-duration // 60))
            self.store.add_event("request.completed", request_id=offer.request_id, minutes=minutes)
            logger.info("call completed request=%s", offer.request_id)
            long_call = timedelta(seconds=duration) >= self.long_call
            self.jobs.self_care(offer_id, offer.supporter_id, long_call)
            self._release_caller(offer)

    def _left_before_caller(self, offer: OfferRecord) -> bool:
        """The supporter hung up while we were still calling the caller back (the caller
        never pressed 1 to join): the request was not served. Free the supporter, offer it
        again (dispatch keeps the caller's window and the quiet hours), stop the caller's
        leg if it still rings (never one in a crisis transfer). Not a missed call back:
        the attempts count the caller not answering. False for a holding caller."""
        request = self.store.get_request(offer.request_id)
        if request is None or request.contact_mode is ContactMode.HOLD:
            return False
        if not self.offers.release_accepted(offer.id, reason=SUPPORTER_LEFT):
            return True  # another path ended the offer first
        if not self.offers.back_to_waiting(request.id, count_attempt=False):
            return True
        leg = self._caller_leg_ringing(offer)
        self.store.add_event(SUPPORTER_LEFT, request_id=request.id, offer_id=offer.id)
        logger.info("supporter left before the caller joined request=%s", request.id)
        if leg and not (self.store.in_crisis(leg) or self.marks.marked(leg)):
            self.jobs.end_call(leg)  # cancelled while ringing; a live one hears its prompt out
        self.jobs.dispatch(request.id, request.urgency)
        return True

    def _caller_leg_ringing(self, offer: OfferRecord) -> str:
        """The call back placed for this offer (``callback.placed``), if one was."""
        placed = [
            detail.get("call_sid") or ""
            for kind, detail in self.store.events(offer.request_id)
            if kind == CALLBACK_PLACED and detail.get("offer_id") == offer.id
        ]
        return str(placed[-1]) if placed else ""

    def _stray(self, request_id: str, call_sid: str, call_status: str) -> None:
        """A call no offer owns: placed although the carrier's answer said nothing (or the
        answer came too late). While it may still ring, stop it."""
        if call_status in STILL_RINGING:
            self.jobs.end_call(call_sid)
            self.store.add_event("offer.stray_call", request_id=request_id, status=call_status)
            logger.warning("stray call stopped request=%s call=%s", request_id, call_sid)

    def _conference(self, request: RequestRecord, offer_id: str) -> Conference:
        """The supporter joins with the help key ("*": their menu, usecases.help_key); the
        room outlives their stepping out, so it ends with the caller, or with
        ``_release_caller`` when the supporter hangs up."""
        said = lines(EN, _ACCEPTED[request.contact_mode])
        return Conference(request.id, said, help_key=offer_id, end_on_exit=False)

    def _release_caller(self, offer: OfferRecord) -> None:
        """The supporter hung up: end the caller's call kindly — unless the supporter added
        the crisis line, who stays with the caller."""
        request = self.store.get_request(offer.request_id)
        if request is None or crisis_line_added(self.store, request.id):
            return
        held = request.contact_mode is ContactMode.HOLD
        sid = request.source_sid if held else offer.caller_leg_sid
        if sid:
            self.jobs.end_call(sid, lines(request.language, Msg.SUPPORTER_LEFT))
