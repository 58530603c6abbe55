"""A requests report as the use case hands it out, its CSV rows, and the follow-up hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from usecases.report_figures import Table, Timing


@dataclass(frozen=True)
class Period:
    start: date  # first day, in the program's zone
    end: date  # the day after the last

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time(), tzinfo=zone),
            datetime.combine(self.end, time(), tzinfo=zone),
        )


@dataclass(frozen=True)
class PromiseRow:
    urgency: str
    share_met: str  # "92%", or "*" when met or missed is hidden


@dataclass(frozen=True)
class RequestReport:
    period: Period
    threshold: int
    tables: tuple[Table, ...]  # by week x channel, urgency, role group, language, outcome
    timings: tuple[Timing, ...]  # time to first contact by urgency
    promise: Table  # met / missed by urgency
    shares: tuple[PromiseRow, ...]
    follow_ups: tuple[Table, ...] = field(default=())
    follow_ups_wired: bool = False

    def csv_rows(self) -> list[list[str]]:
        end = self.period.end - timedelta(days=1)
        rows = [["Peerline requests", self.period.start.isoformat(), end.isoformat()]]
        rows.append(
            [f"counts below {self.threshold} shown as <{self.threshold}; * hidden with them"]
        )
        for t in (*self.tables, self.promise):
            rows += [[], [t.title], *t.csv_rows()]
        rows += [[], ["Share reached within the promise"], ["how soon", "met"]]
        rows += [[s.urgency, s.share_met] for s in self.shares]
        rows += [
            [],
            ["Minutes to first contact"],
            ["how soon", "median", "90th percentile"],
        ]
        for x in self.timings:
            rows.append([x.urgency, _minutes(x.median_minutes), _minutes(x.p90_minutes)])
        for t in self.follow_ups:
            rows += [[], [t.title], *t.csv_rows()]
        return rows

    def table(self, key: str) -> Table:
        for t in (*self.tables, self.promise, *self.follow_ups):
            if t.key == key:
                return t
        raise KeyError(key)


def _minutes(value: float | None) -> str:
    return "*" if value is None else f"{value:g}"


class FollowUpFigures(Protocol):
    """Follow-up sessions and de-identified follow-up answers in a period, as tables of
    counts already suppressed with ``threshold``."""

    def tables(self, start: datetime, end: datetime, threshold: int) -> list[Table]: ...


class _NoFollowUps:
    """The hook, unwired: no follow-up figures exist to report."""

    def tables(self, start: datetime, end: datetime, threshold: int) -> list[Table]:
        return []


NO_FOLLOW_UPS = _NoFollowUps()
