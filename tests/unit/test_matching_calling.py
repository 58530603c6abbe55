"""When a caller may be called: their window, in the program's zone, outside the quiet hours."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from ivr.model import CallbackWindow, ContactMode
from matching.calling import CallingHours, QuietHours

BOSTON = ZoneInfo("America/New_York")
W = CallbackWindow
CALLBACK, HOLD, TEXT_FIRST = ContactMode.CALLBACK, ContactMode.HOLD, ContactMode.TEXT_FIRST


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BOSTON)


@pytest.mark.parametrize(
    ("now", "mode", "window", "quiet", "expected"),
    [
        # "as soon as possible" and a caller holding on the line: any hour
        ("2026-11-24 03:00", CALLBACK, W.ASAP, "21:00-08:00", "2026-11-24 03:00"),
        ("2026-11-24 23:30", HOLD, None, "21:00-08:00", "2026-11-24 23:30"),
        # a window: not at 4 a.m. because someone is on shift, but when it opens
        ("2026-11-24 04:00", CALLBACK, W.AFTERNOON, "21:00-08:00", "2026-11-24 12:00"),
        ("2026-11-24 13:10", CALLBACK, W.AFTERNOON, "21:00-08:00", "2026-11-24 13:10"),
        ("2026-11-24 17:00", CALLBACK, W.AFTERNOON, "21:00-08:00", "2026-11-25 12:00"),
        ("2026-11-24 21:30", CALLBACK, W.EVENING, "21:00-08:00", "2026-11-25 17:00"),
        # "text me first" has no window: any hour outside the quiet ones
        ("2026-11-24 23:00", TEXT_FIRST, None, "21:00-08:00", "2026-11-25 08:00"),
        ("2026-11-24 02:00", TEXT_FIRST, None, "21:00-08:00", "2026-11-24 08:00"),
        ("2026-11-24 10:00", TEXT_FIRST, None, "21:00-08:00", "2026-11-24 10:00"),
        # wider quiet hours trim the windows
        ("2026-11-24 07:00", CALLBACK, W.MORNING, "20:00-09:00", "2026-11-24 09:00"),
        ("2026-11-24 20:30", CALLBACK, W.EVENING, "20:00-09:00", "2026-11-25 17:00"),
        # no quiet hours at all
        ("2026-11-24 23:00", TEXT_FIRST, None, "", "2026-11-24 23:00"),
        # a window wholly inside the quiet hours is still the caller's choice
        ("2026-11-24 10:00", CALLBACK, W.EVENING, "16:00-23:00", "2026-11-24 17:00"),
    ],
)
def test_earliest_call(
    now: str, mode: ContactMode, window: CallbackWindow | None, quiet: str, expected: str
) -> None:
    hours = CallingHours(BOSTON, QuietHours.parse(quiet))
    assert hours.earliest(at(now), mode, window) == at(expected)
    assert hours.may_call(at(now), mode, window) is (now == expected)


def test_the_window_is_read_in_the_program_zone_whatever_the_clock_says() -> None:
    hours = CallingHours(BOSTON)
    utc_noon = datetime.fromisoformat("2026-11-24 12:00+00:00")  # 07:00 in Boston
    assert hours.earliest(utc_noon, CALLBACK, W.AFTERNOON) == at("2026-11-24 12:00")


@pytest.mark.parametrize(
    ("quiet", "local", "covered"),
    [
        ("21:00-08:00", "20:59", False),
        ("21:00-08:00", "21:00", True),
        ("21:00-08:00", "03:00", True),
        ("21:00-08:00", "08:00", False),
        ("01:00-05:00", "03:00", True),
        ("01:00-05:00", "05:00", False),
        ("", "03:00", False),
    ],
)
def test_quiet_hours(quiet: str, local: str, covered: bool) -> None:
    moment = datetime.combine(at("2026-11-24 00:00").date(), time.fromisoformat(local), BOSTON)
    assert QuietHours.parse(quiet).covers(moment) is covered
