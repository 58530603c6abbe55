"""Plain records the repository hands out, so callers never hold an ORM session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ivr.model import CallbackWindow, Channel, ContactMode, Language, OrgPreference, Role, Urgency
from storage.models import DispatchState, RequestStatus, SessionStatus


@dataclass(frozen=True)
class SessionRecord:
    sid: str
    channel: Channel
    status: SessionStatus
    flow: dict[str, Any]
    turn: int
    last_response: str
    request_id: str | None


@dataclass(frozen=True)
class NewRequest:
    """What the intake flow hands to storage when a caller finishes the questions."""

    channel: Channel
    role: Role
    urgency: Urgency
    language: Language
    org_preference: OrgPreference | None
    organization: str | None
    organization_unknown: bool
    contact_mode: ContactMode
    callback_window: CallbackWindow | None
    caller: str | None  # E.164, encrypted before it is stored
    source_sid: str
    other_role_ok: bool | None = None  # consent to widen the match; None: not asked
    other_language_ok: bool | None = None
    follow_up_ok: bool | None = None  # one follow-up text after the call; None: not asked
    # A follow-up session (usecases.follow_up): its episode, number and the peer asked first.
    episode_id: str | None = None
    session_no: int = 1
    previous_supporter_id: str | None = None


@dataclass(frozen=True)
class RequestRecord:
    id: str
    ticket: str
    status: RequestStatus
    channel: Channel
    role: Role
    urgency: Urgency
    language: Language
    org_preference: OrgPreference | None
    organization: str | None
    organization_unknown: bool
    contact_mode: ContactMode
    callback_window: CallbackWindow | None
    dispatch_state: DispatchState
    dispatch_attempts: int
    created_at: datetime
    updated_at: datetime
    supporter_id: str | None = None
    previous_supporter_id: str | None = None
    callback_attempts: int = 0
    escalation_level: int = 0
    acked_at: datetime | None = None
    source_sid: str = ""
    other_role_ok: bool | None = None
    other_language_ok: bool | None = None
    consent_asked: str | None = None  # a question a holding caller has not answered yet
    follow_up_ok: bool | None = None
    episode_id: str | None = None  # a follow-up session: the first request of the episode
    session_no: int = 1
    closed_at: datetime | None = None


@dataclass(frozen=True)
class TurnSaved:
    """Result of ``Store.save_turn``: ``request`` is set when the turn created one."""

    request: RequestRecord | None
