"""Supporter check-ins (the seeds' periodic group meetings): a coordinator records one and
who attended; each attendee earns its minutes as CE time (``usecases.training``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.roster import RosterStore
from storage.training import CheckInRecord, TrainingStore
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Invalid, NotFound
from usecases.training import parse_date

MAX_MEETING_MINUTES = 8 * 60


@dataclass(frozen=True)
class Attendee:
    supporter_id: str
    name: str
    attended: bool


@dataclass(frozen=True)
class CheckInView:
    check_in: CheckInRecord
    people: list[Attendee]  # everyone on the roster, attendees first


__all__ = ["Attendee", "CheckInRecord", "CheckInView", "CheckIns"]


class CheckIns:
    def __init__(self, roster: RosterStore, training: TrainingStore, audit: AuditTrail) -> None:
        self.roster, self.training, self.audit = roster, training, audit

    def list(self, actor: Actor) -> list[CheckInRecord]:
        actor.require(Role.COORDINATOR)
        return self.training.check_ins()

    def create(self, actor: Actor, held_on: str, title: str, minutes: str) -> CheckInRecord:
        actor.require(Role.COORDINATOR)
        problems: list[str] = []
        day = parse_date("date", held_on, problems)
        name = " ".join(title.split())
        if not name or len(name) > 120:
            problems.append("title: name the meeting, in up to 120 characters")
        try:
            length = int(minutes)
        except ValueError:
            length = 0
        if not 0 < length <= MAX_MEETING_MINUTES:
            problems.append(f"minutes must be a whole number from 1 to {MAX_MEETING_MINUTES}")
        if problems or day is None:
            raise Invalid(problems)
        check_in_id = self.training.add_check_in(day, name, length, actor.label)
        self.audit.write(actor, "check_in.create", "check_in", check_in_id)
        return self._found(check_in_id)

    def get(self, actor: Actor, check_in_id: str) -> CheckInView:
        actor.require(Role.COORDINATOR)
        found = self._found(check_in_id)
        people = [Attendee(p.id, p.name, p.id in found.attendees) for p in self.roster.supporters()]
        people.sort(key=lambda a: (not a.attended, a.name))
        return CheckInView(found, people)

    def attendance(
        self, actor: Actor, check_in_id: str, supporter_ids: Iterable[str]
    ) -> CheckInView:
        """Record exactly who attended (replacing what was recorded before)."""
        actor.require(Role.COORDINATOR)
        wanted = set(supporter_ids)
        known = {p.id for p in self.roster.supporters()}
        if unknown := wanted - known:
            raise Invalid([f"{len(unknown)} of the people named are not on the roster"])
        if not self.training.set_attendance(check_in_id, wanted):
            raise NotFound("no such check-in")
        self.audit.write(
            actor, "check_in.attendance", "check_in", check_in_id, attendees=len(wanted)
        )
        return self.get(actor, check_in_id)

    def _found(self, check_in_id: str) -> CheckInRecord:
        found = self.training.check_in(check_in_id)
        if found is None:
            raise NotFound("no such check-in")
        return found
