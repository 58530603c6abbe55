"""Every route of the web app answers with the security headers: webhooks, health, the API,
the console's pages and static files — signed in or not, 2xx or 4xx."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest
from httpx import Response
from starlette.routing import BaseRoute, Mount, Route

from tests.integration.conftest import Console
from tests.twilio_driver import TwilioDriver

pytestmark = pytest.mark.integration


def endpoints(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, concrete path) for every route, path parameters filled with ``x``."""
    for route in routes:
        if isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None:  # static files
                yield "GET", f"{prefix}{route.path}/favicon.svg"
            else:
                yield from endpoints(inner, prefix + route.path)
        elif isinstance(route, Route):
            path = prefix + re.sub(r"\{[^}]+\}", "x", route.path)
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                yield method, path


def assert_hardened(response: Response, where: str) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", where
    assert headers["referrer-policy"] == "no-referrer", where
    assert headers["x-frame-options"] == "DENY", where
    assert headers["strict-transport-security"] == "max-age=63072000; includeSubDomains", where
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, where
    if headers.get("content-type", "").startswith("text/html"):
        assert "script-src 'self'" in csp and "object-src 'none'" in csp, where
    else:
        assert csp.startswith("default-src 'none'"), where
    assert "server" not in headers, where


def test_every_route_answers_with_the_security_headers(console: Console) -> None:
    found = list(endpoints(console.app.routes))
    paths = {path for _method, path in found}
    assert {"/twilio/voice", "/twilio/sms", "/healthz", "/readyz", "/"} <= paths
    assert any(p.startswith("/api/v1/") for p in paths) and "/console/login" in paths
    statuses = set()
    for method, path in found:
        response = console.client.request(method, path, follow_redirects=False)
        statuses.add(response.status_code // 100)
        assert_hardened(response, f"{method} {path} -> {response.status_code}")
    assert {2, 3, 4} <= statuses


def test_signed_in_pages_and_api_answers_carry_them_too(console: Console) -> None:
    console.login()
    for path in ("/console/", "/console/supporters", "/console/coordinators", "/console/audit"):
        response = console.client.get(path)
        assert response.status_code == 200, path
        assert_hardened(response, path)
    answer = console.client.get("/api/v1/board")
    assert answer.status_code == 200
    assert_hardened(answer, "/api/v1/board")


def test_a_genuine_webhook_answer_carries_them(console: Console) -> None:
    twilio = TwilioDriver(console.client, "e2e-auth-token", console.settings.public_base)
    call = twilio.call()
    response = twilio.signed_post(call.url, call.params())
    assert response.status_code == 200 and "<Response>" in response.text
    assert_hardened(response, "POST /twilio/voice (signed)")
    assert response.headers["cache-control"] == "no-store"
