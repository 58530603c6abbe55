from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.model import Language, Role
from matching import Availability, Candidate, WeeklyWindow
from matching.coverage import (
    CoverageRules,
    Gap,
    GapKind,
    forecast,
    gap_spans,
    suggest,
    usable,
)

BOSTON = ZoneInfo("America/New_York")
MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=BOSTON)  # midnight, Monday
H = timedelta(hours=1)
EVERY_DAY_9_17 = tuple(WeeklyWindow(d, time(9), time(17)) for d in range(7))
NIGHTS = tuple(WeeklyWindow(d, time(22), time(6)) for d in range(7))  # 22:00-06:00


def person(
    cid: str,
    role: Role = Role.NURSE,
    windows: tuple[WeeklyWindow, ...] = EVERY_DAY_9_17,
    **kw: object,
) -> Candidate:
    return Candidate(
        id=cid,
        first_name=cid.title(),
        role=role,
        availability=Availability(BOSTON, windows),
        **kw,  # type: ignore[arg-type]
    )


ANA = person("ana", languages=frozenset({Language.EN, Language.ES}))
BEN = person("ben", Role.PHYSICIAN)
CY = person("cy", Role.TECH, NIGHTS)


@pytest.mark.parametrize(
    ("candidate", "moment", "expected"),
    [
        (ANA, MONDAY, True),
        (replace(ANA, active=False), MONDAY, False),
        (replace(ANA, trained=False), MONDAY, False),
        (replace(ANA, in_training=True), MONDAY, False),
        (replace(ANA, flagged_bad_number=True), MONDAY, False),
        # cool-off: out before the hour, in during it
        (replace(ANA, cool_off_until=MONDAY - timedelta(minutes=1)), MONDAY, True),
        (replace(ANA, cool_off_until=MONDAY + timedelta(hours=1)), MONDAY, False),
        # the cap: reached this month, but a new month starts again at 0
        (replace(ANA, minutes_this_month=240), MONDAY, False),
        (replace(ANA, minutes_this_month=239), MONDAY, True),
        (replace(ANA, minutes_this_month=240), datetime(2026, 12, 1, 12, tzinfo=UTC), True),
        # training lapses: the refresher was due before the hour
        (replace(ANA, refresher_due=date(2026, 11, 1)), MONDAY, False),
        (replace(ANA, refresher_due=date(2027, 1, 1)), MONDAY, True),
    ],
)
def test_who_may_cover_an_hour(candidate: Candidate, moment: datetime, expected: bool) -> None:
    assert usable(candidate, moment, now=MONDAY) is expected


@pytest.mark.parametrize(
    ("hour", "on_shift", "gaps"),
    [
        # 02:00: only Cy (a tech, nursing group) on nights: no Spanish, too few
        (2, {"cy"}, [Gap(GapKind.LANGUAGE, "es"), Gap(GapKind.FEW, "2")]),
        # 07:00: nobody at all
        (
            7,
            set(),
            [
                Gap(GapKind.ROLE_GROUP, "nursing"),
                Gap(GapKind.LANGUAGE, "en"),
                Gap(GapKind.LANGUAGE, "es"),
                Gap(GapKind.FEW, "2"),
            ],
        ),
        # 10:00: Ana (nurse, en+es) and Ben (physician): covered
        (10, {"ana", "ben"}, []),
        # 16:00 is still on shift (9-17), 17:00 is not
        (16, {"ana", "ben"}, []),
        (22, {"cy"}, [Gap(GapKind.LANGUAGE, "es"), Gap(GapKind.FEW, "2")]),
    ],
)
def test_the_forecast_counts_who_is_on_and_names_the_gaps(
    hour: int, on_shift: set[str], gaps: list[Gap]
) -> None:
    hours = forecast([ANA, BEN, CY], MONDAY, 24, CoverageRules())
    cover = hours[hour]
    assert cover.start == MONDAY + timedelta(hours=hour)
    assert {c.id for c in cover.on_shift} == on_shift
    assert list(cover.gaps) == gaps


def test_counts_by_role_group_and_language() -> None:
    [cover] = forecast([ANA, BEN, CY], MONDAY + timedelta(hours=10), 1, CoverageRules())
    assert cover.by_group["nursing"] == 1 and cover.by_group["physicians"] == 1
    assert cover.by_language == {"en": 2, "es": 1}


def test_rules_are_settings() -> None:
    rules = CoverageRules(min_on_shift=1, role_groups=("physicians",), languages=(Language.EN,))
    [night] = forecast([ANA, BEN, CY], MONDAY + timedelta(hours=2), 1, rules)
    assert night.gaps == (Gap(GapKind.ROLE_GROUP, "physicians"),)


@pytest.mark.parametrize(
    ("gap", "label"),
    [
        (Gap(GapKind.ROLE_GROUP, "nursing"), "no nurse on shift"),
        (Gap(GapKind.LANGUAGE, "es"), "no Spanish speaker on shift"),
        (Gap(GapKind.FEW, "3"), "fewer than 3 on shift"),
    ],
)
def test_gap_labels(gap: Gap, label: str) -> None:
    assert gap.label == label


def test_gaps_become_spans_of_whole_hours() -> None:
    spans = gap_spans(forecast([ANA, BEN, CY], MONDAY, 24, CoverageRules()))
    spanish = [s for s in spans if s.gap == Gap(GapKind.LANGUAGE, "es")]
    hours = [(s.start.hour, s.end.hour) for s in spanish]
    assert hours == [(0, 9), (17, 0)]  # 00:00-09:00, then 17:00 to the end of the day
    assert spanish[-1].end == MONDAY + timedelta(days=1)


def test_suggestions_are_off_shift_able_to_close_the_gap_and_least_used_first() -> None:
    dee = person("dee", languages=frozenset({Language.ES}), minutes_this_month=30)
    eve = person("eve", languages=frozenset({Language.ES}), minutes_this_month=5)
    capped = person("fay", languages=frozenset({Language.ES}), minutes_this_month=240)
    roster = [ANA, BEN, CY, dee, eve, capped]
    spans = gap_spans(forecast(roster, MONDAY, 24, CoverageRules()))
    night = next(s for s in spans if s.gap == Gap(GapKind.LANGUAGE, "es"))
    got = [c.id for c in suggest(roster, night, MONDAY)]
    assert got == ["ana", "eve", "dee"]  # 0, 5, 30 minutes; Fay is at her cap; Cy speaks en
    assert [c.id for c in suggest(roster, night, MONDAY, limit=1)] == ["ana"]


def test_an_override_counts_until_it_lapses_then_the_schedule_does() -> None:
    away = replace(ANA, availability=Availability(BOSTON, EVERY_DAY_9_17, override=True))
    hours = forecast([away], MONDAY, 24, CoverageRules(), override_until={"ana": MONDAY + 4 * H})
    on = [h.start.hour for h in hours if h.on_shift]
    assert on == [0, 1, 2, 3, *range(9, 17)]  # AVAILABLE for 4 hours, then 9-17 as scheduled
