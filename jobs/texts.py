"""Jobs that text callers: the neutral "text me first" notice and closing idle conversations.

Texts never say what Peerline is about beyond its name: someone else may see the phone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ivr import Language
from ivr.model import Channel, Msg
from ivr.prompts import text as words
from jobs.enqueue import JobSink
from jobs.outbound import Outbound
from peerline.ports import CarrierError
from storage.models import RequestStatus, SessionStatus
from storage.repository import Store
from usecases.outbound_policy import Purpose

logger = logging.getLogger(__name__)

CALL_IN = timedelta(minutes=2)
NEUTRAL = {
    Language.EN: "Peerline: the call you asked for will come from this number in about 2 "
    "minutes. Reply LATER if now isn't a good time.",
    Language.ES: "Peerline: la llamada que pidió llegará desde este número en unos 2 minutos. "
    "Responda LATER si ahora no es buen momento.",
}


class Texts:
    def __init__(self, store: Store, outbound: Outbound, sink: JobSink) -> None:
        self.store, self.outbound, self.sink = store, outbound, sink

    def text_first(self, request_id: str) -> None:
        """A supporter took a "text me first" request: tell the caller, call in two minutes."""
        request = self.store.get_request(request_id)
        number = self.store.caller_of(request_id)
        if request is None or request.status != RequestStatus.CONNECTED or number is None:
            return
        try:
            self.outbound.sms(number, NEUTRAL[_language(request.language)], purpose=Purpose.TEXT)
            delay = CALL_IN
        except CarrierError:  # opted out of texts (calls are still fine) or unreachable
            delay = timedelta(0)
        self.store.add_event("text_first.notified", request_id=request_id)
        self.sink.call_back(request_id, request.callback_attempts, delay=delay)

    def close_conversation(self, session_sid: str) -> None:
        """An intake conversation went quiet: close it kindly (once).

        The text goes first: the toll-fraud guard only lets us text a number with an open
        conversation or request.
        """
        record = self.store.get_session(session_sid)
        number = self.store.session_caller(session_sid)
        if record is None or record.status != SessionStatus.ACTIVE:
            return
        if number is not None:
            language = _language(str(record.flow.get("language", "en")))
            try:
                self.outbound.sms(
                    number, words(Msg.GOODBYE, language, Channel.SMS), purpose=Purpose.TEXT
                )
            except CarrierError:
                logger.info("closing text not sent session=%s", session_sid)
        if self.store.close_session(session_sid, SessionStatus.ENDED):
            self.store.add_event("sms.conversation_closed", session_sid=session_sid)


def _language(code: str) -> Language:
    return Language(code) if code in ("en", "es") else Language.EN
