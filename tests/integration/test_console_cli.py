"""``peerline tokens …``, ``peerline accounts add`` and ``coordinators add`` with a login."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine

from peerline.cli import main
from storage.accounts import AccountStore
from storage.audit import AuditStore
from storage.console_sessions import SessionStore
from storage.crypto import FieldCipher
from storage.roster import RosterStore
from tests.integration.test_roster_cli import environment  # noqa: F401 - the CLI's env
from usecases import credentials

pytestmark = pytest.mark.integration


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_a_token_is_printed_once_stored_as_a_digest_listed_and_revoked(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tokens", "create", "--name", "nightly", "--role", "coordinator"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("plt_") and len(secret) > 40
    record = SessionStore(engine).token_by_hash(credentials.digest(secret))
    assert record is not None and record.name == "nightly" and record.role == "coordinator"
    assert main(["tokens", "create", "--name", "nightly", "--role", "admin"]) == 1
    assert "exists" in capsys.readouterr().err
    assert main(["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nightly" in listing and "live" in listing and secret not in listing
    assert main(["tokens", "revoke", "nightly"]) == 0
    assert main(["tokens", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["tokens", "revoke", "nightly"]) == 1
    actions = [e.action for e in AuditStore(engine).page(10, 0)[0]]
    assert actions == ["token.revoke", "token.create"]


def test_coordinators_add_with_a_password_makes_a_linked_console_login(
    engine: Engine, cipher: FieldCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "a-strong-password\n")
    argv = [
        "coordinators",
        "add",
        "--name",
        "Kim Lee",
        "--phone",
        "617-555-0191",
        "--email",
        "Kim@Example.org",
        "--password-stdin",
    ]
    assert main(argv) == 0
    [kim] = RosterStore(engine, cipher).coordinators()
    account = AccountStore(engine, cipher).by_login("kim@example.org")
    assert account is not None and account.coordinator_id == kim.id
    assert account.role == "coordinator" and account.email == "kim@example.org"
    stored = AccountStore(engine, cipher).password_hash(account.id)
    assert stored is not None and credentials.password_matches(stored, "a-strong-password")


def test_a_short_password_or_no_login_adds_nothing(
    engine: Engine,
    cipher: FieldCipher,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, "short\n")
    argv = [
        "coordinators",
        "add",
        "--name",
        "Kim",
        "--phone",
        "617-555-0191",
        "--email",
        "kim@example.org",
        "--password-stdin",
    ]
    assert main(argv) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert (
        main(
            ["coordinators", "add", "--name", "Kim", "--phone", "617-555-0191", "--password-stdin"]
        )
        == 1
    )
    assert RosterStore(engine, cipher).coordinators() == []


def test_the_password_prompt_asks_twice(
    engine: Engine, cipher: FieldCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["first-password-x", "second-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    argv = [
        "accounts",
        "add",
        "--username",
        "root",
        "--name",
        "Root",
        "--role",
        "admin",
        "--password-prompt",
    ]
    assert main(argv) == 1
    answers = iter(["same-password-1", "same-password-1"])
    assert main(argv) == 0
    account = AccountStore(engine, cipher).by_login("root")
    assert account is not None and account.role == "admin"


def test_the_demo_admin_has_the_fixed_password_only_on_a_loopback_url(
    engine: Engine, cipher: FieldCipher, tmp_path: object
) -> None:
    from peerline.demo import DEMO_ADMIN, seed_console
    from peerline.settings import Settings
    from storage.repository import Store

    store, roster = Store(engine, cipher), RosterStore(engine, cipher)
    roster.add_coordinator("Coordinator on call", "+16175550120")
    public = Settings(public_url="https://hotline.example.org")
    username, password = seed_console(public, store, roster) or ("", "")
    assert username == "admin" and password != DEMO_ADMIN[1] and len(password) >= 10
    assert seed_console(public, store, roster) is None, "a random password is shown once"
    account = AccountStore(engine, cipher).by_login("admin")
    assert account is not None and account.coordinator_id == roster.coordinators()[0].id
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM accounts")
    laptop = Settings(public_url=None, host="127.0.0.1")
    assert seed_console(laptop, store, roster) == DEMO_ADMIN
    assert seed_console(laptop, store, roster) == DEMO_ADMIN
