"""Texts to callers outside the intake: the neutral "text me first" notice, and closing a
conversation that went quiet.

Texts never say what Peerline is about beyond its name: someone else may see the phone.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum

from ivr.catalogue import catalogue, sms
from ivr.messages import Msg
from ivr.model import CallbackWindow, Channel, Language
from storage.models import OPEN_REQUEST_STATUSES, RequestStatus, SessionStatus
from storage.repository import Store
from usecases.errors import (
    CarrierError,
    ForbiddenDestination,
    OptedOut,
    PermanentCarrierError,
    RetryableCarrierError,
)
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose
from usecases.ports import Jobs

logger = logging.getLogger(__name__)

CALL_IN = timedelta(minutes=2)


class ScheduleDay(StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"


SCHEDULE_WINDOWS = (CallbackWindow.MORNING, CallbackWindow.AFTERNOON, CallbackWindow.EVENING)


def scheduled_call(language: Language, day: ScheduleDay, window: CallbackWindow) -> str:
    """ "Peerline: a peer supporter will call you from this number tomorrow in the
    morning, between 8 and noon. …" in the caller's language."""
    when = catalogue(Channel.SMS).word(f"day.{day.value}", language)
    return sms(
        Msg.SCHEDULED_CALL, language, day=when, window=sms(Msg(f"window_{window}"), language)
    )


class Notices:
    def __init__(self, store: Store, outbound: Outbound, jobs: Jobs) -> None:
        self.store, self.outbound, self.jobs = store, outbound, jobs

    def text_first(self, request_id: str) -> None:
        """A supporter took a "text me first" request: tell the caller, call in two minutes."""
        request = self.store.get_request(request_id)
        number = self.store.caller_of(request_id)
        if request is None or request.status is not RequestStatus.CONNECTED or number is None:
            return
        try:
            self.outbound.sms(
                number,
                sms(Msg.TEXT_FIRST_NOTICE, request.language),
                purpose=Purpose.TEXT,
                key=f"textfirst:{request_id}:{request.callback_attempts}",
            )
            delay = CALL_IN
        except CarrierError:  # opted out of texts (calls are still fine) or unreachable
            delay = timedelta(0)
        self.store.add_event("text_first.notified", request_id=request_id)
        self.jobs.call_back(request_id, request.callback_attempts, after=delay)

    def confirm_request(self, request_id: str) -> None:
        """A "text me first" request came from the web form: confirm it by text (once),
        from the hotline, so the person knows the number our texts will come from."""
        request = self.store.get_request(request_id)
        number = self.store.caller_of(request_id)
        if request is None or request.status not in OPEN_REQUEST_STATUSES or number is None:
            return
        try:
            self.outbound.sms(
                number, sms(Msg.WEB_CONFIRMATION, request.language), purpose=Purpose.TEXT
            )
        except PermanentCarrierError as exc:  # opted out, or not a mobile: the call still comes
            logger.info("web confirmation not sent request=%s code=%s", request_id, exc.code)
            return
        self.store.add_event("web.confirmed", request_id=request_id)

    def close_conversation(self, session_sid: str) -> None:
        """An intake conversation went quiet: close it kindly (once).

        The text goes first: the toll-fraud guard only lets us text a number with an open
        conversation or request.
        """
        record = self.store.get_session(session_sid)
        number = self.store.session_caller(session_sid)
        if record is None or record.status is not SessionStatus.ACTIVE:
            return
        if number is not None:
            language = Language(record.flow.get("language", Language.EN))
            try:
                self.outbound.sms(
                    number,
                    sms(Msg.GOODBYE, language),
                    purpose=Purpose.TEXT,
                    key=f"close:{session_sid}",
                )
            except CarrierError:
                logger.info("closing text not sent session=%s", session_sid)
        if self.store.close_session(session_sid, SessionStatus.ENDED):
            self.store.add_event("sms.conversation_closed", session_sid=session_sid)

    def scheduling_text(self, request_id: str, day: str, window: str, send_key: str = "") -> None:
        """A coordinator tells the caller when the call will come. The request's event log
        says whether it went (``scheduling_text.sent``) or why not (``.not_sent``).
        ``send_key`` (the job's id) makes a re-run job text once."""
        request = self.store.get_request(request_id)
        if request is None:
            return
        number = self.store.caller_of(request_id)
        if request.status not in OPEN_REQUEST_STATUSES or number is None:
            reason = "no_number" if number is None else f"request_{request.status}"
            self.store.add_event("scheduling_text.not_sent", request_id=request_id, reason=reason)
            return
        body = scheduled_call(request.language, ScheduleDay(day), CallbackWindow(window))
        try:
            key = f"schedule:{send_key}" if send_key else None
            self.outbound.sms(number, body, purpose=Purpose.TEXT, key=key)
        except RetryableCarrierError:
            raise  # the job retries
        except CarrierError as exc:
            reason = _not_sent(exc)
            self.store.add_event("scheduling_text.not_sent", request_id=request_id, reason=reason)
            return
        self.store.add_event("scheduling_text.sent", request_id=request_id, day=day, window=window)


def _not_sent(exc: CarrierError) -> str:
    if isinstance(exc, OptedOut):
        return "opted_out"
    if isinstance(exc, ForbiddenDestination):
        return f"refused_{exc.reason}"
    return f"carrier_{exc.code}" if exc.code else "carrier"
