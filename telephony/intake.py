"""The voice intake use case: load the caller's session, advance the pure flow, save, enqueue.

Each turn's TwiML is rendered before it is saved and saved with the turn, so a webhook
Twilio delivers twice gets the same answer twice and changes nothing the second time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import ivr
from ivr import Channel, ContactMode, Crisis, Inbound, Language, Session, State, Urgency
from ivr.flow import ETA
from ivr.menus import CRISIS_KEY
from ivr.messages import Msg
from ivr.organizations import match
from storage.errors import StaleTurn
from storage.models import RequestStatus, SessionStatus
from storage.records import SessionRecord
from storage.repository import Store
from telephony import paths, twiml
from telephony.inbound import VoiceCall
from telephony.numbers import to_e164
from usecases import intake
from usecases.ports import Jobs
from usecases.replies import Conference, CrisisTransfer, Farewell, Hold, VoiceReply, lines
from usecases.withdrawal import Withdrawals

logger = logging.getLogger(__name__)

CALL_OVER = {"completed", "busy", "failed", "no-answer", "canceled"}


@dataclass(frozen=True)
class IntakeConfig:
    crisis_number: str
    hold_cycles: int  # hold-loop turns (about 30 s each) before we offer a call back


class VoiceIntake:
    def __init__(
        self,
        store: Store,
        jobs: Jobs,
        config: IntakeConfig,
        withdrawals: Withdrawals,
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.config = config
        self.withdrawals = withdrawals
        self._orgs: tuple[float | None, list[str], dict[str, str]] = (None, [], {})

    def begin(self, call: VoiceCall) -> str:
        """A new inbound call (or a re-delivery of its first webhook)."""
        existing = self.store.get_session(call.call_sid)
        if existing is not None:
            return existing.last_response
        step = ivr.start(Channel.VOICE, caller_known=call.caller is not None)
        document = self._render(step, turn=0)
        record = self.store.begin_session(
            call.call_sid, Channel.VOICE, step.session.to_dict(), document, call.caller
        )
        logger.info("call started call=%s", call.call_sid)
        return record.last_response

    def turn(self, call: VoiceCall, turn: int) -> str:
        """The caller answered the menu rendered for ``turn``."""
        record = self.store.get_session(call.call_sid)
        if record is None:  # an action URL for a call we never saw: greet it afresh
            return self.begin(call)
        if record.turn != turn or record.status != SessionStatus.ACTIVE:
            return record.last_response  # a repeated or late delivery
        session = Session.from_dict(record.flow)
        inbound, keyed_number = self._inbound(session, call)
        step = ivr.advance(session, inbound)
        document = self._render(step, turn=turn + 1)
        new_request = intake.new_request(step, Channel.VOICE, call.caller, call.call_sid)
        try:
            saved = self.store.save_turn(
                call.call_sid,
                turn,
                step.session.to_dict(),
                intake.session_status(step),
                document,
                new_request,
                caller=keyed_number,
            )
        except StaleTurn:
            latest = self.store.get_session(call.call_sid)
            return latest.last_response if latest else document
        logger.info("call turn call=%s turn=%d state=%s", call.call_sid, turn, step.session.state)
        if isinstance(step.outcome, Crisis):
            self.withdrawals.crisis(call.call_sid, None, str(step.outcome.from_state))
        if saved.request is not None:
            self._enqueue(saved.request.id, saved.request.urgency)
        return document

    def hold(self, call: VoiceCall, cycle: int) -> VoiceReply:
        """One pass of the hold loop for a caller who chose to be connected now."""
        record = self.store.get_session(call.call_sid)
        request = (
            self.store.get_request(record.request_id) if record and record.request_id else None
        )
        lang = _language(record)
        if call.digits.startswith(CRISIS_KEY):
            # Withdraw first, durably, then answer: from here on nothing moves this call.
            self.withdrawals.crisis(call.call_sid, request.id if request else None, "hold")
            return CrisisTransfer(lang)
        if request is not None and request.status is RequestStatus.CONNECTED:
            # The supporter accepted and the redirect has not landed yet: beat it.
            return Conference(request.id, lines(request.language, Msg.CALLER_JOIN))
        if request is None or request.status not in (RequestStatus.WAITING, RequestStatus.OFFERED):
            return Farewell(lines(lang, Msg.CRISIS_FAILED))
        if cycle >= self.config.hold_cycles:
            if self.store.caller_of(request.id) is None:  # withheld number: nobody to call
                self.withdrawals.withdraw(request.id, reason="hold_timeout_no_number")
                return Farewell(lines(lang, Msg.HOLD_GIVE_UP_NO_NUMBER))
            if self.store.convert_to_callback(request.id):
                self.store.add_event("request.hold_to_callback", request_id=request.id)
            return Farewell(lines(lang, Msg.HOLD_GIVE_UP, ETA[request.urgency]))
        return Hold(cycle + 1, lang, first=cycle == 0)

    def call_status(self, call: VoiceCall) -> None:
        """Twilio reports the caller's leg changed state; act when the call is over."""
        if call.call_status not in CALL_OVER:
            return
        if self.store.close_session(call.call_sid, SessionStatus.ABANDONED):
            self.store.add_event("session.abandoned", session_sid=call.call_sid)
            logger.info("call abandoned mid-intake call=%s", call.call_sid)
            return
        record = self.store.get_session(call.call_sid)
        if record is None or record.request_id is None:
            return
        request = self.store.get_request(record.request_id)
        if request is None or request.contact_mode != ContactMode.HOLD:
            return
        self.withdrawals.withdraw(request.id, reason="caller_hung_up_while_holding")

    def crisis_fallback(self, call: VoiceCall) -> None:
        """Key 9 at the apology (the fallback URL): record it if the database answers."""
        record = self.store.get_session(call.call_sid)
        request_id = record.request_id if record else None
        self.withdrawals.crisis(call.call_sid, request_id, "fallback")

    # -- helpers ------------------------------------------------------------------------
    def _inbound(self, session: Session, call: VoiceCall) -> tuple[Inbound, str | None]:
        """The caller's turn for the pure flow, plus a keyed-in callback number if valid."""
        organization, number, number_ok = None, None, None
        if session.state is State.ORG_NAME and call.speech:
            names, aliases = self._organizations()
            organization = match(call.speech, names, aliases)
        if session.state is State.CALLBACK_NUMBER and len(call.digits) > 1:
            number = to_e164(call.digits.rstrip("#"))
            number_ok = number is not None
        inbound = Inbound(
            digits=call.digits,
            speech=call.speech,
            organization=organization,
            number_ok=number_ok,
        )
        return inbound, number

    def _organizations(self) -> tuple[list[str], dict[str, str]]:
        loaded_at, names, aliases = self._orgs
        if loaded_at is None or time.monotonic() - loaded_at > 60:
            names, aliases = self.store.organizations()
            self._orgs = (time.monotonic(), names, aliases)
        return names, aliases

    def _render(self, step: ivr.Step, turn: int) -> str:
        hints = self._organizations()[0] if step.session.state is State.ORG_NAME else []
        urls = twiml.VoiceUrls(action=paths.gather(turn), hold=paths.hold(0))
        return twiml.render_step(step, urls, self.config.crisis_number, hints)

    def _enqueue(self, request_id: str, urgency: Urgency) -> None:
        try:
            self.jobs.dispatch(request_id, urgency)
        except Exception:  # Redis down or slow: the row is durable; the reconciler retries
            logger.warning(
                "enqueue failed; request=%s left for the reconciler", request_id, exc_info=True
            )
            return
        self.store.mark_queued(request_id)


def _language(record: SessionRecord | None) -> Language:
    if record is None:
        return Language.EN
    return Session.from_dict(record.flow).language
