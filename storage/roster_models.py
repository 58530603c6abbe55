"""The people Peerline connects: volunteer supporters and program coordinators."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime

DEFAULT_MONTHLY_CAP_MINUTES = 240  # 4 h: volunteers give 2-4 hours a month
DEFAULT_TIMEZONE = "America/New_York"


class Supporter(Base):
    """A trained volunteer peer. ``busy_offer_id`` is unique: one live call per supporter."""

    __tablename__ = "supporters"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_index: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(String(200), nullable=True)
    languages: Mapped[str] = mapped_column(String(40), default="en")  # "en;es"
    level: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The training ledger's tier: "1", "2", "3" or "trainee" (in training); see
    # matching.training and docs/training.md.
    training_tier: Mapped[str | None] = mapped_column(String(40), nullable=True)
    trained_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    refreshed_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # last refresher
    trained: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    monthly_cap_minutes: Mapped[int] = mapped_column(Integer, default=DEFAULT_MONTHLY_CAP_MINUTES)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    schedule: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[day, "HH:MM", "HH:MM"]]
    on_shift: Mapped[bool | None] = mapped_column(nullable=True)  # AVAILABLE/AWAY override
    # When that override lapses (None: until changed). The roster reads a lapsed one as none.
    on_shift_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cool_off_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_call_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    month_key: Mapped[str] = mapped_column(String(7), default="")  # "2026-11"
    month_minutes: Mapped[int] = mapped_column(Integer, default=0)
    busy_offer_id: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    bad_number: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Coordinator(Base):
    """Runs the program; receives PII-free SMS alerts. Lower ``backup_order`` is paged first."""

    __tablename__ = "coordinators"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_index: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    on_call: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [] = always on call
    backup_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
