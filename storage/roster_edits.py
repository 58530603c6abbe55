"""Console edits to the roster: search and pages, field updates, new numbers, removal.

``RosterStore`` keeps what dispatch and the SMS commands need; this module adds what only
a coordinator or admin does. Numbers go in encrypted and never come back out of here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.crypto import FieldCipher
from storage.models import OPEN_REQUEST_STATUSES, HelpRequest
from storage.roster import (
    _PHONE,
    CoordinatorRecord,
    DuplicatePhone,
    SupporterRecord,
    supporter_record,
)
from storage.roster_models import Coordinator, Supporter

SUPPORTER_FIELDS = frozenset(
    {
        "name",
        "role",
        "organization",
        "languages",
        "level",
        "training_tier",
        "trained",
        "active",
        "monthly_cap_minutes",
        "timezone",
        "schedule",
        "on_shift",
    }
)
COORDINATOR_FIELDS = frozenset({"name", "timezone", "on_call", "backup_order", "active"})


class Removal(StrEnum):
    REMOVED = "removed"
    MISSING = "missing"
    BUSY = "busy"  # on a call or being offered one right now: try again afterwards


@dataclass(frozen=True)
class SupporterQuery:
    text: str = ""  # in name, organization or role
    active: bool | None = None


class RosterEdits:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cipher, self.clock = cipher, clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- supporters ----------------------------------------------------------------------
    def supporters_page(
        self, query: SupporterQuery, limit: int, offset: int
    ) -> tuple[list[SupporterRecord], int]:
        stmt = select(Supporter)
        if query.text.strip():
            like = f"%{query.text.strip().lower()}%"
            stmt = stmt.where(
                or_(
                    func.lower(Supporter.name).like(like),
                    func.lower(Supporter.organization).like(like),
                    func.lower(Supporter.role).like(like),
                )
            )
        if query.active is not None:
            stmt = stmt.where(Supporter.active.is_(query.active))
        with self._sessions() as db:
            total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = db.scalars(
                stmt.order_by(Supporter.name, Supporter.id).limit(limit).offset(offset)
            ).all()
            return [supporter_record(r) for r in rows], total

    def update_supporter(self, supporter_id: str, **values: Any) -> bool:
        """Change the named fields (``SUPPORTER_FIELDS``); False if there is no such supporter."""
        if unknown := set(values) - SUPPORTER_FIELDS:
            raise ValueError(f"not supporter fields: {sorted(unknown)}")
        if "languages" in values:
            values["languages"] = ";".join(values["languages"])
        if "on_shift" in values:  # set by hand: lasts until changed, like a texted AWAY
            values["on_shift_until"] = None
        return self._update(Supporter, supporter_id, values)

    def set_supporter_phone(self, supporter_id: str, phone: str) -> bool:
        return self._set_phone(Supporter, supporter_id, phone)

    def remove_supporter(self, supporter_id: str) -> Removal:
        """Delete the supporter's row (name, number, schedule). Offers keep only the bare id;
        open requests stop naming them as the caller's previous supporter."""
        with self._sessions.begin() as db:
            row = db.get(Supporter, supporter_id, with_for_update=True)
            if row is None:
                return Removal.MISSING
            if row.busy_offer_id is not None:
                return Removal.BUSY
            db.execute(
                update(HelpRequest)
                .where(
                    HelpRequest.previous_supporter_id == supporter_id,
                    HelpRequest.status.in_(OPEN_REQUEST_STATUSES),
                )
                .values(previous_supporter_id=None)
            )
            db.execute(delete(Supporter).where(Supporter.id == supporter_id))
            return Removal.REMOVED

    # -- coordinators --------------------------------------------------------------------
    def all_coordinators(self) -> list[CoordinatorRecord]:
        """Every coordinator, active or not, in paging order."""
        with self._sessions() as db:
            rows = db.scalars(
                select(Coordinator).order_by(Coordinator.backup_order, Coordinator.name)
            ).all()
            return [_coordinator(r) for r in rows]

    def coordinator(self, coordinator_id: str) -> CoordinatorRecord | None:
        with self._sessions() as db:
            row = db.get(Coordinator, coordinator_id)
            return _coordinator(row) if row else None

    def update_coordinator(self, coordinator_id: str, **values: Any) -> bool:
        if unknown := set(values) - COORDINATOR_FIELDS:
            raise ValueError(f"not coordinator fields: {sorted(unknown)}")
        return self._update(Coordinator, coordinator_id, values)

    def set_coordinator_phone(self, coordinator_id: str, phone: str) -> bool:
        return self._set_phone(Coordinator, coordinator_id, phone)

    # -- helpers -------------------------------------------------------------------------
    def _update(
        self, model: type[Supporter] | type[Coordinator], row_id: str, values: dict[str, Any]
    ) -> bool:
        with self._sessions.begin() as db:
            if db.get(model, row_id) is None:
                return False
            if values:
                db.execute(update(model).where(model.id == row_id).values(**values))
            return True

    def _set_phone(
        self, model: type[Supporter] | type[Coordinator], row_id: str, phone: str
    ) -> bool:
        index = self.cipher.blind_index(phone)
        try:
            with self._sessions.begin() as db:
                others = select(model.id).where(
                    model.phone_index.in_(self.cipher.blind_indexes(phone)), model.id != row_id
                )
                if db.scalar(others.limit(1)) is not None:
                    raise DuplicatePhone("phone number already on the roster")
                result = db.execute(
                    update(model)
                    .where(model.id == row_id)
                    .values(phone_enc=self.cipher.encrypt(phone, context=_PHONE), phone_index=index)
                )
                return bool(result.rowcount)  # type: ignore[attr-defined]
        except IntegrityError as exc:
            raise DuplicatePhone("phone number already on the roster") from exc


def _coordinator(r: Coordinator) -> CoordinatorRecord:
    return CoordinatorRecord(
        r.id, r.name, r.timezone, list(r.on_call or []), r.backup_order, r.active
    )
