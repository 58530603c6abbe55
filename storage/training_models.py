"""The training ledger's tables: check-in meetings, who attended, and CE credit entries.

A supporter's tier and training dates live on ``supporters`` (matching reads them with the
roster); calls are counted from ``offers``. Rows here name supporters by bare id, as offers
do, so removing a supporter leaves no name behind.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class CheckIn(Base):
    """A supporters' group meeting (the seeds' periodic check-ins); counts towards CE."""

    __tablename__ = "check_ins"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(120))
    minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attendance(Base):
    """One supporter at one check-in (recorded by a coordinator)."""

    __tablename__ = "check_in_attendance"

    check_in_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("check_ins.id", ondelete="CASCADE"), primary_key=True
    )
    supporter_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class CeCredit(Base):
    """CE time a coordinator entered or an import brought in (training courses, other
    programs' hours); ``source`` is ``coordinator`` or ``import``."""

    __tablename__ = "ce_credits"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    supporter_id: Mapped[str] = mapped_column(String(32), index=True)
    earned_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    activity: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
