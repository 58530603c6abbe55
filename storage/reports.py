"""What the reports read: de-identified facts about requests and offers, never a number,
an organization or a name. The use case groups, measures and suppresses them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from storage.dispatch_models import Offer
from storage.follow_up_models import Feedback, FollowUp
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
    follow_up_ok: bool | None = None  # one follow-up text after the call; None: not asked
    session_no: int = 1  # which session of the caller's episode


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
                    HelpRequest.follow_up_ok,
                    HelpRequest.session_no,
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

    def follow_up_texts(self, start: datetime, end: datetime) -> Counter[str]:
        """The exchanges after a session opened in [start, end), by outcome ("" for no
        answer): counts only."""
        with self._sessions() as db:
            rows = db.execute(
                select(FollowUp.outcome, func.count())
                .where(FollowUp.created_at >= start, FollowUp.created_at < end)
                .group_by(FollowUp.outcome)
            ).all()
        return Counter({outcome or "": count for outcome, count in rows})

    def feedback(self, start: datetime, end: datetime) -> Counter[tuple[str, str]]:
        """The optional answers given on the days of [start, end), by (question, answer)."""
        with self._sessions() as db:
            rows = db.execute(
                select(Feedback.question, Feedback.answer, func.count())
                .where(Feedback.day >= start.date(), Feedback.day < _day_after(end))
                .group_by(Feedback.question, Feedback.answer)
            ).all()
        return Counter({(question, answer): count for question, answer, count in rows})


def _day_after(end: datetime) -> date:
    """The first day not in a period ending at ``end`` (exclusive): an answer is kept by
    day, so the day ``end`` falls in counts when ``end`` is not its midnight."""
    day = end.date()
    return day if end.time() == time(0) else day + timedelta(days=1)
