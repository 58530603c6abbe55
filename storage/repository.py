"""The one door to the database for sessions, requests and events.

Every method is its own short transaction, committed before it returns: webhooks answer
only after what they decided is durable.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import FieldCipher
from storage.errors import StaleTurn
from storage.models import (
    OPEN_REQUEST_STATUSES,
    CallSession,
    DispatchState,
    Event,
    HelpRequest,
    Organization,
    RequestStatus,
    SessionStatus,
)
from storage.records import NewRequest, RequestRecord, SessionRecord, TurnSaved

TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed
_CALLER = "caller"  # AEAD context: a ciphertext can't be swapped into another column


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(4))


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Repository over one SQLAlchemy engine."""

    def __init__(
        self, engine: Engine, cipher: FieldCipher, clock: Callable[[], datetime] = _now
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- health -------------------------------------------------------------------------
    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # -- intake sessions ----------------------------------------------------------------
    def get_session(self, sid: str) -> SessionRecord | None:
        with self._sessions() as db:
            row = db.get(CallSession, sid)
            return _session_record(row) if row else None

    def begin_session(
        self, sid: str, channel: str, flow: dict[str, Any], response: str, caller: str | None
    ) -> SessionRecord:
        """Create the session for a new contact; a re-delivery returns the existing one."""
        now = self.clock()
        row = CallSession(
            sid=sid,
            channel=channel,
            status=SessionStatus.ACTIVE,
            flow=flow,
            turn=0,
            last_response=response,
            created_at=now,
            updated_at=now,
            **self._caller_columns(caller),
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
            return _session_record(row)
        except IntegrityError:
            existing = self.get_session(sid)
            if existing is None:  # pragma: no cover - the row that collided must exist
                raise
            return existing

    def save_turn(
        self,
        sid: str,
        expected_turn: int,
        flow: dict[str, Any],
        status: SessionStatus,
        response: str,
        new_request: NewRequest | None = None,
        caller: str | None = None,
    ) -> TurnSaved:
        """Advance a session from ``expected_turn``; optionally create its request, atomically.

        ``caller`` replaces the session's contact number (one keyed in for a withheld ID);
        a new request without a number of its own takes the session's. Raises
        ``StaleTurn`` when a concurrent or repeated delivery got there first.
        """
        for _ in range(5):  # a ticket collision retries with a new code
            try:
                return self._save_turn(
                    sid, expected_turn, flow, status, response, new_request, caller
                )
            except IntegrityError as exc:
                if "ticket" not in str(exc.orig).lower():
                    raise StaleTurn(sid) from exc
        raise StaleTurn(sid)  # pragma: no cover - five ticket collisions in a row

    def _save_turn(
        self,
        sid: str,
        expected_turn: int,
        flow: dict[str, Any],
        status: SessionStatus,
        response: str,
        new_request: NewRequest | None,
        caller: str | None,
    ) -> TurnSaved:
        now = self.clock()
        with self._sessions.begin() as db:
            values: dict[str, Any] = {
                "flow": flow,
                "status": status,
                "turn": expected_turn + 1,
                "last_response": response,
                "updated_at": now,
            }
            if caller:
                values.update(self._caller_columns(caller))
            request = None
            if new_request is not None:
                contact = self._caller_columns(new_request.caller or caller)
                if not new_request.caller and not caller:
                    session_row = db.get(CallSession, sid)
                    if session_row is not None:
                        contact = {
                            "caller_enc": session_row.caller_enc,
                            "caller_index": session_row.caller_index,
                        }
                request = self._insert_request(db, new_request, now, contact)
                values["request_id"] = request.id
            result = db.execute(
                update(CallSession)
                .where(CallSession.sid == sid, CallSession.turn == expected_turn)
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleTurn(sid)  # leaving the block rolls the request insert back
            return TurnSaved(_request_record(request) if request else None)

    def _insert_request(
        self, db: Session, new: NewRequest, now: datetime, contact: dict[str, Any]
    ) -> HelpRequest:
        row = HelpRequest(
            id=uuid.uuid4().hex,
            ticket=new_ticket(),
            status=RequestStatus.WAITING,
            channel=new.channel,
            role=new.role,
            urgency=new.urgency,
            language=new.language,
            org_preference=new.org_preference,
            organization=new.organization,
            organization_unknown=new.organization_unknown,
            contact_mode=new.contact_mode,
            callback_window=new.callback_window,
            source_sid=new.source_sid,
            dispatch_state=DispatchState.PENDING,
            dispatch_attempts=0,
            created_at=now,
            updated_at=now,
            **contact,
        )
        db.add(row)
        db.flush()
        return row

    def active_session(self, caller: str, channel: str, since: datetime) -> SessionRecord | None:
        """The caller's open conversation on ``channel`` touched after ``since``, if any."""
        with self._sessions() as db:
            row = db.scalar(
                select(CallSession)
                .where(
                    CallSession.caller_index == self.cipher.blind_index(caller),
                    CallSession.channel == channel,
                    CallSession.status == SessionStatus.ACTIVE,
                    CallSession.updated_at > since,
                )
                .order_by(CallSession.updated_at.desc())
                .limit(1)
            )
            return _session_record(row) if row else None

    def idle_sessions(self, channel: str, before: datetime, limit: int = 100) -> list[str]:
        """Active sessions on ``channel`` untouched since ``before`` (to be closed)."""
        with self._sessions() as db:
            return list(
                db.scalars(
                    select(CallSession.sid)
                    .where(
                        CallSession.channel == channel,
                        CallSession.status == SessionStatus.ACTIVE,
                        CallSession.updated_at <= before,
                    )
                    .limit(limit)
                ).all()
            )

    def session_caller(self, sid: str) -> str | None:
        with self._sessions() as db:
            row = db.get(CallSession, sid)
            if row is None or row.caller_enc is None:
                return None
            return self.cipher.decrypt(row.caller_enc, context=_CALLER)

    def open_request_of(self, caller: str) -> RequestRecord | None:
        """The caller's most recent open request, if any."""
        with self._sessions() as db:
            row = db.scalar(
                select(HelpRequest)
                .where(
                    HelpRequest.caller_index == self.cipher.blind_index(caller),
                    HelpRequest.status.in_(OPEN_REQUEST_STATUSES),
                )
                .order_by(HelpRequest.created_at.desc())
                .limit(1)
            )
            return _request_record(row) if row else None

    def close_session(self, sid: str, status: SessionStatus) -> bool:
        """Mark an active session ended (e.g. abandoned on hang-up). False if it was not active."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(CallSession)
                .where(CallSession.sid == sid, CallSession.status == SessionStatus.ACTIVE)
                .values(status=status, updated_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- requests -----------------------------------------------------------------------
    def get_request(self, request_id: str) -> RequestRecord | None:
        with self._sessions() as db:
            row = db.get(HelpRequest, request_id)
            return _request_record(row) if row else None

    def caller_of(self, request_id: str) -> str | None:
        """The caller's number, decrypted: only for placing the call back."""
        with self._sessions() as db:
            row = db.get(HelpRequest, request_id)
            if row is None or row.caller_enc is None:
                return None
            return self.cipher.decrypt(row.caller_enc, context=_CALLER)

    def mark_queued(self, request_id: str) -> None:
        with self._sessions.begin() as db:
            db.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id)
                .values(
                    dispatch_state=DispatchState.QUEUED,
                    dispatch_attempts=HelpRequest.dispatch_attempts + 1,
                    updated_at=self.clock(),
                )
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
            return [_request_record(r) for r in rows]

    def waiting_requests(self, limit: int = 500) -> list[RequestRecord]:
        with self._sessions() as db:
            rows = db.scalars(
                select(HelpRequest)
                .where(HelpRequest.status == RequestStatus.WAITING)
                .order_by(HelpRequest.created_at)
                .limit(limit)
            ).all()
            return [_request_record(r) for r in rows]

    def set_request_status(
        self, request_id: str, status: RequestStatus, *, only_from: tuple[str, ...] | None = None
    ) -> bool:
        now = self.clock()
        closed = status in (RequestStatus.COMPLETED, RequestStatus.WITHDRAWN, RequestStatus.EXPIRED)
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

    def is_open_caller(self, number: str) -> bool:
        """Whether ``number`` is a caller with an open request or an open conversation
        (the toll-fraud guard's allow-list of callers)."""
        index = self.cipher.blind_index(number)
        with self._sessions() as db:
            if (
                db.scalar(
                    select(CallSession.sid)
                    .where(
                        CallSession.caller_index == index,
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
                        HelpRequest.caller_index == index,
                        HelpRequest.status.in_(OPEN_REQUEST_STATUSES),
                    )
                    .limit(1)
                )
                is not None
            )

    def find_by_ticket(self, ticket: str) -> RequestRecord | None:
        with self._sessions() as db:
            row = db.scalar(select(HelpRequest).where(HelpRequest.ticket == ticket.upper()))
            return _request_record(row) if row else None

    # -- organizations ------------------------------------------------------------------
    def organizations(self) -> tuple[list[str], dict[str, str]]:
        """Known organization names, and aliases mapped to their organization's name."""
        with self._sessions() as db:
            rows = db.scalars(select(Organization).order_by(Organization.name)).all()
            names = [r.name for r in rows]
            aliases = {alias: r.name for r in rows for alias in (r.aliases or [])}
            return names, aliases

    def add_organization(self, name: str, aliases: list[str] | None = None) -> None:
        with self._sessions.begin() as db:
            existing = db.scalar(select(Organization).where(Organization.name == name))
            if existing is None:
                db.add(Organization(name=name, aliases=list(aliases or [])))
            else:
                existing.aliases = sorted(set(existing.aliases or []) | set(aliases or []))

    # -- events -------------------------------------------------------------------------
    def add_event(
        self,
        kind: str,
        *,
        request_id: str | None = None,
        session_sid: str | None = None,
        **detail: Any,
    ) -> None:
        with self._sessions.begin() as db:
            db.add(
                Event(
                    at=self.clock(),
                    kind=kind,
                    request_id=request_id,
                    session_sid=session_sid,
                    detail=detail,
                )
            )

    def events(self, request_id: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        with self._sessions() as db:
            stmt = select(Event).order_by(Event.id)
            if request_id is not None:
                stmt = stmt.where(Event.request_id == request_id)
            return [(e.kind, e.detail) for e in db.scalars(stmt).all()]

    # -- helpers ------------------------------------------------------------------------
    def _caller_columns(self, caller: str | None) -> dict[str, Any]:
        if not caller:
            return {"caller_enc": None, "caller_index": None}
        return {
            "caller_enc": self.cipher.encrypt(caller, context=_CALLER),
            "caller_index": self.cipher.blind_index(caller),
        }


def _session_record(row: CallSession) -> SessionRecord:
    return SessionRecord(
        sid=row.sid,
        channel=row.channel,
        status=row.status,
        flow=row.flow,
        turn=row.turn,
        last_response=row.last_response,
        request_id=row.request_id,
    )


def _request_record(row: HelpRequest) -> RequestRecord:
    return RequestRecord(
        id=row.id,
        ticket=row.ticket,
        status=row.status,
        channel=row.channel,
        role=row.role,
        urgency=row.urgency,
        language=row.language,
        org_preference=row.org_preference,
        organization=row.organization,
        organization_unknown=row.organization_unknown,
        contact_mode=row.contact_mode,
        callback_window=row.callback_window,
        dispatch_state=row.dispatch_state,
        dispatch_attempts=row.dispatch_attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        supporter_id=row.supporter_id,
        previous_supporter_id=row.previous_supporter_id,
        callback_attempts=row.callback_attempts or 0,
        escalation_level=row.escalation_level or 0,
        acked_at=row.acked_at,
        source_sid=row.source_sid,
    )
