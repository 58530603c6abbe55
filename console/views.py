"""Server-rendered pages: the Jinja2 environment, page sign-in checks and forms.

A form sent back with its problems is a 200 page that lists them (a browser logs any 4xx
page load as an error); the API answers the same input with a 422.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from console.auth import CSRF_FIELD, Caller, caller
from console.problems import ProblemError, status_of
from usecases.access import Role
from usecases.errors import Invalid, UseCaseError

Handler = Callable[[Request, Caller], Any]
Choices = Mapping[str, str]


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("console", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["duration"] = duration
    env.filters["when"] = when
    return env


def render(
    request: Request, template: str, who: Caller | None = None, status: int = 200, **context: Any
) -> HTMLResponse:
    env: Environment = request.app.state.views
    html = env.get_template(template).render(
        request=request,
        me=who.actor if who else None,
        csrf=who.csrf_token if who else "",
        is_admin=bool(who and who.actor.role is Role.ADMIN),
        url=lambda route, /, **params: str(request.url_for(route, **params).path),
        **context,
    )
    return HTMLResponse(html, status_code=status)


async def signed_in(request: Request) -> Caller | Response:
    """The caller of a page, or a redirect to the sign-in page (a 403 page for CSRF)."""
    form = await request.form() if request.method == "POST" else None
    token = str(form.get(CSRF_FIELD) or "") if form is not None else None
    try:
        return await caller(request, form_token=token)
    except ProblemError as exc:
        if exc.status == 403:
            return render(
                request,
                "error.html",
                status=403,
                message="This form has expired or "
                "did not come from the console. Go back, reload the page and try again.",
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{login_path(request)}?next={quote(target)}", status_code=303)


def login_path(request: Request) -> str:
    return str(request.url_for("login").path)


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def back(request: Request, name: str, note: str = "", **params: Any) -> RedirectResponse:
    path = str(request.url_for(name, **params).path)
    return RedirectResponse(path + (f"?note={quote(note)}" if note else ""), status_code=303)


def duration(seconds: int) -> str:
    """``3725`` → ``1 h 2 min``; negative → ``overdue 5 min``."""
    if seconds < 0:
        return "overdue " + duration(-seconds)
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} d {hours % 24} h"


def when(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else ""


def page(handler: Handler) -> Callable[[Request], Any]:
    """A signed-in page: sign-in redirect, CSRF on POST, use-case errors as an error page."""

    async def endpoint(request: Request) -> Response:
        who = await signed_in(request)
        if isinstance(who, Response):
            return who
        try:
            response: Response = await handler(request, who)
            return response
        except UseCaseError as exc:
            status, _slug = status_of(exc)
            errors = exc.errors if isinstance(exc, Invalid) else []
            return render(
                request, "error.html", who, status=status, message=str(exc), errors=errors
            )

    endpoint.__name__ = handler.__name__
    return endpoint
