"""``peerline tokens …``, ``peerline accounts add`` and the console login of
``peerline coordinators add``: console access from a terminal.

Passwords come from a prompt (``--password-prompt``, asked twice) or the first line of
standard input (``--password-stdin``, for scripts); they never appear in arguments, where
other users of the machine could read them. A token is printed once and never again.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from ivr.numbers import to_e164
from peerline import bootstrap
from peerline.settings import Settings
from storage.accounts import AccountStore
from storage.audit import AuditStore
from storage.console_sessions import SessionStore
from storage.roster import RosterStore
from usecases.access import Actor, Role, cli_actor
from usecases.accounts import Accounts, NewAccount
from usecases.audit import AuditTrail
from usecases.credentials import check_password_rules
from usecases.errors import UseCaseError
from usecases.tokens import Tokens


def read_password(prompt: bool, stdin: bool) -> str | None:
    """The new password, or None (the reason on stderr)."""
    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif prompt:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("peerline: the passwords differ", file=sys.stderr)
            return None
    else:
        return None
    try:
        check_password_rules(password)
    except UseCaseError as exc:
        print(f"peerline: {exc}", file=sys.stderr)
        return None
    return password


def create_token(settings: Settings, name: str, role: str) -> int:
    def run(accounts: Accounts, tokens: Tokens) -> int:
        _record, secret = tokens.create(_actor(), name, Role(role))
        print(secret)
        print(f"token {name!r} ({role}): shown once; store it now", file=sys.stderr)
        return 0

    return _run(settings, run)


def list_tokens(settings: Settings) -> int:
    def run(accounts: Accounts, tokens: Tokens) -> int:
        rows = [
            (
                t.name,
                t.role,
                f"{t.created_at:%Y-%m-%d}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
                "revoked" if t.revoked_at else "live",
            )
            for t in tokens.list_all(_actor())
        ]
        if not rows:
            print("no tokens yet: create one with `peerline tokens create`")
            return 0
        header = ("NAME", "ROLE", "CREATED", "LAST USED", "STATE")
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        return 0

    return _run(settings, run)


def revoke_token(settings: Settings, name: str) -> int:
    def run(accounts: Accounts, tokens: Tokens) -> int:
        tokens.revoke(_actor(), name)
        print(f"revoked token {name!r}")
        return 0

    return _run(settings, run)


def add_account(
    settings: Settings,
    *,
    username: str,
    name: str,
    role: str,
    password: str,
    email: str | None = None,
    coordinator_id: str | None = None,
) -> int:
    def run(accounts: Accounts, tokens: Tokens) -> int:
        new = NewAccount(username, name, Role(role), password, email, coordinator_id)
        record = accounts.create(_actor(), new)
        print(f"console login {record.username} ({record.role}) can now sign in at /console/")
        return 0

    return _run(settings, run)


def coordinator_login(settings: Settings, phone: str, name: str, login: str, password: str) -> int:
    """The console login of the coordinator just added with ``phone``."""
    store = bootstrap.store(settings)
    try:
        number = to_e164(phone)
        found = (
            RosterStore(store.engine, store.cipher).coordinator_by_phone(number) if number else None
        )
    finally:
        store.engine.dispose()
    if found is None:
        return 1
    email = login if "@" in login else None
    return add_account(
        settings,
        username=login,
        name=name,
        role="coordinator",
        password=password,
        email=email,
        coordinator_id=found.id,
    )


def _actor() -> Actor:
    return cli_actor(os.environ.get("USER", ""))


def _run(settings: Settings, command: Callable[[Accounts, Tokens], int]) -> int:
    store = bootstrap.store(settings)
    engine = store.engine
    try:
        audit = AuditTrail(AuditStore(engine))
        sessions = SessionStore(engine)
        return command(
            Accounts(AccountStore(engine, store.cipher), sessions, audit), Tokens(sessions, audit)
        )
    except UseCaseError as exc:
        print(f"peerline: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
