"""Service levels: when a waiting request must be in a coordinator's hands. Pure.

Urgent: a coordinator is paged if nobody accepted within 15 minutes (the promise is two
hours). Soon: one business day. Routine: two business days. Business days skip weekends
and the configured holidays, in the program's time zone.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ivr.model import CallbackWindow, Urgency
from matching.availability import next_window

URGENT_ALERT = timedelta(minutes=15)
# Nobody could take a request: how long before dispatch tries the roster again.
REDISPATCH_AFTER = {
    Urgency.URGENT: timedelta(minutes=2),
    Urgency.SOON: timedelta(minutes=15),
    Urgency.ROUTINE: timedelta(hours=1),
}
PROMISE = {Urgency.URGENT: timedelta(hours=2)}
BUSINESS_DAYS = {Urgency.SOON: 1, Urgency.ROUTINE: 2}


def add_business_days(
    start: datetime, days: int, zone: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """``start`` moved ``days`` business days later, same wall-clock time."""
    local = start.astimezone(zone)
    moved = 0
    while moved < days:
        local += timedelta(days=1)
        if local.weekday() < 5 and local.date() not in holidays:
            moved += 1
    return local.replace(tzinfo=None).replace(tzinfo=zone)  # re-resolve the UTC offset (DST)


def alert_at(
    created: datetime, urgency: Urgency, zone: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """When a still-unaccepted request pages the on-call coordinator."""
    if urgency is Urgency.URGENT:
        return created + URGENT_ALERT
    return add_business_days(created, BUSINESS_DAYS[urgency], zone, holidays)


def due_by(
    created: datetime, urgency: Urgency, zone: ZoneInfo, holidays: Collection[date] = ()
) -> datetime:
    """The promise made to the caller."""
    if urgency in PROMISE:
        return created + PROMISE[urgency]
    return add_business_days(created, BUSINESS_DAYS[urgency], zone, holidays)


def promised_by(
    created: datetime,
    urgency: Urgency,
    window: CallbackWindow | None,
    zone: ZoneInfo,
    holidays: Collection[date] = (),
) -> datetime:
    """The promise, kept for the caller's own choice too: a call back asked for "in the
    evening" is due no sooner than the end of the first such window after the request."""
    due = due_by(created, urgency, zone, holidays)
    if window is None or window is CallbackWindow.ASAP:
        return due
    return max(due, next_window(created, window, zone)[1])
