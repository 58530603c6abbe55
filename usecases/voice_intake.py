"""Voice intake: greet a call, advance the pure flow one key at a time, hold the caller.

Each turn's document is rendered before it is saved and saved with the turn, so a webhook
Twilio delivers twice gets the same answer twice and changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import ivr
from ivr import Channel, ContactMode, Inbound, Language, Session, State, Step
from ivr.confirmation import ETA
from ivr.menus import CRISIS_KEY
from ivr.messages import Msg
from ivr.model import Crisis
from ivr.screening import DEFAULT as DEFAULT_PHRASES
from ivr.screening import RiskPhrases, screen
from storage.models import RequestStatus, SessionStatus
from storage.records import SessionRecord
from storage.repository import Store
from storage.request_inserts import new_ticket
from usecases.callback_number import callable_caller, caller_refusal, check_keyed
from usecases.consent import HoldConsent
from usecases.help_key import CALLER_LEFT
from usecases.inbound import VoiceCall
from usecases.intake import IntakeTurn, KnownOrganizations, Turn
from usecases.outbound_policy import OutboundPolicy, Refusal
from usecases.replies import Conference, CrisisTransfer, Farewell, Hold, VoiceReply, lines
from usecases.risk_pages import PageReason
from usecases.withdrawal import Withdrawals

logger = logging.getLogger(__name__)

CLOSED = (SessionStatus.COMPLETED, SessionStatus.ENDED)  # the flow said its last words
CALL_OVER = {"completed", "busy", "failed", "no-answer", "canceled"}


class VoiceRenderer(Protocol):
    """Turns a flow step into the document a call hears (TwiML, in ``telephony``)."""

    def step(self, step: Step, turn: int, hints: list[str]) -> str:
        """The document for ``step``, answered at ``turn``; a keyed number being read back
        is left as a placeholder, so the saved document never holds its digits."""

    def served(self, document: str, number: Callable[[], str | None]) -> str:
        """``document`` with a read-back's digits put in; ``number`` is asked only when the
        document reads one back."""


@dataclass(frozen=True)
class IntakeConfig:
    hold_cycles: int  # hold-loop turns (about 30 s each) before we offer a call back
    policy: OutboundPolicy  # which numbers we may call back (keyed in, or the caller ID)
    phrases: RiskPhrases = DEFAULT_PHRASES  # the risk screen, the same list texts go through


class VoiceIntake:
    def __init__(
        self,
        store: Store,
        turns: IntakeTurn,
        render: VoiceRenderer,
        config: IntakeConfig,
        withdrawals: Withdrawals,
        organizations: KnownOrganizations,
    ) -> None:
        self.store, self.turns, self.render, self.config = store, turns, render, config
        self.withdrawals, self.organizations = withdrawals, organizations
        self.consent = HoldConsent(store, turns.jobs, withdrawals)

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
        document = self.render.step(step, 0, [])
        record = self.store.begin_session(
            call.call_sid, Channel.VOICE, step.session.to_dict(), document, caller
        )
        if refusal is not None:
            self.store.add_event(
                "intake.caller_id_not_callable", session_sid=call.call_sid, reason=str(refusal)
            )
        logger.info("call started call=%s", call.call_sid)
        return record.last_response

    def turn(self, call: VoiceCall, turn: int) -> str | VoiceReply:
        """The caller answered the menu rendered for ``turn``."""
        record = self.store.get_session(call.call_sid)
        if record is None:  # an action URL for a call we never saw: greet it afresh
            return self.begin(call)
        if record.turn == turn and record.status in CLOSED:
            return self._key_at_closing(record, call)
        if record.turn != turn or record.status is not SessionStatus.ACTIVE:
            return self._replay(record)  # a repeated or late delivery
        session = Session.from_dict(record.flow)
        inbound, keyed, refusal = self._inbound(session, call)
        # Where the request will call back: the caller ID if we may call it, else the
        # session's keyed and confirmed number.
        turned = self.turns.take(
            Turn(
                call.call_sid,
                turn,
                session,
                inbound,
                caller=callable_caller(self.config.policy, call.caller),
                keyed=keyed,
            ),
            Channel.VOICE,
            lambda step: self.render.step(step, turn + 1, self._hints(step)),
        )
        if turned.stale:
            latest = self.store.get_session(call.call_sid)
            return self._replay(latest) if latest else turned.document
        state = turned.step.session.state
        logger.info("call turn call=%s turn=%d state=%s", call.call_sid, turn, state)
        if refusal is not None:
            self.store.add_event(
                "intake.number_refused", session_sid=call.call_sid, reason=str(refusal)
            )
        if isinstance(turned.step.outcome, Crisis):
            self.withdrawals.crisis(call.call_sid, None, str(turned.step.outcome.from_state))
        elif inbound.risk:
            self._page_risk(call.call_sid)
        return self.render.served(
            turned.document, lambda: keyed or self.store.session_caller(call.call_sid)
        )

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
        question = self.consent.pending(request, cycle + 1)
        if question is not None:  # someone outside what they asked for is free: ask first
            return question
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
        if request is not None and request.status is RequestStatus.CONNECTED:
            self.store.add_event(CALLER_LEFT, request_id=request.id)  # (usecases.help_key)
        if request is None or request.contact_mode is not ContactMode.HOLD:
            return
        self.withdrawals.withdraw(request.id, reason="caller_hung_up_while_holding")

    def crisis_fallback(self, call: VoiceCall) -> None:
        """Key 9 at the apology (the fallback URL): record it if the database answers."""
        record = self.store.get_session(call.call_sid)
        request_id = record.request_id if record else None
        self.withdrawals.crisis(call.call_sid, request_id, "fallback")

    def _page_risk(self, call_sid: str) -> None:
        """Risk language in a spoken answer: page the on-call coordinator as for a text (a
        ticket code and the reason, never the words or the number). The call goes on."""
        self.store.add_event("call.risk_language", session_sid=call_sid)
        try:
            self.turns.jobs.page_risk(call_sid, new_ticket(), PageReason.RISK_SPEECH)
        except Exception:  # Redis down: the caller has heard the crisis key offered anyway
            logger.warning("risk page not queued call=%s", call_sid, exc_info=True)

    def _key_at_closing(self, record: SessionRecord, call: VoiceCall) -> VoiceReply:
        """A key pressed while the closing words played: 9 is the crisis line (and withdraws
        the request just made); any other key ends the call as the words would have."""
        if call.digits.startswith(CRISIS_KEY):
            self.withdrawals.crisis(call.call_sid, record.request_id, "closing")
            return CrisisTransfer(_language(record))
        return Farewell(())

    def _inbound(
        self, session: Session, call: VoiceCall
    ) -> tuple[Inbound, str | None, Refusal | None]:
        """The caller's turn for the pure flow; for keys at the number prompt, the number
        when the outbound policy allows it, else the policy's reason."""
        organization, number, check, refusal = None, None, None, None
        if session.state is State.ORG_NAME and call.speech:
            organization = self.organizations.match(call.speech)
        if session.state is State.CALLBACK_NUMBER and len(call.digits) > 1:
            check, number, refusal = check_keyed(self.config.policy, call.digits)
        inbound = Inbound(
            digits=call.digits,
            speech=call.speech,
            organization=organization,
            number_check=check,
            risk=bool(call.speech) and screen(call.speech, self.config.phrases).risk,
        )
        return inbound, number, refusal

    def _hints(self, step: Step) -> list[str]:
        return self.organizations.names()[0] if step.session.state is State.ORG_NAME else []

    def _replay(self, record: SessionRecord) -> str:
        """A saved document as Twilio gets it again (read-back digits put back in)."""
        return self.render.served(
            record.last_response, lambda: self.store.session_caller(record.sid)
        )


def _language(record: SessionRecord | None) -> Language:
    if record is None:
        return Language.EN
    return Session.from_dict(record.flow).language
