"""The coverage forecast: who could take a call in each coming hour, and where it is thin.
Pure: candidates in, hours out.

A supporter covers an hour when, at the middle of that hour, every hard filter that does
not depend on a caller passes: active, trained and not lapsed, not in training (they may
not take every urgency), no bad number, out of cool-off, under the monthly cap (minutes
start again at 0 in a new month), and on shift by their schedule in their own zone. An
AVAILABLE/AWAY override is taken as it stands now, as matching takes it. Busy is not
counted against anyone: a call ends within the hour.

An hour has a gap when a required role group has nobody, a program language has no
speaker, or fewer than ``min_on_shift`` supporters cover it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ivr.catalogue import catalogue
from ivr.model import Channel, Language, Role
from matching.availability import Availability, When, require_aware
from matching.model import Candidate

HOUR = timedelta(hours=1)
MIDDLE = timedelta(minutes=30)

# Peer groups: reports count callers in them, the forecast counts supporters.
ROLE_GROUPS: dict[str, tuple[Role, ...]] = {
    "nursing": (Role.NURSE, Role.TECH),
    "physicians": (Role.PHYSICIAN, Role.TRAINEE),
    "advanced practice": (Role.APP,),
    "allied health": (Role.ALLIED, Role.OTHER),
    "support staff": (Role.SUPPORT,),
    "not said": (Role.UNSPECIFIED,),
}
GROUP_OF: dict[Role, str] = {role: group for group, roles in ROLE_GROUPS.items() for role in roles}


def language_name(lang: Language, language: Language = Language.EN) -> str:
    """ "Spanish" for es, said in ``language``."""
    return catalogue(Channel.SMS).word(f"language.{lang.value}", language)


class GapKind(StrEnum):
    ROLE_GROUP = "role_group"  # nobody in a required role group
    LANGUAGE = "language"  # nobody speaks a program language
    FEW = "few"  # fewer than the minimum on shift


@dataclass(frozen=True)
class Gap:
    kind: GapKind
    what: str  # the role group, the language code, or the minimum

    @property
    def label(self) -> str:
        """E.g. "no nurse on shift", "no Spanish speaker on shift", "fewer than 2 on shift"."""
        return self.text(Language.EN)

    def text(self, language: Language) -> str:
        """The label in ``language``, from the SMS catalogue (the daily text says it too)."""
        words = catalogue(Channel.SMS)
        if self.kind is GapKind.ROLE_GROUP:
            one = words.word(f"group.{self.what}", language)
            return words.word("gap.role_group", language).format(one=one)
        if self.kind is GapKind.LANGUAGE:
            name = language_name(Language(self.what), language)
            return words.word("gap.language", language).format(language=name)
        return words.word("gap.few", language).format(n=self.what)

    def fits(self, c: Candidate) -> bool:
        """Whether ``c`` on shift would close this gap (or help close it)."""
        if self.kind is GapKind.ROLE_GROUP:
            return GROUP_OF.get(c.role) == self.what
        if self.kind is GapKind.LANGUAGE:
            return Language(self.what) in c.languages
        return True


@dataclass(frozen=True)
class CoverageRules:
    min_on_shift: int = 2
    role_groups: tuple[str, ...] = ("nursing",)
    languages: tuple[Language, ...] = (Language.EN, Language.ES)


@dataclass(frozen=True)
class HourCover:
    start: datetime
    on_shift: tuple[Candidate, ...]
    by_group: dict[str, int]
    by_language: dict[str, int]
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class GapSpan:
    """A gap that lasts from ``start`` to ``end`` (whole hours)."""

    gap: Gap
    start: datetime
    end: datetime
    suggestions: tuple[Candidate, ...] = field(default=())


def usable(c: Candidate, moment: datetime, now: datetime) -> bool:
    """Every hard filter that needs no caller, except the schedule (see the module doc)."""
    return _usable(c, moment, _month(moment) == _month(now))


def _month(moment: datetime) -> tuple[int, int]:
    utc = moment.astimezone(UTC)  # minutes are counted by UTC month (``month_key``)
    return utc.year, utc.month


def _usable(c: Candidate, moment: datetime, same_month: bool) -> bool:
    if not c.active or not c.trained or c.in_training or c.flagged_bad_number:
        return False
    if c.lapses_at is not None and moment >= c.lapses_at:
        return False
    if c.cool_off_until is not None and c.cool_off_until > moment:
        return False
    used = c.minutes_this_month if same_month else 0
    return used < c.monthly_cap_minutes


def forecast(
    candidates: Sequence[Candidate],
    start: datetime,
    hours: int,
    rules: CoverageRules,
    now: datetime | None = None,
    override_until: Mapping[str, datetime] | None = None,
) -> list[HourCover]:
    """Each hour from ``start`` (aware; the caller rounds it to an hour) for ``hours``.
    ``now`` is when the candidates' minutes were read (default ``start``);
    ``override_until`` says when a supporter's AVAILABLE/AWAY lapses, after which their
    schedule counts again."""
    now = require_aware(now or start)
    lapsing = {
        c.id: (until, replace(c.availability, override=None))
        for c in candidates
        if (until := (override_until or {}).get(c.id)) is not None
    }

    def availability(c: Candidate, moment: datetime) -> Availability:
        found = lapsing.get(c.id)
        return found[1] if found is not None and moment >= found[0] else c.availability

    out = []
    for i in range(hours):
        begin = start + i * HOUR
        moment = begin + MIDDLE
        when, same = When(moment), _month(moment) == _month(now)
        here = tuple(
            c
            for c in candidates
            if _usable(c, moment, same) and when.admits(availability(c, moment))
        )
        by_group = {g: sum(1 for c in here if GROUP_OF.get(c.role) == g) for g in ROLE_GROUPS}
        by_language = {
            lang.value: sum(1 for c in here if lang in c.languages) for lang in rules.languages
        }
        gaps = [Gap(GapKind.ROLE_GROUP, g) for g in rules.role_groups if not by_group.get(g)]
        gaps += [Gap(GapKind.LANGUAGE, lang) for lang, n in by_language.items() if not n]
        if len(here) < rules.min_on_shift:
            gaps.append(Gap(GapKind.FEW, str(rules.min_on_shift)))
        out.append(HourCover(begin, here, by_group, by_language, tuple(gaps)))
    return out


def gap_spans(hours: Iterable[HourCover]) -> list[GapSpan]:
    """Consecutive hours with the same gap as one span, ordered by start, then kind."""
    open_: dict[Gap, datetime] = {}
    spans: list[GapSpan] = []
    last_end: datetime | None = None
    for hour in hours:
        for gap in [g for g in open_ if g not in hour.gaps]:
            spans.append(GapSpan(gap, open_.pop(gap), hour.start))
        for gap in hour.gaps:
            open_.setdefault(gap, hour.start)
        last_end = hour.start + HOUR
    if last_end is not None:
        spans += [GapSpan(gap, begin, last_end) for gap, begin in open_.items()]
    order = list(GapKind)
    return sorted(spans, key=lambda s: (s.start, order.index(s.gap.kind), s.gap.what))


def suggest(
    candidates: Sequence[Candidate], span: GapSpan, now: datetime, limit: int = 5
) -> tuple[Candidate, ...]:
    """Whom to ask to cover ``span``: usable at its start, not already on shift then, able
    to close the gap; least minutes this month first (fairness), then name."""
    moment = span.start + MIDDLE
    when = When(moment)
    fit = [
        c
        for c in candidates
        if span.gap.fits(c) and usable(c, moment, now) and not when.admits(c.availability)
    ]
    fit.sort(key=lambda c: (c.minutes_this_month, c.first_name, c.id))
    return tuple(fit[:limit])
