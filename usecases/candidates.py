"""Translate stored rows into the pure matching core's values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.model import CallbackWindow, ContactMode, Language, OrgPreference, Role, Urgency
from matching import Availability, Candidate, Level, MatchRequest, TrainingPolicy, WeeklyWindow
from matching.training import DEFAULT_POLICY, in_training
from storage.records import RequestRecord
from storage.roster import SupporterRecord

UTC_ZONE = ZoneInfo("UTC")


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


def weekly(
    hours: Sequence[Sequence[object]], timezone: str, override: bool | None = None
) -> Availability:
    """Stored weekly hours ``[(day, "HH:MM", "HH:MM"), …]`` in ``timezone`` as matching
    reads them (a window ending before it starts runs past midnight)."""
    windows = tuple(
        WeeklyWindow(int(str(day)), time.fromisoformat(str(start)), time.fromisoformat(str(end)))
        for day, start, end in hours
    )
    return Availability(zone(timezone), windows, override)


def availability(record: SupporterRecord) -> Availability:
    hours = tuple(tuple(window) for window in record.schedule)
    return _weekly(hours, record.timezone, record.on_shift)


@lru_cache(maxsize=4096)
def _weekly(
    hours: tuple[tuple[object, ...], ...], timezone: str, override: bool | None
) -> Availability:
    """``weekly`` for the dispatcher's hot path: a roster repeats a few shift patterns, and
    every dispatch converts each free supporter (an ``Availability`` is immutable)."""
    return weekly(hours, timezone, override)


@lru_cache(maxsize=256)
def _languages(codes: tuple[str, ...]) -> frozenset[Language]:
    return frozenset(Language(x) for x in codes if x in Language._value2member_map_)


def candidate(
    record: SupporterRecord, month_key: str, training: TrainingPolicy = DEFAULT_POLICY
) -> Candidate:
    """``record`` as matching sees it; ``training`` dates the refresher from the ledger."""
    return Candidate(
        id=record.id,
        first_name=record.first_name,
        role=Role(record.role),
        availability=availability(record),
        organization=record.organization,
        languages=_languages(record.languages),
        level=Level(record.level) if record.level in (1, 2, 3, 4) else None,
        active=record.active,
        trained=record.trained,
        busy=record.busy,
        minutes_this_month=record.minutes_in(month_key),
        monthly_cap_minutes=record.monthly_cap_minutes,
        cool_off_until=record.cool_off_until,
        last_call_ended_at=record.last_call_ended_at,
        flagged_bad_number=record.bad_number,
        refresher_due=training.refresher_due(record.trained_on, record.refreshed_on),
        in_training=in_training(record.training_tier),
    )


class Candidates:
    """``candidate`` for many records, each converted once per month while the same record
    object comes back (``RosterStore.free_supporters`` returns the same record for an
    unchanged row). An entry holds its record, so an id is never reused while cached."""

    LIMIT = 50_000

    def __init__(self, training: TrainingPolicy = DEFAULT_POLICY) -> None:
        self.training = training
        self._made: dict[int, tuple[SupporterRecord, str, Candidate]] = {}

    def of(self, records: Sequence[SupporterRecord], month_key: str) -> list[Candidate]:
        made, out = self._made, []
        if len(made) > self.LIMIT:
            made.clear()
        for record in records:
            hit = made.get(id(record))
            if hit is None or hit[0] is not record or hit[1] != month_key:
                hit = made[id(record)] = (
                    record,
                    month_key,
                    candidate(record, month_key, self.training),
                )
            out.append(hit[2])
        return out


def match_request(
    request: RequestRecord, exclude: frozenset[str], zone: ZoneInfo | None = None
) -> MatchRequest:
    """``zone``: where the call-back window is read (the program's); None, each supporter's."""
    return MatchRequest(
        role=Role(request.role),
        urgency=Urgency(request.urgency),
        language=Language(request.language),
        org_preference=OrgPreference(request.org_preference or OrgPreference.OUTSIDE),
        organization=request.organization,
        organization_unknown=request.organization_unknown,
        contact_mode=ContactMode(request.contact_mode),
        callback_window=CallbackWindow(request.callback_window)
        if request.callback_window
        else None,
        previous_supporter_id=request.previous_supporter_id,
        callback_zone=zone,
        exclude=exclude,
        other_role_ok=request.other_role_ok,
        other_language_ok=request.other_language_ok,
    )


def month_key(now: datetime) -> str:
    return now.strftime("%Y-%m")
