"""Errors as RFC 9457 problem details (``application/problem+json``): type, title, status,
detail, and ``errors`` (every problem, one line each) where there are several."""

from __future__ import annotations

from http import HTTPStatus

from pydantic import BaseModel
from starlette.responses import JSONResponse

from usecases.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    NotSignedIn,
    Throttled,
    UseCaseError,
)

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[str] | None = None


class ProblemError(Exception):
    """Raised inside the console to answer with a problem at once."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        errors: list[str] | None = None,
    ) -> None:
        super().__init__(detail or HTTPStatus(status).phrase)
        self.status, self.detail, self.kind, self.errors = status, detail, kind, errors


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=f"urn:peerline:problem:{kind}" if kind else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=headers,
    )


_STATUS: list[tuple[type[UseCaseError], int, str]] = [
    (NotSignedIn, 401, "not-signed-in"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (Invalid, 422, "invalid"),
    (Throttled, 429, "throttled"),
]


def status_of(error: UseCaseError) -> tuple[int, str]:
    for kind, status, slug in _STATUS:
        if isinstance(error, kind):
            return status, slug
    return 400, "bad-request"


def from_use_case(error: UseCaseError) -> JSONResponse:
    status, slug = status_of(error)
    errors = error.errors if isinstance(error, Invalid) else None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return problem(status, str(error), kind=slug, errors=errors, headers=headers)
