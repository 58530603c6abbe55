"""Board pages: open requests (live), one request with its match reasons, history and
actions (ACK, assign, re-queue, a scheduling text, close)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.auth import Caller, services
from console.views import back, form_text, page, render
from usecases.board_actions import CloseReason
from usecases.errors import Conflict, Invalid

CLOSE_REASONS = {  # how the close form words each reason
    CloseReason.NO_LONGER_NEEDED: "the caller no longer needs a call",
    CloseReason.UNREACHABLE: "the caller can't be reached",
    CloseReason.DUPLICATE: "it duplicates another request",
    CloseReason.NOT_FOR_PEERLINE: "it isn't for Peerline (a misdial, …)",
    CloseReason.TEST: "it was a test",
}


@page
async def board(request: Request, who: Caller) -> Response:
    rows = await run_in_threadpool(services(request).board.rows, who.actor)
    return render(request, "board.html", who, rows=rows, note=request.query_params.get("note", ""))


@page
async def request_detail(request: Request, who: Caller) -> Response:
    note = request.query_params.get("note", "")
    return await _detail(request, who, note=note)


async def _detail(request: Request, who: Caller, note: str = "", problem: str = "") -> Response:
    console, request_id = services(request), request.path_params["request_id"]
    row = await run_in_threadpool(console.board.row, who.actor, request_id)
    match = await run_in_threadpool(console.explainer.explain, who.actor, request_id)
    history = await run_in_threadpool(console.board.history, who.actor, request_id)
    return render(
        request,
        "request.html",
        who,
        row=row,
        match=match,
        history=history,
        note=note,
        problem=problem,
        close_reasons=CLOSE_REASONS,
    )


@page
async def acknowledge(request: Request, who: Caller) -> Response:
    request_id = request.path_params["request_id"]
    fresh = await run_in_threadpool(services(request).board.acknowledge, who.actor, request_id)
    note = "Acknowledged: the ticket is yours." if fresh else "It was already acknowledged."
    form = await request.form()
    if form.get("from") == "board":
        return back(request, "board", note)
    return back(request, "request_detail", note, request_id=request_id)


@page
async def assign(request: Request, who: Caller) -> Response:
    form = await request.form()
    actions, request_id = services(request).actions, request.path_params["request_id"]
    try:
        supporter = await run_in_threadpool(
            actions.assign, who.actor, request_id, form_text(form, "supporter_id")
        )
    except (Conflict, Invalid) as exc:  # shown on the request's page, nothing changed
        return await _detail(request, who, problem=str(exc))
    note = f"Assigned: {supporter.name}'s phone rings in a moment."
    return back(request, "request_detail", note, request_id=request_id)


@page
async def requeue(request: Request, who: Caller) -> Response:
    actions, request_id = services(request).actions, request.path_params["request_id"]
    try:
        await run_in_threadpool(actions.requeue, who.actor, request_id)
    except Conflict as exc:
        return await _detail(request, who, problem=str(exc))
    return back(request, "request_detail", "Re-queued: matching again now.", request_id=request_id)


@page
async def scheduling_text(request: Request, who: Caller) -> Response:
    form = await request.form()
    actions, request_id = services(request).actions, request.path_params["request_id"]
    day, window = form_text(form, "day"), form_text(form, "window")
    try:
        await run_in_threadpool(actions.scheduling_text, who.actor, request_id, day, window)
    except (Conflict, Invalid) as exc:
        return await _detail(request, who, problem=str(exc))
    note = "The scheduling text is on its way; the history below says when it went."
    return back(request, "request_detail", note, request_id=request_id)


@page
async def close(request: Request, who: Caller) -> Response:
    form = await request.form()
    actions, request_id = services(request).actions, request.path_params["request_id"]
    try:
        await run_in_threadpool(actions.close, who.actor, request_id, form_text(form, "reason"))
    except (Conflict, Invalid) as exc:
        return await _detail(request, who, problem=str(exc))
    return back(request, "request_detail", "Closed.", request_id=request_id)
