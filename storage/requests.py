"""Queries and state changes on help requests (mixed into ``storage.repository.Store``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import FieldCipher
from storage.follow_up_models import FollowUp, FollowUpStep
from storage.models import (
    OPEN_REQUEST_STATUSES,
    TERMINAL_STATUSES,
    UNANSWERED_STATUSES,
    CallSession,
    DispatchState,
    HelpRequest,
    RequestStatus,
    SessionStatus,
)
from storage.records import RequestRecord
from storage.request_rows import request_record

CALLER_CONTEXT = "caller"  # AEAD context: a ciphertext can't be swapped into another column


class RequestQueries:
    cipher: FieldCipher
    clock: Callable[[], datetime]
    _sessions: sessionmaker[Session]
    _autocommit: sessionmaker[Session]  # one statement, one round trip

    def get_request(self, request_id: str) -> RequestRecord | None:
        with self._autocommit() as db:
            row = db.get(HelpRequest, request_id)
            return request_record(row) if row else None

    def caller_of(self, request_id: str) -> str | None:
        """The caller's number, decrypted: only for placing the call back."""
        with self._sessions() as db:
            row = db.get(HelpRequest, request_id)
            if row is None or row.caller_enc is None:
                return None
            return self.cipher.decrypt(row.caller_enc, context=CALLER_CONTEXT)

    def mark_queued(self, request_id: str) -> None:
        with self._autocommit() as db:  # one statement: one round trip
            db.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id)
                .values(
                    dispatch_state=DispatchState.QUEUED,
                    dispatch_attempts=HelpRequest.dispatch_attempts + 1,
                    updated_at=self.clock(),
                )
                .execution_options(synchronize_session=False)
            )

    def awaiting_dispatch(self, older_than: timedelta, limit: int = 100) -> list[RequestRecord]:
        """Waiting requests not known to be queued (the outbox the reconciler drains)."""
        cutoff = self.clock() - older_than
        with self._sessions() as db:
            rows = db.scalars(
                select(HelpRequest)
                .where(
                    HelpRequest.status == RequestStatus.WAITING,
                    HelpRequest.dispatch_state == DispatchState.PENDING,
                    HelpRequest.updated_at <= cutoff,
                )
                .order_by(HelpRequest.created_at)
                .limit(limit)
            ).all()
            return [request_record(r) for r in rows]

    def waiting_requests(self, limit: int = 500) -> list[RequestRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(HelpRequest)
                .where(HelpRequest.status == RequestStatus.WAITING)
                .order_by(HelpRequest.created_at)
                .limit(limit)
            ).all()
            return [request_record(r) for r in rows]

    def unanswered_requests(self, limit: int = 500) -> list[RequestRecord]:
        """Requests nobody has taken yet (waiting or being offered), oldest first: what the
        expiry pass looks at."""
        with self._sessions() as db:
            rows = db.scalars(
                select(HelpRequest)
                .where(HelpRequest.status.in_(UNANSWERED_STATUSES))
                .order_by(HelpRequest.created_at)
                .limit(limit)
            ).all()
            return [request_record(r) for r in rows]

    def set_request_status(
        self, request_id: str, status: RequestStatus, *, only_from: tuple[str, ...] | None = None
    ) -> bool:
        now = self.clock()
        closed = status in TERMINAL_STATUSES
        stmt = update(HelpRequest).where(HelpRequest.id == request_id)
        if only_from:
            stmt = stmt.where(HelpRequest.status.in_(only_from))
        with self._sessions.begin() as db:
            result = db.execute(
                stmt.values(status=status, updated_at=now, closed_at=now if closed else None)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def count_requests(self) -> dict[str, int]:
        with self._sessions() as db:
            rows = db.execute(
                select(HelpRequest.status, func.count()).group_by(HelpRequest.status)
            ).all()
            return {status: n for status, n in rows}

    def convert_to_callback(self, request_id: str) -> bool:
        """A holding caller we could not connect in time becomes a call-back request."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id, HelpRequest.status.in_(OPEN_REQUEST_STATUSES))
                .values(contact_mode="callback", callback_window="asap", updated_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def ask_consent(self, request_id: str, question: str, column: str) -> bool:
        """Put ``question`` to the request's holding caller (their next hold turn asks it):
        only while it waits, nothing else is pending and ``column`` was never answered."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(HelpRequest)
                .where(
                    HelpRequest.id == request_id,
                    HelpRequest.status == RequestStatus.WAITING,
                    HelpRequest.consent_asked.is_(None),
                    getattr(HelpRequest, column).is_(None),
                )
                .values(consent_asked=question, updated_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def answer_consent(self, request_id: str, question: str, column: str, ok: bool) -> bool:
        """The caller answered ``question``: keep the answer; the question is no longer
        pending. False when it was answered already (a repeated delivery)."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id, HelpRequest.consent_asked == question)
                .values({column: ok, "consent_asked": None, "updated_at": self.clock()})
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def hold_for_coordinator(self, request_id: str) -> bool:
        """A request Peerline can't complete by itself (its call-back number was refused):
        back to waiting, held out of dispatch, for a coordinator to take up."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(HelpRequest)
                .where(
                    HelpRequest.id == request_id,
                    HelpRequest.status.in_((RequestStatus.CONNECTED, RequestStatus.OFFERED)),
                )
                .values(
                    status=RequestStatus.WAITING,
                    dispatch_state=DispatchState.HELD,
                    supporter_id=None,
                    updated_at=self.clock(),
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def is_open_caller(self, number: str) -> bool:
        """Whether ``number`` is a caller with an open request or an open conversation
        (the toll-fraud guard's allow-list of callers)."""
        indexes = self.cipher.blind_indexes(number)
        with self._sessions() as db:
            if (
                db.scalar(
                    select(CallSession.sid)
                    .where(
                        CallSession.caller_index.in_(indexes),
                        CallSession.status == SessionStatus.ACTIVE,
                    )
                    .limit(1)
                )
                is not None
            ):
                return True
            return (
                db.scalar(
                    select(HelpRequest.id)
                    .where(
                        HelpRequest.caller_index.in_(indexes),
                        HelpRequest.status.in_(OPEN_REQUEST_STATUSES),
                    )
                    .limit(1)
                )
                is not None
            )

    def closed_caller_since(self, number: str, since: datetime) -> bool:
        """Whether ``number`` had a request end (expired, closed) since ``since``: the one
        farewell text a caller may still get after their request ended."""
        with self._sessions() as db:
            return (
                db.scalar(
                    select(HelpRequest.id)
                    .where(
                        HelpRequest.caller_index.in_(self.cipher.blind_indexes(number)),
                        HelpRequest.status.in_(TERMINAL_STATUSES),
                        HelpRequest.closed_at >= since,
                    )
                    .limit(1)
                )
                is not None
            )

    def forget_callers(
        self, closed_before: datetime, follow_ups_since: datetime | None = None
    ) -> int:
        """Delete the caller's identity link (number, blind index) from requests closed before
        ``closed_before`` and from their intake sessions; the de-identified rows stay.

        ``follow_ups_since``: a connected session that ended after it, of a caller who said
        yes to the follow-up text, keeps its number until its exchange is settled (answered,
        declined, STOP) or the window closes (``usecases.follow_up``)."""
        with self._sessions.begin() as db:
            closed = select(HelpRequest.id).where(
                HelpRequest.closed_at < closed_before, HelpRequest.caller_index.is_not(None)
            )
            if follow_ups_since is not None:
                settled = select(FollowUp.request_id).where(FollowUp.step == FollowUpStep.DONE)
                closed = closed.where(
                    ~(
                        (HelpRequest.follow_up_ok.is_(True))
                        & (HelpRequest.status == RequestStatus.COMPLETED)
                        & (HelpRequest.closed_at >= follow_ups_since)
                        & HelpRequest.id.not_in(settled)
                    )
                )
            ids = list(db.scalars(closed).all())
            if not ids:
                return 0
            db.execute(
                update(HelpRequest)
                .where(HelpRequest.id.in_(ids))
                .values(caller_enc=None, caller_index=None)
            )
            db.execute(
                update(CallSession)
                .where(CallSession.request_id.in_(ids))
                .values(caller_enc=None, caller_index=None)
            )
            return len(ids)

    def forget_idle_sessions(self, before: datetime) -> int:
        """The same for intake sessions that never became a request."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(CallSession)
                .where(
                    CallSession.request_id.is_(None),
                    CallSession.status != SessionStatus.ACTIVE,
                    CallSession.updated_at < before,
                    CallSession.caller_index.is_not(None),
                )
                .values(caller_enc=None, caller_index=None)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def find_by_ticket(self, ticket: str) -> RequestRecord | None:
        with self._sessions() as db:
            row = db.scalar(select(HelpRequest).where(HelpRequest.ticket == ticket.upper()))
            return request_record(row) if row else None

    def open_request_of(self, caller: str) -> RequestRecord | None:
        """The caller's most recent open request, if any."""
        with self._sessions() as db:
            row = db.scalar(
                select(HelpRequest)
                .where(
                    HelpRequest.caller_index.in_(self.cipher.blind_indexes(caller)),
                    HelpRequest.status.in_(OPEN_REQUEST_STATUSES),
                )
                .order_by(HelpRequest.created_at.desc())
                .limit(1)
            )
            return request_record(row) if row else None
