"""The dispatcher's reads: who could take a request now, in one query.

Only rows the matching core would reject whatever the round (``matching.rules``: inactive,
untrained, a bad number, busy, cooling off, at the monthly cap, away by override, already
rung for this request, in training where the urgency forbids it) are left out in SQL; every
rule stays in ``matching``, which still checks each row. Phone numbers are not read: the
one supporter dialed has theirs decrypted at the claim (``DispatchStore.claim_with_phone``).
"""

from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, or_, select
from sqlalchemy.orm import Session

from matching.training import TRAINEE
from storage.dispatch_models import UNCONFIRMED, Offer, OfferStatus
from storage.roster_models import Supporter
from storage.roster_records import SupporterRecord, supporter_record

CACHE_LIMIT = 50_000  # records kept between dispatches; a roster is a few thousand rows

# What a SupporterRecord needs (``storage.roster.supporter_record``): never the number.
_COLUMNS = (
    *(
        getattr(Supporter, name)
        for name in (
            "id",
            "name",
            "role",
            "organization",
            "languages",
            "level",
            "trained",
            "active",
            "monthly_cap_minutes",
            "timezone",
            "on_shift",
            "on_shift_until",
            "cool_off_until",
            "last_call_ended_at",
            "month_key",
            "month_minutes",
            "busy_offer_id",
            "bad_number",
            "training_tier",
            "trained_on",
            "refreshed_on",
        )
    ),
    cast(Supporter.schedule, String).label("schedule"),  # as text: the row stays hashable
)


def rang(request_id: str, since: datetime) -> ColumnElement[bool]:
    """Offers of ``request_id`` since ``since`` whose call may have rung: placed, or
    placed-but-unconfirmed; only a definite refusal (a 429, an invalid number) rang nobody."""
    return and_(
        Offer.request_id == request_id,
        Offer.created_at >= since,
        or_(
            Offer.call_sid.is_not(None),
            Offer.status != OfferStatus.FAILED,
            Offer.reason == UNCONFIRMED,
        ),
    )


def free_rows(
    db: Session,
    now: datetime,
    month_key: str,
    *,
    not_rung_for: tuple[str, datetime] | None = None,
    trainees: bool = True,
) -> list[Any]:
    """Rows (with ``Supporter``'s attribute names) of supporters who may take a call now:
    active, trained, number good, free, not cooling off, under their cap this month, not
    away by an override still in force; not rung for request ``not_rung_for[0]`` since
    ``not_rung_for[1]``; nobody in training unless ``trainees``."""
    used = case((Supporter.month_key == month_key, Supporter.month_minutes), else_=0)
    stmt = select(*_COLUMNS).where(
        Supporter.active.is_(True),
        Supporter.trained.is_(True),
        Supporter.bad_number.is_(False),
        Supporter.busy_offer_id.is_(None),
        or_(Supporter.cool_off_until.is_(None), Supporter.cool_off_until <= now),
        used < Supporter.monthly_cap_minutes,
        # Not away by an override still in force (IS NOT FALSE: NULL passes).
        or_(Supporter.on_shift.is_not(False), Supporter.on_shift_until <= now),
    )
    if not trainees:
        stmt = stmt.where(
            or_(Supporter.training_tier.is_(None), Supporter.training_tier != TRAINEE)
        )
    if not_rung_for is not None:
        request_id, since = not_rung_for
        offered = select(Offer.id).where(
            Offer.supporter_id == Supporter.id, rang(request_id, since)
        )
        stmt = stmt.where(~offered.exists())
    return list(db.execute(stmt).all())


class FreeSupporters:
    """``free_rows`` as records, each row converted once per process while it is unchanged.

    A dispatch reads every free supporter; converting them all again each time made it
    cost O(roster) in Python (bench/README.md, B4). A record depends on its row and, for
    an override's lapse, on ``now``: both are the cache key, so a changed row is a miss.
    """

    def __init__(self) -> None:
        self._records: dict[tuple[Any, bool], SupporterRecord] = {}

    def read(
        self,
        db: Session,
        now: datetime,
        *,
        not_rung_for: tuple[str, datetime] | None = None,
        trainees: bool = True,
    ) -> list[SupporterRecord]:
        rows = free_rows(
            db, now, now.strftime("%Y-%m"), not_rung_for=not_rung_for, trainees=trainees
        )
        records, out = self._records, []
        if len(records) > CACHE_LIMIT:
            records.clear()
        for row in rows:
            until = row.on_shift_until
            key = (row, until is not None and until <= now)
            record = records.get(key)
            if record is None:
                record = records[key] = _record(row, now)
            out.append(record)
        return out


def _record(row: Any, now: datetime) -> SupporterRecord:
    fields = row._asdict()
    fields["schedule"] = json.loads(fields["schedule"] or "[]")
    return supporter_record(SimpleNamespace(**fields), now)
