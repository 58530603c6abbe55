"""Intake by text: the same pure flow as the voice line, one inbound message per turn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import ivr
from ivr import Channel, Crisis, Inbound, Session, State
from ivr.catalogue import sms
from ivr.menus import CRISIS_KEY
from ivr.messages import Msg
from ivr.model import ContactMode, Language, NumberCheck
from ivr.sms_answers import asks_for_crisis_line, key_for
from ivr.sms_render import render_sms
from storage.repository import Store
from storage.request_inserts import new_ticket
from usecases.callback_number import for_caller
from usecases.intake import IntakeTurn, KnownOrganizations, Turn
from usecases.outbound_policy import OutboundPolicy, Purpose
from usecases.ports import Jobs
from usecases.risk_pages import PageReason

logger = logging.getLogger(__name__)

LATER = ("later", "mas tarde", "más tarde")  # reply to the neutral "text me first" notice


class TextIntake:
    def __init__(
        self,
        store: Store,
        turns: IntakeTurn,
        jobs: Jobs,
        organizations: KnownOrganizations,
        idle: timedelta,
        policy: OutboundPolicy,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.turns, self.jobs, self.organizations = store, turns, jobs, organizations
        self.idle, self.policy, self.clock = idle, policy, clock

    def reply(
        self, sender: str, message_sid: str, body: str, *, opening: str = ""
    ) -> tuple[str, Language]:
        """Advance the sender's conversation; the reply text and the conversation language.

        ``opening`` starts the reply (the crisis numbers, after risk language), so the
        intake's text does not say them again. The message is applied at most once, however
        many copies arrive at once: its MessageSid is recorded, with the whole reply, in the
        transaction that applies it (``Store.save_turn``), so a copy that comes second finds
        its turn taken and answers with the first copy's reply."""
        after_crisis = bool(opening)
        refused = self._not_callable(sender)
        if refused is not None:
            return opening + refused[0], refused[1]
        record = self.store.active_session(sender, Channel.SMS, self.clock() - self.idle)
        if record is None:
            asked = asks_for_crisis_line(body)  # "9" with no question pending
            if asked:
                self.store.add_event("crisis.sms_key")
                self.page(sender, PageReason.CRISIS_KEY, message_sid)
            open_request = self.store.open_request_of(sender)
            if open_request is not None:  # e.g. "thanks" after finishing: no new intake
                lang = open_request.language
                return opening + sms(Msg.CRISIS_TEXT if asked else Msg.REQUEST_OPEN, lang), lang
            step = ivr.start(Channel.SMS)
            if asked:  # the numbers, then the welcome, as if 9 was pressed at the first menu
                step = ivr.advance(step.session, Inbound(digits=CRISIS_KEY))
            reply = opening + render_sms(step, after_crisis=after_crisis)
            self.store.begin_session(
                f"SMS{message_sid}"[:64],
                Channel.SMS,
                step.session.to_dict(),
                reply,
                sender,
                message_sid=message_sid,
            )
            logger.info("text conversation started sms=%s", message_sid)
            return reply, step.session.language
        session = Session.from_dict(record.flow)
        inbound = self._inbound(session, body)
        turned = self.turns.take(
            Turn(record.sid, record.turn, session, inbound, sender, message_sid=message_sid),
            Channel.SMS,
            lambda step: opening + render_sms(step, after_crisis=after_crisis),
        )
        # Two texts at once: the second is answered with where the conversation is now.
        if not turned.stale and isinstance(turned.step.outcome, Crisis):
            self.store.add_event("crisis.sms_key", session_sid=record.sid)
            self.page(sender, PageReason.CRISIS_KEY)
        return turned.document, turned.step.session.language

    def postpone(self, sender: str, body: str) -> str | None:
        """LATER after the neutral "we'll call in 2 minutes" text: release the supporter and
        try again later. None when the text is not that."""
        if body.strip().strip(".!").lower() not in LATER:
            return None
        request = self.store.open_request_of(sender)
        if request is None or request.contact_mode is not ContactMode.TEXT_FIRST:
            return None
        self.jobs.callback_failed(request.id)
        self.store.add_event("text_first.postponed", request_id=request.id)
        return sms(Msg.POSTPONED, request.language)

    def page(
        self, sender: str, reason: PageReason = PageReason.RISK_LANGUAGE, message_sid: str = ""
    ) -> None:
        """Page the on-call coordinator about this texter: a ticket code and why, nothing else.
        Copies of one text (``message_sid``) page once."""
        key = self.store.cipher.blind_index(sender)[:32]
        self.jobs.page_risk(key, self.ticket_for(sender), reason, message_sid=message_sid)

    def ticket_for(self, sender: str) -> str:
        """The code a coordinator page carries: the texter's open request's, else a new one."""
        request = self.store.open_request_of(sender)
        return request.ticket if request else new_ticket()

    def in_conversation(self, sender: str) -> bool:
        """Whether the sender is part way through a text intake (their texts answer it)."""
        return self.store.active_session(sender, Channel.SMS, self.clock() - self.idle) is not None

    def language_of(self, sender: str) -> Language:
        record = self.store.active_session(sender, Channel.SMS, self.clock() - self.idle)
        return Session.from_dict(record.flow).language if record else Language.EN

    def _not_callable(self, sender: str) -> tuple[str, Language] | None:
        """Every request ends in a call back, so a texter whose number the outbound policy
        refuses gets no intake: told plainly why, with 911 and 988, and nothing is kept."""
        verdict = self.policy.check(sender, Purpose.CALL_BACK)
        if verdict.reason is None:
            return None
        self.store.add_event("sms.not_callable", reason=str(verdict.reason))
        lang = self.language_of(sender)
        us_only = for_caller(self.policy, verdict.reason) is NumberCheck.US_ONLY
        return sms(Msg.TEXTER_US_ONLY if us_only else Msg.TEXTER_NOT_CALLABLE, lang), lang

    def _inbound(self, session: Session, body: str) -> Inbound:
        if session.state is State.ORG_NAME:
            if body.strip() == "9":
                return Inbound(digits="9")
            return Inbound(speech=body[:200], organization=self.organizations.match(body))
        key = key_for(session.state, body, session.language)
        return Inbound(digits=key or "?")  # "?" is no menu's key: "sorry, I didn't get that"
