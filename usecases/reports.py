"""Reports for coordinators and funders: how many people asked, how fast they were reached,
whether the promise was kept, and how supporters' hours are spent. Aggregates only, every
count through ``usecases.suppression``; reading one is audited (``report.read``).

Follow-up figures come from a ``FollowUpFigures`` source: the request-lifecycle work adds
follow-up sessions and their de-identified answers; until it is wired in
(``peerline.bootstrap.console_services``), ``NO_FOLLOW_UPS`` reports none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ivr.model import CallbackWindow, ContactMode, Urgency
from matching.coverage import ROLE_GROUPS
from matching.sla import ClosedDays, promised_by
from storage.reports import ReportQueries, RequestFact
from storage.roster import RosterStore
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.csv_text import csv_text
from usecases.errors import Invalid
from usecases.report_figures import (
    CHANNELS,
    LANGUAGES,
    URGENCIES,
    Promise,
    breakdown,
    crossed,
    group_of,
    presets,
    promise,
    share,
    timing,
    week_of,
    weeks,
)
from usecases.request_report import (
    NO_FOLLOW_UPS,
    FollowUpFigures,
    Period,
    PromiseRow,
    RequestReport,
)
from usecases.supporter_hours import SupporterReport, supporter_report

MAX_DAYS = 400
DEFAULT_WEEKS = 12
OUTCOMES = {
    "completed": "completed",
    "open": "still open",
    "withdrawn": "withdrawn",
    "expired": "expired",
}


@dataclass(frozen=True)
class ReportConfig:
    zone: ZoneInfo
    holidays: ClosedDays = ()  # matching.sla.Closures in production
    threshold: int = 5


class Reports:
    def __init__(
        self,
        queries: ReportQueries,
        roster: RosterStore,
        audit: AuditTrail,
        config: ReportConfig,
        follow_ups: FollowUpFigures = NO_FOLLOW_UPS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.queries, self.roster, self.audit = queries, roster, audit
        self.config, self.follow_ups, self.clock = config, follow_ups, clock

    def period(self, start: date | None = None, end: date | None = None) -> Period:
        """[start, end] as days in the program's zone; by default the last 12 weeks to today."""
        today = self.clock().astimezone(self.config.zone).date()
        last = end or today
        first = start or (
            last - timedelta(days=last.weekday()) - timedelta(weeks=DEFAULT_WEEKS - 1)
        )
        if first > last:
            raise Invalid(["start is after end"])
        if (last - first).days >= MAX_DAYS:
            raise Invalid([f"a report covers at most {MAX_DAYS} days"])
        return Period(first, last + timedelta(days=1))

    def requests(self, actor: Actor, period: Period, *, export: bool = False) -> RequestReport:
        actor.require(Role.COORDINATOR)
        zone, t = self.config.zone, self.config.threshold
        lo, hi = period.bounds(zone)
        facts = self.queries.requests(lo, hi)
        now = self.clock()
        week_labels = weeks(period.start, period.end)
        tables = (
            crossed(
                "week_channel",
                "Requests by week and channel",
                "week",
                week_labels,
                CHANNELS,
                [(week_of(f.created_at, zone), f.channel) for f in facts],
                t,
            ),
            breakdown(
                "urgency",
                "Requests by how soon",
                "how soon",
                URGENCIES,
                [f.urgency for f in facts],
                t,
            ),
            breakdown(
                "role_group",
                "Requests by role group",
                "role group",
                {g: g for g in ROLE_GROUPS},
                [group_of(f.role) for f in facts],
                t,
            ),
            breakdown(
                "language",
                "Requests by language",
                "language",
                LANGUAGES,
                [f.language for f in facts],
                t,
            ),
            breakdown(
                "outcome",
                "How requests ended",
                "outcome",
                OUTCOMES,
                [f.status if f.status in OUTCOMES else "open" for f in facts],
                t,
            ),
        )
        standing = [
            (
                f.urgency,
                promise(
                    f.created_at,
                    f.connected_at,
                    f.closed_at,
                    f.status,
                    self._promised(f),
                    now,
                ),
            )
            for f in facts
        ]
        kept = crossed(
            "promise",
            "Reached within the promise",
            "how soon",
            URGENCIES,
            {Promise.MET.value: "met", Promise.MISSED.value: "missed"},
            [(u, p.value) for u, p in standing],
            t,
        )
        shares = tuple(
            PromiseRow(label, share(kept.counts.cells[i][0], kept.counts.cells[i][1]))
            for i, label in enumerate(URGENCIES.values())
        )
        timings = tuple(
            timing(
                label,
                [
                    (f.connected_at - f.created_at).total_seconds() / 60
                    for f in facts
                    if f.urgency == code and f.connected_at is not None
                ],
                t,
            )
            for code, label in URGENCIES.items()
        )
        follow_ups = tuple(self.follow_ups.tables(lo, hi, t))
        self.audit.write(
            actor,
            "report.export" if export else "report.read",
            "report",
            "requests",
            start=period.start.isoformat(),
            end=(period.end - timedelta(days=1)).isoformat(),
        )
        return RequestReport(
            period,
            t,
            tables,
            timings,
            kept,
            shares,
            follow_ups,
            follow_ups_wired=self.follow_ups is not NO_FOLLOW_UPS,
        )

    def _promised(self, f: RequestFact) -> datetime:
        """The promise as expiry keeps it (``usecases.lifecycle``): the caller's own call
        back window counts."""
        window = None
        if f.contact_mode == ContactMode.CALLBACK and f.callback_window:
            window = CallbackWindow(f.callback_window)
        zone, holidays = self.config.zone, self.config.holidays
        return promised_by(f.created_at, Urgency(f.urgency), window, zone, holidays)

    def presets(self) -> list[tuple[str, date, date]]:
        return presets(self.clock().astimezone(self.config.zone).date())

    def requests_csv(self, actor: Actor, period: Period) -> str:
        return csv_text(self.requests(actor, period, export=True).csv_rows())

    def supporters_csv(self, actor: Actor) -> str:
        return csv_text(self.supporters(actor, export=True).csv_rows())

    def supporters(self, actor: Actor, *, export: bool = False) -> SupporterReport:
        """This month's minutes against the 2-4 h commitment and the cap, offers, calls."""
        actor.require(Role.COORDINATOR)
        now = self.clock()
        month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
        report = supporter_report(
            self.roster.supporters(),
            self.queries.offers_by_supporter(month_start, now + timedelta(seconds=1)),
            now,
            self.config.threshold,
        )
        self.audit.write(
            actor, "report.export" if export else "report.read", "report", "supporters"
        )
        return report
