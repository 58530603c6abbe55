"""Signing in and out of the console, and recognising a session or a bearer token.

A session is a random id in an HttpOnly cookie; the database holds its digest, its CSRF
token and its expiry (idle timeout, capped at a maximum age). An admin with a second factor
gets a *pending* session after the password, usable only to enter the code; the code swaps
it for a new full session (a new id: no fixation). Failed attempts are counted per account
and per client address; past the limit nothing is even checked until the window passes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage.accounts import AccountRecord, AccountStore
from storage.console_sessions import SessionRow, SessionStore
from usecases import credentials
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import NotSignedIn, Throttled
from usecases.ports import AttemptCounter

logger = logging.getLogger(__name__)

WRONG = "wrong username or password"


@dataclass(frozen=True)
class SignInPolicy:
    idle: timedelta = timedelta(hours=2)
    max_age: timedelta = timedelta(hours=12)
    second_factor_within: timedelta = timedelta(minutes=5)
    account_attempts: int = 5
    address_attempts: int = 30
    window: timedelta = timedelta(minutes=15)
    touch_every: timedelta = timedelta(minutes=1)  # don't write on every request


@dataclass(frozen=True)
class Grant:
    """A new session: ``token`` goes in the cookie, once; ``csrf_token`` into forms."""

    token: str
    csrf_token: str
    account: AccountRecord
    second_factor_due: bool
    expires_at: datetime


@dataclass(frozen=True)
class Signed:
    """A request's live session: who, and the CSRF token its forms must carry."""

    actor: Actor
    csrf_token: str
    account: AccountRecord


class SignIn:
    def __init__(
        self,
        accounts: AccountStore,
        sessions: SessionStore,
        attempts: AttemptCounter,
        audit: AuditTrail,
        policy: SignInPolicy = SignInPolicy(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.accounts, self.sessions, self.attempts = accounts, sessions, attempts
        self.audit, self.policy, self.clock = audit, policy, clock

    def login(self, login: str, password: str, address: str, code: str | None = None) -> Grant:
        """Check the password (and the code, if given); NotSignedIn or Throttled if not."""
        keys = self._keys(login, address)
        self._check_not_throttled(keys)
        account = self.accounts.by_login(login)
        stored = self.accounts.password_hash(account.id) if account else None
        if (
            account is None
            or not account.active
            or not credentials.password_matches(stored, password)
        ):
            self._failed(keys, account, "password")
            raise NotSignedIn(WRONG)
        if stored and credentials.needs_rehash(stored):
            self.accounts.update(account.id, password_hash=credentials.hash_password(password))
        if account.totp_enabled:
            if not code:
                return self._open(account, second_factor_due=True)
            self._check_code(account, code, keys)
        self.attempts.clear(keys[0])
        self.audit.write(_actor(account), "signin", "account", account.id)
        return self._open(account, second_factor_due=False)

    def second_factor(self, token: str, code: str, address: str) -> Grant:
        """The code for a pending session: a fresh full session replaces it."""
        row = self.sessions.get(credentials.digest(token))
        if row is None or not row.second_factor_due or row.expires_at <= self.clock():
            raise NotSignedIn("sign in again")
        account = self.accounts.get(row.account_id)
        if account is None or not account.active:
            raise NotSignedIn("sign in again")
        keys = self._keys(account.username, address)
        self._check_not_throttled(keys)
        self._check_code(account, code, keys)
        self.attempts.clear(keys[0])
        self.sessions.close(row.id_hash)
        self.audit.write(_actor(account), "signin", "account", account.id, second_factor=True)
        return self._open(account, second_factor_due=False)

    def pending(self, token: str) -> AccountRecord | None:
        """The account of a session still waiting for its second factor."""
        row = self.sessions.get(credentials.digest(token))
        if row is None or not row.second_factor_due or row.expires_at <= self.clock():
            return None
        return self.accounts.get(row.account_id)

    def session(self, token: str) -> Signed | None:
        """The signed-in account behind a cookie, or None (unknown, expired, pending)."""
        row = self.sessions.get(credentials.digest(token))
        now = self.clock()
        if row is None or row.second_factor_due:
            return None
        if row.expires_at <= now:
            self.sessions.close(row.id_hash)
            return None
        account = self.accounts.get(row.account_id)
        if account is None or not account.active:
            return None
        self._keep_alive(row, now)
        return Signed(_actor(account), row.csrf_token, account)

    def logout(self, token: str) -> None:
        row = self.sessions.get(credentials.digest(token))
        if row is None:
            return
        self.sessions.close(row.id_hash)
        account = self.accounts.get(row.account_id)
        if account is not None and not row.second_factor_due:
            self.audit.write(_actor(account), "signout", "account", account.id)

    def bearer(self, token: str) -> Actor | None:
        """The actor behind an API token, or None when unknown or revoked."""
        record = self.sessions.token_by_hash(credentials.digest(token))
        if record is None or record.revoked_at is not None:
            return None
        now = self.clock()
        if record.last_used_at is None or now - record.last_used_at >= self.policy.touch_every:
            self.sessions.token_used(record.id)
        return Actor("token", record.id, record.name, Role(record.role))

    # -- helpers -------------------------------------------------------------------------
    def _open(self, account: AccountRecord, *, second_factor_due: bool) -> Grant:
        token = credentials.new_secret()
        csrf = credentials.new_secret()
        now = self.clock()
        life = self.policy.second_factor_within if second_factor_due else self.policy.idle
        expires = min(now + life, now + self.policy.max_age)
        self.sessions.open(
            credentials.digest(token),
            account.id,
            csrf,
            expires,
            second_factor_due=second_factor_due,
        )
        return Grant(token, csrf, account, second_factor_due, expires)

    def _keep_alive(self, row: SessionRow, now: datetime) -> None:
        if now - row.last_seen_at < self.policy.touch_every:
            return
        expires = min(now + self.policy.idle, row.created_at + self.policy.max_age)
        self.sessions.touch(row.id_hash, expires)

    def _check_code(self, account: AccountRecord, code: str, keys: tuple[str, str]) -> None:
        secret = self.accounts.totp_secret(account.id)
        step = credentials.totp_step(secret, code, self.clock()) if secret else None
        if step is None or not self.accounts.use_totp_step(account.id, step):
            self._failed(keys, account, "code")
            raise NotSignedIn("wrong or already used code")

    def _keys(self, login: str, address: str) -> tuple[str, str]:
        return (
            "login:account:" + credentials.digest(login.strip().lower())[:32],
            "login:address:" + credentials.digest(address)[:32],
        )

    def _check_not_throttled(self, keys: tuple[str, str]) -> None:
        account_key, address_key = keys
        if (
            self.attempts.count(account_key) >= self.policy.account_attempts
            or self.attempts.count(address_key) >= self.policy.address_attempts
        ):
            raise Throttled("too many failed sign-ins; wait 15 minutes and try again")

    def _failed(self, keys: tuple[str, str], account: AccountRecord | None, what: str) -> None:
        for key in keys:
            self.attempts.hit(key, self.policy.window)
        if account is not None:
            self.audit.write(_actor(account), "signin.failed", "account", account.id, check=what)
        logger.info("console sign-in failed (%s)", what)


def _actor(account: AccountRecord) -> Actor:
    return Actor(
        "account", account.id, account.username, Role(account.role), account.coordinator_id
    )
