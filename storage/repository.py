"""The one door to the database for sessions, requests and events.

Every method is its own short transaction, committed before it returns: webhooks answer
only after what they decided is durable.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ivr.model import Channel
from storage.crypto import FieldCipher
from storage.errors import StaleTurn
from storage.models import (
    CallSession,
    DispatchState,
    Event,
    HelpRequest,
    Organization,
    RequestStatus,
    SessionStatus,
)
from storage.records import NewRequest, SessionRecord, TurnSaved
from storage.request_rows import request_record
from storage.requests import CALLER_CONTEXT as _CALLER
from storage.requests import RequestQueries
from storage.sms_models import InboundMessage

TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(4))


def _now() -> datetime:
    return datetime.now(UTC)


RequestEventListener = Callable[[str, str], None]
"""Told ``(kind, request_id)`` after an event about a request is committed."""


class Store(RequestQueries):
    """Repository over one SQLAlchemy engine: intake sessions, organizations, events;
    the request queries come from ``storage.requests``."""

    def __init__(
        self, engine: Engine, cipher: FieldCipher, clock: Callable[[], datetime] = _now
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._listeners: list[RequestEventListener] = []

    def on_request_event(self, listener: RequestEventListener) -> None:
        """Call ``listener`` after each event about a request is committed (the composition
        root relays them to the live board). A listener must not raise."""
        self._listeners.append(listener)

    def _announce(self, kind: str, request_id: str | None) -> None:
        if request_id is not None:
            for listener in self._listeners:
                listener(kind, request_id)

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
        self,
        sid: str,
        channel: str,
        flow: dict[str, Any],
        response: str,
        caller: str | None,
        message_sid: str | None = None,
    ) -> SessionRecord:
        """Create the session for a new contact; a re-delivery returns the existing one.
        ``message_sid`` (the text that began it) is recorded with ``response`` at once."""
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
                _answered(db, message_sid, response, now)
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
        clear_caller: bool = False,
        message_sid: str | None = None,
    ) -> TurnSaved:
        """Advance a session from ``expected_turn``; optionally create its request, atomically.

        ``caller`` replaces the session's contact number (one keyed in for a withheld ID);
        ``clear_caller`` forgets it (a keyed number the caller did not confirm). A new
        request without a number of its own takes the session's. Raises ``StaleTurn``
        when a concurrent or repeated delivery got there first — including another copy of
        the text ``message_sid``, recorded (with ``response``) in the same transaction: a
        text is applied once, however many copies arrive at once.
        """
        for _ in range(5):  # a ticket collision retries with a new code
            try:
                saved = self._save_turn(
                    sid,
                    expected_turn,
                    flow,
                    status,
                    response,
                    new_request,
                    caller,
                    clear_caller,
                    message_sid,
                )
            except IntegrityError as exc:
                if "ticket" not in str(exc.orig).lower():
                    raise StaleTurn(sid) from exc
                continue
            if saved.request is not None:
                self._announce("request.created", saved.request.id)
            return saved
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
        clear_caller: bool = False,
        message_sid: str | None = None,
    ) -> TurnSaved:
        now = self.clock()
        with self._sessions.begin() as db:
            _answered(db, message_sid, response, now)
            values: dict[str, Any] = {
                "flow": flow,
                "status": status,
                "turn": expected_turn + 1,
                "last_response": response,
                "updated_at": now,
            }
            if caller or clear_caller:
                values.update(self._caller_columns(caller))
            request = None
            if new_request is not None:
                number = new_request.caller or caller
                if not number and not clear_caller:  # the session's, re-encrypted under the
                    row = db.get(CallSession, sid)  # current key (``peerline keys rotate``)
                    if row is not None and row.caller_enc is not None:
                        number = self.cipher.decrypt(row.caller_enc, context=_CALLER)
                request = self._insert_request(db, new_request, now, number)
                values["request_id"] = request.id
                db.add(
                    Event(
                        at=now,
                        kind="request.created",
                        request_id=request.id,
                        session_sid=sid,
                        detail={"channel": request.channel, "urgency": request.urgency},
                    )
                )
            result = db.execute(
                update(CallSession)
                .where(CallSession.sid == sid, CallSession.turn == expected_turn)
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleTurn(sid)  # leaving the block rolls the request insert back
            return TurnSaved(request_record(request) if request else None)

    def _insert_request(
        self, db: Session, new: NewRequest, now: datetime, number: str | None
    ) -> HelpRequest:
        indexes = self.cipher.blind_indexes(number) if number else ()
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
            other_role_ok=new.other_role_ok,
            other_language_ok=new.other_language_ok,
            source_sid=new.source_sid,
            dispatch_state=DispatchState.PENDING,
            dispatch_attempts=0,
            previous_supporter_id=_previous_supporter(db, indexes),
            created_at=now,
            updated_at=now,
            **self._caller_columns(number),
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
                    CallSession.caller_index.in_(self.cipher.blind_indexes(caller)),
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

    def close_session(self, sid: str, status: SessionStatus) -> bool:
        """Mark an active session ended (e.g. abandoned on hang-up). False if it was not active."""
        with self._sessions.begin() as db:
            result = db.execute(
                update(CallSession)
                .where(CallSession.sid == sid, CallSession.status == SessionStatus.ACTIVE)
                .values(status=status, updated_at=self.clock())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_crisis(self, sid: str) -> None:
        """The caller pressed the crisis key: whatever the session was doing, it is now a
        crisis transfer, and nothing may move this call anywhere else."""
        with self._sessions.begin() as db:
            db.execute(
                update(CallSession)
                .where(CallSession.sid == sid)
                .values(status=SessionStatus.CRISIS, updated_at=self.clock())
            )

    def in_crisis(self, sid: str) -> bool:
        with self._sessions() as db:
            return db.scalar(select(CallSession.status).where(CallSession.sid == sid)) == (
                SessionStatus.CRISIS
            )

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
        self._announce(kind, request_id)

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


def _answered(db: Session, message_sid: str | None, reply: str, now: datetime) -> None:
    """Record that text ``message_sid`` was answered with ``reply`` (its primary key makes a
    second copy's transaction fail as a whole)."""
    if message_sid:
        db.add(InboundMessage(message_sid=message_sid, reply=reply, created_at=now))
        db.flush()


def _session_record(row: CallSession) -> SessionRecord:
    return SessionRecord(
        sid=row.sid,
        channel=Channel(row.channel),
        status=SessionStatus(row.status),
        flow=row.flow,
        turn=row.turn,
        last_response=row.last_response,
        request_id=row.request_id,
    )


def _previous_supporter(db: Session, caller_indexes: tuple[str, ...]) -> str | None:
    """Continuity: the supporter of this caller's last completed conversation, while the
    identity link still exists (see ``RequestQueries.forget_callers``)."""
    if not caller_indexes:
        return None
    return db.scalar(
        select(HelpRequest.supporter_id)
        .where(
            HelpRequest.caller_index.in_(caller_indexes),
            HelpRequest.status == RequestStatus.COMPLETED,
            HelpRequest.supporter_id.is_not(None),
        )
        .order_by(HelpRequest.created_at.desc())
        .limit(1)
    )
