"""Service levels: the promise made to a caller, and when a coordinator hears first. Pure.

Urgent: the promise is two hours, and a coordinator is paged if nobody accepted within 15
minutes. Soon: one business day. Routine: two business days; for these two a coordinator
is paged at a share of the promise (default 75%, counted in business time), not at the
deadline. Business days skip weekends and the closed days (``Closures``: public holidays
and the program's own), in the program's time zone. A call back asked for in a window is
promised no sooner than the end of that window.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr.model import CallbackWindow, Urgency
from matching.availability import next_window

URGENT_ALERT = timedelta(minutes=15)
PAGE_AT_SHARE = 0.75
# Nobody could take a request: how long before dispatch tries the roster again.
REDISPATCH_AFTER = {
    Urgency.URGENT: timedelta(minutes=2),
    Urgency.SOON: timedelta(minutes=15),
    Urgency.ROUTINE: timedelta(hours=1),
}
PROMISE = {Urgency.URGENT: timedelta(hours=2)}
BUSINESS_DAYS = {Urgency.SOON: 1, Urgency.ROUTINE: 2}
ClosedDays = Container[date]  # days without business hours


@dataclass(frozen=True)
class Closures:
    """Days without business hours: a public-holiday calendar (any container of dates, e.g.
    the ``holidays`` package's ``country_holidays("US", subdiv="MA")``) and the program's own
    closures."""

    public: Container[date] = ()
    program: frozenset[date] = field(default_factory=frozenset)

    def __contains__(self, day: object) -> bool:
        return day in self.program or day in self.public


def business_day(day: date, holidays: ClosedDays) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(
    start: datetime, days: int, zone: ZoneInfo, holidays: ClosedDays = ()
) -> datetime:
    """``start`` moved ``days`` business days later, same wall-clock time."""
    local = start.astimezone(zone)
    moved = 0
    while moved < days:
        local += timedelta(days=1)
        if business_day(local.date(), holidays):
            moved += 1
    return local.replace(tzinfo=None).replace(tzinfo=zone)  # re-resolve the UTC offset (DST)


def _midnight_after(local: datetime, zone: ZoneInfo) -> datetime:
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)


def business_time(
    start: datetime, end: datetime, zone: ZoneInfo, holidays: ClosedDays = ()
) -> timedelta:
    """How much of [start, end) falls on business days (wall-clock time)."""
    local, last = start.astimezone(zone), end.astimezone(zone)
    total = timedelta(0)
    while local < last:
        stop = min(_midnight_after(local, zone), last)
        if business_day(local.date(), holidays):
            total += stop.replace(tzinfo=None) - local.replace(tzinfo=None)
        local = stop
    return total


def add_business_time(
    start: datetime, span: timedelta, zone: ZoneInfo, holidays: ClosedDays = ()
) -> datetime:
    """The moment ``span`` of business-day (wall-clock) time after ``start``."""
    local = start.astimezone(zone)
    while True:
        midnight = _midnight_after(local, zone)
        if business_day(local.date(), holidays):
            room = midnight.replace(tzinfo=None) - local.replace(tzinfo=None)
            if span <= room:
                return (local.replace(tzinfo=None) + span).replace(tzinfo=zone)
            span -= room
        local = midnight


def due_by(
    created: datetime, urgency: Urgency, zone: ZoneInfo, holidays: ClosedDays = ()
) -> datetime:
    """The service level's promise."""
    if urgency in PROMISE:
        return created + PROMISE[urgency]
    return add_business_days(created, BUSINESS_DAYS[urgency], zone, holidays)


def promised_by(
    created: datetime,
    urgency: Urgency,
    window: CallbackWindow | None,
    zone: ZoneInfo,
    holidays: ClosedDays = (),
) -> datetime:
    """The promise, kept for the caller's own choice too: a call back asked for "in the
    evening" is due no sooner than the end of the first such window after the request."""
    due = due_by(created, urgency, zone, holidays)
    if window is None or window is CallbackWindow.ASAP:
        return due
    return max(due, next_window(created, window, zone)[1])


def alert_at(
    created: datetime,
    urgency: Urgency,
    zone: ZoneInfo,
    holidays: ClosedDays = (),
    *,
    window: CallbackWindow | None = None,
    share: float = PAGE_AT_SHARE,
) -> datetime:
    """When a still-unaccepted request pages the on-call coordinator: 15 minutes for
    urgent (after the start of the caller's window, if they chose one), else ``share`` of
    the business time between the request and its promise."""
    windowed = window is not None and window is not CallbackWindow.ASAP
    if urgency is Urgency.URGENT:
        start = next_window(created, window, zone)[0] if windowed and window else created
        return start + URGENT_ALERT
    promise = promised_by(created, urgency, window, zone, holidays)
    span = business_time(created, promise, zone, holidays)
    return add_business_time(created, span * share, zone, holidays)
