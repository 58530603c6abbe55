"""Board pages: open requests (live), one request with its match reasons, ACK."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.auth import Caller, services
from console.views import back, page, render


@page
async def board(request: Request, who: Caller) -> Response:
    rows = await run_in_threadpool(services(request).board.rows, who.actor)
    return render(request, "board.html", who, rows=rows, note=request.query_params.get("note", ""))


@page
async def request_detail(request: Request, who: Caller) -> Response:
    console, request_id = services(request), request.path_params["request_id"]
    row = await run_in_threadpool(console.board.row, who.actor, request_id)
    match = await run_in_threadpool(console.explainer.explain, who.actor, request_id)
    return render(
        request,
        "request.html",
        who,
        row=row,
        match=match,
        note=request.query_params.get("note", ""),
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
