"""Properties of ``rank`` over generated rosters, checked against a slow, independent oracle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.model import CallbackWindow, ContactMode, Language, OrgPreference, Role, Urgency
from matching import (
    Availability,
    Candidate,
    Level,
    MatchRequest,
    Score,
    Step,
    WeeklyWindow,
    explain,
    next_window,
    rank,
    step,
)
from matching.availability import When
from matching.rules import RELATED

ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "America/New_York",
        "America/Los_Angeles",
        "Europe/London",
        "Asia/Kolkata",  # +05:30
        "Australia/Lord_Howe",  # a half-hour DST shift
    )
]
IDS = [f"s{i:02d}" for i in range(40)]
ORGS = [None, "Massachusetts General", "massachusetts general.", "Brigham", "Boston Medical"]
AGO = [None, timedelta(hours=1), timedelta(days=1), timedelta(days=1), timedelta(days=9)]
MINUTE = timedelta(minutes=1)

thorough = settings(deadline=None, max_examples=80)


@dataclass(frozen=True)
class Case:
    request: MatchRequest
    candidates: list[Candidate]
    now: datetime
    widen: bool


# One candidate in four has one or two of these flaws, so plenty pass every filter.
FLAWS: list[dict[str, Any]] = [
    {"active": False},
    {"trained": False},
    {"busy": True},
    {"flagged_bad_number": True},
    {"minutes_this_month": 240},
    {"minutes_this_month": 130, "monthly_cap_minutes": 120},
    {"monthly_cap_minutes": 0},
    {"languages": frozenset({Language.EN})},
    {"languages": frozenset({Language.ES})},
]


clock = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
shifts = st.builds(WeeklyWindow, st.integers(0, 6), clock, clock)
availabilities = st.builds(
    Availability,
    st.sampled_from(ZONES),
    st.lists(shifts, max_size=6).map(tuple),
    st.sampled_from([None, None, None, True, True, False]),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    now = draw(
        st.datetimes(
            datetime(2024, 1, 1),
            datetime(2025, 12, 31),
            timezones=st.sampled_from(ZONES),
            allow_imaginary=False,
        )
    )
    candidates = []
    for id in draw(st.lists(st.sampled_from(IDS), unique=True, min_size=4, max_size=30)):
        ago = draw(st.sampled_from(AGO))
        cool = draw(st.sampled_from([None] * 4 + [timedelta(0), timedelta(hours=1), -MINUTE]))
        fields: dict[str, Any] = {
            "minutes_this_month": draw(st.sampled_from([0, 30, 30, 120, 239])),
            "cool_off_until": None if cool is None else now + cool,
            "last_call_ended_at": None if ago is None else now - ago,
            "languages": frozenset(Language),
        }
        if draw(st.sampled_from([False, False, False, True])):
            for flaw in draw(st.lists(st.sampled_from(FLAWS), min_size=1, max_size=2)):
                fields.update(flaw)
        candidates.append(
            Candidate(
                id=id,
                first_name="Sam",
                role=draw(st.sampled_from(Role)),
                availability=draw(availabilities),
                organization=draw(st.sampled_from(ORGS)),
                level=draw(st.none() | st.sampled_from(Level)),
                **fields,
            )
        )
    request = MatchRequest(
        role=draw(st.sampled_from(Role)),
        urgency=draw(st.sampled_from(Urgency)),
        language=draw(st.sampled_from([Language.EN, Language.EN, Language.ES])),
        org_preference=draw(st.sampled_from(OrgPreference)),
        organization=draw(st.sampled_from(ORGS)),
        organization_unknown=draw(st.sampled_from([False, False, True])),
        contact_mode=draw(st.sampled_from(ContactMode)),
        callback_window=draw(st.none() | st.sampled_from(CallbackWindow)),
        previous_supporter_id=draw(st.none() | st.sampled_from(IDS[:10])),
        level=draw(st.none() | st.sampled_from(Level)),
        callback_zone=draw(st.none() | st.sampled_from(ZONES)),
        exclude=draw(st.frozensets(st.sampled_from(IDS[:10]), max_size=3)),
    )
    return Case(request, candidates, now, draw(st.booleans()))


# The oracle: the rules restated plainly, one candidate at a time, with no shared cache.


def on_shift(availability: Availability, moment: datetime) -> bool:
    wall = moment.astimezone(availability.zone).replace(tzinfo=None, second=0, microsecond=0)
    for shift in availability.windows:
        begin = shift.start.hour * 60 + shift.start.minute
        length = (shift.end.hour * 60 + shift.end.minute - begin) % 1440 or 1440
        for day in (wall.date(), wall.date() - timedelta(days=1)):
            start = datetime.combine(day, time()) + timedelta(minutes=begin)
            if day.weekday() == shift.day and start <= wall < start + timedelta(minutes=length):
                return True
    return False


def available(request: MatchRequest, availability: Availability, now: datetime) -> bool:
    if availability.override is not None:
        return availability.override
    window = request.callback_window if request.contact_mode is ContactMode.CALLBACK else None
    if window is None or window is CallbackWindow.ASAP:
        return on_shift(availability, now)
    start, end = next_window(now, window, request.callback_zone or availability.zone)
    minute = start.astimezone(UTC).replace(second=0, microsecond=0)
    while minute < end:  # every real minute the window touches
        if on_shift(availability, minute):
            return True
        minute += MINUTE
    return False


def same_org(request: MatchRequest, c: Candidate) -> bool:
    def key(name: str | None) -> str:
        return "".join(ch for ch in (name or "").lower() if ch.isalnum())

    return bool(request.organization and c.organization) and key(request.organization) == key(
        c.organization
    )


def eligible(case: Case, c: Candidate) -> bool:
    r = case.request
    related = r.role is Role.UNSPECIFIED or c.role is r.role or c.role in RELATED[r.role]
    return (
        c.active
        and c.trained
        and not c.flagged_bad_number
        and not (r.org_preference is OrgPreference.OUTSIDE and same_org(r, c))
        and r.language in c.languages
        and (case.widen or related or c.id == r.previous_supporter_id)
        and c.id not in r.exclude
        and not c.busy
        and (c.cool_off_until is None or c.cool_off_until <= case.now)
        and c.minutes_this_month < c.monthly_cap_minutes
        and available(r, c.availability, case.now)
    )


def ranked_ids(case: Case, candidates: list[Candidate] | None = None) -> list[str]:
    result = rank(
        case.request,
        case.candidates if candidates is None else candidates,
        case.now,
        widen=case.widen,
    )
    return [r.candidate.id for r in result]


@thorough
@given(cases())
def test_availability_matches_the_oracle(case: Case) -> None:
    r = case.request
    when = When(case.now, r.needs_window, r.callback_zone)  # one When, every zone, cached
    for c in case.candidates:
        assert when.admits(c.availability) is available(r, c.availability, case.now)


@thorough
@given(cases())
def test_rank_returns_exactly_the_eligible(case: Case) -> None:
    assert set(ranked_ids(case)) == {c.id for c in case.candidates if eligible(case, c)}


@thorough
@given(cases())
def test_never_same_organization_without_consent(case: Case) -> None:
    for r in rank(case.request, case.candidates, case.now, widen=True):
        if case.request.org_preference is OrgPreference.OUTSIDE:
            assert not same_org(case.request, r.candidate)


@thorough
@given(cases())
def test_everyone_ranked_is_under_their_cap_and_free(case: Case) -> None:
    for r in rank(case.request, case.candidates, case.now, widen=case.widen):
        c = r.candidate
        assert c.minutes_this_month < c.monthly_cap_minutes
        assert c.active and c.trained and not c.busy and not c.flagged_bad_number
        assert case.request.language in c.languages


@thorough
@given(cases(), st.randoms(use_true_random=False))
def test_order_is_deterministic_and_ignores_input_order(case: Case, rnd: Random) -> None:
    first = ranked_ids(case)
    assert ranked_ids(case) == first
    shuffled = list(case.candidates)
    rnd.shuffle(shuffled)
    assert ranked_ids(case, shuffled) == first
    assert ranked_ids(case, list(reversed(case.candidates))) == first


@thorough
@given(cases())
def test_order_is_follow_up_then_score_then_id(case: Case) -> None:
    r = case.request
    result = rank(r, case.candidates, case.now, widen=case.widen)
    keys = [(x.score, x.candidate.id) for x in result]
    assert keys == sorted(keys)
    if result and r.previous_supporter_id in {x.candidate.id for x in result}:
        assert result[0].candidate.id == r.previous_supporter_id
    for x in result:
        c = x.candidate
        mine = {Role.TRAINEE: c.level or Level.RESIDENT, Role.PHYSICIAN: c.level or Level.ATTENDING}
        theirs = {
            Role.TRAINEE: r.level or Level.RESIDENT,
            Role.PHYSICIAN: r.level or Level.ATTENDING,
        }
        gap = abs(mine[c.role] - theirs[r.role]) if c.role in mine and r.role in theirs else 0
        last = c.last_call_ended_at
        assert x.score == Score(
            follow_up=int(c.id != r.previous_supporter_id),
            step=step(r.role, c.role),
            level_gap=gap,
            minutes=c.minutes_this_month,
            last_call_us=0 if last is None else round(last.timestamp() * 1e6),
        )


@thorough
@given(cases(), st.integers(0, 30))
def test_widening_explain_and_limit_agree_with_rank(case: Case, limit: int) -> None:
    narrow = rank(case.request, case.candidates, case.now)
    wide = rank(case.request, case.candidates, case.now, widen=True)
    assert wide[: len(narrow)] == narrow  # widening only appends other roles
    assert all(x.score.step is Step.OTHER for x in wide[len(narrow) :])
    full = rank(case.request, case.candidates, case.now, widen=case.widen)
    ranked, rejected = explain(case.request, case.candidates, case.now, widen=case.widen)
    assert ranked == full
    rejected_ids = [x.candidate_id for x in rejected]
    assert rejected_ids == sorted(rejected_ids)
    assert sorted(rejected_ids + ranked_ids(case)) == sorted(c.id for c in case.candidates)
    limited = rank(case.request, case.candidates, case.now, widen=case.widen, limit=limit)
    assert limited == full[:limit]


scores = st.builds(
    Score,
    st.integers(0, 1),
    st.sampled_from(Step),
    st.integers(0, 3),
    st.integers(0, 2**31),
    st.integers(0, 2**62),
)


@given(scores, scores)
def test_packed_scores_sort_like_scores(a: Score, b: Score) -> None:
    assert Score.unpack(a.pack()) == a
    assert (a < b) == (a.pack() < b.pack())


def test_oracle_sanity() -> None:
    # The oracle itself, on one hand-checked case: Monday 09-17 in New York.
    ny = Availability(ZoneInfo("America/New_York"), (WeeklyWindow(0, time(9), time(17)),))
    monday = datetime.combine(date(2024, 11, 4), time(14, 30), UTC)  # 09:30 EST
    assert on_shift(ny, monday)
    assert not on_shift(ny, monday - timedelta(hours=1))
