"""The figures reports are built from, as pure functions: tables of suppressed counts, the
role groups, weeks, percentiles and whether a request was reached within its promise."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from statistics import median
from zoneinfo import ZoneInfo

from ivr.model import Channel
from matching.coverage import GROUP_OF
from usecases.suppression import Cell, Suppressed, suppress

GROUP_BY_ROLE: dict[str, str] = {role.value: group for role, group in GROUP_OF.items()}
CHANNELS: dict[str, str] = {Channel.VOICE: "voice", Channel.SMS: "text", Channel.WEB: "web form"}
URGENCIES: dict[str, str] = {"urgent": "today", "soon": "a day or two", "routine": "no rush"}
LANGUAGES: dict[str, str] = {"en": "English", "es": "Spanish"}


def group_of(role: str) -> str:
    return GROUP_BY_ROLE.get(role, "not said")


@dataclass(frozen=True)
class Table:
    """Counts by ``rows`` (and ``columns``), suppressed; ``key`` names it in the API and CSV."""

    key: str
    title: str
    row_label: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: Suppressed

    def csv_rows(self) -> list[list[str]]:
        """The table as displayed: a header, each row, the totals; hidden counts as shown."""
        margin = ["total"] if self.counts.row_totals else []
        out = [[self.row_label, *self.columns, *margin]]
        for i, label in enumerate(self.rows):
            cells = [c.shown for c in self.counts.cells[i]]
            totals = [self.counts.row_totals[i].shown] if self.counts.row_totals else []
            out.append([label, *cells, *totals])
        if self.counts.column_totals:
            grand = [self.counts.total.shown] if self.counts.total else []
            out.append(["total", *(c.shown for c in self.counts.column_totals), *grand])
        return out


def breakdown(
    key: str,
    title: str,
    row_label: str,
    labels: dict[str, str],
    values: Sequence[str],
    threshold: int,
    column: str = "requests",
) -> Table:
    """How many of ``values`` fall under each of ``labels`` (in that order), with a total."""
    counts = [[sum(1 for v in values if v == code)] for code in labels]
    suppressed = suppress(counts, threshold, row_totals=False, column_totals=True)
    return Table(key, title, row_label, tuple(labels.values()), (column,), suppressed)


def crossed(
    key: str,
    title: str,
    row_label: str,
    rows: dict[str, str],
    columns: dict[str, str],
    pairs: Sequence[tuple[str, str]],
    threshold: int,
) -> Table:
    """How many ``pairs`` fall in each (row, column), with row and column totals."""
    counts = [[sum(1 for p in pairs if p == (r, c)) for c in columns] for r in rows]
    return Table(
        key,
        title,
        row_label,
        tuple(rows.values()),
        tuple(columns.values()),
        suppress(counts, threshold),
    )


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(start: date, end: date) -> dict[str, str]:
    """The Mondays of the weeks that [start, end) touches, as ``{iso: "week of iso"}``."""
    found, day = {}, monday(start)
    while day < end:
        found[day.isoformat()] = f"week of {day.isoformat()}"
        day += timedelta(days=7)
    return found


def week_of(moment: datetime, zone: ZoneInfo) -> str:
    return monday(moment.astimezone(zone).date()).isoformat()


class Promise(StrEnum):
    """How a request stands against the promise made to the caller."""

    MET = "met"  # a supporter reached them by the time promised
    MISSED = "missed"  # reached late, or not reached and the time has passed
    PENDING = "pending"  # open, and the time has not come yet
    WITHDRAWN = "withdrawn"  # the caller withdrew before the time came: not counted


def promise(
    created: datetime,
    connected: datetime | None,
    closed: datetime | None,
    status: str,
    due: datetime,
    now: datetime,
) -> Promise:
    if connected is not None:
        return Promise.MET if connected <= due else Promise.MISSED
    if status == "withdrawn" and (closed is None or closed <= due):
        return Promise.WITHDRAWN
    return Promise.MISSED if now > due else Promise.PENDING


@dataclass(frozen=True)
class Timing:
    """Minutes from request to first contact for one urgency; None when fewer than the
    threshold were reached. How many were reached is not shown: taken from the requests
    of that urgency it would give away how many were not (the promise table says it,
    suppressed)."""

    urgency: str
    median_minutes: float | None
    p90_minutes: float | None


def timing(urgency: str, minutes: Sequence[float], threshold: int) -> Timing:
    if len(minutes) < threshold:
        return Timing(urgency, None, None)
    return Timing(urgency, round(median(minutes), 1), p90(minutes))


def p90(values: Sequence[float]) -> float:
    """The 90th percentile by nearest rank: at least 90% of values are at or below it."""
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


def share(met: Cell, missed: Cell) -> str:
    """Met as a share of met + missed, when both counts are shown; else "*"."""
    if met.value is None or missed.value is None:
        return "*"
    decided = met.value + missed.value
    return f"{round(100 * met.value / decided)}%" if decided else "n/a"


def presets(today: date) -> list[tuple[str, date, date]]:
    """Periods a coordinator asks for most: (label, first day, last day)."""
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    return [
        ("this month", first, today),
        ("last month", last_month_end.replace(day=1), last_month_end),
        ("last 12 weeks", monday(today) - timedelta(weeks=11), today),
        ("this year", today.replace(month=1, day=1), today),
    ]
