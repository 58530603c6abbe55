"""Who may call what: every API operation refuses the unsigned (401), the wrong role (403)
and a cookie without its CSRF token (403); sign-in, sessions, tokens and the second factor."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import update

from console.api import PREFIX, Operation
from console.web import OPERATIONS
from storage.console_models import ConsoleSession
from tests.integration.conftest import Console
from usecases.access import Role

pytestmark = pytest.mark.integration


def _url(op: Operation) -> str:
    return PREFIX + re.sub(r"{\w+}", "nothing-here", op.path)


def _call(console: Console, op: Operation, headers: dict[str, str] | None = None) -> int:
    body = {} if op.body is not None else None
    response = console.client.request(op.method, _url(op), json=body, headers=headers or {})
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
        problem = response.json()
        assert {"type", "title", "status"} <= set(problem) and problem[
            "status"
        ] == response.status_code
    return response.status_code


SIGNED = [op for op in OPERATIONS if op.role is not None]
ADMIN_ONLY = [op for op in OPERATIONS if op.role is Role.ADMIN]
UNSAFE = [op for op in SIGNED if op.method != "GET"]


def test_the_operations_cover_every_area() -> None:
    tags = {op.tag for op in OPERATIONS}
    areas = {"auth", "supporters", "coordinators", "accounts", "tokens", "audit", "board"}
    assert tags == areas | {"blocklist", "training", "reports"}
    assert len(ADMIN_ONLY) > 10 and len(UNSAFE) > 10


def test_no_credentials_is_401_everywhere(console: Console) -> None:
    for op in SIGNED:
        assert _call(console, op) == 401, op.path
        assert _call(console, op, {"Authorization": "Bearer plt_not-a-real-token"}) == 401, op.path
        assert _call(console, op, {"Authorization": "Basic YWRhOmFkbWlu"}) == 401, op.path


def test_a_coordinator_on_an_admin_endpoint_is_403(console: Console) -> None:
    for op in ADMIN_ONLY:
        assert _call(console, op, console.bearer(admin=False)) == 403, op.path
    csrf = console.login("cory")  # signed in with a cookie, same answer
    for op in ADMIN_ONLY:
        assert _call(console, op, {"X-CSRF-Token": csrf}) == 403, op.path


def test_a_cookie_without_its_csrf_token_is_403(console: Console) -> None:
    console.login()
    for op in UNSAFE:
        assert _call(console, op) == 403, op.path
        assert _call(console, op, {"X-CSRF-Token": "forged"}) == 403, op.path


def test_sign_in_sets_a_hardened_cookie_and_me_answers(console: Console) -> None:
    response = console.client.post(
        "/api/v1/auth/login",
        json={"username": "ADA@example.org", "password": console.ADMIN_PASSWORD},
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-peerline_session=")  # https public URL: the __Host- prefix
    for flag in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert flag.lower() in cookie.lower()
    me = console.client.get("/api/v1/auth/me").json()
    assert me == {
        "kind": "account",
        "id": console.admin.id,
        "name": "ada",
        "role": "admin",
        "coordinator_id": None,
    }
    token = cookie.split(";")[0].split("=", 1)[1]
    with console.services.store.engine.connect() as conn:
        stored = conn.execute(ConsoleSession.__table__.select()).all()
    assert len(stored) == 1 and token not in str(stored[0]), "only the digest is stored"


def test_a_wrong_password_and_an_unknown_user_answer_alike(console: Console) -> None:
    for username in ("ada", "nobody"):
        response = console.client.post(
            "/api/v1/auth/login", json={"username": username, "password": "wrong-password"}
        )
        assert response.status_code == 401
        assert response.json()["detail"] == "wrong username or password"


def test_logout_ends_the_session_everywhere_it_was_used(console: Console) -> None:
    csrf = console.login()
    assert (
        console.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code
        == 204
    )
    assert console.client.get("/api/v1/auth/me").status_code == 401


def test_an_expired_session_is_refused(console: Console) -> None:
    console.login()
    with console.services.store.engine.begin() as conn:
        conn.execute(
            update(ConsoleSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert console.client.get("/api/v1/auth/me").status_code == 401


def test_five_failures_lock_the_account_even_for_the_right_password(console: Console) -> None:
    for _ in range(5):
        bad = {"username": "cory", "password": "not-the-password"}
        assert console.client.post("/api/v1/auth/login", json=bad).status_code == 401
    good = {"username": "cory", "password": console.COORDINATOR_PASSWORD}
    response = console.client.post("/api/v1/auth/login", json=good)
    assert response.status_code == 429 and response.json()["type"].endswith(":throttled")
    # Another account from the same address still signs in (the address limit is higher).
    assert (
        console.client.post(
            "/api/v1/auth/login", json={"username": "ada", "password": console.ADMIN_PASSWORD}
        ).status_code
        == 200
    )


def test_many_failures_from_one_address_lock_the_address(console: Console) -> None:
    for n in range(30):
        bad = {"username": f"guess{n}", "password": "not-the-password"}
        assert console.client.post("/api/v1/auth/login", json=bad).status_code == 401
    good = {"username": "ada", "password": console.ADMIN_PASSWORD}
    assert console.client.post("/api/v1/auth/login", json=good).status_code == 429


def test_a_revoked_token_stops_working_and_bearer_needs_no_csrf(console: Console) -> None:
    headers = console.bearer()
    created = console.client.post(
        "/api/v1/tokens", headers=headers, json={"name": "script", "role": "coordinator"}
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("plt_")
    listed = console.client.get("/api/v1/tokens", headers=headers).json()
    assert secret not in str(listed) and {"script", "admin-token"} <= {
        t["name"] for t in listed["items"]
    }
    mine = {"Authorization": f"Bearer {secret}"}
    assert console.client.get("/api/v1/board", headers=mine).status_code == 200
    assert console.client.delete("/api/v1/tokens/script", headers=headers).status_code == 204
    assert console.client.get("/api/v1/board", headers=mine).status_code == 401
    assert console.client.delete("/api/v1/tokens/script", headers=headers).status_code == 404


def test_an_admin_second_factor_is_required_once_enrolled_and_a_code_works_once(
    console: Console,
) -> None:
    from usecases.access import Actor

    ada = Actor("account", console.admin.id, "ada", Role.ADMIN)
    enrolment = console.use.accounts.begin_second_factor(ada)
    assert enrolment.uri.startswith("otpauth://totp/Peerline:ada%40example.org?secret=")
    totp = pyotp.TOTP(enrolment.secret)
    console.use.accounts.confirm_second_factor(ada, enrolment.secret, totp.now())
    body = {"username": "ada", "password": console.ADMIN_PASSWORD}
    response = console.client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 401 and response.json()["type"].endswith(
        "second-factor-required"
    )
    code = totp.at(datetime.now(UTC) + timedelta(seconds=30))  # next step: not used yet
    assert console.client.post("/api/v1/auth/login", json={**body, "code": code}).status_code == 200
    again = console.client.post("/api/v1/auth/login", json={**body, "code": code})
    assert again.status_code == 401, "a code is good once"


def test_deactivating_an_account_signs_it_out(console: Console) -> None:
    console.login("cory")
    patch = console.client.patch(
        f"/api/v1/accounts/{console.coordinator.id}",
        headers=console.bearer(),
        json={"active": False},
    )
    assert patch.status_code == 200 and patch.json()["active"] is False
    assert console.client.get("/api/v1/auth/me").status_code == 401


def test_accounts_are_created_listed_and_refuse_duplicates(console: Console) -> None:
    headers = console.bearer()
    new = {"username": "dee", "name": "Dee", "role": "coordinator", "password": "a-long-password"}
    assert console.client.post("/api/v1/accounts", headers=headers, json=new).status_code == 201
    assert console.client.post("/api/v1/accounts", headers=headers, json=new).status_code == 409
    short = {**new, "username": "eve", "password": "short"}
    assert console.client.post("/api/v1/accounts", headers=headers, json=short).status_code == 422
    page = console.client.get("/api/v1/accounts?limit=2", headers=headers).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and "offset=2" in page["next"]
    assert "password" not in str(page)
