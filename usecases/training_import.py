"""Training columns from a CSV, for a roster imported without them (or kept elsewhere):
``phone`` names the supporter; ``training_tier``, ``trained_on``, ``refreshed_on`` set the
ledger; ``ce_hours`` (with ``ce_date`` and ``ce_activity``) adds imported CE time. Every row
is checked first; one bad row and nothing changes. See docs/training.md."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from storage.roster import RosterStore
from storage.training import TrainingStore
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Invalid
from usecases.ports import PhoneParser
from usecases.training import parse_date, parse_hours, training_values

COLUMNS = (
    "phone",
    "training_tier",
    "trained_on",
    "refreshed_on",
    "ce_hours",
    "ce_date",
    "ce_activity",
)
_LEDGER = {"training_tier": "tier", "trained_on": "trained_on", "refreshed_on": "refreshed_on"}


@dataclass
class _Row:
    supporter_id: str
    values: dict[str, Any] = field(default_factory=dict)
    credit: tuple[date, int, str] | None = None


@dataclass(frozen=True)
class Imported:
    supporters: int
    credits: int


class TrainingImport:
    def __init__(
        self, roster: RosterStore, training: TrainingStore, phone: PhoneParser, audit: AuditTrail
    ) -> None:
        self.roster, self.training, self.phone, self.audit = roster, training, phone, audit

    def run(self, actor: Actor, text: str, today: date) -> Imported:
        """Apply every row, or none (Invalid lists each problem with its row number)."""
        actor.require(Role.COORDINATOR)
        rows = self._check(text.removeprefix("\ufeff"), today)
        for row in rows:
            if row.values:
                self.training.set_training(row.supporter_id, **row.values)
            if row.credit:
                day, minutes, activity = row.credit
                self.training.add_credit(
                    row.supporter_id, day, minutes, activity, "import", actor.label
                )
        credits = sum(1 for r in rows if r.credit)
        self.audit.write(actor, "training.import", None, None, rows=len(rows), credits=credits)
        return Imported(len(rows), credits)

    def _check(self, text: str, today: date) -> list[_Row]:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        reader.fieldnames = header
        problems: list[str] = []
        if "phone" not in header:
            raise Invalid(["the header needs a phone column (and training columns)"])
        if unknown := [h for h in header if h not in COLUMNS]:
            raise Invalid([f"unknown column {unknown[0]!r}; use {', '.join(COLUMNS)}"])
        rows: list[_Row] = []
        seen: dict[str, int] = {}
        for number, raw in enumerate(reader, start=2):
            cells = {k: (v or "").strip() for k, v in raw.items() if k}
            if not any(cells.values()):
                continue
            mine: list[str] = []
            row = self._row(cells, today, mine)
            if row is not None and (first := seen.setdefault(row.supporter_id, number)) != number:
                mine.append(f"the same supporter as row {first}")
            problems += [f"row {number}: {p}" for p in mine]
            if row is not None and not mine:
                rows.append(row)
        if problems:
            raise Invalid(problems)
        return rows

    def _row(self, cells: dict[str, str], today: date, problems: list[str]) -> _Row | None:
        e164 = self.phone(cells.get("phone", ""))
        person = self.roster.supporter_by_phone(e164) if e164 else None
        if person is None:
            problems.append("phone is not a number on the roster")
            return None
        given = {_LEDGER[c]: cells[c] for c in _LEDGER if cells.get(c)}  # blank: unchanged
        values, bad = training_values(given)
        problems += bad
        row = _Row(person.id, values)
        if cells.get("ce_hours"):
            minutes = parse_hours(cells["ce_hours"], problems)
            when = cells.get("ce_date", "")
            day = parse_date("ce_date", when, problems) if when else today
            activity = " ".join(cells.get("ce_activity", "").split())[:120] or "imported CE hours"
            if minutes is not None and day is not None:
                row.credit = (day, minutes, activity)
        return row
