"""A local Twilio REST double whose answers can be lost: the carrier of the exactly-once tests.

The real twilio SDK talks to it over HTTP. Each create (a call or a text) to a number takes
the next *fault* queued for that number, else answers normally:

- ``"500-after"``: the call is placed (it shows in the list), then the answer is a 500;
- ``"timeout-after"``: placed, then the answer comes only after the client gave up;
- ``"500-before"``: a 500 and nothing placed;
- ``"429"``: Twilio's "too many requests", nothing placed;
- ``"http:<status>:<code>"``: that error (e.g. ``"http:400:21215"``), nothing placed.

``list_fails`` makes the Calls and Messages lists answer 500 (the carrier can't be asked).
Everything placed is in ``calls`` / ``messages``; call updates are in ``updates``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

ACCOUNT = "/2010-04-01/Accounts/{account_sid}"
HANG_SECONDS = 2.5  # longer than the test clients' timeout (1 s)


@dataclass
class Placed:
    sid: str
    to: str
    from_: str
    created_at: float
    body: str = ""
    url: str = ""


@dataclass
class FlakyTwilio:
    faults: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    list_fails: bool = False
    stopping: bool = False  # set before the server stops: a hanging answer ends at once
    calls: list[Placed] = field(default_factory=list)
    messages: list[Placed] = field(default_factory=list)
    updates: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, number: str, *faults: str) -> None:
        self.faults[number].extend(faults)

    def calls_to(self, number: str) -> list[Placed]:
        return [c for c in self.calls if c.to == number]

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(f"{ACCOUNT}/Calls.json", self._create_call, methods=["POST"]),
                Route(f"{ACCOUNT}/Calls.json", self._list_calls, methods=["GET"]),
                Route(f"{ACCOUNT}/Calls/{{sid}}.json", self._update_call, methods=["POST"]),
                Route(f"{ACCOUNT}/Messages.json", self._create_message, methods=["POST"]),
                Route(f"{ACCOUNT}/Messages.json", self._list_messages, methods=["GET"]),
            ]
        )

    async def _create_call(self, request: Request) -> JSONResponse:
        form = await request.form()
        to, from_ = str(form.get("To")), str(form.get("From"))
        placed = Placed(f"CA{next(self._ids):032x}", to, from_, time.time(), url=str(form["Url"]))
        return await self._created(placed, self.calls, _call)

    async def _create_message(self, request: Request) -> JSONResponse:
        form = await request.form()
        to, from_ = str(form.get("To")), str(form.get("From"))
        body = str(form.get("Body"))
        placed = Placed(f"SM{next(self._ids):032x}", to, from_, time.time(), body=body)
        return await self._created(placed, self.messages, _message)

    async def _created(self, placed: Placed, into: list[Placed], render: Any) -> JSONResponse:
        queued = self.faults[placed.to]
        fault = queued.popleft() if queued else "ok"
        if fault == "429":
            return _error(429, 20429, "Too Many Requests")
        if fault.startswith("http:"):
            _, status, code = fault.split(":")
            return _error(int(status), int(code), "Refused")
        if fault == "500-before":
            return _error(500, 20500, "Internal Server Error")
        into.append(placed)
        if fault == "500-after":
            return _error(500, 20500, "Internal Server Error")
        if fault == "timeout-after":
            for _ in range(int(HANG_SECONDS / 0.05)):
                if self.stopping:
                    break
                await asyncio.sleep(0.05)
        return JSONResponse(render(placed), status_code=201)

    async def _list_calls(self, request: Request) -> JSONResponse:
        return self._list(request, "calls", self.calls, _call)

    async def _list_messages(self, request: Request) -> JSONResponse:
        return self._list(request, "messages", self.messages, _message)

    def _list(self, request: Request, key: str, items: list[Placed], render: Any) -> JSONResponse:
        if self.list_fails:
            return _error(500, 20500, "Internal Server Error")
        to, from_ = request.query_params.get("To"), request.query_params.get("From")
        found = [i for i in items if to in (None, i.to) and from_ in (None, i.from_)]
        found.sort(key=lambda i: i.created_at, reverse=True)
        return JSONResponse({key: [render(i) for i in found], "next_page_uri": None, "page": 0})

    async def _update_call(self, request: Request) -> JSONResponse:
        form = await request.form()
        sid = request.path_params["sid"]
        self.updates.append((sid, {k: str(v) for k, v in form.items()}))
        placed = next(c for c in self.calls if c.sid == sid)
        return JSONResponse(_call(placed))


def _call(c: Placed) -> dict[str, Any]:
    created = formatdate(c.created_at, usegmt=True)
    return {"sid": c.sid, "to": c.to, "from": c.from_, "status": "queued", "date_created": created}


def _message(m: Placed) -> dict[str, Any]:
    created = formatdate(m.created_at, usegmt=True)
    return {"sid": m.sid, "to": m.to, "from": m.from_, "body": m.body, "date_created": created}


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "status": status}, status_code=status)
