"""``peerline keys rotate``: numbers written under key A are moved to key B while both are
readable; every number stays readable and findable throughout, and after A is dropped.
A run stopped midway leaves a working mixture that a second run finishes."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine, update

from storage.accounts import AccountStore
from storage.blocklist import BlocklistStore
from storage.callbacks import CallbackLedger
from storage.crypto import FieldCipher
from storage.repository import Store
from storage.roster import NewSupporter, RosterStore
from storage.roster_models import Supporter
from storage.rotation import KeyRotation
from storage.sms import SmsStore
from storage.sms_models import OptOut
from tests.request_support import waiting_request
from tests.unit.test_numbers_crypto import legacy_token

pytestmark = pytest.mark.integration

A, B = b"A" * 32, b"B" * 32
CALLER, NURSE, OLD_NURSE = "+16175550111", "+16175550112", "+16175550113"
COORDINATOR, STOPPED, BLOCKED, LATER = (
    "+16175550114",
    "+16175550115",
    "+16175550116",
    "+16175550117",
)
TODAY = date(2025, 3, 4)


@dataclass
class Seeded:
    request_id: str
    session_sid: str
    account_id: str


def seed(engine: Engine) -> Seeded:
    """Everything Peerline keeps a number in, written under key A alone."""
    a = FieldCipher(A)
    store, roster = Store(engine, a), RosterStore(engine, a)
    roster.add_supporters(
        [NewSupporter("Nia", NURSE, "nurse"), NewSupporter("Ola", OLD_NURSE, "nurse")]
    )
    roster.add_coordinator("Cory", COORDINATOR)
    with engine.begin() as db:  # one number as Peerline stored it before key ids
        db.execute(
            update(Supporter)
            .where(Supporter.name == "Ola")
            .values(phone_enc=legacy_token(A, OLD_NURSE, "phone"))
        )
        db.execute(  # and an opt-out from before opt-outs kept their number
            OptOut.__table__.insert().values(
                number_index=a.blind_index(NURSE), number_enc=None, opted_out=True,
                changed_at=store.clock(),
            )
        )  # fmt: skip
    request_id = waiting_request(store, contact_mode="callback", caller=CALLER)
    session_sid = store.get_request(request_id).source_sid  # type: ignore[union-attr]
    SmsStore(engine, a).set_opted_out(STOPPED, True)
    ledger = CallbackLedger(engine, a)
    assert ledger.reserve(CALLER, TODAY, 3) and ledger.reserve(CALLER, TODAY, 3)
    BlocklistStore(engine, a).add(BLOCKED, "abuse", "cli:test")
    accounts = AccountStore(engine, a)
    account = accounts.add(username="ada", name="Ada", role="admin", password_hash="x")
    accounts.set_totp(account.id, "JBSWY3DPEHPK3PXP")
    return Seeded(request_id, session_sid, account.id)


def assert_everything_readable(engine: Engine, cipher: FieldCipher, seeded: Seeded) -> None:
    store, roster = Store(engine, cipher), RosterStore(engine, cipher)
    nurse = roster.supporter_by_phone(NURSE)
    old_nurse = roster.supporter_by_phone(OLD_NURSE)
    assert nurse and old_nurse and roster.supporter_phone(old_nurse.id) == OLD_NURSE
    assert roster.is_known_number(COORDINATOR)
    coordinator = roster.coordinator_by_phone(COORDINATOR)
    assert coordinator and roster.coordinator_phone(coordinator.id) == COORDINATOR
    assert store.is_open_caller(CALLER)
    assert store.caller_of(seeded.request_id) == CALLER
    assert store.session_caller(seeded.session_sid) == CALLER
    open_request = store.open_request_of(CALLER)
    assert open_request is not None and open_request.id == seeded.request_id
    sms = SmsStore(engine, cipher)
    assert sms.is_opted_out(STOPPED) and sms.is_opted_out(NURSE)
    assert not sms.is_opted_out(CALLER)
    assert CallbackLedger(engine, cipher).placed_on(CALLER, TODAY) == 2
    assert BlocklistStore(engine, cipher).is_blocked(BLOCKED)
    assert AccountStore(engine, cipher).totp_secret(seeded.account_id) == "JBSWY3DPEHPK3PXP"


def test_rotate_from_a_to_b_then_drop_a(engine: Engine) -> None:
    seeded = seed(engine)
    rotating = FieldCipher(B, [A])
    assert_everything_readable(engine, rotating, seeded)  # before the rotation, too
    SmsStore(engine, rotating).set_opted_out(LATER, True)  # a STOP arriving meanwhile

    summary = KeyRotation(engine, rotating, batch_size=2).run()
    assert summary.complete and summary.remaining == 0, summary
    assert summary.tallies["supporters.phone"].moved == 2
    assert summary.tallies["opt_outs.number"].moved == 2  # STOPPED, and NURSE's old one
    assert summary.tallies["callback_counts"].moved == 1

    assert_everything_readable(engine, FieldCipher(B), seeded)  # A is gone
    assert SmsStore(engine, FieldCipher(B)).is_opted_out(LATER)
    nurse = RosterStore(engine, FieldCipher(B)).supporter_by_phone(NURSE)
    assert nurse is not None
    with pytest.raises(InvalidTag):  # nothing is left under A
        RosterStore(engine, FieldCipher(A)).supporter_phone(nurse.id)
    again = KeyRotation(engine, FieldCipher(B)).run()
    assert again.complete and sum(t.moved for t in again.tallies.values()) == 0


class PowerCut(Exception):
    pass


class CutAfter(FieldCipher):
    """A cipher whose process dies after ``writes`` encryptions."""

    def __init__(self, writes: int) -> None:
        super().__init__(B, [A])
        self.writes = writes

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        self.writes -= 1
        if self.writes < 0:
            raise PowerCut()
        return super().encrypt(plaintext, context=context)


def test_a_run_stopped_midway_is_finished_by_running_again(engine: Engine) -> None:
    seeded = seed(engine)
    with pytest.raises(PowerCut):
        KeyRotation(engine, CutAfter(writes=4), batch_size=2).run()
    rotating = FieldCipher(B, [A])
    halfway = KeyRotation(engine, rotating).remaining()
    assert 0 < halfway < 9  # some moved, some not: and the service still finds them all
    assert_everything_readable(engine, rotating, seeded)

    assert KeyRotation(engine, rotating, batch_size=2).run().complete
    assert_everything_readable(engine, FieldCipher(B), seeded)


def test_the_command_reports_counts_never_numbers(
    engine: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from peerline.cli import main

    seeded = seed(engine)
    monkeypatch.setenv("PEERLINE_DATABASE_URL", database_url)
    monkeypatch.setenv("PEERLINE_SECRET_KEY", base64.urlsafe_b64encode(B).decode())
    monkeypatch.setenv("PEERLINE_OLD_SECRET_KEYS", base64.urlsafe_b64encode(A).decode())
    monkeypatch.setenv("PEERLINE_VAR_DIR", f"/tmp/peerline-{uuid.uuid4().hex}")
    assert main(["keys", "rotate", "--batch-size", "3"]) == 0
    out = capsys.readouterr().out
    assert f"done: every value is under key {FieldCipher(B).key_id}" in out
    assert "supporters.phone: 2 moved" in out
    for number in (CALLER, NURSE, OLD_NURSE, COORDINATOR, STOPPED, BLOCKED):
        assert number[2:] not in out
    assert_everything_readable(engine, FieldCipher(B), seeded)
