"""``peerline.headers.SecurityHeaders`` on a bare Starlette app: what is added, what is kept."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from peerline.headers import PAGE_CSP, SecurityHeaders


async def page(request: Request) -> Response:
    return HTMLResponse("<p>hi</p>")


async def data(request: Request) -> Response:
    return JSONResponse({"ok": True}, headers={"server": "leaky/1.0"})


async def cached(request: Request) -> Response:
    return PlainTextResponse("x", headers={"cache-control": "max-age=60"})


def client(hsts: bool) -> TestClient:
    app = Starlette(
        routes=[
            Route("/page", page),
            Route("/data", data),
            Route("/cached", cached),
            Route("/static/app.css", cached),
        ]
    )
    return TestClient(SecurityHeaders(app, hsts=hsts))


def test_html_gets_the_strict_page_policy_and_the_rest_none_at_all() -> None:
    with client(hsts=True) as c:
        html, json_ = c.get("/page").headers, c.get("/data").headers
    assert html["content-security-policy"] == PAGE_CSP
    assert json_["content-security-policy"].startswith("default-src 'none'")
    for headers in (html, json_):
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
        assert headers["cache-control"] == "no-store"


def test_no_hsts_over_plain_http() -> None:
    with client(hsts=False) as c:
        assert "strict-transport-security" not in c.get("/page").headers


def test_a_server_banner_is_dropped_and_a_responses_own_caching_kept() -> None:
    with client(hsts=False) as c:
        assert "server" not in c.get("/data").headers
        assert c.get("/cached").headers["cache-control"] == "max-age=60"
        static = c.get("/static/app.css").headers
    assert static["cache-control"] == "max-age=60"
    assert static["x-content-type-options"] == "nosniff"
