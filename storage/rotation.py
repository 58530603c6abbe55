"""Key rotation: every encrypted value and blind index moved to the current key.

Run with the new key as ``PEERLINE_SECRET_KEY`` and the old ones in
``PEERLINE_OLD_SECRET_KEYS``, while the service runs: every process reads and looks up
under all of them, so a row is found whichever key it is under at that moment.

- **Batched**: a short transaction per batch of rows, in primary-key order.
- **Safe beside live writers**: each row is rewritten by a conditional UPDATE that
  matches the ciphertext it read; a row changed meanwhile was written by a live process
  (under the current key) and is left alone.
- **Resumable and idempotent**: a value already under the current key is skipped, so a
  run stopped anywhere is finished by running it again, and a second run changes nothing.

Columns with a blind index get the new index in the same UPDATE. The ledgers keyed by
blind index alone are in ``storage.rotation_ledgers``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import InstrumentedAttribute, sessionmaker

from storage.accounts import _TOTP
from storage.blocklist import BLOCKED_CONTEXT
from storage.blocklist_models import BlockedNumber
from storage.console_models import Account
from storage.crypto import FieldCipher
from storage.models import CallSession, HelpRequest
from storage.requests import CALLER_CONTEXT
from storage.roster import _PHONE
from storage.roster_models import Coordinator, Supporter
from storage.rotation_ledgers import KnownNumbers, Tally, rekey_callback_counts, rekey_opt_outs
from storage.sms import OPT_OUT_CONTEXT
from storage.sms_models import OptOut

logger = logging.getLogger(__name__)

Column = InstrumentedAttribute[Any]


@dataclass(frozen=True)
class Encrypted:
    """One encrypted column, the blind index beside it (if any), and its AEAD context."""

    name: str
    key: Column
    value: Column
    index: Column | None
    context: str


COLUMNS = (
    Encrypted("call_sessions.caller", CallSession.sid, CallSession.caller_enc,
              CallSession.caller_index, CALLER_CONTEXT),
    Encrypted("requests.caller", HelpRequest.id, HelpRequest.caller_enc,
              HelpRequest.caller_index, CALLER_CONTEXT),
    Encrypted("supporters.phone", Supporter.id, Supporter.phone_enc, Supporter.phone_index,
              _PHONE),
    Encrypted("coordinators.phone", Coordinator.id, Coordinator.phone_enc,
              Coordinator.phone_index, _PHONE),
    Encrypted("blocked_numbers.number", BlockedNumber.id, BlockedNumber.number_enc,
              BlockedNumber.number_index, BLOCKED_CONTEXT),
    Encrypted("accounts.totp", Account.id, Account.totp_enc, None, _TOTP),
)  # fmt: skip
NUMBERS = tuple(c for c in COLUMNS if c.index is not None)  # all but the TOTP secrets


@dataclass
class Summary:
    key_id: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    remaining: int = 0  # values still under an old key after the run (written meanwhile)
    unmatched_opt_outs: int = 0  # old opt-outs whose number Peerline no longer knows

    @property
    def complete(self) -> bool:
        return self.remaining == 0 and not any(t.unreadable for t in self.tallies.values())


class KeyRotation:
    def __init__(self, engine: Engine, cipher: FieldCipher, batch_size: int = 500) -> None:
        self.cipher, self.batch_size = cipher, batch_size
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def run(self) -> Summary:
        summary = Summary(self.cipher.key_id)
        for column in COLUMNS:
            summary.tallies[column.name] = self._column(column)
            logger.info("key rotation: %s done", column.name)
        known = KnownNumbers(self.cipher, self._numbers())
        opt_outs, summary.unmatched_opt_outs = rekey_opt_outs(
            self._sessions, self.cipher, known, self.batch_size
        )
        summary.tallies["opt_outs.number"] = opt_outs
        summary.tallies["callback_counts"] = rekey_callback_counts(
            self._sessions, self.cipher, known, self.batch_size
        )
        summary.remaining = self.remaining()
        return summary

    def remaining(self) -> int:
        """Values not (yet) under the current key, in every encrypted column."""
        left = 0
        for column in COLUMNS:
            for _key, token in self._rows(column):
                left += not self.cipher.is_current(token, context=column.context)
        for _key, token in self._rows(_OPT_OUTS):
            left += not self.cipher.is_current(token, context=OPT_OUT_CONTEXT)
        return left

    def _column(self, column: Encrypted) -> Tally:
        tally = Tally()
        after: str | None = None
        while True:
            with self._sessions.begin() as db:
                stmt = select(column.key, column.value).where(column.value.is_not(None))
                if after is not None:
                    stmt = stmt.where(column.key > after)
                rows = db.execute(stmt.order_by(column.key).limit(self.batch_size)).all()
                for key, token in rows:
                    if self.cipher.is_current(token, context=column.context):
                        tally.current += 1
                        continue
                    try:
                        plain = self.cipher.decrypt(token, context=column.context)
                    except InvalidTag:
                        tally.unreadable += 1
                        continue
                    values: dict[str, Any] = {
                        column.value.key: self.cipher.encrypt(plain, context=column.context)
                    }
                    if column.index is not None:
                        values[column.index.key] = self.cipher.blind_index(plain)
                    result = db.execute(
                        update(column.value.class_)
                        .where(column.key == key, column.value == token)
                        .values(**values)
                    )
                    tally.moved += result.rowcount  # type: ignore[attr-defined]
            if len(rows) < self.batch_size:
                return tally
            after = rows[-1][0]

    def _rows(self, column: Encrypted) -> Iterator[tuple[Any, bytes]]:
        with self._sessions() as db:
            stmt = select(column.key, column.value).where(column.value.is_not(None))
            for key, token in db.execute(stmt).yield_per(self.batch_size):  # noqa: UP028
                yield key, token

    def _numbers(self) -> Iterator[str]:
        """Every number Peerline holds, to re-key the ledgers kept by blind index alone."""
        for column in (*NUMBERS, _OPT_OUTS):
            for _key, token in self._rows(column):
                try:
                    yield self.cipher.decrypt(token, context=column.context)
                except InvalidTag:
                    continue


_OPT_OUTS = Encrypted(
    "opt_outs.number", OptOut.number_index, OptOut.number_enc, None, OPT_OUT_CONTEXT
)
