"""The training ledger's arithmetic and the program's training rules. Pure.

A supporter is trained on a date and keeps their training current with a refresher every
``TrainingPolicy.refresher_months``: the refresher is due that many months after the later
of the training and the last refresher. From the day after the due date (in the
supporter's own time zone) their training has *lapsed* and matching offers them nothing
until a coordinator records a refresher. A supporter with no training date on the ledger
is not gated by it (only by the ``trained`` flag); the console lists them to be filled in.

A supporter *in training* (tier ``trainee`` on the ledger, not a resident or student: that
is their role) is offered only the urgencies in ``TrainingPolicy.trainee_urgencies``,
routine requests by default.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ivr.model import Urgency

DEFAULT_REFRESHER_MONTHS = 12
ROUTINE_ONLY = frozenset({Urgency.ROUTINE})


@dataclass(frozen=True)
class TrainingPolicy:
    """The program's training rules (settings ``PEERLINE_REFRESHER_MONTHS`` and
    ``PEERLINE_TRAINEE_URGENCIES``)."""

    refresher_months: int = DEFAULT_REFRESHER_MONTHS
    trainee_urgencies: frozenset[Urgency] = ROUTINE_ONLY

    def __post_init__(self) -> None:
        if self.refresher_months < 1:
            raise ValueError("the refresher interval is at least one month")

    def refresher_due(self, trained_on: date | None, refreshed_on: date | None) -> date | None:
        """When the next refresher is due; None when the ledger has no training date."""
        last = max((d for d in (trained_on, refreshed_on) if d is not None), default=None)
        return None if last is None else add_months(last, self.refresher_months)

    def trainee_may_take(self, urgency: Urgency) -> bool:
        return urgency in self.trainee_urgencies


DEFAULT_POLICY = TrainingPolicy()
DUE_SOON = timedelta(days=30)


class Standing(StrEnum):
    """Where a supporter's training stands on a day, as the ledger shows it."""

    NO_DATE = "no training date"  # not gated by the ledger; fill it in
    IN_TRAINING = "in training"
    CURRENT = "current"
    DUE_SOON = "refresher due soon"  # within DUE_SOON of the due date
    LAPSED = "lapsed"  # offered no calls


def standing(tier: str | None, due: date | None, today: date) -> Standing:
    if due is not None and today > due:
        return Standing.LAPSED
    if in_training(tier):
        return Standing.IN_TRAINING
    if due is None:
        return Standing.NO_DATE
    return Standing.DUE_SOON if due - today <= DUE_SOON else Standing.CURRENT


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on, clipped to the month's end (Jan 31 +
    1 month = Feb 28 or 29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def lapses_at(due: date, zone: ZoneInfo) -> datetime:
    """The instant training due on ``due`` lapses: midnight after it, in ``zone``."""
    return datetime.combine(due + timedelta(days=1), time(0), tzinfo=zone)


def lapsed(due: date | None, zone: ZoneInfo, now: datetime) -> bool:
    return due is not None and now >= lapses_at(due, zone)


TIERS = ("1", "2", "3")
TRAINEE = "trainee"  # the ledger's tier for a supporter still in training
_TIER_WORDS = {"trainee": TRAINEE, "in training": TRAINEE, "training": TRAINEE}


def tier_code(raw: str) -> str:
    """A tier as written by a person ("2", "Tier 2", "trainee", "in training") as the
    ledger's code, "1"-"3" or "trainee"; ValueError otherwise."""
    text = " ".join(raw.lower().replace("-", " ").split())
    text = text.removeprefix("tier ").strip()
    if text in TIERS:
        return text
    if text in _TIER_WORDS:
        return _TIER_WORDS[text]
    raise ValueError(f"training_tier {raw!r} is not 1, 2, 3 or trainee")


def in_training(tier: str | None) -> bool:
    return tier == TRAINEE
