"""The offer claim: reserve a free supporter and create the ringing offer, all or nothing.

Invariant 3: a supporter is claimed only while ``busy_offer_id IS NULL`` (the column is
unique), and a request has at most one active offer (a partial unique index); the request
moves from waiting to offered in the same transaction. ``DispatchStore.claim_with_phone``
calls these and treats ``Lost`` and ``IntegrityError`` as "taken".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, exists, insert, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.dispatch_models import ACTIVE_OFFER, Offer, OfferStatus
from storage.models import Event, HelpRequest, RequestStatus
from storage.roster_models import Supporter
from storage.transitions import Lost, move_request


def claim_in_one(engine: Engine, offer: Offer, now: datetime) -> bytes | None:
    """PostgreSQL: the whole claim as one autocommit statement, one round trip.

    Each step is a CTE that runs only if the one before matched: lock the supporter if
    free (``SKIP LOCKED``: someone else holds or is taking them), move the request from
    waiting to offered, insert the offer (the partial unique index: one active offer per
    request, else IntegrityError aborts the statement), mark the supporter busy with it.
    One statement is one transaction: all of it or nothing (docs/exactly-once.md)."""
    free = (
        select(Supporter.id)
        .where(
            Supporter.id == offer.supporter_id,
            Supporter.busy_offer_id.is_(None),
            Supporter.active.is_(True),
            Supporter.bad_number.is_(False),
        )
        .with_for_update(skip_locked=True)
        .cte("free")
    )
    moved = (
        update(HelpRequest)
        .where(
            HelpRequest.id == offer.request_id,
            HelpRequest.status == RequestStatus.WAITING,
            exists(select(free.c.id)),
        )
        .values(status=RequestStatus.OFFERED, updated_at=now)
        .returning(HelpRequest.id)
        .cte("moved")
    )
    columns = Offer.__table__.c
    row = {
        "id": offer.id,
        "supporter_id": offer.supporter_id,
        "status": offer.status,
        "created_at": offer.created_at,
        "expires_at": offer.expires_at,
        "duration_seconds": offer.duration_seconds,
    }
    made = (
        insert(Offer)
        .from_select(
            ["request_id", *row],
            select(moved.c.id, *(literal(v, columns[k].type) for k, v in row.items())),
        )
        .returning(Offer.id)
        .cte("made")
    )
    busy = (
        update(Supporter)
        .where(
            Supporter.id == offer.supporter_id,
            Supporter.busy_offer_id.is_(None),
            Supporter.id.in_(select(free.c.id)),
            exists(select(made.c.id)),
        )
        .values(busy_offer_id=offer.id)
        .returning(Supporter.phone_enc)
    )
    with engine.connect() as conn:
        phone: bytes | None = conn.execute(busy).scalar()
    return phone


def claim_in_steps(sessions: sessionmaker[Session], offer: Offer, now: datetime) -> bytes | None:
    """SQLite (no SKIP LOCKED, no data-modifying CTEs): the same claim, step by step in
    one transaction (SQLite has one writer at a time)."""
    with sessions.begin() as db:
        db.add(offer)
        db.flush()  # the partial unique index: one active offer per request
        phone: bytes | None = db.scalar(
            update(Supporter)
            .where(
                Supporter.id == offer.supporter_id,
                Supporter.busy_offer_id.is_(None),
                Supporter.active.is_(True),
                Supporter.bad_number.is_(False),
            )
            .values(busy_offer_id=offer.id)
            .returning(Supporter.phone_enc)
        )
        moved = move_request(
            db, offer.request_id, (RequestStatus.WAITING,), RequestStatus.OFFERED, now
        )
        if phone is None or not moved:
            raise Lost
    return phone


def attach_in_one(
    engine: Engine,
    offer_id: str,
    call_sid: str,
    event: tuple[str, dict[str, Any]] | None,
    now: datetime,
) -> bool:
    """PostgreSQL: ``DispatchStore.attach_call`` as one autocommit statement. The offer's
    call is recorded whatever its status; the event is inserted only while it rings, in
    the same statement (so in the same transaction)."""
    attached = (
        update(Offer)
        .where(Offer.id == offer_id)
        .values(call_sid=call_sid)
        .returning(Offer.status, Offer.request_id)
        .cte("attached")
    )
    answer = select(attached.c.status)
    if event is not None:
        kind, detail = event
        columns = Event.__table__.c
        written = (
            insert(Event)
            .from_select(
                ["at", "kind", "request_id", "detail"],
                select(
                    literal(now, columns.at.type),
                    literal(kind, columns.kind.type),
                    attached.c.request_id,
                    literal(detail, columns.detail.type),
                ).where(attached.c.status == OfferStatus.RINGING),
            )
            .returning(Event.id)
            .cte("written")
        )
        answer = answer.add_cte(written)
    with engine.connect() as conn:
        status = conn.execute(answer).scalar()
    return status is not None and status in ACTIVE_OFFER
