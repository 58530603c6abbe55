"""API models for reports: every count as shown after small-cell suppression."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, Field, field_validator

from usecases.report_figures import Table, Timing
from usecases.request_report import RequestReport
from usecases.supporter_hours import SupporterLine, SupporterReport
from usecases.suppression import Cell

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class PeriodQuery(BaseModel):
    start: date | None = Field(None, description="first day (default: 12 weeks back, a Monday)")
    end: date | None = Field(None, description="last day, included (default: today)")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _iso_only(cls, value: object) -> object:
        """YYYY-MM-DD only: a bare number is not a day (pydantic would read it as a time)."""
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
            raise ValueError("write the day as YYYY-MM-DD")
        return value


class CellOut(BaseModel):
    value: int | None = Field(description="the count; null when it is hidden")
    shown: str = Field(description='as displayed: "12", "<5" (small) or "*" (hidden with it)')
    suppressed: str | None = Field(description="small, complement or null")

    @classmethod
    def of(cls, cell: Cell) -> CellOut:
        kind = cell.hidden.value if cell.hidden else None
        return cls(value=cell.value, shown=cell.shown, suppressed=kind)


class TableOut(BaseModel):
    key: str
    title: str
    row_label: str
    rows: list[str]
    columns: list[str]
    cells: list[list[CellOut]]
    row_totals: list[CellOut] = Field(description="empty when not published")
    column_totals: list[CellOut] = Field(description="empty when not published")
    total: CellOut | None

    @classmethod
    def of(cls, t: Table) -> TableOut:
        c = t.counts
        return cls(
            key=t.key,
            title=t.title,
            row_label=t.row_label,
            rows=list(t.rows),
            columns=list(t.columns),
            cells=[[CellOut.of(x) for x in row] for row in c.cells],
            row_totals=[CellOut.of(x) for x in c.row_totals],
            column_totals=[CellOut.of(x) for x in c.column_totals],
            total=CellOut.of(c.total) if c.total else None,
        )


class TimingOut(BaseModel):
    urgency: str
    median_minutes: float | None = Field(description="null when fewer than the threshold")
    p90_minutes: float | None = Field(description="90th percentile; null as above")

    @classmethod
    def of(cls, t: Timing) -> TimingOut:
        return cls(
            urgency=t.urgency,
            median_minutes=t.median_minutes,
            p90_minutes=t.p90_minutes,
        )


class ShareOut(BaseModel):
    urgency: str
    share_met: str = Field(description='e.g. "92%"; "*" when met or missed is hidden')


class RequestReportOut(BaseModel):
    start: date
    end: date = Field(description="last day, included")
    threshold: int = Field(description="counts below it are shown as <threshold")
    tables: list[TableOut]
    promise: TableOut
    shares: list[ShareOut]
    timings: list[TimingOut]
    follow_ups: list[TableOut]
    follow_ups_recorded: bool = Field(description="false until follow-ups are recorded")

    @classmethod
    def of(cls, r: RequestReport) -> RequestReportOut:
        return cls(
            start=r.period.start,
            end=r.period.last,
            threshold=r.threshold,
            tables=[TableOut.of(t) for t in r.tables],
            promise=TableOut.of(r.promise),
            shares=[ShareOut(urgency=s.urgency, share_met=s.share_met) for s in r.shares],
            timings=[TimingOut.of(t) for t in r.timings],
            follow_ups=[TableOut.of(t) for t in r.follow_ups],
            follow_ups_recorded=r.follow_ups_wired,
        )


class SupporterLineOut(BaseModel):
    supporter_id: str
    name: str
    role: str
    minutes: int = Field(description="minutes on calls this month")
    cap_minutes: int
    standing: str = Field(description="under-used, within commitment, near the cap, at the cap")
    declined: int
    unanswered: int
    calls_taken: int

    @classmethod
    def of(cls, x: SupporterLine) -> SupporterLineOut:
        return cls(
            supporter_id=x.supporter_id,
            name=x.name,
            role=x.role,
            minutes=x.minutes,
            cap_minutes=x.cap_minutes,
            standing=x.standing.value,
            declined=x.declined,
            unanswered=x.unanswered,
            calls_taken=x.calls_taken,
        )


class SupporterReportOut(BaseModel):
    month: str
    commitment_minutes: list[int] = Field(description="the monthly commitment, 2-4 hours")
    standings: TableOut
    supporters: list[SupporterLineOut] = Field(description="active supporters, least used first")

    @classmethod
    def of(cls, r: SupporterReport, commitment: tuple[int, int]) -> SupporterReportOut:
        return cls(
            month=r.month,
            commitment_minutes=list(commitment),
            standings=TableOut.of(r.standings),
            supporters=[SupporterLineOut.of(x) for x in r.lines],
        )
