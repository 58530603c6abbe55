"""The softphone's control endpoints answer the softphone page, and nobody else.

The sandbox has no authentication: anyone who can reach it can ring phones and send texts
in it. It listens on loopback only, and that is not enough on its own: any web page the
developer opens could post to ``http://127.0.0.1:8765`` (a form, or ``fetch`` in
``no-cors`` mode), or rebind its own host name to 127.0.0.1 and read the page's state. So:

- every softphone request must name a loopback host (``Host``), which a rebound name can't;
- a request that changes something must be JSON (a cross-site form can't send that, and a
  cross-site ``fetch`` of JSON needs a CORS preflight the sandbox never grants) and carry
  an ``Origin`` that is the sandbox's own (else ``Sec-Fetch-Site: same-origin``).

The Twilio-shaped REST API (``sandbox.rest``) is not guarded here: the SDK calls it with
HTTP Basic auth and no browser is involved.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

SAFE_METHODS = frozenset({"GET", "HEAD"})
Endpoint = Callable[[Request], Awaitable[Response]]


def is_loopback(host: str) -> bool:
    """``localhost`` (and ``*.localhost``), 127.0.0.0/8 or ``::1``."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refusal(request: Request) -> str | None:
    """Why this request may not reach a softphone endpoint, or None."""
    host = request.headers.get("host", "").lower()
    if not is_loopback(urlsplit(f"//{host}").hostname or ""):
        return "the sandbox answers on a loopback address only"
    if request.method in SAFE_METHODS:
        return None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return "send JSON (Content-Type: application/json)"
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.lower().rstrip("/") != f"{request.url.scheme}://{host}":
            return "cross-site request refused"
    elif request.headers.get("sec-fetch-site") != "same-origin":
        return "cross-site request refused: no Origin"
    return None


def same_origin(endpoint: Endpoint) -> Endpoint:
    """``endpoint``, answering 403 to anything but the softphone page itself."""

    async def guarded(request: Request) -> Response:
        reason = refusal(request)
        if reason is not None:
            return JSONResponse({"error": reason}, status_code=403)
        return await endpoint(request)

    guarded.__name__ = endpoint.__name__
    return guarded
