"""Inserting a help request: its ticket code, the caller's number encrypted, and the
supporter a returning caller is offered first. Used by intake (``storage.intake_sessions``)
and by the follow-up a caller asks for by text (``storage.follow_ups``)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.crypto import FieldCipher
from storage.models import DispatchState, HelpRequest, RequestStatus
from storage.records import NewRequest
from storage.requests import CALLER_CONTEXT as _CALLER

TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(4))


def caller_columns(cipher: FieldCipher, caller: str | None) -> dict[str, Any]:
    """A row's encrypted number and blind index (both None without a number)."""
    if not caller:
        return {"caller_enc": None, "caller_index": None}
    return {
        "caller_enc": cipher.encrypt(caller, context=_CALLER),
        "caller_index": cipher.blind_index(caller),
    }


def insert_request(
    db: Session, cipher: FieldCipher, new: NewRequest, now: datetime, number: str | None
) -> HelpRequest:
    """Add the request ``new`` (waiting, its dispatch pending) in ``db``'s transaction."""
    indexes = cipher.blind_indexes(number) if number else ()
    row = HelpRequest(
        id=uuid.uuid4().hex,
        ticket=new_ticket(),
        status=RequestStatus.WAITING,
        channel=new.channel,
        role=new.role,
        urgency=new.urgency,
        language=new.language,
        org_preference=new.org_preference,
        organization=new.organization,
        organization_unknown=new.organization_unknown,
        contact_mode=new.contact_mode,
        callback_window=new.callback_window,
        other_role_ok=new.other_role_ok,
        other_language_ok=new.other_language_ok,
        follow_up_ok=new.follow_up_ok,
        episode_id=new.episode_id,
        session_no=new.session_no,
        source_sid=new.source_sid,
        dispatch_state=DispatchState.PENDING,
        dispatch_attempts=0,
        previous_supporter_id=new.previous_supporter_id or _previous_supporter(db, indexes),
        created_at=now,
        updated_at=now,
        **caller_columns(cipher, number),
    )
    db.add(row)
    db.flush()
    return row


def _previous_supporter(db: Session, caller_indexes: tuple[str, ...]) -> str | None:
    """Continuity: the supporter of this caller's last completed conversation, while the
    identity link still exists (see ``RequestQueries.forget_callers``)."""
    if not caller_indexes:
        return None
    return db.scalar(
        select(HelpRequest.supporter_id)
        .where(
            HelpRequest.caller_index.in_(caller_indexes),
            HelpRequest.status == RequestStatus.COMPLETED,
            HelpRequest.supporter_id.is_not(None),
        )
        .order_by(HelpRequest.created_at.desc())
        .limit(1)
    )
