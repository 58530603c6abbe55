"""HTTP side of the softphone page: state as JSON, actions, and live updates over SSE.

Only the page itself may use them (``sandbox.origin``: loopback host, JSON, same origin).

Actions return at once; the page learns of the consequences from the event stream and
re-reads ``/sandbox/state``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sandbox.gathering import Gathering
from sandbox.origin import same_origin
from sandbox.phones import Call, Direction, Phone
from sandbox.presence import holding, talking_with
from sandbox.switchboard import Switchboard

STATIC = Path(__file__).parent / "static"
POLL_SECONDS = 0.1
KEEPALIVE_SECONDS = 15.0
CALLS_SHOWN = 4
LOG_LINES_SHOWN = 300


def softphone_routes() -> list[BaseRoute]:
    return [
        Route("/", same_origin(index)),
        Route("/favicon.ico", favicon),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/sandbox/state", same_origin(state)),
        Route("/sandbox/events", same_origin(events)),
        Route("/sandbox/phones", same_origin(add_phone), methods=["POST"]),
        Route("/sandbox/phones/{number}/dial", same_origin(dial), methods=["POST"]),
        Route("/sandbox/phones/{number}/sms", same_origin(text), methods=["POST"]),
        Route("/sandbox/calls/{sid}/{action}", same_origin(call_action), methods=["POST"]),
    ]


def _sb(request: Request) -> Switchboard:
    board: Switchboard = request.app.state.sandbox.switchboard
    return board


async def index(request: Request) -> Response:
    headers = {
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",  # no other page may frame the softphone and click on it
        "Content-Security-Policy": "frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
    }
    return FileResponse(STATIC / "index.html", headers=headers)


async def favicon(request: Request) -> Response:
    """For clients that ask for ``/favicon.ico`` whatever the page links to."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


async def state(request: Request) -> JSONResponse:
    sb = _sb(request)

    def snapshot() -> dict[str, Any]:
        with sb.lock:
            return {
                "seq": sb.events.last_seq,
                "hotline": sb.config.hotline_number,
                "phones": [_phone(sb, p) for p in sb.phones.values()],
                "notices": [
                    {"at": n.at, "code": n.code, "message": n.message, "call": n.call_sid}
                    for n in list(sb.notices)[-20:]
                ],
            }

    return JSONResponse(await run_in_threadpool(snapshot))


async def events(request: Request) -> StreamingResponse:
    log = _sb(request).events
    app_state = request.app.state
    start = request.headers.get("last-event-id", "")
    last = int(start) if start.isdigit() else log.last_seq

    async def stream() -> AsyncIterator[str]:
        nonlocal last
        loop = asyncio.get_running_loop()
        deadline = loop.time() + app_state.stream_seconds  # then the browser reconnects
        quiet_since = loop.time()
        yield "retry: 1000\n\n"
        while app_state.streams_open and loop.time() < deadline:
            fresh = log.since(last)
            if fresh:
                last = fresh[-1].seq
                kinds = sorted({e.kind for e in fresh})
                yield f"id: {last}\nevent: change\ndata: {json.dumps({'kinds': kinds})}\n\n"
                quiet_since = loop.time()
            elif loop.time() - quiet_since > KEEPALIVE_SECONDS:
                yield ": keepalive\n\n"
                quiet_since = loop.time()
            await asyncio.sleep(POLL_SECONDS)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def add_phone(request: Request) -> JSONResponse:
    body = await _json(request)
    number = str(body.get("number", "")).strip()
    try:
        phone = _sb(request).phone(number, str(body.get("label", "")).strip()[:40])
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"number": phone.number}, status_code=201)


async def dial(request: Request) -> JSONResponse:
    sb = _sb(request)
    number = request.path_params["number"]
    if number not in sb.phones:
        return JSONResponse({"error": "no such phone"}, status_code=404)
    call = await run_in_threadpool(sb.dial_hotline, number)
    return JSONResponse({"sid": call.sid}, status_code=201)


async def text(request: Request) -> JSONResponse:
    sb = _sb(request)
    number = request.path_params["number"]
    body = str((await _json(request)).get("body", "")).strip()
    if number not in sb.phones or not body:
        return JSONResponse({"error": "a known phone and a message are needed"}, status_code=400)
    message = await run_in_threadpool(sb.sms.from_phone, number, sb.config.hotline_number, body)
    return JSONResponse({"sid": message.sid}, status_code=201)


async def call_action(request: Request) -> JSONResponse:
    sb = _sb(request)
    call = sb.calls.get(request.path_params["sid"])
    action = request.path_params["action"]
    body = await _json(request)
    if call is None:
        return JSONResponse({"error": "no such call"}, status_code=404)

    def act() -> str | None:
        with sb.lock:
            if action == "answer":
                if call.status.value != "ringing" or call.direction is Direction.INBOUND:
                    return "this call is not ringing"
                sb.answer(call)
            elif action in ("hangup", "decline"):
                sb.hang_up(call)
            elif action == "press":
                keys = str(body.get("digits", ""))
                if not keys or any(k not in "0123456789*#" for k in keys):
                    return "keys must be 0-9, * or #"
                for key in keys:
                    sb.interpreter.press(call, key)
            elif action == "say":
                words = str(body.get("text", "")).strip()
                if not words:
                    return "say something"
                sb.interpreter.speak(call, words, sb.config.speech_confidence)
            else:
                return f"unknown action {action}"
            return None

    error = await run_in_threadpool(act)
    if error:
        return JSONResponse({"error": error}, status_code=400)
    return JSONResponse({"ok": True})


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _phone(sb: Switchboard, phone: Phone) -> dict[str, Any]:
    calls = [sb.calls[s] for s in phone.calls[-CALLS_SHOWN:]]
    messages = [sb.sms.messages[s] for s in phone.messages]
    return {
        "number": phone.number,
        "label": phone.label,
        "opted_out": phone.opted_out,
        "open_by_default": phone.open_by_default,
        "calls": [_call(sb, c) for c in reversed(calls)],
        "messages": [
            {
                "sid": m.sid,
                "mine": m.from_ == phone.number,
                "body": m.body,
                "at": m.created_at,
                "status": m.status,
            }
            for m in messages
        ],
    }


def _call(sb: Switchboard, call: Call) -> dict[str, Any]:
    gather = sb.interpreter.listening(call)
    activity = call.program.activity if call.program else None
    return {
        "sid": call.sid,
        "status": call.status.value,
        "incoming": call.direction is not Direction.INBOUND,
        "caller_id": call.caller_id,
        "connected": call.connected_to is not None and not call.ended,
        "with": talking_with(sb, call),
        "holding": holding(call),
        "ended": call.ended,
        "listening": None
        if gather is None
        else {
            "input": sorted(gather.input),
            "hints": gather.hints,
            "language": gather.language,
            "prompting": isinstance(activity, Gathering) and activity.prompting,
        },
        "log_start": max(0, len(call.log) - LOG_LINES_SHOWN),
        "log": [
            {
                "at": line.at,
                "kind": line.kind.value,
                "text": line.text,
                "language": line.language,
                "repeat": line.repeat,
            }
            for line in call.log[-LOG_LINES_SHOWN:]
        ],
    }
