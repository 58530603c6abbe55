"""The SMS webhook's use case: coordinator commands first, then everyone else.

Texting intake for callers arrives with the SMS channel; until then a text gets an honest
answer that always carries the crisis numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.datastructures import FormData

from ivr.keywords import Command, CommandKind, classify
from jobs.escalation import acknowledge
from storage.alerts import AlertStore
from storage.repository import Store
from storage.roster import RosterStore
from telephony.numbers import to_e164

logger = logging.getLogger(__name__)

NOT_YET = (
    "Peerline: texting isn't open yet. Please call this number to talk with a peer "
    "supporter. If you are in danger, call 911, or call or text 988."
)
COORDINATOR_HELP = "Peerline: reply ACK and the ticket code, e.g. ACK K7Q2."


@dataclass(frozen=True)
class Text:
    message_sid: str
    sender: str | None
    body: str

    @classmethod
    def from_form(cls, form: FormData) -> Text:
        return cls(
            message_sid=str(form.get("MessageSid") or "")[:64],
            sender=to_e164(str(form.get("From") or "")),
            body=str(form.get("Body") or "")[:1600],
        )


class SmsDesk:
    def __init__(self, store: Store, alerts: AlertStore, roster: RosterStore) -> None:
        self.store, self.alerts, self.roster = store, alerts, roster

    def handle(self, text: Text) -> str:
        """The reply to send (empty: none)."""
        if text.sender is None:
            return ""
        parsed = classify(text.body)
        if self.roster.coordinator_by_phone(text.sender) is not None:
            if isinstance(parsed, Command) and parsed.kind is CommandKind.ACK and parsed.code:
                reply = acknowledge(self.store, self.alerts, self.roster, text.sender, parsed.code)
                logger.info("coordinator command sms=%s", text.message_sid)
                return reply or ""
            return COORDINATOR_HELP
        return NOT_YET
