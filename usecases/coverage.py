"""The coverage forecast for coordinators: the next 7 days by hour from the roster's
schedules, caps, cool-offs and training (``matching.coverage``), the gaps, whom to ask to
cover each, and the coordinators pages would go to in each hour (escalation's own order).

Supporters are counted, not callers: there is nothing to suppress. Hours are wall-clock
hours in the program's zone, from today's midnight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from matching import Candidate
from matching.coverage import (
    MIDDLE,
    CoverageRules,
    GapSpan,
    HourCover,
    forecast,
    gap_spans,
    suggest,
)
from storage.roster import CoordinatorRecord, RosterStore
from usecases.access import Actor, Role
from usecases.candidates import month_key
from usecases.ports import CandidateOf, PagingOrder

DAYS = 7


@dataclass(frozen=True)
class ChainSpan:
    """From ``start`` to ``end`` pages go to these coordinators, in this order."""

    start: datetime
    end: datetime
    names: tuple[str, ...]


@dataclass(frozen=True)
class CoverageForecast:
    start: datetime  # today's midnight in the program's zone
    rules: CoverageRules
    hours: tuple[HourCover, ...]
    gaps: tuple[GapSpan, ...]  # with suggestions
    chain: tuple[ChainSpan, ...]
    names: dict[str, str]  # supporter id -> name, for the pages

    def days(self) -> list[tuple[date, list[HourCover]]]:
        """The hours grouped by their local day (the grid's rows)."""
        rows: dict[date, list[HourCover]] = {}
        for hour in self.hours:
            rows.setdefault(hour.start.date(), []).append(hour)
        return list(rows.items())

    def gaps_on(self, day: date) -> list[GapSpan]:
        """The gaps that start on ``day``, in the program's zone."""
        return [g for g in self.gaps if g.start.date() == day]


class Coverage:
    def __init__(
        self,
        roster: RosterStore,
        candidate_of: CandidateOf,
        paging_order: PagingOrder,
        rules: CoverageRules,
        zone: ZoneInfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.roster, self.candidate_of, self.paging_order = roster, candidate_of, paging_order
        self.rules, self.zone, self.clock = rules, zone, clock

    def forecast(self, actor: Actor, days: int = DAYS) -> CoverageForecast:
        actor.require(Role.COORDINATOR)
        return self.compute(days)

    def compute(self, days: int = DAYS, *, first_day: date | None = None) -> CoverageForecast:
        """The forecast from ``first_day``'s midnight (default today) for ``days`` days; no
        actor: the scheduler's daily text and COVER use it too."""
        now = self.clock()
        day = first_day or now.astimezone(self.zone).date()
        start = datetime.combine(day, time(), tzinfo=self.zone)
        records = self.roster.supporters(active_only=True)
        people = [self.candidate_of(r, month_key(now)) for r in records]
        until = {r.id: r.on_shift_until for r in records if r.on_shift_until is not None}
        hours = forecast(people, start, 24 * days, self.rules, now, until)
        spans = tuple(replace(s, suggestions=suggest(people, s, now)) for s in gap_spans(hours))
        return CoverageForecast(
            start,
            self.rules,
            tuple(hours),
            spans,
            self._chain(hours),
            {r.id: r.name for r in records},
        )

    def tomorrow(self) -> CoverageForecast:
        """Tomorrow alone, in the program's zone: its gaps end at its midnight."""
        today = self.clock().astimezone(self.zone).date()
        return self.compute(1, first_day=today + timedelta(days=1))

    def _chain(self, hours: list[HourCover]) -> tuple[ChainSpan, ...]:
        coordinators = [c for c in self.roster.coordinators() if c.active]
        spans: list[ChainSpan] = []
        for hour in hours:
            names = _names(self.paging_order(coordinators, hour.start + MIDDLE))
            end = hour.start + timedelta(hours=1)
            if spans and spans[-1].names == names:
                spans[-1] = replace(spans[-1], end=end)
            else:
                spans.append(ChainSpan(hour.start, end, names))
        return tuple(spans)


def _names(order: list[CoordinatorRecord]) -> tuple[str, ...]:
    return tuple(c.name for c in order)


def first_names(people: tuple[Candidate, ...]) -> list[str]:
    """Supporters as a text may name them: first names only."""
    return [c.first_name for c in people]
