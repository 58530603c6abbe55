"""Conditional row moves for dispatch: each UPDATE applies only from the expected state.

Invariant: a move reports whether it matched a row; a caller that needs several moves to
hold together raises ``Lost`` to roll the whole transaction back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.dispatch_models import Offer, OfferStatus
from storage.models import HelpRequest, RequestStatus
from storage.roster_models import Supporter


class Lost(Exception):
    """A conditional update found the row already moved on; roll the transaction back."""


def move_offer(db: Session, offer_id: str, expected: OfferStatus, **values: object) -> bool:
    result = db.execute(
        update(Offer).where(Offer.id == offer_id, Offer.status == expected).values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def move_request(
    db: Session,
    request_id: str,
    from_: tuple[RequestStatus, ...],
    to: RequestStatus,
    now: datetime,
    **values: object,
) -> bool:
    result = db.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request_id, HelpRequest.status.in_(from_))
        .values(status=to, updated_at=now, **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_supporter(db: Session, supporter_id: str, offer_id: str) -> None:
    db.execute(
        update(Supporter)
        .where(Supporter.id == supporter_id, Supporter.busy_offer_id == offer_id)
        .values(busy_offer_id=None)
    )


def book_call(
    db: Session,
    supporter_id: str,
    offer_id: str,
    now: datetime,
    minutes: int,
    cool_off_until: datetime | None,
) -> None:
    """A finished call on the supporter's books: this month's minutes, when it ended, any
    cool-off after a long call; frees them if this offer still holds them."""
    supporter = db.get(Supporter, supporter_id)
    if supporter is not None:
        key = now.strftime("%Y-%m")
        used = supporter.month_minutes if supporter.month_key == key else 0
        supporter.month_key, supporter.month_minutes = key, used + minutes
        supporter.last_call_ended_at = now
        if cool_off_until is not None:
            supporter.cool_off_until = cool_off_until
        if supporter.busy_offer_id == offer_id:
            supporter.busy_offer_id = None
