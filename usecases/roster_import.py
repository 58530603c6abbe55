"""Importing a roster CSV: a preview that changes nothing, then all rows or none.

The same validation as ``peerline supporters import`` (``storage.roster_csv`` plus the
rules in ``usecases.roster_rules``); the file is parsed again on commit, so a preview can
never be committed stale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from storage.repository import Store
from storage.roster import DuplicatePhone, NewSupporter, RosterStore
from storage.roster_csv import InvalidRoster, parse_roster
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Conflict, Invalid
from usecases.ports import BoardNotifier, PhoneParser
from usecases.roster_rules import (
    OrganizationNames,
    register_organizations,
    shift_warnings,
    supporter_taken,
)

MAX_BYTES = 2_000_000  # some thousands of rows; more is not a roster


@dataclass(frozen=True)
class Preview:
    """What an import would add; ``errors`` non-empty means it would add nothing."""

    people: list[NewSupporter] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_organizations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    count: int
    new_organizations: list[str]
    warnings: list[str]


class RosterImport:
    def __init__(
        self,
        store: Store,
        roster: RosterStore,
        phone: PhoneParser,
        reserved: Mapping[str, str],
        audit: AuditTrail,
        notifier: BoardNotifier,
    ) -> None:
        self.store, self.roster, self.phone, self.reserved = store, roster, phone, reserved
        self.audit, self.notifier = audit, notifier

    def preview(self, actor: Actor, text: str, new_organizations: Sequence[str] = ()) -> Preview:
        actor.require(Role.ADMIN)
        try:
            people = self._parse(text, new_organizations)
        except InvalidRoster as exc:
            return Preview(errors=exc.errors)
        known, _aliases = self.store.organizations()
        new = sorted({p.organization for p in people if p.organization} - set(known))
        return Preview(people, [], shift_warnings(people), new)

    def commit(self, actor: Actor, text: str, new_organizations: Sequence[str] = ()) -> Imported:
        """Add every row or none: Invalid lists every problem, with its row number."""
        actor.require(Role.ADMIN)
        try:
            people = self._parse(text, new_organizations)
        except InvalidRoster as exc:
            raise Invalid(exc.errors) from exc
        # Organizations first: one without supporters is harmless, supporters whose
        # organization callers can't name are not.
        new = register_organizations(self.store, people)
        try:
            ids = self.roster.add_supporters(people)
        except DuplicatePhone as exc:  # a number was added since the check
            raise Conflict("a number in the file was added meanwhile; import it again") from exc
        self.audit.write(actor, "supporter.import", "supporter", None, count=len(ids), ids=ids)
        self.notifier.publish("roster.changed")
        return Imported(len(ids), new, shift_warnings(people))

    def _parse(self, text: str, new_organizations: Sequence[str]) -> list[NewSupporter]:
        if len(text.encode()) > MAX_BYTES:
            raise InvalidRoster([f"the file is larger than {MAX_BYTES // 1_000_000} MB"])
        return parse_roster(
            text,
            phone=self.phone,
            taken=supporter_taken(self.reserved, self.roster),
            organization=OrganizationNames(self.store, new_organizations),
        )
