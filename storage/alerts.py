"""Coordinator alerts and acknowledgements."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from storage.dispatch_models import Alert
from storage.models import HelpRequest

HELD = "held"  # an SLA page waiting for the coordinator's next grouped page


class AlertStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def already_paged(self, request_id: str, level: int) -> bool:
        with self._sessions() as db:
            return (
                db.scalar(
                    select(Alert.id)
                    .where(Alert.request_id == request_id, Alert.level == level)
                    .limit(1)
                )
                is not None
            )

    def log_page(
        self,
        request_id: str | None,
        ticket: str,
        kind: str,
        level: int,
        coordinator_id: str,
        message_sid: str | None,
        session_sid: str | None = None,
    ) -> None:
        now = self.clock()
        with self._sessions.begin() as db:
            db.add(
                Alert(
                    request_id=request_id,
                    ticket=ticket,
                    kind=kind,
                    level=level,
                    coordinator_id=coordinator_id,
                    message_sid=message_sid,
                    session_sid=session_sid,
                    sent_at=now,
                )
            )
            db.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id, HelpRequest.escalation_level < level + 1)
                .values(escalation_level=level + 1)
            )

    def held_pages(self, coordinator_id: str) -> list[tuple[int, str]]:
        """Pages to ``coordinator_id`` held for the next grouped page (``HELD``), as
        (alert id, request id), oldest first."""
        with self._sessions() as db:
            rows = db.execute(
                select(Alert.id, Alert.request_id)
                .where(Alert.coordinator_id == coordinator_id, Alert.kind == HELD)
                .order_by(Alert.id)
            ).all()
            return [(alert_id, request_id) for alert_id, request_id in rows if request_id]

    def grouped(self, alert_ids: list[int], message_sid: str | None) -> None:
        """Held pages went out in one grouped page (``message_sid``)."""
        with self._sessions.begin() as db:
            db.execute(
                update(Alert)
                .where(Alert.id.in_(alert_ids), Alert.kind == HELD)
                .values(kind="sla", message_sid=message_sid, sent_at=self.clock())
            )

    def acknowledge(self, request_id: str, coordinator_id: str) -> bool:
        """Record the first ACK for the request; later ones change nothing."""
        now = self.clock()
        with self._sessions.begin() as db:
            result = db.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id, HelpRequest.acked_at.is_(None))
                .values(acked_at=now)
            )
            db.execute(
                update(Alert)
                .where(
                    Alert.request_id == request_id,
                    Alert.coordinator_id == coordinator_id,
                    Alert.acked_at.is_(None),
                )
                .values(acked_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def alerts(self, request_id: str) -> list[tuple[int, str, str | None]]:
        with self._sessions() as db:
            rows = db.scalars(
                select(Alert).where(Alert.request_id == request_id).order_by(Alert.id)
            ).all()
            return [(a.level, a.coordinator_id, a.message_sid) for a in rows]

    def unacked_risk(self, sender_key: str) -> bool:
        """An unacknowledged risk page about this texter is already out."""
        with self._sessions() as db:
            return (
                db.scalar(
                    select(Alert.id)
                    .where(
                        Alert.session_sid == sender_key,
                        Alert.kind == "risk",
                        Alert.acked_at.is_(None),
                    )
                    .limit(1)
                )
                is not None
            )

    def acknowledge_ticket(self, ticket: str, coordinator_id: str) -> bool | None:
        """ACK for a page that has no request (a risk page). None if no such ticket."""
        now = self.clock()
        with self._sessions.begin() as db:
            rows = db.scalars(select(Alert).where(Alert.ticket == ticket.upper())).all()
            if not rows:
                return None
            fresh = [a for a in rows if a.acked_at is None]
            for alert in fresh:
                alert.acked_at = now
            return bool(fresh)
