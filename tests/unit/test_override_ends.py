"""AVAILABLE and AWAY by text lapse: nobody is rung at 3 a.m. because of last week's text."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from usecases.roster_commands import override_ends

BOSTON = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")


def at(text: str, zone: ZoneInfo = BOSTON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("now", "zone", "available", "duration", "expected"),
    [
        # AVAILABLE: to the end of the supporter's own day
        ("2026-11-24 09:00", BOSTON, True, None, at("2026-11-25 00:00")),
        ("2026-11-24 09:00", CHICAGO, True, None, at("2026-11-25 00:00", CHICAGO)),
        # late at night: two hours, not a few minutes
        ("2026-11-24 23:30", BOSTON, True, None, at("2026-11-25 01:30")),
        # a duration, capped at a day
        ("2026-11-24 09:00", BOSTON, True, timedelta(hours=2), at("2026-11-24 11:00")),
        ("2026-11-24 09:00", BOSTON, True, timedelta(days=3), at("2026-11-25 09:00")),
        # AWAY: until AVAILABLE, or for a while (at most 90 days)
        ("2026-11-24 09:00", BOSTON, False, None, None),
        ("2026-11-24 09:00", BOSTON, False, timedelta(days=3), at("2026-11-27 09:00")),
        ("2026-11-24 09:00", BOSTON, False, timedelta(days=999), at("2027-02-22 09:00")),
    ],
)
def test_override_ends(
    now: str,
    zone: ZoneInfo,
    available: bool,
    duration: timedelta | None,
    expected: datetime | None,
) -> None:
    assert override_ends(at(now), zone, available, duration) == expected
