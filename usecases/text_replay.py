"""Texts that arrived while the database was away: answered once it is back.

The SMS webhook never answers 5xx. When the text desk fails (the database is down), the
texter gets an apology naming 911 and 988 and the text is kept in the spool
(``usecases.ports.TextSpool``). The scheduler calls ``replay`` on every pass: each kept text
goes through the same desk (idempotent by MessageSid, so a text Twilio also re-delivered
is answered once), and the reply the webhook could not give is sent as a text.
"""

from __future__ import annotations

import logging

from usecases.errors import PermanentCarrierError
from usecases.outbound import Outbound
from usecases.outbound_policy import Purpose
from usecases.ports import TextSpool
from usecases.text_desk import TextDesk

logger = logging.getLogger(__name__)


class TextReplay:
    def __init__(self, spool: TextSpool, desk: TextDesk, outbound: Outbound) -> None:
        self.spool, self.desk, self.outbound = spool, desk, outbound

    def replay(self, limit: int = 100) -> int:
        """Answer up to ``limit`` kept texts, oldest first; how many were answered.

        Raises when the database (or the carrier, for a retryable error) is still away:
        the text stays kept and the next pass tries again.
        """
        answered = 0
        for key, text in self.spool.pending(limit):
            reply = self.desk.handle(text)  # a second replay gets the reply it recorded
            if reply and text.sender:
                try:
                    once = f"reply:{text.message_sid}"  # a pass killed after sending
                    self.outbound.sms(text.sender, reply, purpose=Purpose.TEXT, key=once)
                except PermanentCarrierError as exc:  # opted out, or not ours to text
                    logger.warning(
                        "replayed text's reply not sent sms=%s: %s", text.message_sid, exc
                    )
            self.spool.done(key)
            answered += 1
            logger.info("kept text answered sms=%s", text.message_sid)
        return answered
