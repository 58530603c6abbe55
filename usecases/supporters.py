"""The roster from the console: list and search, one supporter's state, edits, removal,
reading a number (audited) and exporting the roster.

Edits are checked by the CSV import's own column rules (``storage.roster_csv``): a typed
value is written the way a CSV cell would say it and parsed by the same code.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.repository import Store
from storage.roster import DuplicatePhone, RosterStore, SupporterRecord
from storage.roster_csv import InvalidRoster, parse_columns, parse_supporter
from storage.roster_edits import Removal, RosterEdits, SupporterQuery
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.csv_text import safe_cell
from usecases.errors import Conflict, Invalid, NotFound
from usecases.paging import Page, bounded
from usecases.ports import BoardNotifier, CandidateOf, PhoneParser
from usecases.roster_rules import (
    OrganizationNames,
    format_schedule,
    register_organization_names,
    register_organizations,
    supporter_taken,
)

COLUMNS = (
    "name",
    "phone",
    "role",
    "organization",
    "languages",
    "level",
    "training_tier",
    "monthly_cap_hours",
    "timezone",
    "schedule",
    "on_shift",
)
FLAGS = ("active", "trained")  # not CSV columns: set as they are


@dataclass(frozen=True)
class SupporterView:
    """A supporter and their state now: on shift and why, minutes used, cool-off."""

    record: SupporterRecord
    on_shift_now: bool
    shift_source: str  # "override", "schedule" or "no schedule"
    minutes_used: int
    cool_off: bool
    at_cap: bool
    schedule_text: str


class Supporters:
    def __init__(
        self,
        store: Store,
        roster: RosterStore,
        edits: RosterEdits,
        phone: PhoneParser,
        reserved: Mapping[str, str],
        candidate_of: CandidateOf,
        audit: AuditTrail,
        notifier: BoardNotifier,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.roster, self.edits = store, roster, edits
        self.phone, self.reserved, self.candidate_of = phone, reserved, candidate_of
        self.audit, self.notifier, self.clock = audit, notifier, clock

    def page(
        self,
        actor: Actor,
        text: str = "",
        active: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[SupporterView]:
        actor.require(Role.COORDINATOR)
        limit, offset = bounded(limit, offset)
        rows, total = self.edits.supporters_page(SupporterQuery(text, active), limit, offset)
        now = self.clock()
        return Page([self._view(r, now) for r in rows], total, limit, offset)

    def get(self, actor: Actor, supporter_id: str) -> SupporterView:
        actor.require(Role.COORDINATOR)
        return self._view(self._record(supporter_id), self.clock())

    def create(
        self, actor: Actor, fields: Mapping[str, Any], new_organization: bool = False
    ) -> SupporterView:
        actor.require(Role.ADMIN)
        cells = {column: _cell(column, fields[column]) for column in COLUMNS if column in fields}
        try:
            person = parse_supporter(
                cells,
                phone=self.phone,
                taken=supporter_taken(self.reserved, self.roster),
                organization=self._organizations(cells, new_organization),
            )
        except InvalidRoster as exc:
            raise Invalid(exc.errors) from exc
        register_organizations(self.store, [person])
        try:
            [supporter_id] = self.roster.add_supporters([person])
        except DuplicatePhone as exc:
            raise Conflict("phone number is already on the roster") from exc
        self.audit.write(actor, "supporter.create", "supporter", supporter_id)
        self.notifier.publish("roster.changed")
        return self.get(actor, supporter_id)

    def update(
        self,
        actor: Actor,
        supporter_id: str,
        changes: Mapping[str, Any],
        new_organization: bool = False,
    ) -> SupporterView:
        """Change the given fields only; a blank optional field goes back to its default."""
        actor.require(Role.ADMIN)
        current = self._record(supporter_id)
        cells = {c: _cell(c, changes[c]) for c in COLUMNS if c in changes and c != "phone"}
        values, problems = parse_columns(
            cells,
            list(cells),
            phone=self.phone,
            organization=self._organizations(cells, new_organization),
        )
        number = None
        if "phone" in changes:
            number = self.phone(str(changes["phone"] or "").strip())
            if number is None:
                problems.append("phone is not a valid number")
            elif (reason := self.reserved.get(number)) is not None:
                problems.append(f"phone number is {reason}")
        if problems:
            raise Invalid(problems)
        if "on_shift" in values and values["on_shift"] == current.on_shift:
            del values["on_shift"]  # as it was: a texted AVAILABLE keeps its end
        values.update({flag: bool(changes[flag]) for flag in FLAGS if flag in changes})
        if "organization" in cells:
            register_organization_names(self.store, [values["organization"]])
        self.edits.update_supporter(supporter_id, **values)
        if number is not None:
            try:
                self.edits.set_supporter_phone(supporter_id, number)
            except DuplicatePhone as exc:
                raise Conflict("phone number is already on the roster") from exc
        self.audit.write(
            actor, "supporter.update", "supporter", supporter_id, fields=sorted(changes)
        )
        self.notifier.publish("roster.changed")
        return self.get(actor, supporter_id)

    def remove(self, actor: Actor, supporter_id: str) -> None:
        """Delete the supporter and their personal data (name, number, schedule)."""
        actor.require(Role.ADMIN)
        outcome = self.edits.remove_supporter(supporter_id)
        if outcome is Removal.MISSING:
            raise NotFound("no such supporter")
        if outcome is Removal.BUSY:
            raise Conflict("the supporter is on a call or being offered one; try again after")
        self.audit.write(actor, "supporter.delete", "supporter", supporter_id)
        self.notifier.publish("roster.changed")

    def phone_number(self, actor: Actor, supporter_id: str) -> str:
        """The supporter's number, for an admin; every read is in the audit log."""
        actor.require(Role.ADMIN)
        number = self.roster.supporter_phone(supporter_id)
        if number is None:
            raise NotFound("no such supporter")
        self.audit.write(actor, "supporter.phone.read", "supporter", supporter_id)
        return number

    def export(self, actor: Actor, with_numbers: bool = False) -> str:
        """The roster as CSV in the import's columns; numbers only for an admin, audited."""
        actor.require(Role.ADMIN if with_numbers else Role.COORDINATOR)
        columns = [c for c in COLUMNS if c != "training_tier" and (with_numbers or c != "phone")]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        people = self.roster.supporters()
        for person in people:
            row = _export_row(person)
            if with_numbers:
                row["phone"] = self.roster.supporter_phone(person.id) or ""
            writer.writerow([row[c] if c == "phone" else safe_cell(row[c]) for c in columns])
        self.audit.write(
            actor, "supporter.export", "supporter", None, numbers=with_numbers, count=len(people)
        )
        return out.getvalue()

    # -- helpers -------------------------------------------------------------------------
    def _record(self, supporter_id: str) -> SupporterRecord:
        record = self.roster.supporter(supporter_id)
        if record is None:
            raise NotFound("no such supporter")
        return record

    def _organizations(self, cells: Mapping[str, str], confirmed: bool) -> OrganizationNames:
        new = [cells["organization"]] if confirmed and cells.get("organization") else []
        return OrganizationNames(self.store, new)

    def _view(self, record: SupporterRecord, now: datetime) -> SupporterView:
        month = f"{now:%Y-%m}"
        candidate = self.candidate_of(record, month)
        if record.on_shift is not None:
            source = "override"
        else:
            source = "schedule" if record.schedule else "no schedule"
        used = record.minutes_in(month)
        return SupporterView(
            record=record,
            on_shift_now=candidate.availability.available_at(now),
            shift_source=source,
            minutes_used=used,
            cool_off=record.cool_off_until is not None and record.cool_off_until > now,
            at_cap=used >= record.monthly_cap_minutes,
            schedule_text=format_schedule(record.schedule),
        )


def _cell(column: str, value: Any) -> str:
    """A typed value as the CSV cell that says the same."""
    if value is None:
        return ""
    if column == "languages" and not isinstance(value, str):
        return ";".join(str(v) for v in value)
    if column == "schedule" and not isinstance(value, str):
        return format_schedule(
            (w["day"], w["start"], w["end"]) if isinstance(w, Mapping) else w for w in value
        )
    if column == "on_shift" and isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _export_row(p: SupporterRecord) -> dict[str, str]:
    return {
        "name": p.name,
        "phone": "",
        "role": p.role,
        "organization": p.organization or "",
        "languages": ";".join(p.languages),
        "level": "" if p.level is None else str(p.level),
        "monthly_cap_hours": f"{p.monthly_cap_minutes / 60:g}",
        "timezone": p.timezone,
        "schedule": format_schedule(p.schedule),
        "on_shift": "" if p.on_shift is None else ("yes" if p.on_shift else "no"),
    }
