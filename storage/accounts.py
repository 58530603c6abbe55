"""Console accounts: who may sign in, with which role, and their optional TOTP secret.

Usernames and emails are stored lower-cased, so sign-in is case-insensitive.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.console_models import Account
from storage.crypto import FieldCipher
from storage.errors import Duplicate

_TOTP = "totp"  # AEAD context for TOTP secrets


@dataclass(frozen=True)
class AccountRecord:
    id: str
    username: str
    email: str | None
    name: str
    role: str
    coordinator_id: str | None
    totp_enabled: bool
    active: bool
    created_at: datetime


class AccountStore:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cipher, self.clock = cipher, clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(
        self,
        *,
        username: str,
        name: str,
        role: str,
        password_hash: str,
        email: str | None = None,
        coordinator_id: str | None = None,
    ) -> AccountRecord:
        row = Account(
            id=uuid.uuid4().hex,
            username=username.lower(),
            email=email.lower() if email else None,
            name=name,
            role=role,
            password_hash=password_hash,
            coordinator_id=coordinator_id,
            totp_last_step=0,
            active=True,
            created_at=self.clock(),
        )
        with self._sessions() as db:
            if db.scalar(select(Account.id).where(Account.username == row.username)):
                raise Duplicate("username is taken")
            if row.email and db.scalar(select(Account.id).where(Account.email == row.email)):
                raise Duplicate("email is taken")
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError as exc:  # a concurrent insert won
            raise Duplicate("username or email is taken") from exc
        return _record(row)

    def get(self, account_id: str) -> AccountRecord | None:
        with self._sessions() as db:
            row = db.get(Account, account_id)
            return _record(row) if row else None

    def by_login(self, login: str) -> AccountRecord | None:
        """The account whose username or email is ``login`` (any case)."""
        key = login.strip().lower()
        with self._sessions() as db:
            row = db.scalar(
                select(Account).where(or_(Account.username == key, Account.email == key))
            )
            return _record(row) if row else None

    def page(self, limit: int, offset: int) -> tuple[list[AccountRecord], int]:
        with self._sessions() as db:
            total = db.scalar(select(func.count()).select_from(Account)) or 0
            rows = db.scalars(
                select(Account).order_by(Account.username).limit(limit).offset(offset)
            ).all()
            return [_record(r) for r in rows], total

    def update(self, account_id: str, **values: Any) -> bool:
        """Change name, email, role, active or password_hash. False if there is no such account."""
        if values.get("email"):
            values["email"] = values["email"].lower()
        try:
            with self._sessions.begin() as db:
                result = db.execute(
                    update(Account).where(Account.id == account_id).values(**values)
                )
                return bool(result.rowcount)  # type: ignore[attr-defined]
        except IntegrityError as exc:
            raise Duplicate("email is taken") from exc

    def password_hash(self, account_id: str) -> str | None:
        with self._sessions() as db:
            return db.scalar(select(Account.password_hash).where(Account.id == account_id))

    # -- second factor -------------------------------------------------------------------
    def totp_secret(self, account_id: str) -> str | None:
        with self._sessions() as db:
            row = db.get(Account, account_id)
            if row is None or row.totp_enc is None:
                return None
            return self.cipher.decrypt(row.totp_enc, context=_TOTP)

    def set_totp(self, account_id: str, secret: str | None) -> None:
        enc = self.cipher.encrypt(secret, context=_TOTP) if secret else None
        with self._sessions.begin() as db:
            db.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(totp_enc=enc, totp_last_step=0)
            )

    def use_totp_step(self, account_id: str, step: int) -> bool:
        """Spend the code of time step ``step``: False if it (or a later one) was used."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(Account)
                .where(Account.id == account_id, Account.totp_last_step < step)
                .values(totp_last_step=step)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]


def _record(row: Account) -> AccountRecord:
    return AccountRecord(
        id=row.id,
        username=row.username,
        email=row.email,
        name=row.name,
        role=row.role,
        coordinator_id=row.coordinator_id,
        totp_enabled=row.totp_enc is not None,
        active=row.active,
        created_at=row.created_at,
    )
