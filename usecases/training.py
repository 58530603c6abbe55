"""The training ledger: each supporter's tier, training and refresher dates, and CE hours.

Coordinators read and keep it (the issue: "entered by a coordinator or imported"); every
change is audited. Matching reads the same columns (``usecases.candidates``), so a
refresher recorded here puts a lapsed supporter back on offer at once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from matching.training import Standing, TrainingPolicy, standing, tier_code
from storage.roster import RosterStore, SupporterRecord
from storage.training import CeEntry, TrainingStore
from usecases.access import Actor, Role
from usecases.audit import AuditTrail
from usecases.errors import Invalid, NotFound

MAX_CREDIT_MINUTES = 40 * 60  # one entry: a week-long course at most
SOURCES = ("coordinator", "import")
# The ledger's order: what a coordinator must act on first.
URGENCY = (
    Standing.LAPSED,
    Standing.DUE_SOON,
    Standing.NO_DATE,
    Standing.IN_TRAINING,
    Standing.CURRENT,
)


@dataclass(frozen=True)
class LedgerRow:
    supporter_id: str
    name: str
    role: str
    active: bool
    tier: str | None  # "1"-"3", "trainee" or None
    trained_on: date | None
    refreshed_on: date | None
    refresher_due: date | None
    standing: Standing
    ce_minutes: int  # earned this calendar year

    @property
    def ce_hours(self) -> float:
        return round(self.ce_minutes / 60, 2)


@dataclass(frozen=True)
class LedgerDetail:
    row: LedgerRow
    entries: list[CeEntry]

    @property
    def total_minutes(self) -> int:
        return sum(e.minutes for e in self.entries)


__all__ = ["CeEntry", "LedgerDetail", "LedgerRow", "TrainingLedger"]


class TrainingLedger:
    def __init__(
        self,
        roster: RosterStore,
        training: TrainingStore,
        policy: TrainingPolicy,
        zone: ZoneInfo,
        audit: AuditTrail,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.roster, self.training, self.policy = roster, training, policy
        self.zone, self.audit, self.clock = zone, audit, clock

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    def rows(self, actor: Actor) -> list[LedgerRow]:
        """Everyone on the roster, the soonest lapse first (lapsed, then due soon …)."""
        actor.require(Role.COORDINATOR)
        today = self.today()
        totals = self.training.totals(date(today.year, 1, 1), self.zone)
        rows = [self._row(p, today, totals.get(p.id, 0)) for p in self.roster.supporters()]
        return sorted(
            rows, key=lambda r: (URGENCY.index(r.standing), r.refresher_due or date.max, r.name)
        )

    def detail(self, actor: Actor, supporter_id: str) -> LedgerDetail:
        actor.require(Role.COORDINATOR)
        person = self._person(supporter_id)
        today = self.today()
        totals = self.training.totals(date(today.year, 1, 1), self.zone)
        entries = self.training.entries(supporter_id, self.zone)
        return LedgerDetail(self._row(person, today, totals.get(supporter_id, 0)), entries)

    def update(self, actor: Actor, supporter_id: str, changes: Mapping[str, Any]) -> LedgerRow:
        """Set ``tier``, ``trained_on`` or ``refreshed_on`` (text as typed; blank clears)."""
        actor.require(Role.COORDINATOR)
        self._person(supporter_id)
        values, problems = training_values(changes)
        if problems:
            raise Invalid(problems)
        if values:
            self.training.set_training(supporter_id, **values)
            self.audit.write(
                actor, "training.update", "supporter", supporter_id, fields=sorted(values)
            )
        return self.detail(actor, supporter_id).row

    def add_credit(
        self,
        actor: Actor,
        supporter_id: str,
        earned_on: str,
        hours: str,
        activity: str,
        source: str = "coordinator",
    ) -> None:
        """CE time from outside Peerline's calls and check-ins (a course, a conference)."""
        actor.require(Role.COORDINATOR)
        self._person(supporter_id)
        problems: list[str] = []
        day = parse_date("date", earned_on, problems)
        minutes = parse_hours(hours, problems)
        what = " ".join(activity.split())
        if not what or len(what) > 120:
            problems.append("activity: say what it was, in up to 120 characters")
        if source not in SOURCES:
            problems.append(f"source must be one of {', '.join(SOURCES)}")
        if problems or day is None or minutes is None:
            raise Invalid(problems)
        self.training.add_credit(supporter_id, day, minutes, what, source, actor.label)
        self.audit.write(actor, "training.ce.add", "supporter", supporter_id, minutes=minutes)

    def export(self, actor: Actor, supporter_id: str) -> tuple[str, str]:
        """One supporter's CE record as CSV, for their CE documentation: (filename, text).
        Dates, activities and minutes only; nothing about any caller."""
        found = self.detail(actor, supporter_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["supporter", "date", "activity", "source", "minutes", "hours"])
        for e in found.entries:
            hours = f"{e.minutes / 60:.2f}"
            writer.writerow(
                [found.row.name, e.earned_on.isoformat(), e.activity, e.source, e.minutes, hours]
            )
        total = found.total_minutes
        writer.writerow([found.row.name, "", "total", "", total, f"{total / 60:.2f}"])
        self.audit.write(actor, "training.ce.export", "supporter", supporter_id)
        slug = re.sub(r"[^a-z0-9]+", "-", found.row.name.lower()).strip("-") or "supporter"
        return f"ce-{slug}.csv", out.getvalue()

    def _person(self, supporter_id: str) -> SupporterRecord:
        person = self.roster.supporter(supporter_id)
        if person is None:
            raise NotFound("no such supporter")
        return person

    def _row(self, p: SupporterRecord, today: date, ce_minutes: int) -> LedgerRow:
        due = self.policy.refresher_due(p.trained_on, p.refreshed_on)
        return LedgerRow(
            supporter_id=p.id,
            name=p.name,
            role=p.role,
            active=p.active,
            tier=p.training_tier,
            trained_on=p.trained_on,
            refreshed_on=p.refreshed_on,
            refresher_due=due,
            standing=standing(p.training_tier, due, today),
            ce_minutes=ce_minutes,
        )


def training_values(changes: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The ledger's columns from text as a person typed it: ``tier``, ``trained_on``,
    ``refreshed_on`` (blank = clear). Returns the values and the problems."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    if "tier" in changes:
        raw = str(changes["tier"] or "").strip()
        try:
            values["training_tier"] = tier_code(raw) if raw else None
        except ValueError as exc:
            problems.append(str(exc))
    for column in ("trained_on", "refreshed_on"):
        if column in changes:
            raw = str(changes[column] or "").strip()
            values[column] = parse_date(column, raw, problems) if raw else None
    return values, problems


def parse_date(column: str, raw: str, problems: list[str]) -> date | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    problems.append(f"{column} {raw!r} is not a date like 2026-03-31")
    return None


def parse_hours(raw: str, problems: list[str]) -> int | None:
    try:
        minutes = round(float(raw) * 60)
    except ValueError:
        minutes = -1
    if not 0 < minutes <= MAX_CREDIT_MINUTES:
        problems.append(f"hours {raw!r} must be above 0 and at most {MAX_CREDIT_MINUTES // 60}")
        return None
    return minutes
