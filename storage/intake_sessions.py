"""Intake sessions: one row per call or text conversation, advanced a turn at a time.

Invariant: a turn moves only from the turn it was read at (a conditional UPDATE), and the
request a finished intake creates is inserted in that same transaction, so a repeated or
concurrent delivery changes nothing twice. Mixed into ``storage.repository.Store``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Engine, Table, Update, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ivr.model import Channel
from storage.crypto import FieldCipher
from storage.errors import StaleTurn
from storage.models import (
    CallSession,
    Event,
    HelpRequest,
    SessionStatus,
)
from storage.records import NewRequest, SessionRecord, TurnSaved
from storage.request_inserts import caller_columns, insert_request
from storage.request_rows import request_record
from storage.requests import CALLER_CONTEXT as _CALLER
from storage.sms_models import InboundMessage


class IntakeSessions:
    """Reads and turn-by-turn writes of intake sessions (mixed into ``Store``)."""

    cipher: FieldCipher
    clock: Callable[[], datetime]
    _sessions: sessionmaker[Session]
    _autocommit: sessionmaker[Session]  # one statement, one round trip
    _direct: Engine  # the same, for Core statements on every webhook

    def get_session(self, sid: str) -> SessionRecord | None:
        with self._direct.connect() as conn:
            row = conn.execute(_SESSION_ROW, {"w_sid": sid}).first()
        return _session_record(row) if row else None  # type: ignore[arg-type]

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
            params = {f"v_{name}": value for name, value in values.items()}
            params.update(w_sid=sid, w_turn=expected_turn)
            # Core, not the ORM: nothing reads the row after, and a webhook makes this
            # statement every turn (built once per set of columns, ``_turn_update``).
            result = db.connection().execute(_turn_update(tuple(sorted(values))), params)
            if result.rowcount != 1:
                raise StaleTurn(sid)  # leaving the block rolls the request insert back
            return TurnSaved(request_record(request) if request else None)

    def _insert_request(
        self, db: Session, new: NewRequest, now: datetime, number: str | None
    ) -> HelpRequest:
        return insert_request(db, self.cipher, new, now, number)

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
        with self._autocommit() as db:
            row = db.get(CallSession, sid)
            if row is None or row.caller_enc is None:
                return None
            return self.cipher.decrypt(row.caller_enc, context=_CALLER)

    def close_session(self, sid: str, status: SessionStatus) -> bool:
        """Mark an active session ended (e.g. abandoned on hang-up). False if it was not active."""
        with self._autocommit() as db:
            result = db.execute(
                update(CallSession)
                .where(CallSession.sid == sid, CallSession.status == SessionStatus.ACTIVE)
                .values(status=status, updated_at=self.clock())
                .execution_options(synchronize_session=False)
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
        with self._autocommit() as db:
            return db.scalar(select(CallSession.status).where(CallSession.sid == sid)) == (
                SessionStatus.CRISIS
            )

    # -- helpers -------------------------------------------------------------------------
    def _caller_columns(self, caller: str | None) -> dict[str, Any]:
        return caller_columns(self.cipher, caller)


def _answered(db: Session, message_sid: str | None, reply: str, now: datetime) -> None:
    """Record that text ``message_sid`` was answered with ``reply`` (its primary key makes a
    second copy's transaction fail as a whole)."""
    if message_sid:
        db.add(InboundMessage(message_sid=message_sid, reply=reply, created_at=now))
        db.flush()


_TABLE = cast(Table, CallSession.__table__)
_SESSION_ROW = select(
    *(
        _TABLE.c[name]
        for name in ("sid", "channel", "status", "flow", "turn", "last_response", "request_id")
    )
).where(_TABLE.c.sid == bindparam("w_sid"))


@functools.cache
def _turn_update(columns: tuple[str, ...]) -> Update:
    """The conditional UPDATE that moves a session on from the turn it was read at."""
    return (
        update(_TABLE)
        .where(_TABLE.c.sid == bindparam("w_sid"), _TABLE.c.turn == bindparam("w_turn"))
        .values({name: bindparam(f"v_{name}", type_=_TABLE.c[name].type) for name in columns})
    )


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
