"""API models for the board, a request's match explanation, and ACK."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from console.schemas_access import PageInfo
from usecases.board import BoardRow
from usecases.explain import Explanation


class RequestOut(BaseModel):
    id: str
    ticket: str
    urgency: str = Field(description="urgent, soon or routine")
    role: str
    language: str
    channel: str = Field(description="voice or sms")
    contact_mode: str
    callback_window: str | None
    status: str
    state: str = Field(description="waiting, offering, connected, needs_callback or closed")
    offered_to: str | None = Field(description="the supporter being offered it or connected")
    created_at: datetime
    age_seconds: int
    due_by: datetime = Field(
        description="the promise made to the caller: the service level, or the end of the "
        "call-back window they chose if that is later"
    )
    seconds_left: int = Field(description="negative once the promise is broken")
    calls_from: datetime | None = Field(
        description="the caller may not be called before this (the call-back window they "
        "chose, the quiet hours); null: they may be called now"
    )
    promise: str = Field(
        description='when the caller will be called, in words: "calls back in the afternoon '
        'window from 12:00", "calls back in the evening window, open until 21:00", "due by 14:35"'
    )
    flags: list[str] = Field(
        description="organization_unknown, repeated_no_answer, callback_failed, "
        "held_for_coordinator (never dispatched again by itself: re-queue or assign it)"
    )
    organization_unknown: bool
    unanswered_offers: int
    callback_attempts: int
    escalation_level: int = Field(description="coordinators paged so far")
    acked_at: datetime | None
    session_no: int = Field(
        1, description="which session of the caller's episode: 1, or a follow-up's 2, 3 …"
    )
    follow_up_ok: bool | None = Field(
        None, description="one follow-up text after the call: the caller's answer; null: not asked"
    )

    @classmethod
    def of(cls, row: BoardRow) -> RequestOut:
        r = row.request
        return cls(
            id=r.id,
            ticket=r.ticket,
            urgency=r.urgency,
            role=r.role,
            language=r.language,
            channel=r.channel,
            contact_mode=r.contact_mode,
            callback_window=r.callback_window,
            status=r.status,
            state=str(row.state),
            offered_to=row.offered_to,
            created_at=r.created_at,
            age_seconds=row.age_seconds,
            due_by=row.due_by,
            seconds_left=row.seconds_left,
            calls_from=row.calls_from,
            promise=row.promise,
            flags=list(row.flags),
            organization_unknown=r.organization_unknown,
            unanswered_offers=row.unanswered_offers,
            callback_attempts=r.callback_attempts,
            escalation_level=r.escalation_level,
            acked_at=r.acked_at,
            session_no=r.session_no,
            follow_up_ok=r.follow_up_ok,
        )


class BoardPage(PageInfo):
    items: list[RequestOut]


class ConsideredOut(BaseModel):
    supporter_id: str
    name: str
    position: int = Field(description="1 = would be offered first")
    reasons: list[str]


class LeftOut(BaseModel):
    supporter_id: str
    name: str
    reason: str = Field(description="the first hard filter that failed")
    detail: str
    assignable: bool = Field(description="a coordinator may still assign them by hand")


class OfferOut(BaseModel):
    id: str
    supporter_id: str
    name: str
    status: str = Field(description="ringing, accepted, completed, declined, no_answer, …")
    reason: str | None
    created_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int


class MatchOut(BaseModel):
    request_id: str
    ticket: str
    widened: bool = Field(description="nobody in the same or a related role: any role shown")
    considered: list[ConsideredOut]
    left_out: list[LeftOut]
    offers: list[OfferOut]

    @classmethod
    def of(cls, e: Explanation) -> MatchOut:
        return cls(
            request_id=e.request_id,
            ticket=e.ticket,
            widened=e.widened,
            considered=[
                ConsideredOut(
                    supporter_id=c.supporter_id,
                    name=c.name,
                    position=c.position,
                    reasons=list(c.reasons),
                )
                for c in e.considered
            ],
            left_out=[
                LeftOut(
                    supporter_id=x.supporter_id,
                    name=x.name,
                    reason=x.reason,
                    detail=x.detail,
                    assignable=x.assignable,
                )
                for x in e.left_out
            ],
            offers=[
                OfferOut(
                    id=o.offer.id,
                    supporter_id=o.offer.supporter_id,
                    name=o.name,
                    status=o.offer.status,
                    reason=o.offer.reason,
                    created_at=o.offer.created_at,
                    answered_at=o.offer.answered_at,
                    ended_at=o.offer.ended_at,
                    duration_seconds=o.offer.duration_seconds,
                )
                for o in e.offers
            ],
        )


class AckOut(BaseModel):
    acknowledged: bool = Field(description="false: someone had already acknowledged it")
    request: RequestOut
