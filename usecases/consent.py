"""Consent before the match widens, asked of a caller who holds for a peer.

When nobody in the caller's role (or, for a Spanish speaker, their language) is free but
someone else is (``matching.widening.question``), the dispatcher puts the question on the
request; the caller's next hold turn (about every 30 s) asks it: "No nurse is free right
now. To talk now with another healthcare worker, press 1. For a nurse to call you back,
press 2." 1 widens the match and dispatches at once; 2 keeps the caller's choice and turns
the request into a call back (or, with a withheld number, keeps them waiting); 9 is the
crisis line, as everywhere. Silence twice is no.
"""

from __future__ import annotations

import logging

from ivr.confirmation import ETA
from ivr.menus import CRISIS_KEY
from ivr.messages import Msg
from ivr.model import Line
from matching.widening import Widening
from storage.models import RequestStatus
from storage.records import RequestRecord
from storage.repository import Store
from usecases.ports import Jobs
from usecases.replies import ConsentQuestion, CrisisTransfer, Farewell, Hold, VoiceReply, lines
from usecases.withdrawal import Withdrawals

logger = logging.getLogger(__name__)

KEY_YES, KEY_NO = "1", "2"
COLUMN = {Widening.ROLE: "other_role_ok", Widening.LANGUAGE: "other_language_ok"}
QUESTION = {  # (with a number to call back, withheld)
    Widening.ROLE: (Msg.WIDEN_ROLE_NOW, Msg.WIDEN_ROLE_WAIT),
    Widening.LANGUAGE: (Msg.WIDEN_LANGUAGE_NOW, Msg.WIDEN_LANGUAGE_WAIT),
}


def ask_consent(store: Store, request_id: str, kind: Widening) -> bool:
    """Put the question on a waiting request (once; never one already answered)."""
    asked = store.ask_consent(request_id, kind.value, COLUMN[kind])
    if asked:
        store.add_event("consent.asked", request_id=request_id, widening=kind.value)
    return asked


class HoldConsent:
    def __init__(self, store: Store, jobs: Jobs, withdrawals: Withdrawals) -> None:
        self.store, self.jobs, self.withdrawals = store, jobs, withdrawals

    def pending(self, request: RequestRecord, cycle: int) -> ConsentQuestion | None:
        """The question the hold loop asks now, if one waits for this caller."""
        if request.consent_asked is None or request.status is not RequestStatus.WAITING:
            return None
        return self._question(request, Widening(request.consent_asked), cycle, again=False)

    def answer(
        self, call_sid: str, request_id: str, kind: Widening, digits: str, cycle: int, again: bool
    ) -> VoiceReply:
        """The key the holding caller pressed at the question (or none)."""
        request = self.store.get_request(request_id)
        if request is None or request.source_sid != call_sid:
            return Farewell(())
        language = request.language
        if digits[:1] == CRISIS_KEY:
            self.withdrawals.crisis(call_sid, request.id, "consent")
            return CrisisTransfer(language)
        if request.status not in (RequestStatus.WAITING, RequestStatus.OFFERED):
            return Hold(cycle, language, first=False)  # the loop knows what to do next
        if digits == KEY_YES:
            if self._keep(request, kind, True):
                self.jobs.dispatch(request.id, request.urgency)
            return Hold(cycle, language, first=False)
        if digits != KEY_NO and not again:
            return self._question(request, kind, cycle, again=True)  # once more
        self._keep(request, kind, False)  # 2, or silence twice: the caller's choice stands
        if digits == KEY_NO and self.store.caller_of(request.id) is not None:
            if self.store.convert_to_callback(request.id):
                self.store.add_event("request.hold_to_callback", request_id=request.id)
            return Farewell(lines(language, Msg.WIDEN_KEPT, ETA[request.urgency]))
        return Hold(cycle, language, first=False)

    def _keep(self, request: RequestRecord, kind: Widening, ok: bool) -> bool:
        kept = self.store.answer_consent(request.id, kind.value, COLUMN[kind], ok)
        if kept:
            event = "consent.given" if ok else "consent.declined"
            self.store.add_event(event, request_id=request.id, widening=kind.value)
            logger.info("%s request=%s widening=%s", event, request.id, kind.value)
        return kept

    def _question(
        self, request: RequestRecord, kind: Widening, cycle: int, *, again: bool
    ) -> ConsentQuestion:
        now, wait = QUESTION[kind]
        number = self.store.caller_of(request.id) is not None
        line = Line(now if number else wait, request.language, role=request.role)
        return ConsentQuestion(request.id, kind.value, (line,), cycle, again)
