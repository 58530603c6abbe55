"""``peerline training import``: ledger columns for supporters already on the roster."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from storage.crypto import FieldCipher
from storage.roster import NewSupporter, RosterStore
from storage.training import TrainingStore
from tests.integration.test_roster_cli import environment, run  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


def people(engine: Engine, cipher: FieldCipher) -> RosterStore:
    roster = RosterStore(engine, cipher)
    roster.add_supporters(
        [
            NewSupporter("Ana Lopez", "+12015550101", "nurse", "Tufts Medical Center"),
            NewSupporter("Ben Ode", "+12015550102", "nurse", "Tufts Medical Center"),
        ]
    )
    return roster


def test_import_sets_the_ledger_and_adds_ce_time(
    engine: Engine, cipher: FieldCipher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = people(engine, cipher)
    path = tmp_path / "training.csv"
    path.write_text(
        "\ufeffPhone,training_tier,trained_on,refreshed_on,ce_hours,ce_date,ce_activity\n"
        "(201) 555-0101,Tier 2,2024-03-14,2025-09-01,3.5,2025-10-02,Stress First Aid\n"
        "201-555-0102,trainee,,,,,\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "training", "import", str(path))
    assert (code, err) == (0, "")
    assert out == "updated the training ledger of 2 supporters; 1 CE entries\n"
    by_name = {p.name: p for p in roster.supporters()}
    ana, ben = by_name["Ana Lopez"], by_name["Ben Ode"]
    assert (ana.training_tier, ana.trained_on, ana.refreshed_on) == (
        "2",
        date(2024, 3, 14),
        date(2025, 9, 1),
    )
    assert (ben.training_tier, ben.trained_on) == ("trainee", None)
    [entry] = TrainingStore(engine).entries(ana.id, ZoneInfo("UTC"))
    assert (entry.earned_on, entry.minutes, entry.activity, entry.source) == (
        date(2025, 10, 2),
        210,
        "Stress First Aid",
        "import",
    )


def test_one_bad_row_and_nothing_changes(
    engine: Engine, cipher: FieldCipher, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = people(engine, cipher)
    path = tmp_path / "training.csv"
    path.write_text(
        "phone,training_tier,trained_on,ce_hours\n"
        "+12015550101,1,2024-03-14,\n"
        "+12015550199,1,,\n"
        "+12015550102,5,May 2024,-1\n"
        "+12015550101,2,,\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "training", "import", str(path))
    assert code == 1 and out == ""
    assert err.splitlines()[1:] == [
        "  row 3: phone is not a number on the roster",
        "  row 4: training_tier '5' is not 1, 2, 3 or trainee",
        "  row 4: trained_on 'May 2024' is not a date like 2026-03-31",
        "  row 4: hours '-1' must be above 0 and at most 40",
        "  row 5: the same supporter as row 2",
    ]
    assert all(p.training_tier is None for p in roster.supporters())
    assert "201" not in err  # no number echoed back
