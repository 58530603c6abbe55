"""The audit log: append and read, nothing else (no method updates or deletes an entry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from storage.console_models import AuditEntry


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    detail: dict[str, Any]


class AuditStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def append(
        self,
        actor: str,
        action: str,
        target_type: str | None = None,
        target_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        with self._sessions.begin() as db:
            db.add(
                AuditEntry(
                    at=self.clock(),
                    actor=actor,
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    detail=detail or {},
                )
            )

    def page(
        self,
        limit: int,
        offset: int,
        *,
        action: str | None = None,
        target_id: str | None = None,
    ) -> tuple[list[AuditRecord], int]:
        """Newest first, optionally only one action (or its prefix, "supporter.") or record."""
        stmt = select(AuditEntry)
        if action:
            stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
        if target_id:
            stmt = stmt.where(AuditEntry.target_id == target_id)
        with self._sessions() as db:
            total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = db.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
            return [
                AuditRecord(r.id, r.at, r.actor, r.action, r.target_type, r.target_id, r.detail)
                for r in rows
            ], total
