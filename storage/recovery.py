"""What the reconciler reads to re-create work Redis lost: connected call backs and the
few events that say how far each got (``usecases.unfinished``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from ivr.model import ContactMode
from storage.board import LoggedEvent
from storage.models import Event, HelpRequest, RequestStatus
from storage.records import RequestRecord
from storage.request_rows import request_record

CALLED_BACK = (ContactMode.CALLBACK, ContactMode.TEXT_FIRST)


class RecoveryQueries:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def connected_call_backs(
        self, changed_before: datetime, limit: int = 500
    ) -> list[RequestRecord]:
        """Call-back and text-first requests a supporter took before ``changed_before``."""
        with self._sessions() as db:
            rows = db.scalars(
                select(HelpRequest)
                .where(
                    HelpRequest.status == RequestStatus.CONNECTED,
                    HelpRequest.contact_mode.in_(CALLED_BACK),
                    HelpRequest.updated_at <= changed_before,
                )
                .order_by(HelpRequest.created_at)
                .limit(limit)
            ).all()
            return [request_record(r) for r in rows]

    def events_of(
        self, request_ids: Collection[str], kinds: Collection[str]
    ) -> dict[str, list[LoggedEvent]]:
        """The events of these kinds for each request, oldest first."""
        found: dict[str, list[LoggedEvent]] = {rid: [] for rid in request_ids}
        if not request_ids:
            return found
        with self._sessions() as db:
            rows = db.scalars(
                select(Event)
                .where(Event.request_id.in_(list(request_ids)), Event.kind.in_(list(kinds)))
                .order_by(Event.id)
            ).all()
            for row in rows:
                if row.request_id is not None:
                    found[row.request_id].append(
                        LoggedEvent(row.at, row.kind, dict(row.detail or {}))
                    )
        return found
