from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from usecases.report_figures import Promise, p90, presets, promise, share, timing, weeks
from usecases.supporter_hours import Standing, standing
from usecases.suppression import shown

T0 = datetime(2026, 11, 2, 15, tzinfo=UTC)
DUE = T0 + timedelta(hours=2)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("connected", "closed", "status", "now", "expected"),
    [
        (T0 + H, None, "completed", T0 + 5 * H, Promise.MET),
        (DUE, None, "completed", T0 + 5 * H, Promise.MET),  # at the promise: kept
        (DUE + H, None, "completed", T0 + 5 * H, Promise.MISSED),
        (None, None, "waiting", T0 + H, Promise.PENDING),
        (None, None, "waiting", DUE + H, Promise.MISSED),  # open and overdue
        (None, DUE + H, "expired", DUE + H, Promise.MISSED),
        (None, T0 + H, "withdrawn", DUE + H, Promise.WITHDRAWN),  # left before the promise
        (None, DUE + H, "withdrawn", DUE + H, Promise.MISSED),  # left after it passed
    ],
)
def test_the_promise(
    connected: datetime | None,
    closed: datetime | None,
    status: str,
    now: datetime,
    expected: Promise,
) -> None:
    assert promise(T0, connected, closed, status, DUE, now) is expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [([10.0], 10.0), ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 9.0), ([5.0, 1.0], 5.0)],
)
def test_p90_by_nearest_rank(values: list[float], expected: float) -> None:
    assert p90(values) == expected


def test_timing_hides_figures_behind_fewer_than_the_threshold() -> None:
    assert timing("today", [10.0, 20.0, 30.0, 40.0], 5).median_minutes is None
    five = timing("today", [10.0, 20.0, 30.0, 40.0, 50.0], 5)
    assert (five.median_minutes, five.p90_minutes) == (30.0, 50.0)


@pytest.mark.parametrize(
    ("met", "missed", "expected"),
    [(9, 6, "60%"), (9, 0, "100%"), (9, 3, "*"), (0, 0, "n/a")],
)
def test_a_share_only_when_both_counts_show(met: int, missed: int, expected: str) -> None:
    assert share(shown(met), shown(missed)) == expected


@pytest.mark.parametrize(
    ("minutes", "cap", "expected"),
    [
        (0, 240, Standing.UNDER),
        (119, 240, Standing.UNDER),
        (120, 240, Standing.WITHIN),
        (191, 240, Standing.WITHIN),
        (192, 240, Standing.NEAR_CAP),  # 80% of the cap
        (240, 240, Standing.AT_CAP),
        (100, 120, Standing.NEAR_CAP),  # a smaller cap of their own
    ],
)
def test_supporter_standing(minutes: int, cap: int, expected: Standing) -> None:
    assert standing(minutes, cap) is expected


def test_weeks_start_on_monday() -> None:
    assert list(weeks(date(2026, 11, 4), date(2026, 11, 17))) == [
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
    ]


def test_presets_name_last_month() -> None:
    found = {label: (first, last) for label, first, last in presets(date(2026, 1, 14))}
    assert found["last month"] == (date(2025, 12, 1), date(2025, 12, 31))
    assert found["this month"] == (date(2026, 1, 1), date(2026, 1, 14))
    assert found["last 12 weeks"][0] == date(2025, 10, 27)  # a Monday, 11 weeks before
