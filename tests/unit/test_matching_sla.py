from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.model import CallbackWindow, Urgency
from matching.sla import Closures, add_business_days, alert_at, due_by, promised_by

BOSTON = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BOSTON)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-23 10:00", 1, "2026-11-24 10:00"),  # Monday → Tuesday
        ("2026-11-27 16:00", 1, "2026-11-30 16:00"),  # Friday → Monday
        ("2026-11-28 09:00", 1, "2026-11-30 09:00"),  # Saturday → Monday
        ("2026-11-27 16:00", 2, "2026-12-01 16:00"),  # Friday → Tuesday
    ],
)
def test_business_days_skip_weekends(start: str, days: int, expected: str) -> None:
    assert add_business_days(at(start), days, BOSTON) == at(expected)


def test_business_days_skip_holidays() -> None:
    thanksgiving = {date(2026, 11, 26)}
    assert add_business_days(at("2026-11-25 12:00"), 1, BOSTON, thanksgiving) == at(
        "2026-11-27 12:00"
    )


def test_business_days_keep_wall_clock_time_across_dst() -> None:
    before = at("2026-10-30 09:00")  # Friday, EDT
    after = add_business_days(before, 1, BOSTON)  # Monday, EST
    assert after.hour == 9 and after.utcoffset() == timedelta(hours=-5)


def test_alert_and_promise_by_urgency() -> None:
    created = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert alert_at(created, Urgency.URGENT, BOSTON) == created + timedelta(minutes=15)
    assert due_by(created, Urgency.URGENT, BOSTON) == created + timedelta(hours=2)
    assert due_by(created, Urgency.SOON, BOSTON) == add_business_days(created, 1, BOSTON)
    assert due_by(created, Urgency.ROUTINE, BOSTON) == add_business_days(created, 2, BOSTON)


@pytest.mark.parametrize(
    ("created", "urgency", "window", "expected"),
    [
        ("2026-11-24 09:00", Urgency.URGENT, None, "2026-11-24 11:00"),
        ("2026-11-24 09:00", Urgency.URGENT, CallbackWindow.ASAP, "2026-11-24 11:00"),
        # "today, in the evening": the promise is the end of this evening's window
        ("2026-11-24 09:00", Urgency.URGENT, CallbackWindow.EVENING, "2026-11-24 21:00"),
        # after today's evening is over: tomorrow evening's
        ("2026-11-24 22:00", Urgency.URGENT, CallbackWindow.EVENING, "2026-11-25 21:00"),
        # a business day already ends later than the morning window
        ("2026-11-24 09:00", Urgency.SOON, CallbackWindow.MORNING, "2026-11-25 09:00"),
    ],
)
def test_the_promise_waits_for_the_window_the_caller_chose(
    created: str, urgency: Urgency, window: CallbackWindow | None, expected: str
) -> None:
    assert promised_by(at(created), urgency, window, BOSTON) == at(expected)


@pytest.mark.parametrize(
    ("created", "urgency", "window", "expected"),
    [
        ("2026-11-24 09:00", Urgency.URGENT, None, "2026-11-24 09:15"),
        # urgent, "in the evening": 15 minutes after the window opens, not after the call
        ("2026-11-24 09:00", Urgency.URGENT, CallbackWindow.EVENING, "2026-11-24 17:15"),
        # soon: 75% of one business day (24 h of business time)
        ("2026-11-24 10:00", Urgency.SOON, None, "2026-11-25 04:00"),
        # routine from a Friday: 75% of Fri 16:00 → Tue 16:00 counted on business days only
        ("2026-11-20 16:00", Urgency.ROUTINE, None, "2026-11-24 04:00"),
    ],
)
def test_the_coordinator_hears_at_three_quarters_of_the_promise(
    created: str, urgency: Urgency, window: CallbackWindow | None, expected: str
) -> None:
    assert alert_at(at(created), urgency, BOSTON, window=window) == at(expected)
    assert alert_at(at(created), urgency, BOSTON, window=window) < promised_by(
        at(created), urgency, window, BOSTON
    )


def test_the_share_is_a_setting() -> None:
    created = at("2026-11-24 10:00")
    assert alert_at(created, Urgency.SOON, BOSTON, share=0.5) == at("2026-11-24 22:00")
    assert alert_at(created, Urgency.SOON, BOSTON, share=1.0) == due_by(
        created, Urgency.SOON, BOSTON
    )


def test_public_holidays_come_from_the_holidays_package_by_state() -> None:
    import holidays

    massachusetts = Closures(holidays.country_holidays("US", subdiv="MA"))
    friday = at("2026-04-17 10:00")  # Monday 2026-04-20 is Patriots' Day
    assert due_by(friday, Urgency.SOON, BOSTON, massachusetts) == at("2026-04-21 10:00")
    federal = Closures(holidays.country_holidays("US"))
    assert due_by(friday, Urgency.SOON, BOSTON, federal) == at("2026-04-20 10:00")
    # the program's own closures add to the calendar
    closed_monday = Closures(holidays.country_holidays("US"), frozenset({date(2026, 4, 20)}))
    assert due_by(friday, Urgency.SOON, BOSTON, closed_monday) == at("2026-04-21 10:00")
    # Thanksgiving (federal, Thursday 2026-11-26) is skipped
    wednesday = at("2026-11-25 12:00")
    assert due_by(wednesday, Urgency.SOON, BOSTON, federal) == at("2026-11-27 12:00")
