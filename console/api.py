"""JSON endpoints declared as data: an ``Operation`` names its method, path, role, pydantic
models and the errors it may answer with; ``routes`` turns them into Starlette routes and
``console.openapi`` into the OpenAPI document, so the two can't drift apart.

Every handler is a plain function of a ``Call`` that calls one use case; it runs in the
thread pool (the use cases block on the database).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from console.auth import Caller, caller, services
from console.problems import ProblemError, from_use_case, problem
from console.services import ConsoleServices
from usecases.access import Actor, Role
from usecases.errors import UseCaseError

logger = logging.getLogger(__name__)

PREFIX = "/api/v1"  # as the OpenAPI document names paths; routes sit under the /api mount
MOUNTED = "/v1"
MAX_BODY = 4_000_000


@dataclass
class Call:
    """One request as a handler sees it: who, the parsed inputs, the use cases."""

    request: Request
    caller: Caller | None
    params: dict[str, str]
    body: Any
    query: Any
    console: ConsoleServices

    @property
    def actor(self) -> Actor:
        if self.caller is None:
            raise ProblemError(401, kind="not-signed-in")
        return self.caller.actor


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # under PREFIX, e.g. "/supporters/{supporter_id}"
    handler: Callable[[Call], Any]
    summary: str
    tag: str
    role: Role | None = Role.COORDINATOR  # None: no sign-in needed
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    media_type: str = "application/json"
    errors: tuple[int, ...] = ()
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__.strip("_")

    def error_statuses(self) -> list[int]:
        found = set(self.errors)
        if self.role is not None:
            found |= {401, 403}
        if self.body is not None:
            found |= {400, 415, 422}
        if self.query is not None:
            found.add(422)
        if "{" in self.path:
            found.add(404)
        return sorted(found)


def routes(operations: list[Operation]) -> list[Route]:
    """One route per path, so a 405 lists every method the path has in ``Allow``."""
    by_path: dict[str, dict[str, Callable[[Request], Any]]] = {}
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = _endpoint(op)
    return [
        Route(MOUNTED + path, _dispatch(methods), methods=list(methods))
        for path, methods in by_path.items()
    ]


def _dispatch(methods: dict[str, Callable[[Request], Any]]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        response: Response = await methods[method](request)
        return response

    return endpoint


def _endpoint(op: Operation) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        try:
            who = await caller(request) if op.role is not None else None
            if who is not None and op.role is not None:
                who.actor.require(op.role)
            query = op.query.model_validate(dict(request.query_params)) if op.query else None
            body = await _body(request, op.body) if op.body else None
            call = Call(request, who, dict(request.path_params), body, query, services(request))
            result = await run_in_threadpool(op.handler, call)
        except ProblemError as exc:
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return problem(
                exc.status, exc.detail, kind=exc.kind, errors=exc.errors, headers=headers
            )
        except ValidationError as exc:
            return problem(422, "the request is not valid", kind="invalid", errors=_lines(exc))
        except UseCaseError as exc:
            return from_use_case(exc)
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status_code=204)
        content = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        return JSONResponse(content, status_code=op.status)

    endpoint.__name__ = op.operation_id
    return endpoint


async def _body(request: Request, model: type[BaseModel]) -> BaseModel:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise ProblemError(415, "send the body as application/json", kind="unsupported-media-type")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ProblemError(400, "the body is too large", kind="too-large")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProblemError(400, "the body is not valid JSON", kind="malformed") from None
    return model.model_validate(data)


def _lines(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "body"
        lines.append(f"{where}: {error['msg']}")
    return lines
