"""Weekly schedules in supporters' zones, overrides, callback windows, midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ivr.model import CallbackWindow
from matching import Availability, InvalidSchedule, NaiveDatetime, WeeklyWindow, next_window
from matching.availability import DAY, WEEK, When, wall_spans

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
MSK = ZoneInfo("Europe/Moscow")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def shift(day: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(day, time.fromisoformat(start), time.fromisoformat(end))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, zone: ZoneInfo = NY) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


# 2024-11-04 is a Monday; US clocks fell back on Sunday 2024-11-03 and sprang forward on
# Sunday 2024-03-10.
@pytest.mark.parametrize(
    ("windows", "moment", "expected"),
    [
        ((shift(MON, "09:00", "17:00"),), local("2024-11-04T09:00"), True),  # start inclusive
        ((shift(MON, "09:00", "17:00"),), local("2024-11-04T16:59:59"), True),
        ((shift(MON, "09:00", "17:00"),), local("2024-11-04T17:00"), False),  # end exclusive
        ((shift(MON, "09:00", "17:00"),), local("2024-11-04T08:59"), False),
        ((shift(MON, "09:00", "17:00"),), local("2024-11-05T10:00"), False),  # Tuesday
        # Across midnight: Friday 22:00 to Saturday 06:00.
        ((shift(FRI, "22:00", "06:00"),), local("2024-11-08T23:30"), True),
        ((shift(FRI, "22:00", "06:00"),), local("2024-11-09T05:59"), True),
        ((shift(FRI, "22:00", "06:00"),), local("2024-11-09T06:00"), False),
        ((shift(FRI, "22:00", "06:00"),), local("2024-11-08T21:59"), False),
        ((shift(FRI, "22:00", "06:00"),), local("2024-11-09T23:00"), False),  # not Saturday
        # Sunday night into Monday morning wraps the week.
        ((shift(SUN, "22:00", "02:00"),), local("2024-11-04T01:00"), True),
        ((shift(SUN, "22:00", "02:00"),), local("2024-11-10T23:00"), True),
        ((shift(SUN, "22:00", "02:00"),), local("2024-11-04T02:00"), False),
        # start == end is a 24-hour shift.
        ((shift(WED, "00:00", "00:00"),), local("2024-11-06T00:00"), True),
        ((shift(WED, "00:00", "00:00"),), local("2024-11-06T23:59"), True),
        ((shift(WED, "00:00", "00:00"),), local("2024-11-07T00:00"), False),
        ((shift(WED, "08:00", "08:00"),), local("2024-11-07T07:59"), True),
        # Touching and overlapping windows merge into one shift.
        (
            (shift(MON, "08:00", "12:00"), shift(MON, "12:00", "16:00")),
            local("2024-11-04T12:00"),
            True,
        ),
        (
            (shift(MON, "08:00", "13:00"), shift(MON, "12:00", "16:00")),
            local("2024-11-04T15:00"),
            True,
        ),
        (
            (shift(MON, "08:00", "13:00"), shift(MON, "12:00", "16:00")),
            local("2024-11-04T16:00"),
            False,
        ),
        ((), local("2024-11-04T12:00"), False),  # no schedule, no override: never
    ],
)
def test_available_at(windows: tuple[WeeklyWindow, ...], moment: datetime, expected: bool) -> None:
    assert Availability(NY, windows).available_at(moment) is expected
    assert Availability(NY, windows).available_at(moment.astimezone(UTC)) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc("2024-03-04T13:30"), False),  # EST: 08:30 in New York
        (utc("2024-03-11T13:30"), True),  # EDT: 09:30 in New York, same UTC time
        (utc("2024-11-04T14:30"), True),  # back on EST: 09:30
        (utc("2024-11-04T13:30"), False),
    ],
)
def test_schedule_follows_daylight_saving(moment: datetime, expected: bool) -> None:
    weekdays = tuple(shift(day, "09:00", "17:00") for day in (MON, TUE, WED, THU, FRI))
    assert Availability(NY, weekdays).available_at(moment) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc("2024-11-03T05:30"), True),  # 01:30 EDT, the first time round
        (utc("2024-11-03T06:30"), True),  # 01:30 EST, the second time round
        (utc("2024-11-03T10:59"), True),  # 05:59 EST
        (utc("2024-11-03T11:00"), False),  # 06:00 EST: the shift is over
        (utc("2024-03-10T07:30"), True),  # 03:30 EDT: 02:00-03:00 never happened
        (utc("2024-03-10T09:59"), True),  # 05:59 EDT
        (utc("2024-03-10T10:00"), False),  # 06:00 EDT
    ],
)
def test_overnight_shift_across_a_dst_night(moment: datetime, expected: bool) -> None:
    assert Availability(NY, (shift(SAT, "22:00", "06:00"),)).available_at(moment) is expected


def test_each_supporter_is_read_in_their_own_zone() -> None:
    moment = utc("2024-11-04T15:00")  # 10:00 in New York, 07:00 in Los Angeles
    nine_to_five = (shift(MON, "09:00", "17:00"),)
    assert Availability(NY, nine_to_five).available_at(moment)
    assert not Availability(LA, nine_to_five).available_at(moment)
    when = When(moment)  # one When, both zones, each converted once
    assert when.admits(Availability(NY, nine_to_five))
    assert not when.admits(Availability(LA, nine_to_five))


@pytest.mark.parametrize(
    ("windows", "override", "expected"),
    [
        ((), True, True),  # texted AVAILABLE: on shift whatever the schedule says
        ((shift(MON, "00:00", "00:00"),), False, False),  # texted AWAY
        ((shift(MON, "00:00", "00:00"),), None, True),  # None: follow the schedule
        ((), None, False),
    ],
)
def test_override(windows: tuple[WeeklyWindow, ...], override: bool | None, expected: bool) -> None:
    availability = Availability(NY, windows, override=override)
    assert availability.available_at(local("2024-11-04T12:00")) is expected
    assert availability.available_in(CallbackWindow.EVENING, local("2024-11-04T12:00")) is expected


@pytest.mark.parametrize(
    ("window", "now", "start", "end"),
    [
        (CallbackWindow.MORNING, "2024-11-04T07:00", "2024-11-04T08:00", "2024-11-04T12:00"),
        (CallbackWindow.MORNING, "2024-11-04T10:30", "2024-11-04T10:30", "2024-11-04T12:00"),
        (CallbackWindow.MORNING, "2024-11-04T12:00", "2024-11-05T08:00", "2024-11-05T12:00"),
        (CallbackWindow.AFTERNOON, "2024-11-04T07:00", "2024-11-04T12:00", "2024-11-04T17:00"),
        (CallbackWindow.EVENING, "2024-11-04T16:00", "2024-11-04T17:00", "2024-11-04T21:00"),
        (CallbackWindow.EVENING, "2024-11-04T23:00", "2024-11-05T17:00", "2024-11-05T21:00"),
        (CallbackWindow.EVENING, "2024-11-10T22:00", "2024-11-11T17:00", "2024-11-11T21:00"),
    ],
)
def test_next_window(window: CallbackWindow, now: str, start: str, end: str) -> None:
    assert next_window(local(now), window, NY) == (local(start), local(end))
    assert next_window(local(now).astimezone(UTC), window, NY) == (local(start), local(end))


@pytest.mark.parametrize(
    ("windows", "window", "now", "expected"),
    [
        ((shift(MON, "10:00", "11:00"),), CallbackWindow.MORNING, "2024-11-04T07:00", True),
        ((shift(MON, "13:00", "15:00"),), CallbackWindow.MORNING, "2024-11-04T07:00", False),
        ((shift(MON, "13:00", "15:00"),), CallbackWindow.AFTERNOON, "2024-11-04T07:00", True),
        ((shift(MON, "06:00", "08:00"),), CallbackWindow.MORNING, "2024-11-04T07:00", False),
        ((shift(MON, "06:00", "08:01"),), CallbackWindow.MORNING, "2024-11-04T07:00", True),
        # Part of the window has passed: only what is left counts.
        ((shift(MON, "09:00", "10:00"),), CallbackWindow.MORNING, "2024-11-04T10:30", False),
        ((shift(MON, "09:00", "10:31"),), CallbackWindow.MORNING, "2024-11-04T10:30", True),
        # Today's window is over: tomorrow's.
        ((shift(TUE, "11:00", "12:00"),), CallbackWindow.MORNING, "2024-11-04T13:00", True),
        ((shift(MON, "11:00", "12:00"),), CallbackWindow.MORNING, "2024-11-04T13:00", False),
        # Evening in a shift that started the night before does not count.
        ((shift(SUN, "20:00", "18:00"),), CallbackWindow.EVENING, "2024-11-04T09:00", True),
        ((shift(SUN, "20:00", "17:00"),), CallbackWindow.EVENING, "2024-11-04T09:00", False),
        # asap means now.
        ((shift(MON, "09:00", "10:00"),), CallbackWindow.ASAP, "2024-11-04T09:30", True),
        ((shift(MON, "09:00", "10:00"),), CallbackWindow.ASAP, "2024-11-04T10:30", False),
    ],
)
def test_available_in_callback_window(
    windows: tuple[WeeklyWindow, ...], window: CallbackWindow, now: str, expected: bool
) -> None:
    assert Availability(NY, windows).available_in(window, local(now)) is expected


def test_callback_window_in_the_callers_zone() -> None:
    # A Boston caller's morning (08-12 ET) is 05-09 in Los Angeles.
    early = Availability(LA, (shift(MON, "05:00", "07:00"),))
    now = local("2024-11-04T06:00")
    assert early.available_in(CallbackWindow.MORNING, now, zone=NY)
    assert not early.available_in(CallbackWindow.MORNING, now)  # LA's own morning: 08-12


def test_callback_window_that_crosses_the_end_of_the_week() -> None:
    # Sunday evening in New York (17-21 EST) is 22:00 Sunday to 02:00 Monday in UTC.
    monday_early = Availability(ZoneInfo("UTC"), (shift(MON, "01:00", "01:30"),))
    now = local("2024-11-10T12:00")
    assert monday_early.available_in(CallbackWindow.EVENING, now, zone=NY)


def test_wall_spans_across_dst_nights() -> None:
    # Fall back: 01:10 EDT to 02:40 EST passes 01:10-02:00, then 01:00-02:40 again.
    sunday = 6 * DAY
    assert wall_spans(utc("2024-11-03T05:10:30"), utc("2024-11-03T07:40"), NY) == (
        (sunday + 70, sunday + 120),
        (sunday + 60, sunday + 160),
    )
    # Spring forward: 01:30 EST to 04:00 EDT skips 02:00-03:00.
    assert wall_spans(utc("2024-03-10T06:30"), utc("2024-03-10T08:00"), NY) == (
        (sunday + 90, sunday + 120),
        (sunday + 180, sunday + 240),
    )
    # Partial minutes count whole; an empty interval covers nothing.
    assert wall_spans(utc("2024-11-04T14:00:30"), utc("2024-11-04T14:01:10"), NY) == (
        (9 * 60, 9 * 60 + 2),
    )
    assert wall_spans(utc("2024-11-04T14:00"), utc("2024-11-04T14:00"), NY) == ()


def test_autumn_repeated_hour_is_covered_in_a_callback_window() -> None:
    # A caller in Moscow (UTC+3) wants the rest of this morning, 08:40-12:00 MSK on
    # 2024-11-03: 01:40 EDT to 04:00 EST in New York, where 01:00-02:00 comes round twice.
    # A 01:00-01:20 shift is met the second time only.
    owl = Availability(NY, (shift(SUN, "01:00", "01:20"),))
    now = utc("2024-11-03T05:40")
    assert owl.available_in(CallbackWindow.MORNING, now, zone=MSK)
    assert not owl.available_in(CallbackWindow.MORNING, utc("2024-11-03T06:30"), zone=MSK)


@pytest.mark.parametrize(
    ("window", "span"),
    [
        (shift(MON, "09:00", "17:00"), (540, 1020)),
        (shift(TUE, "22:00", "06:00"), (DAY + 1320, DAY + 1800)),
        (shift(SUN, "22:00", "02:00"), (6 * DAY + 1320, WEEK + 120)),
        (shift(WED, "07:30", "07:30"), (2 * DAY + 450, 3 * DAY + 450)),
    ],
)
def test_window_span(window: WeeklyWindow, span: tuple[int, int]) -> None:
    assert window.span == span


@pytest.mark.parametrize("day", [-1, 7])
def test_day_out_of_range(day: int) -> None:
    with pytest.raises(InvalidSchedule):
        WeeklyWindow(day, time(9), time(17))


def test_window_times_are_wall_clock() -> None:
    with pytest.raises(InvalidSchedule):
        WeeklyWindow(MON, time(9, tzinfo=UTC), time(17))


def test_naive_now_is_refused() -> None:
    with pytest.raises(NaiveDatetime):
        Availability(NY).available_at(datetime(2024, 11, 4, 12))
