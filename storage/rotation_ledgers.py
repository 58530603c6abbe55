"""Key rotation for the ledgers keyed by blind index: opt-outs and call-back counts.

A blind index can't be turned back into its number, so these rows are re-keyed from a
number Peerline holds: an opt-out keeps its own number encrypted (since the blocklist
revision); older opt-outs and the call-back counts are matched against every number in
the database (``KnownNumbers``). A row no number matches stays under the key it was
written with: a call-back count expires within two days anyway; an old opt-out is
reported, because dropping its key would forget it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.callback_models import CallbackCount
from storage.crypto import FieldCipher
from storage.sms import OPT_OUT_CONTEXT
from storage.sms_models import OptOut


@dataclass
class Tally:
    moved: int = 0  # rewritten under the current key
    current: int = 0  # already under it
    unreadable: int = 0  # under no configured key: left as they are


class KnownNumbers:
    """Every number Peerline holds, found by its blind index under any key."""

    def __init__(self, cipher: FieldCipher, numbers: Iterable[str]) -> None:
        self._by_index = {
            index: number for number in set(numbers) for index in cipher.blind_indexes(number)
        }

    def number(self, index: str) -> str | None:
        return self._by_index.get(index)


def rekey_opt_outs(
    sessions: sessionmaker[Session], cipher: FieldCipher, known: KnownNumbers, batch_size: int
) -> tuple[Tally, int]:
    """Move every opt-out to the current key; also the count of old ones no number matched."""
    tally, unmatched, after = Tally(), 0, ""
    while True:
        with sessions.begin() as db:
            rows = db.execute(
                select(OptOut.number_index, OptOut.number_enc)
                .where(OptOut.number_index > after)
                .order_by(OptOut.number_index)
                .limit(batch_size)
            ).all()
            for index, token in rows:
                if token is not None and cipher.is_current(token, context=OPT_OUT_CONTEXT):
                    tally.current += 1
                    continue
                try:
                    number = (
                        cipher.decrypt(token, context=OPT_OUT_CONTEXT)
                        if token is not None
                        else known.number(index)
                    )
                except InvalidTag:
                    tally.unreadable += 1
                    continue
                if number is None:
                    unmatched += 1
                    continue
                _move_opt_out(db, cipher, index, token, number)
                tally.moved += 1
        if len(rows) < batch_size:
            return tally, unmatched
        after = rows[-1][0]


def _move_opt_out(
    db: Session, cipher: FieldCipher, index: str, token: bytes | None, number: str
) -> None:
    new_index = cipher.blind_index(number)
    same = OptOut.number_enc.is_(None) if token is None else OptOut.number_enc == token
    was = (OptOut.number_index == index, same)
    try:
        with db.begin_nested():
            db.execute(
                update(OptOut)
                .where(*was)
                .values(
                    number_index=new_index,
                    number_enc=cipher.encrypt(number, context=OPT_OUT_CONTEXT),
                )
            )
    except IntegrityError:
        # A live process recorded STOP or START under the current key meanwhile: that row
        # is the newer word, and this one goes.
        db.execute(delete(OptOut).where(*was))


def rekey_callback_counts(
    sessions: sessionmaker[Session], cipher: FieldCipher, known: KnownNumbers, batch_size: int
) -> Tally:
    """Move each day's count to the current key's index, adding it to any count there."""
    tally = Tally()
    with sessions() as db:  # two days of rows at most
        rows = db.execute(
            select(CallbackCount.number_index, CallbackCount.day, CallbackCount.placed)
        ).all()
    for index, day, placed in rows:
        number = known.number(index)
        if number is None:
            continue  # nobody we know: it expires with its day
        new_index = cipher.blind_index(number)
        if new_index == index:
            tally.current += 1
            continue
        with sessions.begin() as db:
            old = (CallbackCount.number_index == index, CallbackCount.day == day)
            if db.get(CallbackCount, (new_index, day)) is None:
                db.execute(update(CallbackCount).where(*old).values(number_index=new_index))
            else:
                db.execute(
                    update(CallbackCount)
                    .where(CallbackCount.number_index == new_index, CallbackCount.day == day)
                    .values(placed=CallbackCount.placed + placed)
                )
                db.execute(delete(CallbackCount).where(*old))
        tally.moved += 1
    return tally
