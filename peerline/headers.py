"""Security headers on every response of the web app: webhooks, health, API and console.

The one place they are set (pure ASGI, so streamed responses such as the board's event
stream pass untouched). HTML gets the console's strict policy — its own scripts, styles
and images only, no inline code, never framed; everything else gets ``default-src 'none'``,
which also keeps an SVG opened on its own from running script. ``Referrer-Policy:
no-referrer``: nothing Peerline serves needs the Referer, and console URLs name requests.
HSTS only when the public URL is https (a browser would pin http://127.0.0.1 otherwise).
Anything but static files is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = b"max-age=63072000; includeSubDomains"
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the headers a response does not set itself and drops any ``server`` banner."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.common = COMMON + ([(b"strict-transport-security", HSTS)] if hsts else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/static/" in scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self.headers(list(message.get("headers", [])), static)
            await send(message)

        await self.app(scope, receive, with_headers)

    def headers(
        self, headers: list[tuple[bytes, bytes]], static: bool
    ) -> list[tuple[bytes, bytes]]:
        headers = [(name, value) for name, value in headers if name.lower() != b"server"]
        present = {name.lower() for name, _ in headers}
        kind = next((v for n, v in headers if n.lower() == b"content-type"), b"")
        csp = PAGE_CSP if kind.lower().startswith(b"text/html") else OTHER_CSP
        wanted = [*self.common, (b"content-security-policy", csp.encode())]
        if not static:
            wanted.append((b"cache-control", b"no-store"))
        return headers + [(name, value) for name, value in wanted if name not in present]
