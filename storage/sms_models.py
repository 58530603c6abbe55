"""SMS bookkeeping: the opt-out ledger and processed inbound messages (never their bodies)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class OptOut(Base):
    """One row per number that ever texted STOP; ``opted_out`` flips back on START."""

    __tablename__ = "opt_outs"

    number_index: Mapped[str] = mapped_column(String(64), primary_key=True)  # blind index
    # The number, encrypted: only so that a key rotation can re-index the row. None on rows
    # written before it was kept.
    number_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    opted_out: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboundMessage(Base):
    """A MessageSid we handled and the reply we gave: Twilio's retries get the same reply."""

    __tablename__ = "inbound_messages"

    message_sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
