"""The blocklist: numbers whose calls are rejected, whose texts get no answer, and which
Peerline never calls or texts. Admins keep it (console, API, ``peerline blocklist``).

A number goes in and is never shown again: entries are listed by id, reason, who added
them and when. Every change is audited, by entry id. A reason may not hold a number.
"""

from __future__ import annotations

from storage.blocklist import BlockedRecord, BlocklistStore
from storage.errors import Duplicate
from usecases.access import Actor, Role
from usecases.audit import AuditTrail, _has_number
from usecases.errors import Conflict, Invalid, NotFound
from usecases.ports import PhoneParser

MAX_REASON = 200


class Blocklist:
    def __init__(self, store: BlocklistStore, phone: PhoneParser, audit: AuditTrail) -> None:
        self.store, self.phone, self.audit = store, phone, audit

    def is_blocked(self, number: str) -> bool:
        return self.store.is_blocked(number)

    def entries(self, actor: Actor) -> list[BlockedRecord]:
        actor.require(Role.ADMIN)
        return self.store.entries()

    def add(self, actor: Actor, raw_number: str, reason: str = "") -> BlockedRecord:
        actor.require(Role.ADMIN)
        number = self.phone(str(raw_number or "").strip())
        reason = " ".join(str(reason or "").split())
        problems = [] if number else ["number is not a valid phone number"]
        if len(reason) > MAX_REASON:
            problems.append(f"reason must be at most {MAX_REASON} characters")
        if _has_number(reason):
            problems.append("reason must not contain a phone number")
        if problems or number is None:
            raise Invalid(problems)
        try:
            entry = self.store.add(number, reason, actor.label)
        except Duplicate as exc:
            raise Conflict(str(exc)) from exc
        self.audit.write(actor, "blocklist.add", "blocked_number", entry.id)
        return entry

    def remove(self, actor: Actor, entry_id: str) -> None:
        actor.require(Role.ADMIN)
        if not self.store.remove_entry(entry_id):
            raise NotFound("no such blocklist entry")
        self.audit.write(actor, "blocklist.remove", "blocked_number", entry_id)

    def remove_number(self, actor: Actor, raw_number: str) -> str:
        """Unblock by number (the command line); the entry's id."""
        actor.require(Role.ADMIN)
        number = self.phone(str(raw_number or "").strip())
        if number is None:
            raise Invalid(["number is not a valid phone number"])
        entry_id = self.store.remove(number)
        if entry_id is None:
            raise NotFound("that number is not blocked")
        self.audit.write(actor, "blocklist.remove", "blocked_number", entry_id)
        return entry_id
