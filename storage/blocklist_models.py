"""Numbers Peerline refuses: never answered, never called or texted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class BlockedNumber(Base):
    """One blocked number: looked up by blind index; kept encrypted only so that a key
    rotation can re-index it (it is never shown, not even to an admin)."""

    __tablename__ = "blocked_numbers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number_index: Mapped[str] = mapped_column(String(64), unique=True)
    number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(String(200), default="")
    added_by: Mapped[str] = mapped_column(String(160))  # an audit label: "account:Ada"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
