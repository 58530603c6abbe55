"""After the call, for a caller who said yes to one follow-up text: the text sent after
each connected session, and the optional feedback — kept apart, with nothing personal."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class FollowUpStep(StrEnum):
    """Where the exchange after one session stands (``usecases.follow_up``)."""

    OFFERED = "offered"  # "talk again with the same peer? Reply 1" sent, no answer yet
    HELPED = "helped"  # "did the call help? 1-5" asked
    RECOMMEND = "recommend"  # "would you recommend it to a colleague?" asked
    DONE = "done"  # answered, declined, or never sent


class FollowUpOutcome(StrEnum):
    ACCEPTED = "accepted"  # replied 1: a follow-up request was made
    DECLINED = "declined"  # replied 2
    LAST = "last"  # the episode's last session: thanks and the feedback questions only
    NOT_SENT = "not_sent"  # opted out, refused by the outbound policy, a bad number


class FollowUp(Base):
    """The one text after a connected session, keyed by that session's request (so the
    scheduler's re-run finds the row and the send log's key sends it once)."""

    __tablename__ = "follow_ups"

    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    step: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    message_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    next_request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedbackQuestion(StrEnum):
    HELPED = "helped"  # 1-5
    RECOMMEND = "recommend"  # yes / no


class Feedback(Base):
    """One answer to an optional question, de-identified: the day, the caller's role group
    and urgency, the answer. No request, session, number or time of day."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    role_group: Mapped[str] = mapped_column(String(24))
    urgency: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(String(8))
