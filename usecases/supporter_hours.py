"""Supporters' month: minutes given against the 2-4 hour commitment and their cap, offers
declined or unanswered, calls taken; who is under-used and who is near the cap.

Per-supporter lines are roster data the console already shows coordinators (minutes used
on the Supporters page); the counts of supporters by standing are suppressed like every
other count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.roster import SupporterRecord
from usecases.candidates import month_key
from usecases.report_figures import Table
from usecases.suppression import suppress

COMMITMENT_MINUTES = (120, 240)  # volunteers give 2-4 hours a month
NEAR_CAP = 0.8  # at or above this share of the cap: near the cap
DECLINED = ("declined",)
UNANSWERED = ("no_answer", "timed_out")
TAKEN = ("accepted", "completed")


class Standing(StrEnum):
    UNDER = "under-used"  # below the 2 h commitment
    WITHIN = "within commitment"
    NEAR_CAP = "near the cap"  # 80% of the cap or more
    AT_CAP = "at the cap"  # no more offers this month


@dataclass(frozen=True)
class SupporterLine:
    supporter_id: str
    name: str
    role: str
    minutes: int
    cap_minutes: int
    standing: Standing
    declined: int
    unanswered: int
    calls_taken: int


@dataclass(frozen=True)
class SupporterReport:
    month: str  # "2026-12"
    lines: tuple[SupporterLine, ...]  # active supporters, least-used first
    standings: Table  # how many supporters stand where, suppressed

    @property
    def under_used(self) -> tuple[SupporterLine, ...]:
        return tuple(x for x in self.lines if x.standing is Standing.UNDER)

    @property
    def near_cap(self) -> tuple[SupporterLine, ...]:
        return tuple(x for x in self.lines if x.standing in (Standing.NEAR_CAP, Standing.AT_CAP))

    def csv_rows(self) -> list[list[str]]:
        head = [
            "supporter",
            "role",
            "minutes",
            "cap",
            "standing",
            "declined",
            "unanswered",
            "calls",
        ]
        return [head] + [
            [
                x.name,
                x.role,
                str(x.minutes),
                str(x.cap_minutes),
                x.standing.value,
                str(x.declined),
                str(x.unanswered),
                str(x.calls_taken),
            ]
            for x in self.lines
        ]


def standing(minutes: int, cap: int) -> Standing:
    if cap and minutes >= cap:
        return Standing.AT_CAP
    if cap and minutes >= NEAR_CAP * cap:
        return Standing.NEAR_CAP
    if minutes < COMMITMENT_MINUTES[0]:
        return Standing.UNDER
    return Standing.WITHIN


def supporter_report(
    roster: Sequence[SupporterRecord],
    offers: Mapping[str, Counter[str]],
    now: datetime,
    threshold: int,
) -> SupporterReport:
    key = month_key(now)
    lines = []
    for s in roster:
        if not s.active:
            continue
        mine = offers.get(s.id, Counter())
        minutes = s.minutes_in(key)
        lines.append(
            SupporterLine(
                s.id,
                s.name,
                s.role,
                minutes,
                s.monthly_cap_minutes,
                standing(minutes, s.monthly_cap_minutes),
                sum(mine[x] for x in DECLINED),
                sum(mine[x] for x in UNANSWERED),
                sum(mine[x] for x in TAKEN),
            )
        )
    lines.sort(key=lambda x: (x.minutes, x.name))
    counts = [[sum(1 for x in lines if x.standing is kind)] for kind in Standing]
    table = Table(
        "standing",
        "Supporters by hours this month",
        "standing",
        tuple(kind.value for kind in Standing),
        ("supporters",),
        suppress(counts, threshold, row_totals=False, column_totals=True),
    )
    return SupporterReport(key, tuple(lines), table)
