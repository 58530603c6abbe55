"""How many times each number was called back today: the durable count behind the daily cap.

Keyed by the number's blind index, never the number; rows older than yesterday are deleted
as new ones are written, so the table holds two days at most.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.callback_models import CallbackCount
from storage.crypto import FieldCipher


class CallbackLedger:
    def __init__(self, engine: Engine, cipher: FieldCipher) -> None:
        self.cipher = cipher
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def placed_on(self, number: str, day: date) -> int:
        """Call backs counted under every key (a rotation may be under way)."""
        with self._sessions() as db:
            return self._counted(db, self.cipher.blind_indexes(number), day)

    def reserve(self, number: str, day: date, cap: int) -> bool:
        """Count one more call back to ``number`` on ``day`` unless ``cap`` is reached.

        One conditional UPDATE (or the day's first INSERT), so two workers calling the same
        number at once can't both slip under the cap. Counts still under an old key (until
        ``peerline keys rotate`` moves them) take their share of the cap."""
        index, *old = self.cipher.blind_indexes(number)
        for _ in range(3):
            with self._sessions.begin() as db:
                db.execute(delete(CallbackCount).where(CallbackCount.day < day - timedelta(1)))
                room = cap - self._counted(db, tuple(old), day)
                counted = db.execute(
                    update(CallbackCount)
                    .where(
                        CallbackCount.number_index == index,
                        CallbackCount.day == day,
                        CallbackCount.placed < room,
                    )
                    .values(placed=CallbackCount.placed + 1)
                )
                if counted.rowcount == 1:  # type: ignore[attr-defined]
                    return True
                exists = db.scalar(
                    select(CallbackCount.placed).where(
                        CallbackCount.number_index == index, CallbackCount.day == day
                    )
                )
                if exists is not None or room < 1:
                    return False
            try:
                with self._sessions.begin() as db:
                    db.add(CallbackCount(number_index=index, day=day, placed=1))
                return True
            except IntegrityError:
                continue  # another worker wrote the day's first row: count on that one
        return False

    @staticmethod
    def _counted(db: Session, indexes: tuple[str, ...], day: date) -> int:
        if not indexes:
            return 0
        placed = db.scalar(
            select(func.sum(CallbackCount.placed)).where(
                CallbackCount.number_index.in_(indexes), CallbackCount.day == day
            )
        )
        return int(placed or 0)
