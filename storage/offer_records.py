"""The offer as callers see it: a frozen record read from an ``Offer`` row.

Invariant: a record is a snapshot, never a live ORM object; the status is read back as an
``OfferStatus`` (an unknown stored value is an error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.dispatch_models import Offer, OfferStatus


@dataclass(frozen=True)
class OfferRecord:
    id: str
    request_id: str
    supporter_id: str
    status: OfferStatus
    call_sid: str | None
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None = None  # the supporter picked up (heard the offer)
    caller_leg_sid: str | None = None  # the called-back caller's call, once they joined

    @property
    def picked_up(self) -> bool:
        """The supporter's phone was answered: a cancel no longer stops it, words must."""
        return self.answered_at is not None or self.status == OfferStatus.ACCEPTED


def offer_record(row: Offer) -> OfferRecord:
    return OfferRecord(
        row.id,
        row.request_id,
        row.supporter_id,
        OfferStatus(row.status),
        row.call_sid,
        row.created_at,
        row.expires_at,
        row.answered_at,
        row.caller_leg_sid,
    )
