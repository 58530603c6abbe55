"""The console's pages over HTTP: sign-in with its own CSRF token and the second factor,
redirects, CSRF on forms, roles, security headers, static files."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest

from tests.integration.conftest import Console

pytestmark = pytest.mark.integration


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def _sign_in(console: Console, username: str, password: str, next_: str = "") -> Any:
    form = console.client.get("/console/login" + (f"?next={next_}" if next_ else ""))
    return console.client.post(
        "/console/login",
        data={
            "csrf_token": _hidden(form.text, "csrf_token"),
            "username": username,
            "password": password,
            "next": _hidden(form.text, "next"),
        },
        follow_redirects=False,
    )


def test_a_page_sends_the_signed_out_to_sign_in_and_back(console: Console) -> None:
    response = console.client.get("/console/supporters?q=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console/supporters%3Fq%3Dx"
    signed = _sign_in(console, "cory", console.COORDINATOR_PASSWORD, "/console/supporters")
    assert signed.status_code == 303 and signed.headers["location"] == "/console/supporters"
    assert console.client.get("/console/supporters").status_code == 200


def test_sign_in_needs_the_forms_own_token_and_never_redirects_away(console: Console) -> None:
    forged = console.client.post(
        "/console/login",
        data={"csrf_token": "forged", "username": "ada", "password": console.ADMIN_PASSWORD},
        follow_redirects=False,
    )
    assert forged.status_code == 403 and "expired" in forged.text
    away = _sign_in(console, "ada", console.ADMIN_PASSWORD, "https://evil.example/")
    assert away.headers["location"] == "/console/"
    wrong = _sign_in(console, "ada", "not-the-password")
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.text


def test_forms_without_the_csrf_token_are_refused(console: Console) -> None:
    _sign_in(console, "ada", console.ADMIN_PASSWORD)
    response = console.client.post("/console/tokens", data={"name": "x", "role": "admin"})
    assert response.status_code == 403 and "did not come from the console" in response.text
    page = console.client.get("/console/tokens")
    made = console.client.post(
        "/console/tokens",
        data={"csrf_token": _hidden(page.text, "csrf_token"), "name": "x", "role": "admin"},
    )
    assert made.status_code == 200 and re.search(r'id="new-token">plt_', made.text)


def test_a_coordinator_cannot_open_admin_pages(console: Console) -> None:
    _sign_in(console, "cory", console.COORDINATOR_PASSWORD)
    for path in (
        "/console/accounts",
        "/console/tokens",
        "/console/audit",
        "/console/supporters/import",
    ):
        response = console.client.get(path)
        assert response.status_code == 403 and "admin role" in response.text, path
    assert "Accounts" not in console.client.get("/console/").text.split("<main")[0]


def test_an_admin_enrols_a_second_factor_and_then_signs_in_in_two_steps(console: Console) -> None:
    _sign_in(console, "ada", console.ADMIN_PASSWORD)
    page = console.client.get("/console/security")
    secret = _hidden(page.text, "secret")
    code = pyotp.TOTP(secret).now()
    done = console.client.post(
        "/console/security",
        data={"csrf_token": _hidden(page.text, "csrf_token"), "secret": secret, "code": code},
    )
    assert "Second factor on" in done.text
    console.client.post("/console/logout", data={"csrf_token": _hidden(done.text, "csrf_token")})
    assert console.client.get("/console/", follow_redirects=False).status_code == 303
    first = _sign_in(console, "ada", console.ADMIN_PASSWORD)
    assert first.headers["location"].startswith("/console/login/code")
    assert console.client.get("/console/", follow_redirects=False).status_code == 303, "pending"
    later = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    second = console.client.post(
        "/console/login/code", data={"code": later, "next": "/console/"}, follow_redirects=False
    )
    assert second.status_code == 303 and second.headers["location"] == "/console/"
    assert console.client.get("/console/").status_code == 200


def test_console_responses_carry_the_security_headers(console: Console) -> None:
    for path in ("/console/login", "/api/openapi.json", "/api/v1/board"):
        headers = console.client.get(path).headers
        page = path.startswith("/console/")
        csp = "script-src 'self'" if page else "default-src 'none'"
        assert csp in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"
    icon = console.client.get("/console/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "no-store" not in icon.headers.get("cache-control", "")
    page = console.client.get("/console/login").text
    assert "<script>" not in page and " style=" not in page and "on" + "click" not in page


def test_unknown_console_and_api_paths_answer_in_their_own_format(console: Console) -> None:
    api = console.client.get("/api/v1/nothing")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    page = console.client.get("/console/nothing")
    assert page.status_code == 404 and "no such page" in page.text
    assert console.client.get("/", follow_redirects=False).headers["location"] == "/console/"
