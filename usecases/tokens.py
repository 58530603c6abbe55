"""Bearer API tokens: created with a role, shown once, stored as a digest, revocable."""

from __future__ import annotations

import re

from storage.console_sessions import SessionStore, TokenRecord
from storage.errors import Duplicate
from usecases import credentials
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Conflict, Invalid, NotFound

PREFIX = "plt_"  # recognisable in a leaked-secret scan
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


class Tokens:
    def __init__(self, sessions: SessionStore, audit: AuditTrail) -> None:
        self.sessions, self.audit = sessions, audit

    def create(self, actor: Actor, name: str, role: Role) -> tuple[TokenRecord, str]:
        """The token's record and its secret, which is never available again."""
        actor.require(Role.ADMIN)
        if not _NAME.fullmatch(name):
            raise Invalid(["token name: 1 to 80 letters, digits or . _ -"])
        secret = credentials.new_secret(PREFIX)
        try:
            record = self.sessions.add_token(name, credentials.digest(secret), role)
        except Duplicate as exc:
            raise Conflict(str(exc)) from exc
        self.audit.write(actor, "token.create", "token", record.id, name=name, role=str(role))
        return record, secret

    def list_all(self, actor: Actor) -> list[TokenRecord]:
        actor.require(Role.ADMIN)
        return self.sessions.tokens()

    def revoke(self, actor: Actor, name: str) -> None:
        actor.require(Role.ADMIN)
        if not self.sessions.revoke(name):
            raise NotFound(f"no live token named {name!r}")
        self.audit.write(actor, "token.revoke", "token", None, name=name)
