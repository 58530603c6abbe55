"""The softphone page's demo phones: on-shift supporters first, one opened, roles in words."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from ivr.model import Role
from peerline import sandbox_carrier
from peerline.demo import DEMO_CALLER, ROLE_WORDS, sandbox_phones
from peerline.settings import Settings
from sandbox.__main__ import config_from
from storage.crypto import FieldCipher
from storage.roster import NewSupporter, RosterStore
from tests.conftest import TEST_KEY

MONDAY_10AM_BOSTON = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
MONDAY_6PM_BOSTON = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)


@pytest.fixture
def roster(engine: Engine, cipher: FieldCipher) -> RosterStore:
    roster = RosterStore(engine, cipher)
    people = [
        ("Cy Trainee", "+16175550131", "trainee", [], False),  # texted AWAY
        ("Ann Nurse", "+16175550132", "nurse", [[0, "09:00", "17:00"]], None),  # Mon 9-5
        ("Bo Practice", "+16175550133", "app", [], True),  # texted AVAILABLE
        ("Di Tech", "+16175550134", "tech", [[0, "00:00", "00:00"]], None),  # all Monday
    ]
    roster.add_supporters(
        NewSupporter(name=n, phone=p, role=r, schedule=s, on_shift=o) for n, p, r, s, o in people
    )
    [di] = [s for s in roster.supporters() if s.name == "Di Tech"]
    roster.set_active(di.id, False)  # on the schedule, but deactivated
    roster.add_coordinator("Kim", "+16175550120")
    return roster


def test_supporters_on_shift_come_first_and_the_first_is_opened(roster: RosterStore) -> None:
    phones = sandbox_phones(roster, MONDAY_10AM_BOSTON)

    assert phones == (
        (*DEMO_CALLER, True),
        ("+16175550132", "Ann Nurse (supporter, nurse)", True),
        ("+16175550133", "Bo Practice (supporter, advanced practice)", False),
        ("+16175550131", "Cy Trainee (supporter, resident or student)", False),
        ("+16175550134", "Di Tech (supporter, nursing assistant or tech)", False),
        ("+16175550120", "Kim (coordinator)", False),
    )


def test_after_her_shift_the_next_supporter_on_shift_is_opened(roster: RosterStore) -> None:
    phones = sandbox_phones(roster, MONDAY_6PM_BOSTON)

    assert [(label.split(" (")[0], opened) for _, label, opened in phones[1:4]] == [
        ("Bo Practice", True),
        ("Ann Nurse", False),  # then the roster's own order (by name)
        ("Cy Trainee", False),
    ]


def test_every_role_has_words() -> None:
    assert set(ROLE_WORDS) == {role.value for role in Role}
    assert all(code not in ("app", "allied", "tech", "support") for code in ROLE_WORDS.values())


def test_peerline_hands_the_sandbox_its_crisis_number_and_phones(
    roster: RosterStore,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=SecretStr(base64.urlsafe_b64encode(TEST_KEY).decode()),
        var_dir=tmp_path / "var",
        crisis_number="+18005550199",
    )
    became: list[list[str]] = []
    monkeypatch.setattr(sandbox_carrier.os, "execv", lambda path, argv: became.append(argv))

    sandbox_carrier.run_sandbox_carrier(settings)

    [argv] = became
    assert argv[1:3] == ["-m", "sandbox"]
    config, host, _port = config_from(Path(argv[3]))  # read as `python -m sandbox` reads it
    assert (config.crisis_number, host) == ("+18005550199", "127.0.0.1")
    opened = [phone[0] for phone in config.demo_phones if phone[2:] == (True,)]
    assert opened[0] == DEMO_CALLER[0]
    assert opened[1:] in (["+16175550132"], ["+16175550133"])  # Ann on her shift, else Bo
