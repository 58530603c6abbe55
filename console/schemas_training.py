"""API models for the training ledger and check-ins."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from console.schemas_access import Strict
from usecases.check_ins import CheckInRecord, CheckInView
from usecases.training import CeEntry, LedgerDetail, LedgerRow


class LedgerRowOut(BaseModel):
    supporter_id: str
    name: str
    role: str
    active: bool
    tier: str | None = Field(description="1, 2, 3, trainee (in training) or null")
    trained_on: date | None
    refreshed_on: date | None
    refresher_due: date | None
    standing: str = Field(
        description="lapsed, refresher due soon, no training date, in training or current"
    )
    ce_hours_this_year: float

    @classmethod
    def of(cls, r: LedgerRow) -> LedgerRowOut:
        return cls(
            supporter_id=r.supporter_id,
            name=r.name,
            role=r.role,
            active=r.active,
            tier=r.tier,
            trained_on=r.trained_on,
            refreshed_on=r.refreshed_on,
            refresher_due=r.refresher_due,
            standing=str(r.standing),
            ce_hours_this_year=r.ce_hours,
        )


class Ledger(BaseModel):
    items: list[LedgerRowOut]


class CeEntryOut(BaseModel):
    date: date
    activity: str
    source: str = Field(description="call, check-in, coordinator or import")
    minutes: int

    @classmethod
    def of(cls, e: CeEntry) -> CeEntryOut:
        return cls(date=e.earned_on, activity=e.activity, source=e.source, minutes=e.minutes)


class LedgerDetailOut(BaseModel):
    supporter: LedgerRowOut
    entries: list[CeEntryOut]
    total_hours: float

    @classmethod
    def of(cls, d: LedgerDetail) -> LedgerDetailOut:
        return cls(
            supporter=LedgerRowOut.of(d.row),
            entries=[CeEntryOut.of(e) for e in d.entries],
            total_hours=round(d.total_minutes / 60, 2),
        )


class TrainingPatch(Strict):
    tier: str | None = Field(None, max_length=20, description="1, 2, 3 or trainee; '' clears")
    trained_on: str | None = Field(None, max_length=10, description="YYYY-MM-DD; '' clears")
    refreshed_on: str | None = Field(None, max_length=10, description="YYYY-MM-DD; '' clears")


class CreditIn(Strict):
    date: str = Field(max_length=10, description="YYYY-MM-DD")
    hours: float = Field(gt=0, le=40)
    activity: str = Field(min_length=1, max_length=120)


class CheckInIn(Strict):
    date: str = Field(max_length=10, description="YYYY-MM-DD")
    title: str = Field(min_length=1, max_length=120)
    minutes: int = Field(gt=0, le=480)


class AttendanceIn(Strict):
    supporter_ids: list[str] = Field(max_length=2000)


class CheckInOut(BaseModel):
    id: str
    date: date
    title: str
    minutes: int
    attendees: list[str] = Field(description="supporter ids")

    @classmethod
    def of(cls, c: CheckInRecord) -> CheckInOut:
        return cls(
            id=c.id, date=c.held_on, title=c.title, minutes=c.minutes, attendees=sorted(c.attendees)
        )


class CheckInList(BaseModel):
    items: list[CheckInOut]


def check_in_out(view: CheckInView) -> CheckInOut:
    return CheckInOut.of(view.check_in)
