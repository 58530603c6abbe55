"""What the reports read: de-identified facts about requests and offers, never a number,
an organization or a name. The use case groups, measures and suppresses them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from storage.dispatch_models import Offer
from storage.models import HelpRequest
from storage.self_care_models import SelfCareCheck


@dataclass(frozen=True)
class RequestFact:
    """One request as a report sees it: when, how, what was asked and how it ended."""

    created_at: datetime
    channel: str
    urgency: str
    role: str
    language: str
    status: str
    connected_at: datetime | None  # the first time a supporter was bridged with the caller
    closed_at: datetime | None
    contact_mode: str
    callback_window: str | None
    follow_up: bool  # the caller came back to the supporter they had before


class ReportQueries:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def requests(self, start: datetime, end: datetime) -> list[RequestFact]:
        """Requests created in [start, end), oldest first."""
        with self._sessions() as db:
            rows = db.execute(
                select(
                    HelpRequest.created_at,
                    HelpRequest.channel,
                    HelpRequest.urgency,
                    HelpRequest.role,
                    HelpRequest.language,
                    HelpRequest.status,
                    HelpRequest.connected_at,
                    HelpRequest.closed_at,
                    HelpRequest.contact_mode,
                    HelpRequest.callback_window,
                    HelpRequest.previous_supporter_id.is_not(None).label("follow_up"),
                )
                .where(HelpRequest.created_at >= start, HelpRequest.created_at < end)
                .order_by(HelpRequest.created_at)
            ).all()
        return [RequestFact(**row._asdict()) for row in rows]

    def offers_by_supporter(self, start: datetime, end: datetime) -> dict[str, Counter[str]]:
        """For each supporter, their offers made in [start, end) counted by how they ended."""
        with self._sessions() as db:
            rows = db.execute(
                select(Offer.supporter_id, Offer.status, func.count())
                .where(Offer.created_at >= start, Offer.created_at < end)
                .group_by(Offer.supporter_id, Offer.status)
            ).all()
        found: dict[str, Counter[str]] = defaultdict(Counter)
        for supporter_id, status, count in rows:
            found[supporter_id][status] += count
        return dict(found)

    def self_care_answers(self, start: datetime, end: datetime) -> Counter[str]:
        """Supporters' self-care checks sent in [start, end), by answer ("fine", "debrief",
        "" for none): counts only, never who."""
        with self._sessions() as db:
            rows = db.execute(
                select(SelfCareCheck.answer, func.count())
                .where(SelfCareCheck.sent_at >= start, SelfCareCheck.sent_at < end)
                .group_by(SelfCareCheck.answer)
            ).all()
        return Counter({answer or "": count for answer, count in rows})
