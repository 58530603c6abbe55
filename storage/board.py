"""What the coordinator board reads: open requests and the offers made for them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from storage.dispatch_models import ACTIVE_OFFER, Offer
from storage.models import OPEN_REQUEST_STATUSES, Event, HelpRequest
from storage.records import RequestRecord
from storage.request_rows import request_record

UNANSWERED = ("no_answer", "timed_out")


@dataclass(frozen=True)
class OfferHistory:
    """One offer of a request to a supporter and how it ended (``status``, ``reason``)."""

    id: str
    supporter_id: str
    status: str
    reason: str | None
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int


@dataclass(frozen=True)
class LoggedEvent:
    """One entry of a request's de-identified event log."""

    at: datetime
    kind: str
    detail: dict[str, Any]


class BoardQueries:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def open_requests(self, limit: int = 500) -> list[RequestRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(HelpRequest)
                .where(HelpRequest.status.in_(OPEN_REQUEST_STATUSES))
                .order_by(HelpRequest.created_at)
                .limit(limit)
            ).all()
            return [request_record(r) for r in rows]

    def offers(self, request_id: str) -> list[OfferHistory]:
        """Every offer made for the request, oldest first."""
        with self._sessions() as db:
            rows = db.scalars(
                select(Offer).where(Offer.request_id == request_id).order_by(Offer.created_at)
            ).all()
            return [
                OfferHistory(
                    r.id,
                    r.supporter_id,
                    r.status,
                    r.reason,
                    r.created_at,
                    r.answered_at,
                    r.ended_at,
                    r.duration_seconds,
                )
                for r in rows
            ]

    def history(self, request_id: str, limit: int = 200) -> list[LoggedEvent]:
        """What happened to the request, oldest first (its event log)."""
        with self._sessions() as db:
            rows = db.scalars(
                select(Event).where(Event.request_id == request_id).order_by(Event.id).limit(limit)
            ).all()
            return [LoggedEvent(r.at, r.kind, dict(r.detail or {})) for r in rows]

    def offer_summary(self, request_ids: Collection[str]) -> tuple[dict[str, str], Counter[str]]:
        """For these requests: the supporter of each active offer, and unanswered offers."""
        if not request_ids:
            return {}, Counter()
        with self._sessions() as db:
            rows = db.execute(
                select(Offer.request_id, Offer.supporter_id, Offer.status).where(
                    Offer.request_id.in_(list(request_ids))
                )
            ).all()
        active = {r: s for r, s, status in rows if status in ACTIVE_OFFER}
        unanswered = Counter(r for r, _s, status in rows if status in UNANSWERED)
        return active, unanswered
