"""The SMS webhook's use case. Order matters: STOP/START/HELP first, then the risk screen
(every text, whoever sends it), then roster commands, then a caller's answer to a pending
follow-up question, then intake for everyone else."""

from __future__ import annotations

import logging

from ivr.catalogue import sms
from ivr.keywords import Command, Keyword, KeywordKind, classify
from ivr.messages import Msg
from ivr.screening import RiskPhrases, screen
from storage.repository import Store
from storage.roster import RosterStore
from storage.sms import SmsStore
from usecases.follow_up_replies import FollowUpReplies
from usecases.inbound import Text
from usecases.lifecycle import Lifecycle
from usecases.roster_commands import Commands
from usecases.self_care import SelfCare
from usecases.text_intake import TextIntake

logger = logging.getLogger(__name__)


class TextDesk:
    def __init__(
        self,
        store: Store,
        ledger: SmsStore,
        roster: RosterStore,
        intake: TextIntake,
        commands: Commands,
        phrases: RiskPhrases,
        lifecycle: Lifecycle,
        self_care: SelfCare,
        follow_ups: FollowUpReplies | None = None,
    ) -> None:
        self.store, self.ledger, self.roster = store, ledger, roster
        self.intake, self.commands, self.phrases = intake, commands, phrases
        self.lifecycle, self.self_care, self.follow_ups = lifecycle, self_care, follow_ups

    def handle(self, message: Text) -> str:
        """The reply to send (empty: none). A retried delivery gets the same reply."""
        if message.sender is None or not message.message_sid:
            return ""
        earlier = self.ledger.reply_to(message.message_sid)
        if earlier is not None:
            return earlier
        reply = self._reply(message.sender, message)
        if not self.ledger.remember(message.message_sid, reply):
            return self.ledger.reply_to(message.message_sid) or reply
        logger.info("text handled sms=%s", message.message_sid)
        return reply

    def _reply(self, sender: str, message: Text) -> str:
        parsed = classify(message.body)
        if isinstance(parsed, Keyword):
            return self._keyword(sender, parsed)
        crisis = ""
        risk = screen(message.body, self.phrases)
        if risk.risk:
            lang = self.intake.language_of(sender)
            self.store.add_event("sms.risk_language", phrases=len(risk.matched))
            self.intake.page(sender, message_sid=message.message_sid)
            crisis = sms(Msg.CRISIS_TEXT, lang) + "\n"
        if self.ledger.is_opted_out(sender):
            # Replies go through the ledger too: nothing is sent until START. A risk text was
            # still screened above, so the coordinator has been paged.
            self.store.add_event("sms.reply_suppressed_opted_out")
            return ""
        command = parsed if isinstance(parsed, Command) else None
        coordinator = self.roster.coordinator_by_phone(sender)
        if coordinator is not None:
            return crisis + self.commands.coordinator(coordinator, command)
        supporter = self.roster.supporter_by_phone(sender)
        if supporter is not None:
            care = self.self_care.reply(supporter.id, message.body)  # 1 fine, 2 a debrief
            return crisis + (care or self.commands.supporter(supporter, command))
        # "1" to talk again, the optional feedback answers — unless the texter has begun a
        # new intake since, whose questions their texts answer.
        if self.follow_ups is not None and not self.intake.in_conversation(sender):
            answer = self.follow_ups.reply(sender, message.body, message.message_sid)
            if answer is not None:
                return crisis + answer
        later = self.intake.postpone(sender, message.body)
        if later:
            return crisis + later
        reply, _lang = self.intake.reply(sender, message.message_sid, message.body, opening=crisis)
        return reply  # screening never blocks the intake

    def _keyword(self, sender: str, keyword: Keyword) -> str:
        if keyword.kind is KeywordKind.OPT_OUT:
            self.ledger.set_opted_out(sender, True)
            self.store.add_event("sms.opt_out")
            self.lifecycle.caller_opted_out(sender, keyword.word)  # STOP, CANCEL … withdraw
            if self.follow_ups is not None:
                self.follow_ups.opted_out(sender)  # no more follow-up questions
            return ""  # the carrier confirms STOP itself; nothing more may be sent
        if keyword.kind is KeywordKind.OPT_IN:
            self.ledger.set_opted_out(sender, False)
            self.store.add_event("sms.opt_in")
            return ""  # likewise START
        return sms(Msg.HELP, self.intake.language_of(sender))
