"""Coordinators from the console: who is on call now, on-call hours and the paging order.

On-call hours use the roster's schedule syntax (``Mon-Fri 09:00-17:00``). What they mean
is escalation's to say, so "on call now" and the paging order come from escalation's own
functions: none set is always on call; pages go to the coordinators on call now, then the
rest, each group in ``backup_order`` (lowest first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.roster import CoordinatorRecord, DuplicatePhone, RosterStore
from storage.roster_cells import parse_timezone
from storage.roster_csv import parse_schedule
from storage.roster_edits import RosterEdits
from storage.roster_models import DEFAULT_TIMEZONE
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Conflict, Invalid, NotFound
from usecases.ports import OnCallNow, PagingOrder, PhoneParser
from usecases.roster_rules import format_schedule


@dataclass(frozen=True)
class CoordinatorView:
    record: CoordinatorRecord
    on_call_now: bool
    on_call_text: str  # "" = always on call
    paged_position: int | None  # 1 = paged first right now; None when inactive


class Coordinators:
    def __init__(
        self,
        roster: RosterStore,
        edits: RosterEdits,
        phone: PhoneParser,
        reserved: Mapping[str, str],
        paging_order: PagingOrder,
        on_call_now: OnCallNow,
        audit: AuditTrail,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.roster, self.edits, self.phone, self.reserved = roster, edits, phone, reserved
        self.paging_order, self.on_call_now = paging_order, on_call_now
        self.audit, self.clock = audit, clock

    def list_all(self, actor: Actor) -> list[CoordinatorView]:
        actor.require(Role.COORDINATOR)
        now = self.clock()
        everyone = self.edits.all_coordinators()
        order = [c.id for c in self.paging_order([c for c in everyone if c.active], now)]
        return [
            CoordinatorView(
                c,
                c.active and self.on_call_now(c, now),
                format_schedule(c.on_call),
                order.index(c.id) + 1 if c.id in order else None,
            )
            for c in everyone
        ]

    def get(self, actor: Actor, coordinator_id: str) -> CoordinatorView:
        for view in self.list_all(actor):
            if view.record.id == coordinator_id:
                return view
        raise NotFound("no such coordinator")

    def create(self, actor: Actor, fields: Mapping[str, Any]) -> CoordinatorView:
        actor.require(Role.ADMIN)
        values, problems = _checked(fields, required=("name", "phone"))
        number = self._number(fields.get("phone"), problems)
        if problems or number is None:
            raise Invalid(problems)
        order = values.get("backup_order")
        if order is None:
            order = max((c.backup_order + 1 for c in self.edits.all_coordinators()), default=0)
        try:
            coordinator_id = self.roster.add_coordinator(
                values["name"],
                number,
                backup_order=order,
                timezone=values.get("timezone", DEFAULT_TIMEZONE),
                on_call=values.get("on_call", []),
            )
        except DuplicatePhone as exc:
            raise Conflict("phone number is already a coordinator") from exc
        self.audit.write(actor, "coordinator.create", "coordinator", coordinator_id)
        return self.get(actor, coordinator_id)

    def update(
        self, actor: Actor, coordinator_id: str, changes: Mapping[str, Any]
    ) -> CoordinatorView:
        """On-call hours, paging order, name, time zone, active; and the number (admin)."""
        actor.require(Role.ADMIN)
        if self.edits.coordinator(coordinator_id) is None:
            raise NotFound("no such coordinator")
        values, problems = _checked(changes, required=())
        number = self._number(changes["phone"], problems) if "phone" in changes else None
        if problems:
            raise Invalid(problems)
        self.edits.update_coordinator(coordinator_id, **values)
        if number is not None:
            try:
                self.edits.set_coordinator_phone(coordinator_id, number)
            except DuplicatePhone as exc:
                raise Conflict("phone number is already a coordinator") from exc
        self.audit.write(
            actor, "coordinator.update", "coordinator", coordinator_id, fields=sorted(changes)
        )
        return self.get(actor, coordinator_id)

    def _number(self, raw: Any, problems: list[str]) -> str | None:
        number = self.phone(str(raw or "").strip())
        if number is None:
            problems.append("phone is not a valid number")
        elif reason := self.reserved.get(number):
            problems.append(f"phone number is {reason}")
            return None
        return number


def _checked(
    fields: Mapping[str, Any], required: tuple[str, ...]
) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in required:
        if not str(fields.get(name) or "").strip():
            problems.append(f"{name} is empty")
    if "name" in fields and fields["name"] is not None:
        name = " ".join(str(fields["name"]).split())
        if not 1 <= len(name) <= 120:
            problems.append("name must be 1 to 120 characters")
        values["name"] = name
    if fields.get("timezone"):
        try:
            values["timezone"] = parse_timezone(str(fields["timezone"]))
        except ValueError as exc:
            problems.append(str(exc))
    if fields.get("backup_order") is not None:
        order = fields["backup_order"]
        if not isinstance(order, int) or order < 0:
            problems.append("backup order must be 0 or more (0 is paged first)")
        values["backup_order"] = order
    if "on_call" in fields:
        on_call = fields["on_call"] or ""
        text = (
            on_call
            if isinstance(on_call, str)
            else format_schedule((w["day"], w["start"], w["end"]) for w in on_call)
        )
        try:
            values["on_call"] = parse_schedule(text)
        except ValueError as exc:
            problems.append(str(exc).replace("schedule", "on-call hours", 1))
    if fields.get("active") is not None:
        values["active"] = bool(fields["active"])
    return values, problems
