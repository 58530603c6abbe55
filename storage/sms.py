"""The opt-out ledger and inbound-message dedupe. Numbers are looked up by blind index; the
ledger keeps each one encrypted too, only so that a key rotation can re-index it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.crypto import FieldCipher
from storage.sms_models import InboundMessage, OptOut

OPT_OUT_CONTEXT = "opt_out"  # AEAD context of opt_outs.number_enc


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
        """Record STOP (or START) under the current key; a row under an old key goes."""
        index, *old = self.cipher.blind_indexes(number)
        enc = self.cipher.encrypt(number, context=OPT_OUT_CONTEXT)
        with self._sessions.begin() as db:
            if old:
                db.execute(delete(OptOut).where(OptOut.number_index.in_(old)))
            row = db.get(OptOut, index)
            if row is None:
                db.add(
                    OptOut(
                        number_index=index,
                        number_enc=enc,
                        opted_out=opted_out,
                        changed_at=self.clock(),
                    )
                )
            else:
                row.opted_out, row.changed_at, row.number_enc = opted_out, self.clock(), enc

    def is_opted_out(self, number: str) -> bool:
        with self._sessions() as db:
            latest = db.scalar(
                select(OptOut.opted_out)
                .where(OptOut.number_index.in_(self.cipher.blind_indexes(number)))
                .order_by(OptOut.changed_at.desc())
                .limit(1)
            )
            return bool(latest)

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
