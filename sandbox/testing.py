"""A tiny stand-in for Peerline, for tests of the sandbox and of code that drives it.

``TwimlScript`` serves a fixed TwiML document (or a function of the request) per path,
refuses requests whose ``X-Twilio-Signature`` does not verify (403, as Peerline does),
and records every request it received.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from sandbox.clock import Clock, ManualClock
from sandbox.config import SandboxConfig
from sandbox.sandbox import Sandbox

Reply = str | Response | Callable[[dict[str, str]], "str | Response"]


@dataclass(frozen=True)
class Received:
    path: str
    query: str
    params: dict[str, str]
    signed: bool


class TwimlScript:
    """A Starlette app (``.app``) answering webhooks from ``replies``.

    ``replies`` maps a path to TwiML, a ``Response``, or a function of the posted
    parameters returning either; unknown paths get an empty ``<Response/>``.
    """

    def __init__(self, auth_token: str, public_url: str, replies: dict[str, Reply]) -> None:
        self.replies = dict(replies)
        self.received: list[Received] = []
        self._validator = RequestValidator(auth_token)
        self._public_url = public_url.rstrip("/")
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])

    def paths(self) -> list[str]:
        return [r.path for r in self.received]

    def last(self, path: str) -> Received:
        return next(r for r in reversed(self.received) if r.path == path)

    async def _handle(self, request: Request) -> Response:
        query = request.url.query
        url = self._public_url + request.url.path + (f"?{query}" if query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        if request.method == "POST":
            form = await request.form()
            signed = self._validator.validate(url, form, signature)
            params = {k: str(v) for k, v in form.items()}
        else:
            signed = self._validator.validate(url, {}, signature)
            params = dict(request.query_params)
        self.received.append(Received(request.url.path, query, params, signed))
        if not signed:
            return Response("bad signature", status_code=403)
        reply = self.replies.get(request.url.path)
        if reply is None:
            return Response("<Response/>", media_type="application/xml")
        if isinstance(reply, Response):
            return reply
        body = reply(params) if callable(reply) else reply
        if isinstance(body, Response):
            return body
        return Response(body, media_type="application/xml")


def sandbox_config(**overrides: Any) -> SandboxConfig:
    """A configuration for tests: a fake account, Peerline at ``http://peerline.test``."""
    settings: dict[str, Any] = {
        "account_sid": "AC" + "5a" * 16,
        "auth_token": "sandbox-test-token",
        "hotline_number": "+16175550100",
        "peerline_url": "http://peerline.test",
        "public_url": "https://peerline.example.org",
        "cps": 100.0,
        "sms_per_second": 100.0,
    }
    settings.update(overrides)
    return SandboxConfig(**settings)


@contextmanager
def scripted_sandbox(
    replies: dict[str, Reply], *, clock: Clock | None = None, **overrides: Any
) -> Iterator[tuple[Sandbox, TwimlScript]]:
    """A sandbox (manual clock by default) wired in-process to a :class:`TwimlScript`.

    On exit it settles, closes, and checks that every webhook it sent was signed.
    """
    config = sandbox_config(**overrides)
    script = TwimlScript(config.auth_token, config.base_url, replies)
    with TestClient(script.app, base_url=config.peerline_url) as client:
        sandbox = Sandbox(config, clock=clock or ManualClock(), http=client)
        try:
            yield sandbox, script
            sandbox.settle()
        finally:
            sandbox.close()
    unsigned = [r.path for r in script.received if not r.signed]
    if unsigned:
        raise AssertionError(f"webhooks with a bad X-Twilio-Signature: {unsigned}")
