"""Endpoints: the blocklist (admins). A number goes in and never comes back out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from console.api import Call, Operation
from console.api_access import page_info
from console.schemas_access import PageInfo, PageQuery, Strict
from usecases.access import Role


class BlockIn(Strict):
    number: str = Field(min_length=1, max_length=40, description="any usual format; +1 if none")
    reason: str = Field("", max_length=200, description="why; no phone numbers")


class BlockedOut(BaseModel):
    id: str
    reason: str
    added_by: str = Field(description="who added it, as the audit log names them")
    created_at: datetime

    @classmethod
    def of(cls, entry: Any) -> BlockedOut:
        return cls(
            id=entry.id, reason=entry.reason, added_by=entry.added_by, created_at=entry.created_at
        )


class BlockedPage(PageInfo):
    items: list[BlockedOut]


def _blocklist(call: Call) -> BlockedPage:
    q: PageQuery = call.query
    entries = call.console.blocklist.entries(call.actor)
    items = [BlockedOut.of(e) for e in entries[q.offset : q.offset + q.limit]]
    return BlockedPage(items=items, **page_info(call, len(entries), q.limit, q.offset, len(items)))


def _block(call: Call) -> BlockedOut:
    body: BlockIn = call.body
    return BlockedOut.of(call.console.blocklist.add(call.actor, body.number, body.reason))


def _unblock(call: Call) -> None:
    call.console.blocklist.remove(call.actor, call.params["entry_id"])


OPERATIONS = [
    Operation(
        "GET",
        "/blocklist",
        _blocklist,
        "Blocked numbers, newest first (never the numbers themselves)",
        "blocklist",
        role=Role.ADMIN,
        query=PageQuery,
        response=BlockedPage,
    ),
    Operation(
        "POST",
        "/blocklist",
        _block,
        "Block a number: its calls are rejected, its texts unanswered, and it is never "
        "called or texted",
        "blocklist",
        role=Role.ADMIN,
        body=BlockIn,
        response=BlockedOut,
        status=201,
        errors=(409,),
    ),
    Operation(
        "DELETE",
        "/blocklist/{entry_id}",
        _unblock,
        "Unblock a number",
        "blocklist",
        role=Role.ADMIN,
        status=204,
    ),
]
