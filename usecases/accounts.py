"""Console accounts (admin only, or the command line), and an admin's second factor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.accounts import AccountRecord, AccountStore
from storage.console_sessions import SessionStore
from storage.errors import Duplicate
from usecases import credentials
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Conflict, Invalid, NotFound
from usecases.paging import Page, bounded

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{1,119}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class NewAccount:
    username: str
    name: str
    role: Role
    password: str
    email: str | None = None
    coordinator_id: str | None = None


@dataclass(frozen=True)
class AccountChanges:
    name: str | None = None
    email: str | None = None
    role: Role | None = None
    active: bool | None = None
    password: str | None = None


@dataclass(frozen=True)
class Enrolment:
    """A second factor being set up: show ``uri`` (or ``secret``) to the authenticator app."""

    secret: str
    uri: str


class Accounts:
    def __init__(
        self,
        accounts: AccountStore,
        sessions: SessionStore,
        audit: AuditTrail,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.accounts, self.sessions, self.audit, self.clock = accounts, sessions, audit, clock

    def page(self, actor: Actor, limit: int = 50, offset: int = 0) -> Page[AccountRecord]:
        actor.require(Role.ADMIN)
        limit, offset = bounded(limit, offset)
        items, total = self.accounts.page(limit, offset)
        return Page(items, total, limit, offset)

    def get(self, actor: Actor, account_id: str) -> AccountRecord:
        if account_id != actor.id:
            actor.require(Role.ADMIN)
        found = self.accounts.get(account_id)
        if found is None:
            raise NotFound("no such account")
        return found

    def create(self, actor: Actor, new: NewAccount) -> AccountRecord:
        actor.require(Role.ADMIN)
        username = new.username.strip().lower()
        problems = []
        if not _USERNAME.fullmatch(username):
            problems.append("username: 2 to 120 letters, digits or . _ @ + -")
        if new.email is not None and not _EMAIL.fullmatch(new.email.strip()):
            problems.append("email is not an address like name@example.org")
        if not 1 <= len(" ".join(new.name.split())) <= 120:
            problems.append("name must be 1 to 120 characters")
        if problems:
            raise Invalid(problems)
        password_hash = credentials.hash_password(new.password)
        try:
            record = self.accounts.add(
                username=username,
                name=" ".join(new.name.split()),
                role=new.role,
                password_hash=password_hash,
                email=new.email.strip() if new.email else None,
                coordinator_id=new.coordinator_id,
            )
        except Duplicate as exc:
            raise Conflict(str(exc)) from exc
        self.audit.write(actor, "account.create", "account", record.id, role=str(new.role))
        return record

    def update(self, actor: Actor, account_id: str, changes: AccountChanges) -> AccountRecord:
        actor.require(Role.ADMIN)
        current = self.get(actor, account_id)
        values: dict[str, object] = {}
        if changes.name is not None:
            values["name"] = " ".join(changes.name.split())
            if not 1 <= len(str(values["name"])) <= 120:
                raise Invalid(["name must be 1 to 120 characters"])
        if changes.email is not None:
            if changes.email and not _EMAIL.fullmatch(changes.email.strip()):
                raise Invalid(["email is not an address like name@example.org"])
            values["email"] = changes.email.strip() or None
        if changes.role is not None:
            values["role"] = changes.role
        if changes.active is not None:
            values["active"] = changes.active
        if changes.password is not None:
            values["password_hash"] = credentials.hash_password(changes.password)
        if current.id == actor.id and (changes.active is False or changes.role == Role.COORDINATOR):
            raise Conflict("you can't lock yourself out: another admin must do that")
        try:
            self.accounts.update(account_id, **values)
        except Duplicate as exc:
            raise Conflict(str(exc)) from exc
        if changes.active is False or changes.password is not None or changes.role is not None:
            self.sessions.close_all(account_id)  # signed out everywhere
        fields = sorted(k.removesuffix("_hash") for k in values)
        self.audit.write(actor, "account.update", "account", account_id, fields=fields)
        return self.get(actor, account_id)

    # -- second factor -------------------------------------------------------------------
    def begin_second_factor(self, actor: Actor) -> Enrolment:
        """A new secret for the actor's own account; nothing is stored until confirmed."""
        actor.require(Role.ADMIN)
        account = self.get(actor, actor.id)
        secret = credentials.new_totp_secret()
        return Enrolment(secret, credentials.totp_uri(secret, account.email or account.username))

    def confirm_second_factor(self, actor: Actor, secret: str, code: str) -> None:
        actor.require(Role.ADMIN)
        if actor.kind != "account":
            raise Invalid(["only a signed-in account can enrol a second factor"])
        if credentials.totp_step(secret, code, self.clock()) is None:
            raise Invalid(["that code does not match: check the device's clock and try again"])
        self.accounts.set_totp(actor.id, secret)
        self.audit.write(actor, "account.second_factor.enable", "account", actor.id)

    def remove_second_factor(self, actor: Actor, account_id: str) -> None:
        actor.require(Role.ADMIN)
        self.get(actor, account_id)
        self.accounts.set_totp(account_id, None)
        self.audit.write(actor, "account.second_factor.remove", "account", account_id)
