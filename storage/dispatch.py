"""Offers, claims and call outcomes: every state change a conditional UPDATE in one transaction.

Invariant 3 lives here: a supporter is claimed only while ``busy_offer_id IS NULL`` (and the
column is unique), and a request has at most one active offer (a partial unique index).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from storage.claims import attach_in_one, claim_in_one, claim_in_steps
from storage.dispatch_models import ACTIVE_OFFER, Offer, OfferStatus
from storage.dispatch_reads import rang
from storage.engine import autocommit
from storage.models import Event, HelpRequest, RequestStatus
from storage.offer_records import OfferRecord, offer_record
from storage.transitions import Lost, book_call, move_offer, move_request, release_supporter


class DispatchStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._skip_locked = engine.dialect.name == "postgresql"
        self._autocommit = autocommit(engine)

    def claim(self, request_id: str, supporter_id: str, ring_for: timedelta) -> OfferRecord | None:
        """Reserve the supporter and create the offer, or None if either is already taken."""
        claimed = self.claim_with_phone(request_id, supporter_id, ring_for)
        return claimed[0] if claimed else None

    def claim_with_phone(
        self, request_id: str, supporter_id: str, ring_for: timedelta
    ) -> tuple[OfferRecord, bytes] | None:
        """``claim``, and the claimed supporter's number as stored (encrypted), read in the
        same transaction: the one number a dispatch decrypts."""
        now = self.clock()
        offer = Offer(
            id=uuid.uuid4().hex,
            request_id=request_id,
            supporter_id=supporter_id,
            status=OfferStatus.RINGING,
            created_at=now,
            expires_at=now + ring_for,
            duration_seconds=0,
        )
        try:
            if self._skip_locked:
                phone = claim_in_one(self._autocommit, offer, now)
            else:
                phone = claim_in_steps(self._sessions, offer, now)
        except (Lost, IntegrityError):
            return None
        if phone is None:
            return None
        return offer_record(offer), phone

    def attach_call(
        self, offer_id: str, call_sid: str, event: tuple[str, dict[str, Any]] | None = None
    ) -> bool:
        """Record the supporter's call; False when the offer ended meanwhile (the caller
        left or pressed 9 while the call was being placed): that leg must be cancelled.
        An offer already accepted is not ended: the supporter answered and pressed 1
        before this ran (the offer webhook attached the call first). ``event`` (kind,
        detail) is written about the offer's request in the same transaction while it
        still rings (the caller announces it once committed)."""
        if self._skip_locked:  # PostgreSQL: one statement, one round trip
            return attach_in_one(self._autocommit, offer_id, call_sid, event, self.clock())
        with self._sessions.begin() as db:
            row = db.execute(
                update(Offer)
                .where(Offer.id == offer_id)
                .values(call_sid=call_sid)
                .returning(Offer.status, Offer.request_id)
            ).first()
            if row is None or row.status not in ACTIVE_OFFER:
                return False
            if event is not None and row.status == OfferStatus.RINGING:
                kind, detail = event
                db.add(Event(at=self.clock(), kind=kind, request_id=row.request_id, detail=detail))
            return True

    def set_caller_leg(self, offer_id: str, call_sid: str) -> None:
        """The called-back caller's call joined the conference (to end it with the call)."""
        with self._sessions.begin() as db:
            db.execute(update(Offer).where(Offer.id == offer_id).values(caller_leg_sid=call_sid))

    def picked_up(self, offer_id: str) -> None:
        """The supporter answered and is hearing the offer (the whisper webhook ran)."""
        with self._sessions.begin() as db:
            db.execute(
                update(Offer)
                .where(Offer.id == offer_id, Offer.answered_at.is_(None))
                .values(answered_at=self.clock())
            )

    def offer(self, offer_id: str) -> OfferRecord | None:
        with self._sessions() as db:
            row = db.get(Offer, offer_id)
            return offer_record(row) if row else None

    def active_offer(self, request_id: str) -> OfferRecord | None:
        with self._sessions() as db:
            row = db.scalar(
                select(Offer).where(Offer.request_id == request_id, Offer.status.in_(ACTIVE_OFFER))
            )
            return offer_record(row) if row else None

    def offered_supporters(self, request_id: str, since: datetime) -> frozenset[str]:
        """Supporters this request was offered to since ``since`` (not to be re-rung yet).

        Every offer counts whose call may have rung: placed, or placed-but-unconfirmed (the
        carrier's answer was lost, a worker died mid-call). Only an offer that failed with
        the carrier's definite refusal (a 429, an invalid number) rang nobody.
        """
        with self._sessions() as db:
            return frozenset(db.scalars(select(Offer.supporter_id).where(rang(request_id, since))))

    def end_offer(self, offer_id: str, status: OfferStatus, reason: str | None = None) -> bool:
        """Close a ringing offer (declined, no answer, failed, timed out, canceled).

        Frees the supporter and puts the request back to waiting. False if it wasn't ringing.
        """
        now = self.clock()
        with self._sessions.begin() as db:
            row = db.get(Offer, offer_id)
            if row is None or not move_offer(
                db, offer_id, OfferStatus.RINGING, status=status, reason=reason, ended_at=now
            ):
                return False
            release_supporter(db, row.supporter_id, offer_id)
            move_request(db, row.request_id, (RequestStatus.OFFERED,), RequestStatus.WAITING, now)
            return True

    def accept(self, offer_id: str) -> bool:
        """The supporter pressed 1. False (nothing changed) if the caller already left."""
        now = self.clock()
        try:
            with self._sessions.begin() as db:
                row = db.get(Offer, offer_id)
                if row is None or not move_offer(
                    db, offer_id, OfferStatus.RINGING, status=OfferStatus.ACCEPTED
                ):
                    raise Lost
                if not move_request(
                    db,
                    row.request_id,
                    (RequestStatus.OFFERED,),
                    RequestStatus.CONNECTED,
                    now,
                    supporter_id=row.supporter_id,
                    connected_at=now,
                ):
                    raise Lost
        except Lost:
            return False
        return True

    def finish(
        self, offer_id: str, duration_seconds: int, cool_off: timedelta, long_call: timedelta
    ) -> bool:
        """The bridged call ended: count minutes, free the supporter, close the request."""
        now = self.clock()
        minutes = max(1, math.ceil(max(0, duration_seconds) / 60))
        with self._sessions.begin() as db:
            row = db.get(Offer, offer_id)
            if row is None or not move_offer(
                db,
                offer_id,
                OfferStatus.ACCEPTED,
                status=OfferStatus.COMPLETED,
                ended_at=now,
                duration_seconds=duration_seconds,
            ):
                return False
            move_request(
                db,
                row.request_id,
                (RequestStatus.CONNECTED,),
                RequestStatus.COMPLETED,
                now,
                minutes=minutes,
                closed_at=now,
            )
            long = timedelta(seconds=duration_seconds) >= long_call
            book_call(
                db, row.supporter_id, offer_id, now, minutes, now + cool_off if long else None
            )
            return True

    def withdraw(
        self,
        request_id: str,
        *,
        reason: str = "caller_left",
        bridged_ok: bool = False,
        to: RequestStatus = RequestStatus.WITHDRAWN,
    ) -> tuple[bool, OfferRecord | None]:
        """End the request (``to``: withdrawn, expired, closed) and its active offer.

        ``bridged_ok`` also ends a request a supporter already accepted but whose caller
        was never bridged (the crisis key on the hold loop or the call-back leg).
        Returns whether the request was ended, and the offer that was active (its leg
        must be cancelled or told), if any; the supporter is free again either way.
        """
        now = self.clock()
        open_: tuple[RequestStatus, ...] = (RequestStatus.WAITING, RequestStatus.OFFERED)
        if bridged_ok:
            open_ += (RequestStatus.CONNECTED,)
        with self._sessions.begin() as db:
            if not move_request(db, request_id, open_, to, now, closed_at=now):
                return False, None
            row = db.scalar(
                select(Offer).where(Offer.request_id == request_id, Offer.status.in_(ACTIVE_OFFER))
            )
            if row is None:
                return True, None
            active = offer_record(row)
            db.execute(
                update(Offer)
                .where(Offer.id == row.id, Offer.status.in_(ACTIVE_OFFER))
                .values(status=OfferStatus.CANCELED, reason=reason, ended_at=now)
            )
            release_supporter(db, row.supporter_id, row.id)
            return True, active

    def back_to_waiting(self, request_id: str, *, count_attempt: bool) -> bool:
        """A connected call back that never reached the caller returns to the queue."""
        now = self.clock()
        with self._sessions.begin() as db:
            extra = (
                {"callback_attempts": HelpRequest.callback_attempts + 1} if count_attempt else {}
            )
            return move_request(
                db,
                request_id,
                (RequestStatus.CONNECTED, RequestStatus.OFFERED),
                RequestStatus.WAITING,
                now,
                supporter_id=None,
                **extra,
            )

    def release_accepted(self, offer_id: str, reason: str) -> bool:
        """End an accepted offer that never became a conversation; frees the supporter."""
        now = self.clock()
        with self._sessions.begin() as db:
            row = db.get(Offer, offer_id)
            if row is None or not move_offer(
                db,
                offer_id,
                OfferStatus.ACCEPTED,
                status=OfferStatus.CANCELED,
                reason=reason,
                ended_at=now,
            ):
                return False
            release_supporter(db, row.supporter_id, offer_id)
            return True

    def stuck_offers(
        self, grace: timedelta = timedelta(seconds=15), unplaced: timedelta = timedelta(seconds=30)
    ) -> list[OfferRecord]:
        """Ringing offers nobody will report on: past expiry plus ``grace`` (a status callback
        went missing), or claimed ``unplaced`` ago with no call (the worker died between);
        ``unplaced`` outlasts a REST request's timeout, so a slow Calls.create is not raced."""
        now = self.clock()
        with self._sessions() as db:
            rows = db.scalars(
                select(Offer).where(
                    Offer.status == OfferStatus.RINGING,
                    or_(
                        Offer.expires_at < now - grace,
                        and_(Offer.call_sid.is_(None), Offer.created_at < now - unplaced),
                    ),
                )
            ).all()
            return [offer_record(r) for r in rows]
