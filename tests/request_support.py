"""A waiting request written the way the intake writes it (session, final turn and request in
one transaction), for tests that need one on the board or in the queue without a phone call."""

from __future__ import annotations

import uuid

from ivr.model import CallbackWindow, Channel, ContactMode, Language, OrgPreference, Role, Urgency
from storage.models import SessionStatus
from storage.records import NewRequest
from storage.repository import Store


def waiting_request(
    store: Store,
    *,
    sid: str | None = None,
    caller: str | None = None,
    role: str = "nurse",
    urgency: str = "urgent",
    org_preference: str | None = "outside",
    organization: str | None = None,
    organization_unknown: bool = False,
    contact_mode: str = "hold",
    callback_window: str | None = None,
) -> str:
    """The new request's id. A call-back request with no window given asks for "asap"."""
    sid = sid or "CA" + uuid.uuid4().hex
    if contact_mode == "callback" and callback_window is None:
        callback_window = "asap"
    store.begin_session(sid, "voice", {}, "", caller)
    saved = store.save_turn(
        sid,
        0,
        {},
        SessionStatus.COMPLETED,
        "",
        NewRequest(
            channel=Channel.VOICE,
            role=Role(role),
            urgency=Urgency(urgency),
            language=Language.EN,
            org_preference=OrgPreference(org_preference) if org_preference else None,
            organization=organization,
            organization_unknown=organization_unknown,
            contact_mode=ContactMode(contact_mode),
            callback_window=CallbackWindow(callback_window) if callback_window else None,
            caller=caller,
            source_sid=sid,
        ),
    )
    assert saved.request is not None
    return saved.request.id
