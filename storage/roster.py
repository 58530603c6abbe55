"""Supporters and coordinators: add, import, list, look up by phone, availability toggles."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.crypto import FieldCipher
from storage.dispatch_reads import FreeSupporters
from storage.engine import autocommit
from storage.roster_models import (
    DEFAULT_MONTHLY_CAP_MINUTES,
    DEFAULT_TIMEZONE,
    Coordinator,
    Supporter,
)
from storage.roster_records import SupporterRecord as SupporterRecord  # re-exported
from storage.roster_records import supporter_record as supporter_record

_PHONE = "phone"  # AEAD context for roster numbers


class DuplicatePhone(ValueError):
    pass


@dataclass(frozen=True)
class NewSupporter:
    name: str
    phone: str  # E.164, validated by the caller
    role: str
    organization: str | None = None
    languages: tuple[str, ...] = ("en",)
    level: int | None = None
    training_tier: str | None = None
    trained_on: date | None = None
    refreshed_on: date | None = None
    monthly_cap_minutes: int = DEFAULT_MONTHLY_CAP_MINUTES
    timezone: str = DEFAULT_TIMEZONE
    schedule: list[list[Any]] = field(default_factory=list)
    on_shift: bool | None = None


@dataclass(frozen=True)
class CoordinatorRecord:
    id: str
    name: str
    timezone: str
    on_call: list[list[Any]]
    backup_order: int
    active: bool


class RosterStore:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cipher = cipher
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._autocommit = sessionmaker(autocommit(engine))
        self._free = FreeSupporters()

    # -- supporters ---------------------------------------------------------------------
    def add_supporters(self, people: Iterable[NewSupporter]) -> list[str]:
        """Insert all or none (one transaction); DuplicatePhone names the offending row."""
        ids: list[str] = []
        with self._sessions.begin() as db:
            for number, person in enumerate(people, start=1):
                index = self.cipher.blind_index(person.phone)
                indexes = self.cipher.blind_indexes(person.phone)
                if db.scalar(select(Supporter.id).where(Supporter.phone_index.in_(indexes))):
                    raise DuplicatePhone(f"row {number}: phone number already on the roster")
                row = Supporter(
                    id=uuid.uuid4().hex,
                    name=person.name,
                    phone_enc=self.cipher.encrypt(person.phone, context=_PHONE),
                    phone_index=index,
                    role=person.role,
                    organization=person.organization,
                    languages=";".join(person.languages),
                    level=person.level,
                    training_tier=person.training_tier,
                    trained_on=person.trained_on,
                    refreshed_on=person.refreshed_on,
                    trained=True,
                    active=True,
                    monthly_cap_minutes=person.monthly_cap_minutes,
                    timezone=person.timezone,
                    schedule=person.schedule,
                    on_shift=person.on_shift,
                    month_key="",
                    month_minutes=0,
                    bad_number=False,
                    created_at=self.clock(),
                )
                db.add(row)
                try:
                    db.flush()
                except IntegrityError as exc:
                    raise DuplicatePhone(f"row {number}: phone number repeated") from exc
                ids.append(row.id)
        return ids

    def supporters(self, *, active_only: bool = False) -> list[SupporterRecord]:
        with self._sessions() as db:
            stmt = select(Supporter).order_by(Supporter.name)
            if active_only:
                stmt = stmt.where(Supporter.active.is_(True))
            now = self.clock()
            return [supporter_record(r, now) for r in db.scalars(stmt).all()]

    def free_supporters(
        self,
        now: datetime,
        *,
        not_rung_for: tuple[str, datetime] | None = None,
        trainees: bool = True,
    ) -> list[SupporterRecord]:
        """Supporters who may take a call at ``now``, filtered in SQL in one statement
        (``storage.dispatch_reads``); numbers are not read."""
        with self._autocommit() as db:
            return self._free.read(db, now, not_rung_for=not_rung_for, trainees=trainees)

    def phone(self, phone_enc: bytes) -> str:
        """A supporter's number from its stored (encrypted) form: only to dial it."""
        return self.cipher.decrypt(phone_enc, context=_PHONE)

    def supporter(self, supporter_id: str) -> SupporterRecord | None:
        with self._sessions() as db:
            row = db.get(Supporter, supporter_id)
            return supporter_record(row, self.clock()) if row else None

    def supporter_phone(self, supporter_id: str) -> str | None:
        with self._sessions() as db:
            blob = db.scalar(select(Supporter.phone_enc).where(Supporter.id == supporter_id))
            return self.phone(blob) if blob is not None else None

    def supporter_by_phone(self, phone: str) -> SupporterRecord | None:
        indexes = self.cipher.blind_indexes(phone)
        with self._sessions() as db:
            row = db.scalar(select(Supporter).where(Supporter.phone_index.in_(indexes)))
            return supporter_record(row, self.clock()) if row else None

    def set_on_shift(
        self, supporter_id: str, on_shift: bool | None, until: datetime | None = None
    ) -> None:
        """The AVAILABLE (True) / AWAY (False) override, lapsing at ``until`` (None: never)."""
        self._update(Supporter, supporter_id, on_shift=on_shift, on_shift_until=until)

    def set_active(self, supporter_id: str, active: bool) -> None:
        self._update(Supporter, supporter_id, active=active)

    def flag_bad_number(self, supporter_id: str) -> None:
        self._update(Supporter, supporter_id, bad_number=True)

    # -- coordinators -------------------------------------------------------------------
    def add_coordinator(
        self,
        name: str,
        phone: str,
        *,
        backup_order: int = 0,
        timezone: str = DEFAULT_TIMEZONE,
        on_call: list[list[Any]] | None = None,
    ) -> str:
        index = self.cipher.blind_index(phone)
        indexes = self.cipher.blind_indexes(phone)
        with self._sessions.begin() as db:
            if db.scalar(select(Coordinator.id).where(Coordinator.phone_index.in_(indexes))):
                raise DuplicatePhone("phone number already a coordinator")
            row = Coordinator(
                id=uuid.uuid4().hex,
                name=name,
                phone_enc=self.cipher.encrypt(phone, context=_PHONE),
                phone_index=index,
                timezone=timezone,
                on_call=on_call or [],
                backup_order=backup_order,
                active=True,
                created_at=self.clock(),
            )
            db.add(row)
            return row.id

    def coordinators(self) -> list[CoordinatorRecord]:
        """Active coordinators in paging order (``backup_order``, then name)."""
        with self._sessions() as db:
            rows = db.scalars(
                select(Coordinator)
                .where(Coordinator.active.is_(True))
                .order_by(Coordinator.backup_order, Coordinator.name)
            ).all()
            return [
                CoordinatorRecord(r.id, r.name, r.timezone, r.on_call, r.backup_order, r.active)
                for r in rows
            ]

    def coordinator_phone(self, coordinator_id: str) -> str | None:
        with self._sessions() as db:
            row = db.get(Coordinator, coordinator_id)
            return self.cipher.decrypt(row.phone_enc, context=_PHONE) if row else None

    def coordinator_by_phone(self, phone: str) -> CoordinatorRecord | None:
        indexes = self.cipher.blind_indexes(phone)
        with self._sessions() as db:
            r = db.scalar(select(Coordinator).where(Coordinator.phone_index.in_(indexes)))
            return (
                CoordinatorRecord(r.id, r.name, r.timezone, r.on_call, r.backup_order, r.active)
                if r
                else None
            )

    def is_known_number(self, phone: str) -> bool:
        """On the roster or a coordinator: the toll-fraud guard's allow-list."""
        indexes = self.cipher.blind_indexes(phone)
        with self._autocommit() as db:  # checked before every call: no transaction
            return bool(
                db.scalar(select(Supporter.id).where(Supporter.phone_index.in_(indexes)))
                or db.scalar(select(Coordinator.id).where(Coordinator.phone_index.in_(indexes)))
            )

    def _update(
        self, model: type[Supporter] | type[Coordinator], row_id: str, **values: Any
    ) -> None:
        with self._sessions.begin() as db:
            db.execute(update(model).where(model.id == row_id).values(**values))
