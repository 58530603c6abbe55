"""The training ledger: tiers and training dates on the roster, check-ins, CE credit.

CE time comes from three places, read together by ``entries``: completed calls (from
``offers``), check-ins a supporter attended, and credits a coordinator entered or an import
brought in. Nothing here holds a caller's data: a call is a date and its minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import sessionmaker

from storage.dispatch_models import Offer, OfferStatus
from storage.roster_models import Supporter
from storage.training_models import Attendance, CeCredit, CheckIn

TRAINING_FIELDS = frozenset({"training_tier", "trained_on", "refreshed_on"})


@dataclass(frozen=True)
class CeEntry:
    """One line of a supporter's CE record. ``source``: call, check-in, coordinator, import."""

    earned_on: date
    minutes: int
    activity: str
    source: str


@dataclass(frozen=True)
class CheckInRecord:
    id: str
    held_on: date
    title: str
    minutes: int
    attendees: frozenset[str]  # supporter ids


class TrainingStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- the roster's training columns ---------------------------------------------------
    def set_training(self, supporter_id: str, **values: Any) -> bool:
        """Change ``training_tier``, ``trained_on`` or ``refreshed_on``; False: no such row."""
        if unknown := set(values) - TRAINING_FIELDS:
            raise ValueError(f"not training fields: {sorted(unknown)}")
        with self._sessions.begin() as db:
            result = db.execute(
                update(Supporter).where(Supporter.id == supporter_id).values(**values)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def record_refresher(self, supporter_ids: Iterable[str], on: date) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(Supporter)
                .where(Supporter.id.in_(list(supporter_ids)))
                .values(refreshed_on=on)
            )

    # -- CE credits -----------------------------------------------------------------------
    def add_credit(
        self, supporter_id: str, earned_on: date, minutes: int, activity: str, source: str, by: str
    ) -> str:
        with self._sessions.begin() as db:
            row = CeCredit(
                id=uuid.uuid4().hex,
                supporter_id=supporter_id,
                earned_on=earned_on,
                minutes=minutes,
                activity=activity,
                source=source,
                created_by=by,
                created_at=self.clock(),
            )
            db.add(row)
            return row.id

    def entries(self, supporter_id: str, zone: ZoneInfo) -> list[CeEntry]:
        """Every CE line for one supporter, oldest first (calls dated in ``zone``)."""
        with self._sessions() as db:
            calls = db.execute(
                select(Offer.ended_at, Offer.duration_seconds).where(
                    Offer.supporter_id == supporter_id,
                    Offer.status == OfferStatus.COMPLETED,
                    Offer.ended_at.is_not(None),
                )
            ).all()
            meetings = db.execute(
                select(CheckIn.held_on, CheckIn.minutes, CheckIn.title)
                .join(Attendance, Attendance.check_in_id == CheckIn.id)
                .where(Attendance.supporter_id == supporter_id)
            ).all()
            credits = db.scalars(select(CeCredit).where(CeCredit.supporter_id == supporter_id))
            out = [
                CeEntry(
                    ended.astimezone(zone).date(), _minutes(seconds), "peer-support call", "call"
                )
                for ended, seconds in calls
                if ended is not None
            ]
            out += [CeEntry(d, m, title, "check-in") for d, m, title in meetings]
            out += [CeEntry(c.earned_on, c.minutes, c.activity, c.source) for c in credits]
        return sorted(out, key=lambda e: (e.earned_on, e.source, e.activity))

    def totals(self, since: date, zone: ZoneInfo) -> dict[str, int]:
        """CE minutes per supporter id earned on or after ``since``."""
        start = datetime.combine(since, datetime.min.time(), tzinfo=zone)
        out: dict[str, int] = {}
        with self._sessions() as db:
            for supporter_id, seconds in db.execute(
                select(Offer.supporter_id, Offer.duration_seconds).where(
                    Offer.status == OfferStatus.COMPLETED, Offer.ended_at >= start
                )
            ):
                out[supporter_id] = out.get(supporter_id, 0) + _minutes(seconds)
            for supporter_id, minutes in db.execute(
                select(Attendance.supporter_id, func.sum(CheckIn.minutes))
                .join(CheckIn, Attendance.check_in_id == CheckIn.id)
                .where(CheckIn.held_on >= since)
                .group_by(Attendance.supporter_id)
            ):
                out[supporter_id] = out.get(supporter_id, 0) + int(minutes or 0)
            for supporter_id, minutes in db.execute(
                select(CeCredit.supporter_id, func.sum(CeCredit.minutes))
                .where(CeCredit.earned_on >= since)
                .group_by(CeCredit.supporter_id)
            ):
                out[supporter_id] = out.get(supporter_id, 0) + int(minutes or 0)
        return out

    # -- check-ins ------------------------------------------------------------------------
    def add_check_in(self, held_on: date, title: str, minutes: int, by: str) -> str:
        with self._sessions.begin() as db:
            row = CheckIn(
                id=uuid.uuid4().hex,
                held_on=held_on,
                title=title,
                minutes=minutes,
                created_by=by,
                created_at=self.clock(),
            )
            db.add(row)
            return row.id

    def check_ins(self, limit: int = 50) -> list[CheckInRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(CheckIn).order_by(CheckIn.held_on.desc(), CheckIn.id).limit(limit)
            ).all()
            return [self._record(db, r) for r in rows]

    def check_in(self, check_in_id: str) -> CheckInRecord | None:
        with self._sessions() as db:
            row = db.get(CheckIn, check_in_id)
            return self._record(db, row) if row else None

    def set_attendance(self, check_in_id: str, supporter_ids: Iterable[str]) -> bool:
        """Replace who attended; False when there is no such check-in."""
        with self._sessions.begin() as db:
            if db.get(CheckIn, check_in_id) is None:
                return False
            db.execute(delete(Attendance).where(Attendance.check_in_id == check_in_id))
            db.add_all(
                Attendance(check_in_id=check_in_id, supporter_id=s) for s in set(supporter_ids)
            )
            return True

    @staticmethod
    def _record(db: Any, row: CheckIn) -> CheckInRecord:
        ids = db.scalars(
            select(Attendance.supporter_id).where(Attendance.check_in_id == row.id)
        ).all()
        return CheckInRecord(row.id, row.held_on, row.title, row.minutes, frozenset(ids))


def _minutes(seconds: int) -> int:
    """A call's minutes as the monthly count has them (started minutes, at least one)."""
    return max(1, -(-max(0, seconds) // 60))
