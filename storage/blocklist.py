"""The blocklist: numbers found by blind index (under every key), never shown.

An entry is named by its id; the number goes in encrypted and never comes back out of
here (the rotation in ``storage.rotation`` reads it to re-index the entry, nothing else).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.blocklist_models import BlockedNumber
from storage.crypto import FieldCipher
from storage.engine import autocommit
from storage.errors import Duplicate

BLOCKED_CONTEXT = "blocked"  # AEAD context of blocked_numbers.number_enc


@dataclass(frozen=True)
class BlockedRecord:
    id: str
    reason: str
    added_by: str
    created_at: datetime


class BlocklistStore:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cipher, self.clock = cipher, clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._autocommit = sessionmaker(autocommit(engine))  # one-statement reads

    def is_blocked(self, number: str) -> bool:
        indexes = self.cipher.blind_indexes(number)
        with self._autocommit() as db:  # checked before every call: one round trip
            found = select(BlockedNumber.id).where(BlockedNumber.number_index.in_(indexes))
            return db.scalar(found.limit(1)) is not None

    def add(self, number: str, reason: str, added_by: str) -> BlockedRecord:
        """Block ``number``; ``Duplicate`` when it already is."""
        row = BlockedNumber(
            id=uuid.uuid4().hex,
            number_index=self.cipher.blind_index(number),
            number_enc=self.cipher.encrypt(number, context=BLOCKED_CONTEXT),
            reason=reason,
            added_by=added_by,
            created_at=self.clock(),
        )
        try:
            with self._sessions.begin() as db:
                if self._id_of(db, number) is not None:
                    raise Duplicate("that number is already blocked")
                db.add(row)
        except IntegrityError as exc:
            raise Duplicate("that number is already blocked") from exc
        return _record(row)

    def remove(self, number: str) -> str | None:
        """Unblock ``number``; the entry's id, or None if it was not blocked."""
        with self._sessions.begin() as db:
            entry_id = self._id_of(db, number)
            if entry_id is not None:
                db.execute(delete(BlockedNumber).where(BlockedNumber.id == entry_id))
            return entry_id

    def remove_entry(self, entry_id: str) -> bool:
        with self._sessions.begin() as db:
            result = db.execute(delete(BlockedNumber).where(BlockedNumber.id == entry_id))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def entry(self, entry_id: str) -> BlockedRecord | None:
        with self._sessions() as db:
            row = db.get(BlockedNumber, entry_id)
            return _record(row) if row else None

    def entries(self) -> list[BlockedRecord]:
        """Newest first."""
        with self._sessions() as db:
            rows = db.scalars(
                select(BlockedNumber).order_by(BlockedNumber.created_at.desc(), BlockedNumber.id)
            )
            return [_record(row) for row in rows]

    def _id_of(self, db: Session, number: str) -> str | None:
        indexes = self.cipher.blind_indexes(number)
        return db.scalar(
            select(BlockedNumber.id).where(BlockedNumber.number_index.in_(indexes)).limit(1)
        )


def _record(row: BlockedNumber) -> BlockedRecord:
    return BlockedRecord(row.id, row.reason, row.added_by, row.created_at)
