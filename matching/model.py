"""Value types of matching: a supporter snapshot, a request, and the two kinds of verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from ivr.model import (
    Answers,
    CallbackWindow,
    ContactMode,
    Language,
    OrgPreference,
    Role,
    Urgency,
)
from ivr.organizations import normalize
from matching.availability import Availability
from matching.errors import InvalidCandidate, NaiveDatetime
from matching.reasons import availability_reason, organization_reason, utc_minute
from matching.training import lapses_at

DEFAULT_MONTHLY_CAP = 240  # minutes; volunteers give 2-4 hours a month
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Widths of the fields of a packed ``Score`` (follow_up sits above them all).
STEP_BITS, GAP_BITS, MINUTES_BITS, LAST_CALL_BITS = 2, 3, 32, 64
MINUTES_LIMIT = 1 << MINUTES_BITS


class Level(IntEnum):
    """Where someone is on the medical training ladder; the gap between two is their distance."""

    STUDENT = 1
    RESIDENT = 2
    FELLOW = 3
    ATTENDING = 4

    @classmethod
    def of(cls, role: Role | None, level: Level | None) -> Level | None:
        """``level`` if known, else the usual one for ``role``; None off the training ladder."""
        if role is Role.TRAINEE:
            return level or cls.RESIDENT
        if role is Role.PHYSICIAN:
            return level or cls.ATTENDING
        return None


class Step(IntEnum):
    """How the supporter's role relates to the caller's; lower ranks first."""

    SAME = 0  # same role, or the caller did not say (any role is equally fine)
    RELATED = 1  # a pairing in ``rules.LADDER``
    OTHER = 2  # everyone else, offered only when the ladder is widened


class Rejection(StrEnum):
    """Why a candidate was filtered out, in the order the filters run."""

    INACTIVE = "inactive"
    UNTRAINED = "not trained"
    TRAINING_LAPSED = "training lapsed (refresher overdue)"
    IN_TRAINING = "in training: not offered this urgency"
    BAD_NUMBER = "flagged for a bad number"
    SAME_ORGANIZATION = "in the caller's organization"
    LANGUAGE = "does not speak the caller's language"
    ROLE = "role outside the ladder (not widened)"
    EXCLUDED = "already offered this request"
    BUSY = "busy"
    COOL_OFF = "in cool-off"
    CAP = "monthly minutes cap reached"
    UNAVAILABLE = "not available"


@dataclass(frozen=True)
class Candidate:
    """A supporter as matching sees them at one instant (a snapshot, never a live row).

    ``organization`` is the roster's name; it is compared after ``ivr.organizations.normalize``
    so case and punctuation can never defeat the organization rule. Ids must be unique.
    """

    id: str
    first_name: str
    role: Role
    availability: Availability
    organization: str | None = None
    languages: frozenset[Language] = frozenset({Language.EN})
    level: Level | None = None  # training level; None = the usual one for the role
    active: bool = True
    trained: bool = True
    busy: bool = False
    minutes_this_month: int = 0
    monthly_cap_minutes: int = DEFAULT_MONTHLY_CAP
    cool_off_until: datetime | None = None
    last_call_ended_at: datetime | None = None
    flagged_bad_number: bool = False
    refresher_due: date | None = None  # None: no training date on the ledger (not gated)
    in_training: bool = False  # the ledger's tier "trainee": some urgencies only
    # Derived once here so ranking does no string or datetime work per candidate:
    org_key: str | None = field(init=False, repr=False, compare=False)
    ladder_level: Level | None = field(init=False, repr=False, compare=False)
    last_call_us: int = field(init=False, repr=False, compare=False)
    # The low fields of the packed ``Score``: minutes this month, then the last call.
    fairness_key: int = field(init=False, repr=False, compare=False)
    lapses_at: datetime | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.minutes_this_month < MINUTES_LIMIT or self.monthly_cap_minutes < 0:
            raise InvalidCandidate(f"candidate {self.id}: minutes out of range")
        for moment in (self.cool_off_until, self.last_call_ended_at):
            if moment is not None and moment.utcoffset() is None:
                raise NaiveDatetime(f"candidate {self.id}: {moment!r} has no time zone")
        org = normalize(self.organization) if self.organization else ""
        object.__setattr__(self, "org_key", org or None)
        object.__setattr__(self, "ladder_level", Level.of(self.role, self.level))
        last_call_us = _microseconds(self.last_call_ended_at)
        object.__setattr__(self, "last_call_us", last_call_us)
        fairness = self.minutes_this_month << LAST_CALL_BITS | last_call_us
        object.__setattr__(self, "fairness_key", fairness)
        due = self.refresher_due
        lapse = None if due is None else lapses_at(due, self.availability.zone)
        object.__setattr__(self, "lapses_at", lapse)


def _microseconds(moment: datetime | None) -> int:
    """Microseconds since 1970 (at least 1); 0 when there is no moment (never called)."""
    if moment is None:
        return 0
    return max(1, (moment - EPOCH) // timedelta(microseconds=1))


@dataclass(frozen=True)
class MatchRequest:
    """What the caller asked for, as matching needs it.

    ``organization`` is set when the caller named one; ``organization_unknown`` when they
    wanted someone outside it but gave no answer (nothing can be excluded then).
    ``callback_zone`` is the zone the callback window is read in (None: each supporter's).
    ``exclude`` holds supporters already offered this request or whom the caller declined.
    ``urgency`` never changes the order; it decides only whether a supporter in training
    may be offered the request (``matching.training``).
    """

    role: Role
    urgency: Urgency
    language: Language = Language.EN
    org_preference: OrgPreference = OrgPreference.OUTSIDE
    organization: str | None = None
    organization_unknown: bool = False
    contact_mode: ContactMode = ContactMode.HOLD
    callback_window: CallbackWindow | None = None
    previous_supporter_id: str | None = None
    level: Level | None = None
    callback_zone: ZoneInfo | None = None
    exclude: frozenset[str] = frozenset()
    # The caller's consent to widen the match (``matching.widening``); None: not asked.
    other_role_ok: bool | None = None
    other_language_ok: bool | None = None

    org_key: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        org = normalize(self.organization) if self.organization else ""
        object.__setattr__(self, "org_key", org or None)

    @classmethod
    def from_answers(
        cls,
        answers: Answers,
        language: Language,
        *,
        previous_supporter_id: str | None = None,
        callback_zone: ZoneInfo | None = None,
    ) -> MatchRequest:
        """A request from the intake flow's answers, with the flow's defaults for gaps."""
        return cls(
            role=answers.role or Role.UNSPECIFIED,
            urgency=answers.urgency or Urgency.SOON,
            language=language,
            org_preference=answers.org_preference or OrgPreference.OUTSIDE,
            organization=answers.organization,
            organization_unknown=answers.organization_unknown,
            contact_mode=answers.contact_mode or ContactMode.HOLD,
            callback_window=answers.callback_window,
            previous_supporter_id=previous_supporter_id,
            callback_zone=callback_zone,
        )

    @property
    def needs_window(self) -> CallbackWindow | None:
        """The callback window to check, or None when the supporter is needed now."""
        if self.contact_mode is ContactMode.CALLBACK and self.callback_window:
            return None if self.callback_window is CallbackWindow.ASAP else self.callback_window
        return None


class Score(NamedTuple):
    """The ranking key, compared left to right; lower is better (ties: candidate id)."""

    follow_up: int  # 0 = the caller's previous supporter (continuity), else 1
    step: Step  # role: same, related, other
    level_gap: int  # training levels apart; 0 where levels do not apply
    minutes: int  # used this month: fewest first
    last_call_us: int  # when the last call ended, µs since 1970; 0 = never called (first)

    def pack(self) -> int:
        """The score as one int that sorts the same way (one comparison instead of five)."""
        key = (self.follow_up << STEP_BITS | self.step) << GAP_BITS | self.level_gap
        return ((key << MINUTES_BITS) | self.minutes) << LAST_CALL_BITS | self.last_call_us

    @classmethod
    def unpack(cls, key: int) -> Score:
        last_call_us, key = key & _mask(LAST_CALL_BITS), key >> LAST_CALL_BITS
        minutes, key = key & _mask(MINUTES_BITS), key >> MINUTES_BITS
        gap, key = key & _mask(GAP_BITS), key >> GAP_BITS
        return cls(key >> STEP_BITS, Step(key & _mask(STEP_BITS)), gap, minutes, last_call_us)


def _mask(bits: int) -> int:
    return (1 << bits) - 1


class Ranked(NamedTuple):
    """A supporter who passed every hard filter, and where they placed.

    ``key`` is the packed ``Score`` (``score`` unpacks it); ``request`` is what they were
    ranked for, which ``reasons`` needs. A named tuple, not a dataclass: ``rank`` builds
    one per survivor (10,000 when everyone is free), and a tuple costs a fraction of a
    frozen dataclass to build.
    """

    candidate: Candidate
    key: int
    request: MatchRequest

    @property
    def score(self) -> Score:
        return Score.unpack(self.key)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Short human strings for the console, e.g. "same role (nurse)"."""
        c, r, s = self.candidate, self.request, self.score
        out: list[str] = []
        if not s.follow_up:
            out.append("previous supporter (follow-up)")
        if s.step is Step.SAME:
            same = r.role is not Role.UNSPECIFIED
            out.append(f"same role ({c.role})" if same else "any role (caller did not say)")
        elif s.step is Step.RELATED:
            out.append(f"related role: {r.role} ↔ {c.role}")
        else:
            how = "follow-up" if not s.follow_up else "widened"
            out.append(f"other role: {c.role} (caller {r.role}), {how}")
        mine, theirs = c.ladder_level, Level.of(r.role, r.level)
        if mine and theirs:
            out.append(f"training level {mine.name.lower()} (caller {theirs.name.lower()})")
        if r.language not in c.languages:
            out.append(f"talks in English ({r.language} speaker agreed)")
        elif r.language is not Language.EN:
            out.append(f"speaks {r.language}")
        if c.in_training:
            out.append(f"in training ({r.urgency} request allowed)")
        if c.refresher_due is not None:
            out.append(f"training current (refresher due {c.refresher_due:%Y-%m-%d})")
        same = c.org_key is not None and c.org_key == r.org_key
        out.append(
            organization_reason(
                r.org_preference, same, r.organization_unknown, r.org_key is not None
            )
        )
        out.append(availability_reason(bool(c.availability.override), r.needs_window))
        out.append(f"{s.minutes} of {c.monthly_cap_minutes} min used this month")
        last = c.last_call_ended_at
        ended = "never called" if last is None else f"last call ended {utc_minute(last)}"
        out.append(ended)
        return tuple(out)


@dataclass(frozen=True)
class Rejected:
    """A supporter filtered out, and the first filter that did it (``detail`` for people)."""

    candidate_id: str
    reason: Rejection
    detail: str = ""
