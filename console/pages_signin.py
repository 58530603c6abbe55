"""Sign-in pages: password, then (for an admin who set one up) the authenticator code.

The sign-in form itself is protected against login CSRF by a double-submit token: a
random value in a SameSite=Strict cookie that the form must echo.
"""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.auth import (
    CSRF_FIELD,
    clear_session_cookie,
    client_address,
    services,
    set_session_cookie,
)
from console.views import form_text, render, same, signed_in
from usecases.errors import NotSignedIn, Throttled


def _next(request: Request, raw: str) -> str:
    home = str(request.url_for("board").path)
    # Only a path inside the console: never an open redirect.
    return raw if raw.startswith("/console/") and not raw.startswith("//") else home


def _login_form(
    request: Request, status: int = 200, error: str = "", username: str = ""
) -> Response:
    config = services(request).config
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status=status,
        login_token=token,
        error=error,
        username=username,
        next=_next(request, request.query_params.get("next", "")),
    )
    response.set_cookie(
        config.login_cookie,
        token,
        max_age=1800,
        path="/",
        secure=config.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return _login_form(request)
    form = await request.form()
    console = services(request)
    cookie = request.cookies.get(console.config.login_cookie, "")
    if not cookie or not same(cookie, form_text(form, CSRF_FIELD)):
        return _login_form(request, 403, "The sign-in form expired. Please try again.")
    username, password = form_text(form, "username"), str(form.get("password") or "")
    try:
        grant = await run_in_threadpool(
            console.signin.login, username, password, client_address(request)
        )
    except (NotSignedIn, Throttled) as exc:
        status = 429 if isinstance(exc, Throttled) else 401
        return _login_form(request, status, f"{str(exc).capitalize()}.", username)
    target = _next(request, form_text(form, "next"))
    if grant.second_factor_due:
        target = str(request.url_for("login_code").path) + f"?next={target}"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, grant)
    response.delete_cookie(
        console.config.login_cookie, path="/", secure=console.config.secure_cookies, httponly=True
    )
    return response


async def login_code(request: Request) -> Response:
    console = services(request)
    token = request.cookies.get(console.config.session_cookie, "")
    account = await run_in_threadpool(console.signin.pending, token) if token else None
    if account is None:
        return RedirectResponse(str(request.url_for("login").path), status_code=303)
    if request.method == "GET":
        return render(
            request,
            "code.html",
            error="",
            name=account.name,
            next=_next(request, request.query_params.get("next", "")),
        )
    form = await request.form()
    try:
        grant = await run_in_threadpool(
            console.signin.second_factor, token, form_text(form, "code"), client_address(request)
        )
    except (NotSignedIn, Throttled) as exc:
        return render(
            request,
            "code.html",
            status=401,
            error=f"{str(exc).capitalize()}.",
            name=account.name,
            next=_next(request, form_text(form, "next")),
        )
    response = RedirectResponse(_next(request, form_text(form, "next")), status_code=303)
    set_session_cookie(response, request, grant)
    return response


async def logout(request: Request) -> Response:
    who = await signed_in(request)
    if isinstance(who, Response):
        return who
    console = services(request)
    await run_in_threadpool(console.signin.logout, request.cookies[console.config.session_cookie])
    response = RedirectResponse(str(request.url_for("login").path), status_code=303)
    clear_session_cookie(response, request)
    return response
