"""The one door to the database for sessions, requests and events.

Every method is its own short transaction, committed before it returns: webhooks answer
only after what they decided is durable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.crypto import FieldCipher
from storage.engine import autocommit
from storage.errors import StaleTurn
from storage.intake_sessions import IntakeSessions
from storage.models import Event, Organization, SessionStatus
from storage.records import NewRequest, TurnSaved
from storage.requests import RequestQueries


def _now() -> datetime:
    return datetime.now(UTC)


RequestEventListener = Callable[[str, str], None]
"""Told ``(kind, request_id)`` after an event about a request is committed."""


class Store(IntakeSessions, RequestQueries):
    """Repository over one SQLAlchemy engine: intake sessions, organizations, events;
    the session reads and turn writes come from ``storage.intake_sessions``, the request
    queries from ``storage.requests``."""

    def __init__(
        self, engine: Engine, cipher: FieldCipher, clock: Callable[[], datetime] = _now
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # One-statement reads and writes: autocommit, one round trip (no BEGIN, no COMMIT)
        self._direct = autocommit(engine)  # Core, for the hottest of those
        self._autocommit = sessionmaker(self._direct)
        self._listeners: list[RequestEventListener] = []

    def on_request_event(self, listener: RequestEventListener) -> None:
        """Call ``listener`` after each event about a request is committed (the composition
        root relays them to the live board). A listener must not raise."""
        self._listeners.append(listener)

    def announce(self, kind: str, request_id: str) -> None:
        """Tell the listeners of an event another store committed (``attach_call``)."""
        self._announce(kind, request_id)

    def _announce(self, kind: str, request_id: str | None) -> None:
        if request_id is not None:
            for listener in self._listeners:
                listener(kind, request_id)

    # -- health -------------------------------------------------------------------------
    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # -- intake sessions ----------------------------------------------------------------
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
