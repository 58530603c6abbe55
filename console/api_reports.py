"""Endpoints: reports (suppressed aggregates) and their CSV exports; every read audited."""

from __future__ import annotations

from starlette.responses import Response

from console.api import Call, Operation
from console.schemas_reports import PeriodQuery, RequestReportOut, SupporterReportOut
from usecases.supporter_hours import COMMITMENT_MINUTES


def csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _requests(call: Call) -> RequestReportOut:
    q: PeriodQuery = call.query
    reports = call.console.reports
    return RequestReportOut.of(reports.requests(call.actor, reports.period(q.start, q.end)))


def _requests_export(call: Call) -> Response:
    q: PeriodQuery = call.query
    reports = call.console.reports
    period = reports.period(q.start, q.end)
    text = reports.requests_csv(call.actor, period)
    return csv_response(text, f"requests-{period.start}-{period.last}.csv")


def _supporters(call: Call) -> SupporterReportOut:
    return SupporterReportOut.of(call.console.reports.supporters(call.actor), COMMITMENT_MINUTES)


def _supporters_export(call: Call) -> Response:
    return csv_response(call.console.reports.supporters_csv(call.actor), "supporters-month.csv")


OPERATIONS = [
    Operation(
        "GET",
        "/reports/requests",
        _requests,
        "Requests by week, channel, urgency, role group and language; time to first "
        "contact; the promise kept; outcomes (counts below the threshold suppressed)",
        "reports",
        query=PeriodQuery,
        response=RequestReportOut,
    ),
    Operation(
        "GET",
        "/reports/requests/export",
        _requests_export,
        "The requests report as CSV (audited)",
        "reports",
        query=PeriodQuery,
        media_type="text/csv",
    ),
    Operation(
        "GET",
        "/reports/supporters",
        _supporters,
        "Supporters this month: minutes against the 2-4 h commitment and the cap, offers "
        "declined and unanswered, calls taken",
        "reports",
        response=SupporterReportOut,
    ),
    Operation(
        "GET",
        "/reports/supporters/export",
        _supporters_export,
        "The supporters report as CSV (audited)",
        "reports",
        media_type="text/csv",
    ),
]
