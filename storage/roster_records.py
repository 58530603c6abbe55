"""A supporter as the rest of Peerline reads them: a frozen record, never a live row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any


@dataclass(frozen=True)
class SupporterRecord:
    id: str
    name: str
    role: str
    organization: str | None
    languages: tuple[str, ...]
    level: int | None
    trained: bool
    active: bool
    monthly_cap_minutes: int
    timezone: str
    schedule: list[list[Any]]
    on_shift: bool | None
    cool_off_until: datetime | None
    last_call_ended_at: datetime | None
    month_key: str
    month_minutes: int
    busy: bool
    bad_number: bool
    training_tier: str | None = None  # "1", "2", "3", "trainee" (in training) or None
    trained_on: date | None = None
    refreshed_on: date | None = None
    on_shift_until: datetime | None = None  # when AVAILABLE/AWAY lapses (None: until changed)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""

    def minutes_in(self, month_key: str) -> int:
        return self.month_minutes if self.month_key == month_key else 0


def supporter_record(r: Any, now: datetime | None = None) -> SupporterRecord:
    """The row as a record; an override that lapsed by ``now`` (default: the wall clock)
    reads as none, so the weekly schedule applies again."""
    lapsed = r.on_shift_until is not None and r.on_shift_until <= (now or datetime.now(UTC))
    return SupporterRecord(
        id=r.id,
        name=r.name,
        role=r.role,
        organization=r.organization,
        languages=tuple(x for x in r.languages.split(";") if x),
        level=r.level,
        trained=r.trained,
        active=r.active,
        monthly_cap_minutes=r.monthly_cap_minutes,
        timezone=r.timezone,
        schedule=list(r.schedule or []),
        on_shift=None if lapsed else r.on_shift,
        on_shift_until=None if lapsed else r.on_shift_until,
        cool_off_until=r.cool_off_until,
        last_call_ended_at=r.last_call_ended_at,
        month_key=r.month_key,
        month_minutes=r.month_minutes,
        busy=r.busy_offer_id is not None,
        bad_number=r.bad_number,
        training_tier=r.training_tier,
        trained_on=r.trained_on,
        refreshed_on=r.refreshed_on,
    )
