"""When a supporter can take a call: weekly windows in their own time zone, plus an override.

Windows are wall-clock times in the supporter's zone, so "Mon 09:00-17:00" follows daylight
saving time. A window whose end is at or before its start runs past midnight into the next
day (Fri 22:00-06:00 covers Saturday morning); start == end means 24 hours. Precision is the
minute. The override, when set, replaces the schedule entirely: True (texted AVAILABLE) is
available now and in any callback window, False (AWAY) is available never.

Callback windows are what the caller chose: morning 8-12, afternoon 12-17, evening 17-21
(what ``ivr.prompts`` promises), read in the request's ``callback_zone`` or, when it has
none, in each supporter's own zone; ``asap`` means now. The window used is the next one
that has not ended (today's, or tomorrow's once today's is over), clipped so it never starts
before ``now``. A supporter qualifies when their schedule overlaps it by at least a minute.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr.model import CallbackWindow
from matching.errors import InvalidSchedule, NaiveDatetime

MINUTE = timedelta(minutes=1)
DAY = 24 * 60
WEEK = 7 * DAY  # schedules are sets of minutes of the week, Monday 00:00 = 0

CALLBACK_WINDOWS: Mapping[CallbackWindow, tuple[time, time]] = {
    CallbackWindow.MORNING: (time(8), time(12)),
    CallbackWindow.AFTERNOON: (time(12), time(17)),
    CallbackWindow.EVENING: (time(17), time(21)),
}

Span = tuple[int, int]  # [start, end) in minutes of the week


def require_aware(moment: datetime) -> datetime:
    """``moment`` itself, or NaiveDatetime when it has no UTC offset."""
    if moment.utcoffset() is None:
        raise NaiveDatetime(f"{moment!r} has no time zone")
    return moment


def minute_of_week(local: datetime) -> int:
    """Minutes since Monday 00:00 of ``local``'s own wall clock (seconds dropped)."""
    return local.weekday() * DAY + local.hour * 60 + local.minute


@dataclass(frozen=True)
class WeeklyWindow:
    """A recurring shift on ``day`` (0 = Monday … 6 = Sunday, as ``datetime.weekday()``)."""

    day: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.day <= 6:
            raise InvalidSchedule(f"day must be 0 (Monday) to 6 (Sunday), not {self.day}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidSchedule("window times are wall-clock times; the zone is the schedule's")

    @property
    def span(self) -> Span:
        """Minutes of the week covered; the end passes WEEK when Sunday's window ends Monday."""
        first = self.start.hour * 60 + self.start.minute
        length = (self.end.hour * 60 + self.end.minute - first) % DAY or DAY
        start = self.day * DAY + first
        return start, start + length


@dataclass(frozen=True)
class Availability:
    """A supporter's weekly schedule in ``zone`` and the on/off-shift override (None = follow
    the schedule)."""

    zone: ZoneInfo
    windows: tuple[WeeklyWindow, ...] = ()
    override: bool | None = None
    bounds: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """Sorted, merged window edges: a minute is on shift when an odd number of edges are <= it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", _bounds(self.windows))

    def available_at(self, moment: datetime) -> bool:
        """Whether the supporter is on shift at ``moment``."""
        return When(moment).admits(self)

    def available_in(
        self, window: CallbackWindow, now: datetime, zone: ZoneInfo | None = None
    ) -> bool:
        """Whether the supporter is on shift during the next ``window`` (see the module doc)."""
        return When(now, window, zone).admits(self)


def _bounds(windows: tuple[WeeklyWindow, ...]) -> tuple[int, ...]:
    spans: list[Span] = []
    for window in windows:
        start, end = window.span
        if end > WEEK:  # Sunday night into Monday morning
            spans += [(start, WEEK), (0, end - WEEK)]
        else:
            spans.append((start, end))
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:  # overlapping or touching: one shift
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(edge for span in merged for edge in span)


def next_window(now: datetime, window: CallbackWindow, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The next ``window`` in ``zone`` that has not ended, starting no earlier than ``now``."""
    local = require_aware(now).astimezone(zone)
    first, last = CALLBACK_WINDOWS[window]
    day = local.date()
    end = datetime.combine(day, last, tzinfo=zone)
    if local >= end:  # same tzinfo: compared on the wall clock
        day += timedelta(days=1)
        end = datetime.combine(day, last, tzinfo=zone)
    return max(datetime.combine(day, first, tzinfo=zone), local), end


class When:
    """The minutes a request needs covered, seen from each zone.

    Converting an instant into a zone costs more than all the other checks on a candidate,
    so this converts once per zone and keeps the resulting minutes of the week.
    """

    __slots__ = ("_fixed", "_now", "_spans", "_window")

    def __init__(
        self, now: datetime, window: CallbackWindow | None = None, zone: ZoneInfo | None = None
    ) -> None:
        self._now = require_aware(now)
        self._window = None if window is CallbackWindow.ASAP else window
        self._fixed = (
            None if self._window is None or zone is None else next_window(now, self._window, zone)
        )
        self._spans: dict[ZoneInfo, tuple[Span, ...]] = {}

    def admits(self, availability: Availability) -> bool:
        """Whether ``availability`` covers at least one of the minutes needed."""
        if availability.override is not None:
            return availability.override
        spans = self._spans.get(availability.zone)
        if spans is None:
            spans = self._spans[availability.zone] = self._spans_in(availability.zone)
        bounds = availability.bounds
        for start, end in spans:
            i = bisect_right(bounds, start)
            if i & 1 or (i < len(bounds) and bounds[i] < end):
                return True
        return False

    def _spans_in(self, zone: ZoneInfo) -> tuple[Span, ...]:
        if self._window is None:
            minute = minute_of_week(self._now.astimezone(zone))
            return ((minute, minute + 1),)
        start, end = self._fixed or next_window(self._now, self._window, zone)
        return wall_spans(start, end, zone)


def wall_spans(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[Span, ...]:
    """The wall-clock minutes of the week that ``zone`` shows during [start, end).

    Split where the UTC offset changes, so a window across a DST night covers exactly the
    wall minutes it passes through (an hour twice in autumn, none in spring).
    """
    # Whole minutes, in UTC: aware arithmetic within one zone would ignore DST.
    start = start.astimezone(UTC).replace(second=0, microsecond=0)
    end = end.astimezone(UTC)
    end += (start - end) % MINUTE  # rounded up to a whole minute
    if end <= start:
        return ()
    local, last = start.astimezone(zone), (end - MINUTE).astimezone(zone)
    if local.utcoffset() != last.utcoffset():
        cut = _offset_change(start, end - MINUTE, zone)
        return wall_spans(start, cut, zone) + wall_spans(cut, end, zone)
    first = minute_of_week(local)
    stop = first + (end - start) // MINUTE
    return ((first, stop),) if stop <= WEEK else ((first, WEEK), (0, stop - WEEK))


def _offset_change(lo: datetime, hi: datetime, zone: ZoneInfo) -> datetime:
    """The first minute in (lo, hi] whose UTC offset in ``zone`` differs from ``lo``'s."""
    offset = lo.astimezone(zone).utcoffset()
    while (minutes := (hi - lo) // MINUTE) > 1:
        mid = lo + minutes // 2 * MINUTE
        if mid.astimezone(zone).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return hi
