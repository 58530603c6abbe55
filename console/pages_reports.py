"""Report pages: requests (with a chart of the weekly counts), supporters this month, and
their CSV downloads. The tables are the report; the chart only draws what they show."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from console.api_reports import csv_response
from console.auth import Caller, services
from console.views import page, render
from matching.coverage import language_name
from usecases.errors import Invalid
from usecases.report_figures import Table
from usecases.request_report import Period


def _period(request: Request) -> Period:
    reports = services(request).reports
    try:
        start, end = (
            date.fromisoformat(v) if (v := request.query_params.get(k)) else None
            for k in ("start", "end")
        )
    except ValueError:
        raise Invalid(["dates are written YYYY-MM-DD"]) from None
    return reports.period(start, end)


def chart_data(t: Table) -> str:
    """The table's shown counts for the chart script; hidden counts are gaps (null)."""
    series = [
        {"name": col, "y": [row[j].value for row in t.counts.cells]}
        for j, col in enumerate(t.columns)
    ]
    x = [label.removeprefix("week of ") for label in t.rows]
    return json.dumps({"title": t.title, "x": x, "series": series})


async def plotly_js(request: Request) -> Response:
    """plotly.js from the installed ``plotly`` wheel: nothing is fetched from elsewhere."""
    try:
        found = resources.files("plotly") / "package_data" / "plotly.min.js"
    except ModuleNotFoundError:
        found = None
    if found is None or not found.is_file():
        return Response("plotly is not installed", status_code=404, media_type="text/plain")
    return FileResponse(str(found), media_type="text/javascript")


@page
async def reports(request: Request, who: Caller) -> Response:
    period = _period(request)
    report = await run_in_threadpool(services(request).reports.requests, who.actor, period)
    presets = services(request).reports.presets()
    return render(
        request, "reports.html", who, report=report, chart_data=chart_data, presets=presets
    )


@page
async def reports_export(request: Request, who: Caller) -> Response:
    period = _period(request)
    text = await run_in_threadpool(services(request).reports.requests_csv, who.actor, period)
    return csv_response(text, f"requests-{period.start}-{period.last}.csv")


@page
async def supporter_report(request: Request, who: Caller) -> Response:
    reports = services(request).reports
    report = await run_in_threadpool(reports.supporters, who.actor)
    return render(
        request,
        "supporter_report.html",
        who,
        report=report,
        threshold=reports.config.threshold,
    )


@page
async def supporter_report_export(request: Request, who: Caller) -> Response:
    text = await run_in_threadpool(services(request).reports.supporters_csv, who.actor)
    return csv_response(text, "supporters-month.csv")


@page
async def coverage(request: Request, who: Caller) -> Response:
    use = services(request).coverage
    forecast = await run_in_threadpool(use.forecast, who.actor)
    languages = [language_name(lang) for lang in forecast.rules.languages]
    return render(
        request, "coverage.html", who, forecast=forecast, zone=use.zone.key, languages=languages
    )
