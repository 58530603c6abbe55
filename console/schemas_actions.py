"""API models for the board's actions (assign, re-queue, a scheduling text, close) and a
request's history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from console.schemas_board import RequestOut
from ivr.model import CallbackWindow
from usecases.board import LoggedEvent
from usecases.board_actions import CloseReason
from usecases.notices import ScheduleDay


class AssignIn(BaseModel):
    supporter_id: str = Field(min_length=1, max_length=64)


class AssignOut(BaseModel):
    supporter_id: str
    supporter_name: str
    request: RequestOut = Field(
        description="as it is now; the offer rings within seconds (watch the board)"
    )


class SchedulingTextIn(BaseModel):
    day: ScheduleDay
    window: CallbackWindow = Field(description="morning, afternoon or evening")


class CloseIn(BaseModel):
    reason: CloseReason


class ActionOut(BaseModel):
    request: RequestOut


class EventOut(BaseModel):
    at: datetime
    kind: str = Field(description="e.g. request.created, offer.ringing, coordinator.assign")
    detail: dict[str, Any] = Field(description="ids and codes only, never personal data")

    @classmethod
    def of(cls, event: LoggedEvent) -> EventOut:
        return cls(at=event.at, kind=event.kind, detail=event.detail)


class HistoryOut(BaseModel):
    request_id: str
    items: list[EventOut]
