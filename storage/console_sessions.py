"""Server-side console sessions and bearer API tokens, looked up by the digest of a secret.

Callers hash the cookie value or token before it reaches this module; nothing here ever
sees, stores or logs the secret itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.console_models import ApiToken, ConsoleSession
from storage.errors import Duplicate


@dataclass(frozen=True)
class SessionRow:
    id_hash: str
    account_id: str
    csrf_token: str
    second_factor_due: bool
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class TokenRecord:
    id: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class SessionStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- browser sessions ----------------------------------------------------------------
    def open(
        self,
        id_hash: str,
        account_id: str,
        csrf_token: str,
        expires_at: datetime,
        *,
        second_factor_due: bool = False,
    ) -> None:
        now = self.clock()
        with self._sessions.begin() as db:
            db.add(
                ConsoleSession(
                    id_hash=id_hash,
                    account_id=account_id,
                    csrf_token=csrf_token,
                    second_factor_due=second_factor_due,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )

    def get(self, id_hash: str) -> SessionRow | None:
        with self._sessions() as db:
            row = db.get(ConsoleSession, id_hash)
            if row is None:
                return None
            return SessionRow(
                row.id_hash,
                row.account_id,
                row.csrf_token,
                row.second_factor_due,
                row.created_at,
                row.last_seen_at,
                row.expires_at,
            )

    def touch(self, id_hash: str, expires_at: datetime) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(ConsoleSession)
                .where(ConsoleSession.id_hash == id_hash)
                .values(last_seen_at=self.clock(), expires_at=expires_at)
            )

    def close(self, id_hash: str) -> None:
        with self._sessions.begin() as db:
            db.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == id_hash))

    def close_all(self, account_id: str) -> int:
        with self._sessions.begin() as db:
            result = db.execute(
                delete(ConsoleSession).where(ConsoleSession.account_id == account_id)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def purge_expired(self) -> int:
        with self._sessions.begin() as db:
            result = db.execute(
                delete(ConsoleSession).where(ConsoleSession.expires_at <= self.clock())
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # -- API tokens ----------------------------------------------------------------------
    def add_token(self, name: str, token_hash: str, role: str) -> TokenRecord:
        row = ApiToken(
            id=uuid.uuid4().hex,
            name=name,
            token_hash=token_hash,
            role=role,
            created_at=self.clock(),
        )
        with self._sessions() as db:
            if db.scalar(select(ApiToken.id).where(ApiToken.name == name)):
                raise Duplicate(f"a token named {name!r} exists")
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError as exc:
            raise Duplicate(f"a token named {name!r} exists") from exc
        return _token(row)

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        with self._sessions() as db:
            row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
            return _token(row) if row else None

    def tokens(self) -> list[TokenRecord]:
        with self._sessions() as db:
            return [_token(r) for r in db.scalars(select(ApiToken).order_by(ApiToken.name))]

    def revoke(self, name: str) -> bool:
        """Revoke the live token called ``name``; False if there is none."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(ApiToken)
                .where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
                .values(revoked_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def token_used(self, token_id: str) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=self.clock())
            )


def _token(row: ApiToken) -> TokenRecord:
    return TokenRecord(row.id, row.name, row.role, row.created_at, row.last_used_at, row.revoked_at)
