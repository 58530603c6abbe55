"""Helpers for the console's tests: a request on the board without a phone call."""

from __future__ import annotations

import uuid

from storage.models import SessionStatus
from storage.records import NewRequest
from storage.repository import Store


def new_request(
    store: Store,
    *,
    role: str = "nurse",
    urgency: str = "urgent",
    organization: str | None = None,
    organization_unknown: bool = False,
    contact_mode: str = "hold",
    caller: str = "+16175550177",
) -> str:
    """A request as the intake creates it (session, turn, request in one transaction)."""
    sid = "CA" + uuid.uuid4().hex
    store.begin_session(sid, "voice", {}, "", caller)
    saved = store.save_turn(
        sid,
        0,
        {},
        SessionStatus.COMPLETED,
        "",
        NewRequest(
            channel="voice",
            role=role,
            urgency=urgency,
            language="en",
            org_preference="outside",
            organization=organization,
            organization_unknown=organization_unknown,
            contact_mode=contact_mode,
            callback_window="asap" if contact_mode == "callback" else None,
            caller=None,
            source_sid=sid,
        ),
    )
    assert saved.request is not None
    return saved.request.id
