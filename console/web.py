"""The console as two mounted apps: ``/api`` (JSON, problem+json errors, the OpenAPI
document) and ``/console`` (pages, static files, the live board stream). Neither builds
anything of its own: the use cases come in ready. The security headers (a strict CSP on
pages) are the web app's, set in one place for every route: ``peerline.headers``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from console import (
    api,
    api_access,
    api_blocklist,
    api_board,
    api_coordinators,
    api_coverage,
    api_reports,
    api_roster,
    api_training,
    pages_admin,
    pages_blocklist,
    pages_board,
    pages_reports,
    pages_roster,
    pages_signin,
    pages_training,
    request_form,
)
from console.live import board_events
from console.openapi import document
from console.problems import problem
from console.services import ConsoleServices
from console.views import environment, render

OPERATIONS = [
    *api_access.OPERATIONS,
    *api_roster.OPERATIONS,
    *api_coordinators.OPERATIONS,
    *api_board.OPERATIONS,
    *api_blocklist.OPERATIONS,
    *api_training.OPERATIONS,
    *api_reports.OPERATIONS,
    *api_coverage.OPERATIONS,
]
GET, BOTH = ["GET"], ["GET", "POST"]
REPORT_ROUTES = [
    Route("/reports", pages_reports.reports, methods=GET, name="reports"),
    Route("/coverage", pages_reports.coverage, methods=GET, name="coverage"),
    Route("/static/vendor/plotly.min.js", pages_reports.plotly_js, methods=GET, name="plotly_js"),
    Route("/reports/export.csv", pages_reports.reports_export, methods=GET, name="reports_export"),
    Route(
        "/reports/supporters", pages_reports.supporter_report, methods=GET, name="supporter_report"
    ),
    Route(
        "/reports/supporters/export.csv",
        pages_reports.supporter_report_export,
        methods=GET,
        name="supporter_report_export",
    ),
]


def mounts(console: ConsoleServices) -> list[BaseRoute]:
    """The routes ``peerline.app`` adds: ``/api/...``, ``/console/...`` and ``/`` → console."""
    return [
        Mount("/api", app=api_app(console)),
        Mount("/console", app=pages_app(console)),
        request_form.route(console),
        Route("/", lambda request: RedirectResponse("/console/", status_code=307), methods=GET),
    ]


async def unrouted(request: Request, exc: Exception) -> Response:
    """The web app's 404: a problem document under /api (a path no mount matches, such as
    one whose id holds a newline, still answers in the API's own media type)."""
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if request.url.path.startswith("/api/"):
        return problem(status, kind="not-found" if status == 404 else None)
    return PlainTextResponse(HTTPStatus(status).phrase, status_code=status)


def api_app(console: ConsoleServices) -> Starlette:
    spec: dict[str, Any] = {}  # built on first ask: it costs more than the rest of the app

    async def openapi(request: Request) -> Response:
        if not spec:
            spec.update(
                document(
                    OPERATIONS,
                    title="Peerline console API",
                    version="1",
                    cookie=console.config.session_cookie,
                )
            )
        return JSONResponse(spec)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else None  # Allow
        return problem(status, kind="not-found" if status == 404 else None, headers=headers)

    app = Starlette(
        routes=[Route("/openapi.json", openapi, methods=GET), *api.routes(OPERATIONS)],
        exception_handlers={404: http_error, 405: http_error},
    )
    app.state.console = console
    return app


def _actions(*names: str) -> list[Route]:
    """``POST /requests/{id}/<name>`` (dashes in the path) → ``pages_board.<name>``."""
    return [
        Route(
            "/requests/{request_id}/" + name.replace("_", "-"),
            getattr(pages_board, name),
            methods=["POST"],
            name=name,
        )
        for name in names
    ]


def pages_app(console: ConsoleServices) -> Starlette:
    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return render(request, "error.html", status=status, message="There is no such page.")

    routes: list[Any] = [
        Route("/", pages_board.board, methods=GET, name="board"),
        Route("/login", pages_signin.login, methods=BOTH, name="login"),
        Route("/login/code", pages_signin.login_code, methods=BOTH, name="login_code"),
        Route("/logout", pages_signin.logout, methods=["POST"], name="logout"),
        Route("/board/events", board_events, methods=GET, name="board_events"),
        Route(
            "/requests/{request_id}", pages_board.request_detail, methods=GET, name="request_detail"
        ),
        Route(
            "/requests/{request_id}/ack",
            pages_board.acknowledge,
            methods=["POST"],
            name="acknowledge",
        ),
        *_actions("assign", "requeue", "scheduling_text", "close"),
        Route("/supporters", pages_roster.supporters, methods=GET, name="supporters"),
        Route("/supporters/new", pages_roster.new_supporter, methods=BOTH, name="new_supporter"),
        Route("/supporters/export.csv", pages_roster.export, methods=GET, name="export"),
        Route("/supporters/import", pages_roster.roster_import, methods=BOTH, name="import"),
        Route("/supporters/{supporter_id}", pages_roster.supporter, methods=BOTH, name="supporter"),
        Route(
            "/supporters/{supporter_id}/phone",
            pages_roster.supporter_phone,
            methods=["POST"],
            name="supporter_phone",
        ),
        Route(
            "/supporters/{supporter_id}/remove",
            pages_roster.remove_supporter,
            methods=["POST"],
            name="remove_supporter",
        ),
        Route("/training", pages_training.training, methods=GET, name="training"),
        Route(
            "/training/{supporter_id}",
            pages_training.training_supporter,
            methods=BOTH,
            name="training_supporter",
        ),
        Route(
            "/training/{supporter_id}/ce.csv",
            pages_training.training_export,
            methods=GET,
            name="training_export",
        ),
        Route("/check-ins", pages_training.check_ins, methods=BOTH, name="check_ins"),
        Route("/check-ins/{check_in_id}", pages_training.check_in, methods=BOTH, name="check_in"),
        Route("/coordinators", pages_admin.coordinators, methods=BOTH, name="coordinators"),
        Route(
            "/coordinators/{coordinator_id}",
            pages_admin.coordinator,
            methods=BOTH,
            name="coordinator",
        ),
        Route("/accounts", pages_admin.accounts, methods=BOTH, name="accounts"),
        Route("/accounts/{account_id}", pages_admin.account, methods=["POST"], name="account"),
        Route("/tokens", pages_admin.tokens, methods=BOTH, name="tokens"),
        Route(
            "/tokens/{name}/revoke", pages_admin.revoke_token, methods=["POST"], name="revoke_token"
        ),
        Route("/audit", pages_admin.audit, methods=GET, name="audit"),
        Route("/blocklist", pages_blocklist.blocklist, methods=BOTH, name="blocklist"),
        Route(
            "/blocklist/{entry_id}/unblock",
            pages_blocklist.unblock,
            methods=["POST"],
            name="unblock",
        ),
        Route("/security", pages_admin.security, methods=BOTH, name="security"),
        *REPORT_ROUTES,
        Mount("/static", app=StaticFiles(packages=[("console", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_found},
    )
    app.state.console = console
    app.state.views = environment()
    return app
