"""SQLAlchemy 2 tables. Phone numbers appear only encrypted (``*_enc``) or as a blind index."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class SessionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # produced a request
    CRISIS = "crisis"  # transferred to the crisis line
    ENDED = "ended"  # goodbye without a request
    ABANDONED = "abandoned"  # caller hung up mid-flow


class RequestStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"  # the caller left, pressed 9, texted STOP/CANCEL, or declined
    EXPIRED = "expired"  # nobody reached the caller within the promise plus a grace period
    CLOSED = "closed"  # a coordinator closed it (CLOSE code by text, or the console)


OPEN_REQUEST_STATUSES = (RequestStatus.WAITING, RequestStatus.OFFERED, RequestStatus.CONNECTED)
# Not yet in anyone's hands: what expiry and a coordinator's CLOSE may end.
UNANSWERED_STATUSES = (RequestStatus.WAITING, RequestStatus.OFFERED)
TERMINAL_STATUSES = (
    RequestStatus.COMPLETED,
    RequestStatus.WITHDRAWN,
    RequestStatus.EXPIRED,
    RequestStatus.CLOSED,
)


class DispatchState(StrEnum):
    PENDING = "pending"  # durable, not yet known to be on the queue (the outbox)
    QUEUED = "queued"
    HELD = "held"  # left for a coordinator: never dispatched again by itself


class CallSession(Base):
    """One caller's walk through the intake flow, keyed by the CallSid (or SMS thread)."""

    __tablename__ = "call_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.ACTIVE)
    flow: Mapped[dict[str, Any]] = mapped_column(JSON)
    turn: Mapped[int] = mapped_column(Integer, default=0)
    last_response: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    caller_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    caller_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HelpRequest(Base):
    """A worker's request for a peer: the record of truth (Redis only carries work)."""

    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ticket: Mapped[str] = mapped_column(String(8), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.WAITING)
    channel: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(4))
    org_preference: Mapped[str | None] = mapped_column(String(16), nullable=True)
    organization: Mapped[str | None] = mapped_column(String(200), nullable=True)
    organization_unknown: Mapped[bool] = mapped_column(default=False)
    contact_mode: Mapped[str] = mapped_column(String(16))
    callback_window: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Consent to widen the match (None: not asked, so not given); ``consent_asked`` is a
    # question put to a holding caller and not answered yet ("role" or "language").
    other_role_ok: Mapped[bool | None] = mapped_column(nullable=True)
    other_language_ok: Mapped[bool | None] = mapped_column(nullable=True)
    consent_asked: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # One follow-up text after the call (None: not asked, so no); the caller's episode: the
    # first request's id on a follow-up (None on a first), and which session this is.
    follow_up_ok: Mapped[bool | None] = mapped_column(nullable=True)
    episode_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    session_no: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    caller_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    caller_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source_sid: Mapped[str] = mapped_column(String(64), unique=True)
    dispatch_state: Mapped[str] = mapped_column(String(16), default=DispatchState.PENDING)
    dispatch_attempts: Mapped[int] = mapped_column(Integer, default=0)
    supporter_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    previous_supporter_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_requests_status_dispatch", "status", "dispatch_state"),)


class Event(Base):
    """De-identified history: what happened to which request, never who or what was said."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    session_sid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Organization(Base):
    """A hospital or organization callers and supporters belong to, with spoken aliases."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
