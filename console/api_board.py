"""Endpoints: the board, one request, its match reasons and history; ACK, assign,
re-queue, a scheduling text, close."""

from __future__ import annotations

from console.api import Call, Operation
from console.api_access import page_info
from console.schemas_access import PageQuery
from console.schemas_actions import (
    ActionOut,
    AssignIn,
    AssignOut,
    CloseIn,
    EventOut,
    HistoryOut,
    SchedulingTextIn,
)
from console.schemas_board import AckOut, BoardPage, MatchOut, RequestOut


def _board(call: Call) -> BoardPage:
    q: PageQuery = call.query
    rows = call.console.board.rows(call.actor)
    items = [RequestOut.of(r) for r in rows[q.offset : q.offset + q.limit]]
    return BoardPage(items=items, **page_info(call, len(rows), q.limit, q.offset, len(items)))


def _request(call: Call) -> RequestOut:
    return RequestOut.of(call.console.board.row(call.actor, call.params["request_id"]))


def _match(call: Call) -> MatchOut:
    return MatchOut.of(call.console.explainer.explain(call.actor, call.params["request_id"]))


def _ack(call: Call) -> AckOut:
    request_id = call.params["request_id"]
    fresh = call.console.board.acknowledge(call.actor, request_id)
    return AckOut(
        acknowledged=fresh, request=RequestOut.of(call.console.board.row(call.actor, request_id))
    )


def _history(call: Call) -> HistoryOut:
    request_id = call.params["request_id"]
    events = call.console.board.history(call.actor, request_id)
    return HistoryOut(request_id=request_id, items=[EventOut.of(e) for e in events])


def _assign(call: Call) -> AssignOut:
    body: AssignIn = call.body
    request_id = call.params["request_id"]
    supporter = call.console.actions.assign(call.actor, request_id, body.supporter_id)
    row = call.console.board.row(call.actor, request_id)
    return AssignOut(
        supporter_id=supporter.id, supporter_name=supporter.name, request=RequestOut.of(row)
    )


def _requeue(call: Call) -> ActionOut:
    request_id = call.params["request_id"]
    call.console.actions.requeue(call.actor, request_id)
    return ActionOut(request=RequestOut.of(call.console.board.row(call.actor, request_id)))


def _scheduling_text(call: Call) -> ActionOut:
    body: SchedulingTextIn = call.body
    request_id = call.params["request_id"]
    call.console.actions.scheduling_text(call.actor, request_id, body.day, body.window)
    return ActionOut(request=RequestOut.of(call.console.board.row(call.actor, request_id)))


def _close(call: Call) -> ActionOut:
    body: CloseIn = call.body
    request_id = call.params["request_id"]
    call.console.actions.close(call.actor, request_id, body.reason)
    return ActionOut(request=RequestOut.of(call.console.board.row(call.actor, request_id)))


R = "/requests/{request_id}"
OPERATIONS = [
    Operation(
        "GET",
        "/board",
        _board,
        "Open requests, most urgent and least time left first",
        "board",
        query=PageQuery,
        response=BoardPage,
    ),
    Operation(
        "GET", R, _request, "One request as the board shows it", "board", response=RequestOut
    ),
    Operation(
        "GET",
        R + "/match",
        _match,
        "Who would be offered it and why, who was left out and why, offers made",
        "board",
        response=MatchOut,
    ),
    Operation(
        "POST",
        R + "/ack",
        _ack,
        "Acknowledge: own the request, stop its escalation",
        "board",
        response=AckOut,
        errors=(409,),
    ),
    Operation(
        "GET",
        R + "/history",
        _history,
        "What happened to the request: its event log, oldest first",
        "board",
        response=HistoryOut,
    ),
    Operation(
        "POST",
        R + "/assign",
        _assign,
        "Offer it to this supporter next (the same exactly-once claim as dispatch)",
        "board",
        body=AssignIn,
        response=AssignOut,
        status=202,
        errors=(409,),
        description="A phone still ringing for someone else stops. 409 when the request is "
        "connected or closed, its offer is being heard, or the supporter may not take it "
        "(inactive, training, bad number, the caller's organization or language, busy).",
    ),
    Operation(
        "POST",
        R + "/requeue",
        _requeue,
        "Match it again now (a ringing offer stops; a held request returns to dispatch)",
        "board",
        response=ActionOut,
        status=202,
        errors=(409,),
    ),
    Operation(
        "POST",
        R + "/scheduling-text",
        _scheduling_text,
        "Text the caller when to expect the call (through the one outbound sender)",
        "board",
        body=SchedulingTextIn,
        response=ActionOut,
        status=202,
        errors=(409,),
        description="Sent by a worker; the request's history then says "
        "scheduling_text.sent or scheduling_text.not_sent with the reason (opted out, …).",
    ),
    Operation(
        "POST",
        R + "/close",
        _close,
        "Close a request nobody has taken, with a reason (a ringing phone stops)",
        "board",
        body=CloseIn,
        response=ActionOut,
        errors=(409,),
        description="The same ending as a coordinator texting CLOSE (usecases.lifecycle). "
        "409 when a supporter and the caller are connected (it closes when they hang up) "
        "or the request has already ended.",
    ),
]
