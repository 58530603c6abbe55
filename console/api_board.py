"""Endpoints: the board (read-only in this phase), one request, its match reasons, ACK."""

from __future__ import annotations

from console.api import Call, Operation
from console.api_access import page_info
from console.schemas_access import PageQuery
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
]
