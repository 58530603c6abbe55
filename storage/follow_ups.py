"""The follow-up texts after a connected session, their answers, and the de-identified
feedback (``storage.follow_up_models``).

Invariant: every move of an exchange is one conditional UPDATE from the step it was read
at, and what the move creates (the follow-up request, a feedback row) is written in the
same transaction — a repeated or concurrent delivery changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import FieldCipher
from storage.follow_up_models import Feedback, FollowUp, FollowUpOutcome, FollowUpStep
from storage.models import Event, HelpRequest, RequestStatus
from storage.records import NewRequest, RequestRecord
from storage.request_inserts import insert_request
from storage.request_rows import request_record

OPEN_STEPS = (FollowUpStep.OFFERED, FollowUpStep.HELPED, FollowUpStep.RECOMMEND)


@dataclass(frozen=True)
class FollowUpRecord:
    request_id: str  # the session the text follows
    step: FollowUpStep
    outcome: FollowUpOutcome | None
    message_sid: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class FeedbackAnswer:
    """One optional answer, with nothing that leads back to the caller."""

    day: date
    role_group: str
    urgency: str
    question: str
    answer: str


class FollowUpStore:
    def __init__(
        self,
        engine: Engine,
        cipher: FieldCipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cipher, self.clock = cipher, clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def due(
        self, ended_after: datetime, ended_by: datetime, limit: int = 100
    ) -> list[RequestRecord]:
        """Connected sessions of consenting callers that ended in (``ended_after``,
        ``ended_by``], whose number is still kept and whose text is not settled yet."""
        with self._sessions() as db:
            settled = select(FollowUp.request_id).where(
                (FollowUp.message_sid.is_not(None)) | (FollowUp.step == FollowUpStep.DONE)
            )
            rows = db.scalars(
                select(HelpRequest)
                .where(
                    HelpRequest.status == RequestStatus.COMPLETED,
                    HelpRequest.follow_up_ok.is_(True),
                    HelpRequest.connected_at.is_not(None),
                    HelpRequest.caller_index.is_not(None),
                    HelpRequest.closed_at > ended_after,
                    HelpRequest.closed_at <= ended_by,
                    HelpRequest.id.not_in(settled),
                )
                .order_by(HelpRequest.closed_at)
                .limit(limit)
            ).all()
            return [request_record(r) for r in rows]

    def open(
        self, request_id: str, step: FollowUpStep, outcome: FollowUpOutcome | None
    ) -> FollowUpRecord:
        """The exchange after this session, created once (a re-run pass finds the same row)."""
        now = self.clock()
        try:
            with self._sessions.begin() as db:
                db.add(
                    FollowUp(
                        request_id=request_id,
                        step=step,
                        outcome=outcome,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            pass
        found = self.get(request_id)
        assert found is not None
        return found

    def get(self, request_id: str) -> FollowUpRecord | None:
        with self._sessions() as db:
            row = db.get(FollowUp, request_id)
            return _record(row) if row else None

    def sent(self, request_id: str, message_sid: str) -> None:
        now = self.clock()
        with self._sessions.begin() as db:
            db.execute(
                update(FollowUp)
                .where(FollowUp.request_id == request_id)
                .values(message_sid=message_sid, sent_at=now, updated_at=now)
            )

    def not_sent(self, request_id: str) -> None:
        """The text could not go (opted out, refused, no number): nothing more to ask."""
        self._settle(request_id, FollowUpOutcome.NOT_SENT)

    def pending_for(
        self, number: str, since: datetime
    ) -> tuple[FollowUpRecord, RequestRecord] | None:
        """The number's latest exchange sent after ``since`` and still waiting for an answer,
        with the session it follows."""
        with self._sessions() as db:
            found = db.execute(
                select(FollowUp, HelpRequest)
                .join(HelpRequest, HelpRequest.id == FollowUp.request_id)
                .where(
                    HelpRequest.caller_index.in_(self.cipher.blind_indexes(number)),
                    FollowUp.step.in_(OPEN_STEPS),
                    FollowUp.message_sid.is_not(None),
                    FollowUp.sent_at > since,
                )
                .order_by(FollowUp.sent_at.desc())
                .limit(1)
            ).first()
            return (_record(found[0]), request_record(found[1])) if found else None

    def answer_offer(
        self, request_id: str, new: NewRequest | None, number: str
    ) -> tuple[bool, RequestRecord | None]:
        """The caller answered "talk again?": ``new`` (yes) is created with their number;
        ``None`` is a no. Then the first feedback question. (False, None) when it had been
        answered already."""
        now = self.clock()
        outcome = FollowUpOutcome.ACCEPTED if new is not None else FollowUpOutcome.DECLINED
        with self._sessions.begin() as db:
            if not _move(db, request_id, FollowUpStep.OFFERED, FollowUpStep.HELPED, now, outcome):
                return False, None
            if new is None:
                return True, None
            row = insert_request(db, self.cipher, new, now, number)
            db.execute(
                update(FollowUp)
                .where(FollowUp.request_id == request_id)
                .values(next_request_id=row.id)
            )
            db.add(
                Event(
                    at=now,
                    kind="request.created",
                    request_id=row.id,
                    detail={"channel": row.channel, "urgency": row.urgency, "follow_up": True},
                )
            )
            return True, request_record(row)

    def answer_feedback(
        self, request_id: str, asked: FollowUpStep, then: FollowUpStep, answer: FeedbackAnswer
    ) -> bool:
        """Keep ``answer`` (once) and move on to the next question; False when the question
        had been answered already."""
        with self._sessions.begin() as db:
            if not _move(db, request_id, asked, then, self.clock()):
                return False
            db.add(
                Feedback(
                    day=answer.day,
                    role_group=answer.role_group,
                    urgency=answer.urgency,
                    question=answer.question,
                    answer=answer.answer,
                )
            )
            return True

    def opted_out(self, number: str) -> int:
        """STOP: every exchange with this number still open ends (its number is then kept
        no longer than anyone's)."""
        with self._sessions.begin() as db:
            ids = db.scalars(
                select(FollowUp.request_id)
                .join(HelpRequest, HelpRequest.id == FollowUp.request_id)
                .where(
                    HelpRequest.caller_index.in_(self.cipher.blind_indexes(number)),
                    FollowUp.step.in_(OPEN_STEPS),
                )
            ).all()
            for request_id in ids:
                _move(db, request_id, None, FollowUpStep.DONE, self.clock())
            return len(ids)

    def is_follow_up_caller(self, number: str) -> bool:
        """Whether ``number`` is the caller of an exchange not settled yet (the outbound
        allow-list for the one follow-up text)."""
        with self._sessions() as db:
            return (
                db.scalar(
                    select(FollowUp.request_id)
                    .join(HelpRequest, HelpRequest.id == FollowUp.request_id)
                    .where(
                        HelpRequest.caller_index.in_(self.cipher.blind_indexes(number)),
                        FollowUp.step.in_(OPEN_STEPS),
                    )
                    .limit(1)
                )
                is not None
            )

    def _settle(self, request_id: str, outcome: FollowUpOutcome) -> None:
        with self._sessions.begin() as db:
            _move(db, request_id, None, FollowUpStep.DONE, self.clock(), outcome)


def _move(
    db: Session,
    request_id: str,
    asked: FollowUpStep | None,
    then: FollowUpStep,
    now: datetime,
    outcome: FollowUpOutcome | None = None,
) -> bool:
    """One step of an exchange, from ``asked`` (None: any open step)."""
    stmt = update(FollowUp).where(FollowUp.request_id == request_id)
    stmt = stmt.where(FollowUp.step.in_(OPEN_STEPS) if asked is None else FollowUp.step == asked)
    values: dict[str, object] = {"step": then, "updated_at": now}
    if outcome is not None:
        values["outcome"] = outcome
    return bool(db.execute(stmt.values(**values)).rowcount)  # type: ignore[attr-defined]


def _record(row: FollowUp) -> FollowUpRecord:
    return FollowUpRecord(
        request_id=row.request_id,
        step=FollowUpStep(row.step),
        outcome=FollowUpOutcome(row.outcome) if row.outcome else None,
        message_sid=row.message_sid,
        sent_at=row.sent_at,
    )
