"""The supporters' self-care checks after a call (``storage.self_care_models``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.self_care_models import SelfCareCheck


@dataclass(frozen=True)
class CheckRecord:
    offer_id: str
    supporter_id: str
    long_call: bool
    message_sid: str | None
    sent_at: datetime
    answer: str | None


class SelfCareStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def open_check(self, offer_id: str, supporter_id: str, long_call: bool) -> CheckRecord:
        """The check for this call, created once (a re-run job finds the same row)."""
        try:
            with self._sessions.begin() as db:
                db.add(
                    SelfCareCheck(
                        offer_id=offer_id,
                        supporter_id=supporter_id,
                        long_call=long_call,
                        sent_at=self.clock(),
                    )
                )
        except IntegrityError:
            pass
        with self._sessions() as db:
            row = db.get(SelfCareCheck, offer_id)
            assert row is not None
            return _record(row)

    def sent(self, offer_id: str, message_sid: str) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(SelfCareCheck)
                .where(SelfCareCheck.offer_id == offer_id)
                .values(message_sid=message_sid, sent_at=self.clock())
            )

    def latest_unanswered(self, supporter_id: str, since: datetime) -> CheckRecord | None:
        """The supporter's most recent check sent after ``since`` and not answered yet."""
        with self._sessions() as db:
            row = db.scalar(
                select(SelfCareCheck)
                .where(
                    SelfCareCheck.supporter_id == supporter_id,
                    SelfCareCheck.answer.is_(None),
                    SelfCareCheck.message_sid.is_not(None),
                    SelfCareCheck.sent_at > since,
                )
                .order_by(SelfCareCheck.sent_at.desc())
                .limit(1)
            )
            return _record(row) if row else None

    def answer(self, offer_id: str, answer: str) -> bool:
        """Record the answer once; False when it was answered already."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(SelfCareCheck)
                .where(SelfCareCheck.offer_id == offer_id, SelfCareCheck.answer.is_(None))
                .values(answer=answer, answered_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]


def _record(row: SelfCareCheck) -> CheckRecord:
    return CheckRecord(
        row.offer_id, row.supporter_id, row.long_call, row.message_sid, row.sent_at, row.answer
    )
