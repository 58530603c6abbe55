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
from telephony.callback_number import SLOT, callable_caller, caller_refusal, check_keyed, fill
from telephony.inbound import VoiceCall
from usecases import intake
from usecases.outbound_policy import OutboundPolicy, Refusal
from usecases.ports import Jobs
from usecases.replies import Conference, CrisisTransfer, Farewell, Hold, VoiceReply, lines
from usecases.withdrawal import Withdrawals

logger = logging.getLogger(__name__)

CLOSED = (SessionStatus.COMPLETED, SessionStatus.ENDED)  # the flow said its last words
CALL_OVER = {"completed", "busy", "failed", "no-answer", "canceled"}


@dataclass(frozen=True)
class IntakeConfig:
    crisis_number: str
    hold_cycles: int  # hold-loop turns (about 30 s each) before we offer a call back
    policy: OutboundPolicy  # which numbers we may call back (keyed in, or the caller ID)


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
            return self._replay(existing)
        # A caller ID we may not call back (premium, abroad, our own …) counts as withheld.
        refusal = caller_refusal(self.config.policy, call.caller)
        caller = call.caller if refusal is None else None
        step = ivr.start(
            Channel.VOICE, caller_known=caller is not None, caller_refused=refusal is not None
        )
        document = self._render(step, turn=0)
        record = self.store.begin_session(
            call.call_sid, Channel.VOICE, step.session.to_dict(), document, caller
        )
        if refusal is not None:
            self.store.add_event(
                "intake.caller_id_not_callable", session_sid=call.call_sid, reason=str(refusal)
            )
        logger.info("call started call=%s", call.call_sid)
        return record.last_response

    def turn(self, call: VoiceCall, turn: int) -> str:
        """The caller answered the menu rendered for ``turn``."""
        record = self.store.get_session(call.call_sid)
        if record is None:  # an action URL for a call we never saw: greet it afresh
            return self.begin(call)
        if record.turn == turn and record.status in CLOSED:
            return self._key_at_closing(record, call)
        if record.turn != turn or record.status != SessionStatus.ACTIVE:
            return self._replay(record)  # a repeated or late delivery
        session = Session.from_dict(record.flow)
        inbound, keyed_number, refusal = self._inbound(session, call)
        step = ivr.advance(session, inbound)
        document = self._render(step, turn=turn + 1)  # SLOT where a read-back goes
        # None: the session's (keyed, confirmed) number, if any, becomes the request's.
        caller = callable_caller(self.config.policy, call.caller)
        new_request = intake.new_request(step, Channel.VOICE, caller, call.call_sid)
        # An unconfirmed keyed number is forgotten as soon as the caller moves away from it.
        unconfirmed = not step.session.caller_known and step.session.state != State.CALLBACK_CONFIRM
        try:
            saved = self.store.save_turn(
                call.call_sid,
                turn,
                step.session.to_dict(),
                intake.session_status(step),
                document,
                new_request,
                caller=keyed_number,
                clear_caller=unconfirmed and keyed_number is None,
            )
        except StaleTurn:
            latest = self.store.get_session(call.call_sid)
            return self._replay(latest) if latest else self._served(document, call, keyed_number)
        logger.info("call turn call=%s turn=%d state=%s", call.call_sid, turn, step.session.state)
        if refusal is not None:
            self.store.add_event(
                "intake.number_refused", session_sid=call.call_sid, reason=str(refusal)
            )
        if isinstance(step.outcome, Crisis):
            self.withdrawals.crisis(call.call_sid, None, str(step.outcome.from_state))
        if saved.request is not None:
            self._enqueue(saved.request.id, saved.request.urgency)
        return self._served(document, call, keyed_number)

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

    def _key_at_closing(self, record: SessionRecord, call: VoiceCall) -> str:
        """A key pressed while the closing words played: 9 is the crisis line (and withdraws
        the request just made); any other key ends the call as the words would have."""
        if call.digits.startswith(CRISIS_KEY):
            self.withdrawals.crisis(call.call_sid, record.request_id, "closing")
            return twiml.crisis_transfer(_language(record), self.config.crisis_number)
        return twiml.spoken(_language(record), hang_up=True)

    # -- helpers ------------------------------------------------------------------------
    def _inbound(
        self, session: Session, call: VoiceCall
    ) -> tuple[Inbound, str | None, Refusal | None]:
        """The caller's turn for the pure flow; for keys at the number prompt, the number
        when the outbound policy allows it, else the policy's reason."""
        organization, number, check, refusal = None, None, None, None
        if session.state is State.ORG_NAME and call.speech:
            names, aliases = self._organizations()
            organization = match(call.speech, names, aliases)
        if session.state is State.CALLBACK_NUMBER and len(call.digits) > 1:
            check, number, refusal = check_keyed(self.config.policy, call.digits)
        inbound = Inbound(
            digits=call.digits,
            speech=call.speech,
            organization=organization,
            number_check=check,
        )
        return inbound, number, refusal

    def _served(self, document: str, call: VoiceCall, keyed_number: str | None) -> str:
        """This turn's document with the read-back digits put in, if it reads any back."""
        if SLOT not in document:
            return document
        return fill(document, keyed_number or self.store.session_caller(call.call_sid))

    def _replay(self, record: SessionRecord) -> str:
        """A saved document as Twilio gets it again (read-back digits put back in)."""
        if SLOT not in record.last_response:
            return record.last_response
        return fill(record.last_response, self.store.session_caller(record.sid))

    def _organizations(self) -> tuple[list[str], dict[str, str]]:
        loaded_at, names, aliases = self._orgs
        if loaded_at is None or time.monotonic() - loaded_at > 60:
            names, aliases = self.store.organizations()
            self._orgs = (time.monotonic(), names, aliases)
        return names, aliases

    def _render(self, step: ivr.Step, turn: int) -> str:
        hints = self._organizations()[0] if step.session.state is State.ORG_NAME else []
        urls = twiml.VoiceUrls(action=paths.gather(turn), hold=paths.hold(0))
        return twiml.render_step(step, urls, self.config.crisis_number, hints, readback=SLOT)

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
