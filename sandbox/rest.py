"""The subset of Twilio's REST API that Peerline uses, wire-compatible with the twilio SDK.

``twilio.rest.Client(sid, token)`` with ``client.api.base_url`` set to the sandbox works
unchanged: Basic auth, form-encoded bodies, Twilio-shaped JSON resources and errors.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.errors import ApiError, not_found, unauthorized
from sandbox.outbound import create_call, update_call
from sandbox.phones import Call
from sandbox.resources import call_resource, message_resource
from sandbox.switchboard import Switchboard

ACCOUNT = "/2010-04-01/Accounts/{account_sid}"
Handler = Callable[[Request, Switchboard], Awaitable[JSONResponse]]


def rest_routes() -> list[Route]:
    return [
        Route(f"{ACCOUNT}/Calls.json", _api(post_calls), methods=["POST"]),
        Route(f"{ACCOUNT}/Calls.json", _api(list_calls), methods=["GET"]),
        Route(f"{ACCOUNT}/Calls/{{call_sid}}.json", _api(get_call), methods=["GET"]),
        Route(f"{ACCOUNT}/Calls/{{call_sid}}.json", _api(post_call), methods=["POST"]),
        Route(f"{ACCOUNT}/Messages.json", _api(post_messages), methods=["POST"]),
        Route(f"{ACCOUNT}/Messages.json", _api(list_messages), methods=["GET"]),
        Route(f"{ACCOUNT}/Messages/{{message_sid}}.json", _api(get_message), methods=["GET"]),
    ]


def _api(handler: Handler) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        sb: Switchboard = request.app.state.sandbox.switchboard
        try:
            _authorize(request, sb.config.account_sid, sb.config.auth_token)
            return await handler(request, sb)
        except ApiError as exc:
            headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.status == 401 else {}
            return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    return endpoint


def _authorize(request: Request, account_sid: str, auth_token: str) -> None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise unauthorized() from None
    if not (
        scheme.lower() == "basic"
        and secrets.compare_digest(user, account_sid)
        and secrets.compare_digest(password, auth_token)
    ):
        raise unauthorized()
    if request.path_params["account_sid"] != account_sid:
        raise not_found(request.url.path)


async def post_calls(request: Request, sb: Switchboard) -> JSONResponse:
    form = await request.form()
    if _flag(form, "Record"):
        raise ApiError(400, 20001, "Recording is refused by the Peerline sandbox: never record")
    events = [e for value in form.getlist("StatusCallbackEvent") for e in str(value).split()]

    def create() -> dict[str, Any]:
        with sb.lock:  # rendered before the runner can move the call on from "queued"
            call = create_call(
                sb,
                to=_str(form, "To"),
                from_=_str(form, "From"),
                url=_str(form, "Url") or None,
                twiml=_str(form, "Twiml") or None,
                method=_str(form, "Method") or "POST",
                status_callback=_str(form, "StatusCallback") or None,
                status_events=events,
                status_method=_str(form, "StatusCallbackMethod") or "POST",
                timeout=_float(form, "Timeout"),
            )
            return call_resource(call)

    return JSONResponse(await run_in_threadpool(create), status_code=201)


async def list_calls(request: Request, sb: Switchboard) -> JSONResponse:
    """Calls, newest first, filtered by ``To`` and ``From`` as Twilio's list is."""
    with sb.lock:
        calls = [call_resource(c) for c in _matching(request, list(sb.calls.values()))]
    return JSONResponse(_page(request, "calls", calls))


async def list_messages(request: Request, sb: Switchboard) -> JSONResponse:
    with sb.lock:
        found = _matching(request, list(sb.sms.messages.values()))
        messages = [message_resource(m) for m in found]
    return JSONResponse(_page(request, "messages", messages))


def _matching(request: Request, items: list[Any]) -> list[Any]:
    to, from_ = request.query_params.get("To"), request.query_params.get("From")
    kept = [i for i in items if (to is None or i.to == to) and (from_ is None or i.from_ == from_)]
    return sorted(kept, key=lambda i: i.created_at, reverse=True)


def _page(request: Request, key: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """One page of a Twilio list (the sandbox never holds more than a page's worth)."""
    raw = request.query_params.get("PageSize", "50")
    size = min(int(raw), 1000) if raw.isdigit() and raw != "0" else 50
    uri = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        key: records[:size],
        "end": max(0, min(size, len(records)) - 1),
        "first_page_uri": uri,
        "next_page_uri": None,
        "page": 0,
        "page_size": size,
        "previous_page_uri": None,
        "start": 0,
        "uri": uri,
    }


async def get_call(request: Request, sb: Switchboard) -> JSONResponse:
    return JSONResponse(call_resource(_call(request, sb)))


async def post_call(request: Request, sb: Switchboard) -> JSONResponse:
    form = await request.form()
    call = _call(request, sb)

    def update() -> dict[str, Any]:
        with sb.lock:
            update_call(
                sb,
                call,
                url=_str(form, "Url") or None,
                twiml=_str(form, "Twiml") or None,
                method=_str(form, "Method") or "POST",
                status=_str(form, "Status") or None,
            )
            return call_resource(call)

    return JSONResponse(await run_in_threadpool(update))


async def post_messages(request: Request, sb: Switchboard) -> JSONResponse:
    form = await request.form()

    def create() -> dict[str, Any]:
        with sb.lock:  # rendered before the runner can move the message on from "queued"
            message = sb.sms.create(
                to=_str(form, "To"),
                from_=_str(form, "From"),
                body=_str(form, "Body"),
                status_callback=_str(form, "StatusCallback") or None,
            )
            return message_resource(message)

    return JSONResponse(await run_in_threadpool(create), status_code=201)


async def get_message(request: Request, sb: Switchboard) -> JSONResponse:
    message = sb.sms.messages.get(request.path_params["message_sid"])
    if message is None:
        raise not_found(request.url.path)
    return JSONResponse(message_resource(message))


def _call(request: Request, sb: Switchboard) -> Call:
    call = sb.calls.get(request.path_params["call_sid"])
    if call is None:
        raise not_found(request.url.path)
    return call


def _str(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _flag(form: FormData, key: str) -> bool:
    return _str(form, key).lower() in ("true", "1")


def _float(form: FormData, key: str) -> float | None:
    value = _str(form, key)
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ApiError(400, 21216, f"Invalid {key}: {value}") from None
