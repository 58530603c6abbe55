"""Plain records the repository hands out, so callers never hold an ORM session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SessionRecord:
    sid: str
    channel: str
    status: str
    flow: dict[str, Any]
    turn: int
    last_response: str
    request_id: str | None


@dataclass(frozen=True)
class NewRequest:
    """What the intake flow hands to storage when a caller finishes the questions."""

    channel: str
    role: str
    urgency: str
    language: str
    org_preference: str | None
    organization: str | None
    organization_unknown: bool
    contact_mode: str
    callback_window: str | None
    caller: str | None  # E.164, encrypted before it is stored
    source_sid: str


@dataclass(frozen=True)
class RequestRecord:
    id: str
    ticket: str
    status: str
    channel: str
    role: str
    urgency: str
    language: str
    org_preference: str | None
    organization: str | None
    organization_unknown: bool
    contact_mode: str
    callback_window: str | None
    dispatch_state: str
    dispatch_attempts: int
    created_at: datetime
    updated_at: datetime
    supporter_id: str | None = None
    previous_supporter_id: str | None = None
    callback_attempts: int = 0
    escalation_level: int = 0
    acked_at: datetime | None = None
    source_sid: str = ""


@dataclass(frozen=True)
class TurnSaved:
    """Result of ``Store.save_turn``: ``request`` is set when the turn created one."""

    request: RequestRecord | None
