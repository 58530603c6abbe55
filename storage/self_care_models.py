"""After a call, for the supporter: the self-care text and their answer. No caller detail:
a row names the supporter and the offer they took, never the caller or what was said."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class SelfCareCheck(Base):
    """ "Thanks for taking that call. Reply 1 if you're fine, 2 for a debrief" — one per
    call, keyed by the offer the supporter accepted (so a re-run job sends it once)."""

    __tablename__ = "self_care_checks"

    offer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    supporter_id: Mapped[str] = mapped_column(String(32), index=True)
    long_call: Mapped[bool] = mapped_column(default=False)  # 45 min or more: cool-off named
    message_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(16), nullable=True)  # fine / debrief
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
