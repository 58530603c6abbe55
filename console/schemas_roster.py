"""API models for supporters, the CSV import and export, and coordinators.

Roles, languages, time zones and organizations are checked by the roster's own rules (the
CSV import's), so the API accepts what the CSV accepts ("RN" for nurse, "en;es" …).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from console.schemas_access import Limit, Offset, PageInfo, Strict
from usecases.coordinators import CoordinatorView
from usecases.supporters import SupporterView

Clock = Field(pattern=r"^\d{1,2}:\d{2}$", description="HH:MM, 24-hour; an end of 24:00 is midnight")


class Window(Strict):
    day: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    start: str = Clock
    end: str = Clock


def windows(rows: list[list[Any]]) -> list[Window]:
    return [Window(day=int(d), start=s, end=e) for d, s, e in rows]


class SupporterOut(BaseModel):
    id: str
    name: str
    role: str
    organization: str | None
    languages: list[str]
    level: int | None
    trained: bool
    active: bool
    timezone: str
    schedule: list[Window]
    schedule_text: str
    on_shift_override: bool | None = Field(description="AVAILABLE (true), AWAY (false), or none")
    on_shift_override_until: datetime | None = Field(
        description="when the override lapses (a texted AVAILABLE ends with the day); "
        "null: until changed"
    )
    on_shift_now: bool
    shift_source: str = Field(description="override, schedule or no schedule")
    monthly_cap_minutes: int
    minutes_used: int = Field(description="this month")
    at_cap: bool
    cool_off_until: datetime | None
    in_cool_off: bool
    busy: bool
    bad_number: bool

    @classmethod
    def of(cls, v: SupporterView) -> SupporterOut:
        r = v.record
        return cls(
            id=r.id,
            name=r.name,
            role=r.role,
            organization=r.organization,
            languages=list(r.languages),
            level=r.level,
            trained=r.trained,
            active=r.active,
            timezone=r.timezone,
            schedule=windows(r.schedule),
            schedule_text=v.schedule_text,
            on_shift_override=r.on_shift,
            on_shift_override_until=r.on_shift_until,
            on_shift_now=v.on_shift_now,
            shift_source=v.shift_source,
            monthly_cap_minutes=r.monthly_cap_minutes,
            minutes_used=v.minutes_used,
            at_cap=v.at_cap,
            cool_off_until=r.cool_off_until,
            in_cool_off=v.cool_off,
            busy=r.busy,
            bad_number=r.bad_number,
        )


class SupporterPage(PageInfo):
    items: list[SupporterOut]


class SupporterQuery(BaseModel):
    q: str = Field("", max_length=100, description="in name, organization or role")
    active: bool | None = None
    limit: int = Limit
    offset: int = Offset


class SupporterFields(Strict):
    name: str | None = Field(None, max_length=200)
    role: str | None = Field(None, max_length=40, description="a role code or title (RN, NP, MD …)")
    organization: str | None = Field(None, max_length=300)
    languages: list[str] | None = Field(None, max_length=4)
    level: int | None = Field(None, description="1 student … 4 attending")
    training_tier: str | None = Field(None, max_length=60, description="1, 2, 3 or trainee")
    monthly_cap_hours: float | None = Field(None, description="above 0, up to 160")
    timezone: str | None = Field(None, max_length=64)
    schedule: list[Window] | None = Field(None, max_length=100)
    on_shift: bool | None = Field(
        None, description="true AVAILABLE, false AWAY, null follow the schedule"
    )
    new_organization: bool = Field(
        False, description="the organization is new though it looks like a known one"
    )


class SupporterIn(SupporterFields):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=40)
    role: str = Field(min_length=1, max_length=40)
    organization: str = Field(min_length=1, max_length=300)
    languages: list[str] = Field(min_length=1, max_length=4)


class SupporterPatch(SupporterFields):
    phone: str | None = Field(None, max_length=40)
    active: bool | None = None
    trained: bool | None = None


class PhoneOut(BaseModel):
    phone: str


class ImportIn(Strict):
    csv: str = Field(
        min_length=1, max_length=2_000_000, description="the file's text, header first"
    )
    new_organizations: list[str] = Field(default_factory=list, max_length=100)


class ImportRow(BaseModel):
    name: str
    role: str
    organization: str | None
    languages: list[str]
    schedule: str
    on_shift: bool | None


class ImportPreview(BaseModel):
    ok: bool = Field(description="false: nothing would be imported; see errors")
    rows: list[ImportRow]
    errors: list[str]
    warnings: list[str]
    new_organizations: list[str]


class Imported(BaseModel):
    count: int
    new_organizations: list[str]
    warnings: list[str]


class ExportQuery(BaseModel):
    numbers: bool = Field(False, description="include phone numbers (admin only, audited)")


class CoordinatorOut(BaseModel):
    id: str
    name: str
    timezone: str
    on_call: list[Window] = Field(description="empty: always on call")
    on_call_text: str
    on_call_now: bool
    backup_order: int = Field(description="paging order, lowest first")
    paged_position: int | None = Field(description="1 = paged first right now")
    active: bool

    @classmethod
    def of(cls, v: CoordinatorView) -> CoordinatorOut:
        r = v.record
        return cls(
            id=r.id,
            name=r.name,
            timezone=r.timezone,
            on_call=windows(r.on_call),
            on_call_text=v.on_call_text,
            on_call_now=v.on_call_now,
            backup_order=r.backup_order,
            paged_position=v.paged_position,
            active=r.active,
        )


class CoordinatorPage(PageInfo):
    items: list[CoordinatorOut]


class CoordinatorPatch(Strict):
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    timezone: str | None = Field(None, max_length=64)
    on_call: list[Window] | None = Field(None, max_length=100, description="[] = always on call")
    backup_order: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None


class CoordinatorIn(CoordinatorPatch):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=1, max_length=40)
