"""``peerline supporters …`` and ``peerline coordinators …`` against a migrated database."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from peerline.cli import main
from peerline.demo import DEMO_ORGANIZATIONS
from storage.crypto import FieldCipher
from storage.repository import Store
from storage.roster import RosterStore
from tests.conftest import TEST_KEY

DEMO = Path(__file__).parents[2] / "peerline" / "demo_roster.csv"
HEADER = "name,phone,role,organization,languages"
PHONE_LIKE = re.compile(r"\d[\d\s().+-]{5,}\d")  # seven or more digits, however written


@pytest.fixture(autouse=True)
def environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_url: str, tmp_path: Path
) -> Iterator[None]:
    monkeypatch.setenv("PEERLINE_DATABASE_URL", database_url)
    monkeypatch.setenv("PEERLINE_REDIS_URL", redis_url)
    monkeypatch.setenv("PEERLINE_SECRET_KEY", base64.urlsafe_b64encode(TEST_KEY).decode())
    monkeypatch.setenv("PEERLINE_VAR_DIR", str(tmp_path / "var"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level  # main() installs its own handler


@pytest.fixture
def roster(engine: Engine, cipher: FieldCipher) -> RosterStore:
    return RosterStore(engine, cipher)


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER) -> str:
    path = tmp_path / "roster.csv"
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_the_demo_roster_then_list_it_without_numbers(
    roster: RosterStore, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "supporters", "import", str(DEMO))
    assert (code, err) == (0, "")
    assert f"imported 12 supporters from {DEMO}" in out
    assert len(roster.supporters()) == 12
    rosa = roster.supporter_by_phone("+16175550105")
    assert rosa is not None and rosa.name == "Rosa Martínez"
    names, _aliases = store.organizations()
    assert sorted(names) == sorted(DEMO_ORGANIZATIONS)

    code, out, err = run(capsys, "supporters", "list")
    assert (code, err) == (0, "")
    header = "NAME  ROLE  ORGANIZATION  LANGUAGES  ON SHIFT  MINUTES/CAP  STATUS"
    assert re.sub(r"\s{2,}", "  ", out.splitlines()[0]) == header
    assert "Rosa Martínez" in out and "es;en" in out
    assert "no (AWAY)" in out  # Kevin O'Brien's on_shift is "no"
    assert "0/240" in out and "12 supporters" in out
    assert PHONE_LIKE.search(out) is None
    assert "555" not in out and "+1" not in out


def test_a_bad_file_imports_nothing_and_lists_every_problem(
    tmp_path: Path, roster: RosterStore, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    path = csv_file(
        tmp_path,
        "Ana Souza,6175550101,RN,Tufts Medical Center,en",
        "Bo Li,555-12,RN,New Hospital,en",
        "Cy Dunn,6175550102,wizard,Tufts Medical Center,en",
        "Di Roy,617-555-0101,MD,Tufts Medical Center,en",
    )
    code, out, err = run(capsys, "supporters", "import", path)
    assert (code, out) == (1, "")
    assert "nothing imported" in err
    assert "row 3: phone '555-12' is not a valid number" in err
    assert "row 4: role 'wizard' is not one of nurse, physician" in err
    assert "row 5: phone number repeats row 2" in err
    assert roster.supporters() == []
    assert store.organizations() == ([], {})  # nothing half-done


def test_a_number_already_on_the_roster_stops_the_whole_file(
    tmp_path: Path, roster: RosterStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "supporters", "import", csv_file(tmp_path, "Ana,6175550101,RN,BMC,en"))[0] == 0
    )
    path = csv_file(tmp_path, "Bo,6175550102,RN,BMC,en", "Ana again,+1 617 555 0101,RN,BMC,en")
    code, _out, err = run(capsys, "supporters", "import", path)
    assert code == 1
    assert "row 3: phone number is already on the roster" in err
    assert [s.name for s in roster.supporters()] == ["Ana"]


def test_the_hotline_number_is_refused(
    tmp_path: Path, roster: RosterStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "supporters", "import", csv_file(tmp_path, "Ana,+16175550100,RN,BMC,en")
    )
    assert code == 1
    assert "row 2: phone number is the hotline's own number" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,phone,role\nAna,6175550101,RN\n", "header: missing required column(s)"),
        (b"name,phone,role,organization,languages\nJos\xe9,6175550101,RN,BMC,en\n", "UTF-8"),
        (b"", "header: missing required column(s) name, phone, role, organization"),
    ],
)
def test_file_level_problems(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    code, _out, err = run(capsys, "supporters", "import", str(path))
    assert code == 1
    assert message in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "supporters", "import", str(tmp_path / "nope.csv"))
    assert code == 1
    assert "nope.csv" in err


def test_bom_and_known_aliases(
    tmp_path: Path, roster: RosterStore, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, aliases in DEMO_ORGANIZATIONS.items():
        store.add_organization(name, aliases)
    path = tmp_path / "excel.csv"
    path.write_text(f"{HEADER}\r\nAna,6175550101,RN,MGH,en\r\n", encoding="utf-8-sig")
    code, out, _err = run(capsys, "supporters", "import", str(path))
    assert code == 0
    assert "new organizations" not in out
    [ana] = roster.supporters()
    assert ana.organization == "Massachusetts General Hospital"


def test_a_lookalike_organization_needs_confirming(
    tmp_path: Path, roster: RosterStore, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store.add_organization("Brigham and Women's Hospital", ["BWH"])
    path = csv_file(tmp_path, "Ana,6175550101,RN,Brigam and Womens,en")
    code, _out, err = run(capsys, "supporters", "import", path)
    assert code == 1
    assert "'Brigam and Womens' is new but looks like \"Brigham and Women's Hospital\"" in err
    assert roster.supporters() == []

    confirm = "--new-organization=Brigam and Women's"
    code, out, _err = run(capsys, "supporters", "import", path, confirm)
    assert code == 0
    assert "new organizations (callers can now name them): Brigam and Womens" in out
    assert "Brigam and Womens" in store.organizations()[0]


def test_organizations_that_differ_in_a_distinguishing_word_are_new_not_typos(
    tmp_path: Path, roster: RosterStore, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Boston Medical Center", "St. Mary's North", "Org B"):
        store.add_organization(name, [])
    store.add_organization("Massachusetts General Hospital", ["MGH", "Mass General"])
    path = csv_file(
        tmp_path,
        "Ana,6175550101,RN,Boston Children's Hospital,en",
        "Ben,6175550102,RN,St. Mary's South,en",
        "Cy,6175550103,RN,Org A,en",
        "Di,6175550104,RN,Mass General,en",  # an alias: the known organization
    )
    code, out, err = run(capsys, "supporters", "import", path)
    assert code == 0 and "looks like" not in err
    new = "Boston Children's Hospital, Org A, St. Mary's South"
    assert f"new organizations (callers can now name them): {new}" in out
    by_name = {person.name: person.organization for person in roster.supporters()}
    assert by_name["Di"] == "Massachusetts General Hospital"


def test_supporters_add(roster: RosterStore, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--name", "Luis Ortega", "--phone", "(201) 555-0123", "--role", "NP"]
    args += ["--organization", "Tufts Medical Center", "--languages", "en;es"]
    args += ["--schedule", "Sat-Sun 08:00-14:00", "--timezone", "America/Chicago"]
    code, out, err = run(capsys, "supporters", "add", *args)
    assert (code, err) == (0, "")
    assert out == "added Luis Ortega (app, Tufts Medical Center)\n"
    [luis] = roster.supporters()
    assert (luis.languages, luis.timezone) == (("en", "es"), "America/Chicago")
    assert luis.schedule == [[5, "08:00", "14:00"], [6, "08:00", "14:00"]]

    code, out, err = run(capsys, "supporters", "add", *args)
    assert (code, out) == (1, "")
    assert "phone number is already on the roster" in err

    bad = ["--name", "X", "--phone", "12", "--role", "wizard", "--organization", "Tufts"]
    code, _out, err = run(capsys, "supporters", "add", *bad, "--languages", "fr")
    assert code == 1
    assert "phone '12' is not a valid number" in err and "language 'fr'" in err
    assert len(roster.supporters()) == 1


def test_list_shows_states(roster: RosterStore, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "supporters", "list")
    assert (code, out) == (
        0,
        "no supporters yet: add them with `peerline supporters import FILE.csv`\n",
    )
    args = ["--role", "RN", "--organization", "BMC", "--languages", "en"]
    run(capsys, "supporters", "add", "--name", "Ana", "--phone", "6175550101", *args)
    run(capsys, "supporters", "add", "--name", "Bo", "--phone", "6175550102", *args)
    ana, bo = roster.supporters()
    roster.set_on_shift(ana.id, True)
    roster.flag_bad_number(bo.id)
    _code, out, _err = run(capsys, "supporters", "list")
    rows = {line.split()[0]: line for line in out.splitlines()[1:3]}
    assert "yes (AVAILABLE)" in rows["Ana"] and rows["Ana"].endswith("active")
    assert "no (no schedule)" in rows["Bo"] and rows["Bo"].endswith("bad number")
    assert "2 supporters, 1 on shift now" in out


def test_coordinators_add_and_list(roster: RosterStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "coordinators", "list")[1].startswith("no coordinators yet")
    code, out, _err = run(
        capsys, "coordinators", "add", "--name", "Pat Quinn", "--phone", "6175550120"
    )
    assert code == 0
    assert out == "added coordinator Pat Quinn (backup order 0: lower is paged first)\n"
    argv = ["--name", "Lee Wong", "--phone", "+1 617 555 0121", "--timezone", "America/Chicago"]
    assert run(capsys, "coordinators", "add", *argv)[0] == 0
    assert (
        run(
            capsys,
            "coordinators",
            "add",
            "--name",
            "Sam",
            "--phone",
            "6175550122",
            "--backup-order",
            "0",
        )[0]
        == 0
    )

    code, out, err = run(capsys, "coordinators", "add", *argv)
    assert code == 1
    assert "already a coordinator" in err
    code, _out, err = run(
        capsys, "coordinators", "add", "--name", "Z", "--phone", "555-12", "--timezone", "Nowhere"
    )
    assert code == 1
    assert "phone '555-12' is not a valid number" in err and "timezone 'Nowhere'" in err
    code, _out, err = run(
        capsys, "coordinators", "add", "--name", "Z", "--phone", "6175550123", "--backup-order=-1"
    )
    assert code == 1
    assert "backup order must be 0 or more" in err

    code, out, err = run(capsys, "coordinators", "list")
    assert (code, err) == (0, "")
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["ORDER", "NAME"],
        ["0", "Pat"],
        ["0", "Sam"],
        ["1", "Lee"],
    ]
    assert "America/Chicago" in out and "always" in out
    assert PHONE_LIKE.search(out) is None
    assert [c.name for c in roster.coordinators()] == ["Pat Quinn", "Sam", "Lee Wong"]


def test_an_unmigrated_database_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _out, err = run(capsys, "supporters", "list")
    assert code == 1
    assert "peerline db upgrade" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["supporters", "add", "--name", "Ana"])
    assert caught.value.code == 2


def test_coordinators_set_on_call_hours_and_order(
    roster: RosterStore, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.audit import AuditStore

    roster.add_coordinator("Pat Quinn", "+16175550120")
    roster.add_coordinator("Lee Wong", "+16175550121", backup_order=1)
    code, out, err = run(
        capsys,
        "coordinators",
        "set",
        "pat quinn",
        "--on-call",
        "Mon-Fri 18:00-08:00",
        "--backup-order",
        "2",
    )
    assert (code, err) == (0, "")
    assert out.startswith("Pat Quinn: on call Mon 18:00-08:00; Tue 18:00-08:00")
    assert out.rstrip().endswith("backup order 2")
    [lee, pat] = roster.coordinators()
    assert (lee.name, pat.name) == ("Lee Wong", "Pat Quinn")
    assert pat.on_call[0] == [0, "18:00", "08:00"] and len(pat.on_call) == 5
    code, out, _err = run(capsys, "coordinators", "set", "Pat Quinn", "--always")
    assert code == 0 and "on call always" in out
    assert roster.coordinators()[1].on_call == []
    code, out, err = run(capsys, "coordinators", "set", "Lee Wong", "--on-call", "9 to 5")
    assert code == 1 and out == ""
    assert "nothing changed" in err and "is not like 'Mon 09:00-17:00'" in err
    code, _out, err = run(capsys, "coordinators", "set", "Nobody", "--always")
    assert code == 1 and "no single coordinator 'Nobody'" in err
    assert run(capsys, "coordinators", "set", "Lee Wong")[0] == 1
    entries, _total = AuditStore(store.engine).page(10, 0, action="coordinator.update")
    assert len(entries) == 2 and all(e.actor.startswith("cli:") for e in entries)
