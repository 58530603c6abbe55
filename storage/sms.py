"""The opt-out ledger and inbound-message dedupe. Numbers appear only as blind indexes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.crypto import FieldCipher
from storage.sms_models import InboundMessage, OptOut


class SmsStore:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cipher = cipher
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def set_opted_out(self, number: str, opted_out: bool) -> None:
        index = self.cipher.blind_index(number)
        with self._sessions.begin() as db:
            row = db.get(OptOut, index)
            if row is None:
                db.add(OptOut(number_index=index, opted_out=opted_out, changed_at=self.clock()))
            else:
                row.opted_out, row.changed_at = opted_out, self.clock()

    def is_opted_out(self, number: str) -> bool:
        with self._sessions() as db:
            row = db.get(OptOut, self.cipher.blind_index(number))
            return bool(row and row.opted_out)

    def reply_to(self, message_sid: str) -> str | None:
        """The reply already given to this MessageSid (a Twilio retry), or None."""
        with self._sessions() as db:
            return db.scalar(
                select(InboundMessage.reply).where(InboundMessage.message_sid == message_sid)
            )

    def remember(self, message_sid: str, reply: str) -> bool:
        """Record the reply; False if another delivery of the same message got there first."""
        try:
            with self._sessions.begin() as db:
                db.add(
                    InboundMessage(message_sid=message_sid, reply=reply, created_at=self.clock())
                )
            return True
        except IntegrityError:
            return False
