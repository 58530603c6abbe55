"""The call-back tally behind the toll-fraud cap: numbers appear only as blind indexes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class CallbackCount(Base):
    """Call backs placed to one number on one day (the program's calendar day)."""

    __tablename__ = "callback_counts"

    number_index: Mapped[str] = mapped_column(String(64), primary_key=True)  # blind index
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    placed: Mapped[int] = mapped_column(Integer, default=0)
