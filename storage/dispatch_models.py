"""Offers to supporters and alerts to coordinators."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class OfferStatus(StrEnum):
    RINGING = "ringing"  # claimed supporter, call placed or about to be
    ACCEPTED = "accepted"  # pressed 1: bridged with the caller
    COMPLETED = "completed"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"
    FAILED = "failed"
    CANCELED = "canceled"  # the caller left while it rang
    TIMED_OUT = "timed_out"


ACTIVE_OFFER = (OfferStatus.RINGING, OfferStatus.ACCEPTED)
# The reason on a failed offer whose call the carrier may have placed without saying so
# (its answer was lost): the offer still counts as made.
UNCONFIRMED = "unconfirmed"
_ACTIVE_SQL = text("status IN ('ringing', 'accepted')")


class Offer(Base):
    """One request offered to one supporter. At most one active offer per request."""

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), index=True)
    supporter_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OfferStatus.RINGING)
    call_sid: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    caller_leg_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    duration_seconds: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index(
            "uq_offers_one_active_per_request",
            "request_id",
            unique=True,
            sqlite_where=_ACTIVE_SQL,
            postgresql_where=_ACTIVE_SQL,
        ),
    )


class Alert(Base):
    """An SMS page to a coordinator. It carries a ticket code and urgency, never PII."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    session_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)  # risk pages
    ticket: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[int] = mapped_column(Integer, default=0)
    coordinator_id: Mapped[str] = mapped_column(String(32))
    message_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
