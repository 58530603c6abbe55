"""Who is calling: a bearer token, or a session cookie whose unsafe requests carry the
session's CSRF token (``X-CSRF-Token`` header, or the ``csrf_token`` form field).

Bearer requests need no CSRF token: a browser never adds an Authorization header by itself.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.problems import ProblemError
from console.services import ConsoleServices
from usecases.access import Actor
from usecases.signin import Grant

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Caller:
    actor: Actor
    csrf_token: str | None  # None for a bearer token


def services(request: Request) -> ConsoleServices:
    found: ConsoleServices = request.app.state.console
    return found


async def caller(request: Request, form_token: str | None = None) -> Caller:
    """The authenticated caller, or ProblemError 401 (no credentials) / 403 (CSRF)."""
    console = services(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        actor = None
        if scheme.lower() == "bearer" and token.strip():
            actor = await run_in_threadpool(console.signin.bearer, token.strip())
        if actor is None:
            raise ProblemError(401, "the bearer token is not valid", kind="not-signed-in")
        return Caller(actor, None)
    cookie = request.cookies.get(console.config.session_cookie)
    signed = await run_in_threadpool(console.signin.session, cookie) if cookie else None
    if signed is None:
        raise ProblemError(401, "sign in, or send a bearer token", kind="not-signed-in")
    if request.method not in SAFE_METHODS:
        sent = form_token if form_token is not None else request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), signed.csrf_token.encode()):
            raise ProblemError(403, "missing or wrong CSRF token", kind="csrf")
    return Caller(signed.actor, signed.csrf_token)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, request: Request, grant: Grant) -> None:
    config = services(request).config
    response.set_cookie(
        config.session_cookie,
        grant.token,  # no max_age: a browser-session cookie; the server's expiry decides
        path="/",
        secure=config.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    config = services(request).config
    response.delete_cookie(
        config.session_cookie,
        path="/",
        secure=config.secure_cookies,
        httponly=True,
        samesite="lax",
    )
