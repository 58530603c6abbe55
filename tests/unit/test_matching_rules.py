"""Hard filters, the role ladder, scoring, continuity, widening and the console's reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr.model import (
    Answers,
    CallbackWindow,
    ContactMode,
    Language,
    OrgPreference,
    Role,
    Urgency,
)
from matching import (
    LADDER,
    RELATED,
    Availability,
    Candidate,
    InvalidCandidate,
    Level,
    MatchRequest,
    NaiveDatetime,
    Rejection,
    Score,
    Step,
    WeeklyWindow,
    explain,
    rank,
    step,
)

NOW = datetime(2024, 11, 4, 15, 0, tzinfo=UTC)  # Monday, 10:00 in New York
ON = Availability(ZoneInfo("UTC"), override=True)


def sup(id: str = "s1", role: Role = Role.NURSE, **kw: Any) -> Candidate:
    kw.setdefault("availability", ON)
    kw.setdefault("organization", "Brigham and Women's")
    return Candidate(id=id, first_name="Sam", role=role, **kw)


def req(role: Role = Role.NURSE, **kw: Any) -> MatchRequest:
    kw.setdefault("organization", "Massachusetts General")
    return MatchRequest(role=role, urgency=Urgency.URGENT, **kw)


def ids(ranked: list[Any]) -> list[str]:
    return [r.candidate.id for r in ranked]


def first_rejection(request: MatchRequest, candidate: Candidate) -> Rejection | None:
    ranked, rejected = explain(request, [candidate], NOW)
    assert (not ranked) == bool(rejected)
    assert ids(rank(request, [candidate], NOW)) == ids(ranked)
    return rejected[0].reason if rejected else None


@pytest.mark.parametrize(
    ("candidate", "request_", "expected"),
    [
        (sup(), req(), None),
        (sup(active=False), req(), Rejection.INACTIVE),
        (sup(trained=False), req(), Rejection.UNTRAINED),
        (sup(flagged_bad_number=True), req(), Rejection.BAD_NUMBER),
        # The organization rule, compared after normalization.
        (sup(organization="Massachusetts General"), req(), Rejection.SAME_ORGANIZATION),
        (sup(organization="MASSACHUSETTS  general."), req(), Rejection.SAME_ORGANIZATION),
        (
            sup(organization="Massachusetts General"),
            req(org_preference=OrgPreference.SAME_OK),
            None,
        ),
        (sup(organization="Massachusetts General"), req(org_preference=OrgPreference.ANY), None),
        (sup(organization="Massachusetts General"), req(organization=None), None),
        (
            sup(organization="Massachusetts General"),
            req(organization=None, organization_unknown=True),
            None,
        ),
        (sup(organization=None), req(), None),
        # Language.
        (sup(), req(language=Language.ES), Rejection.LANGUAGE),
        (sup(languages=frozenset({Language.EN, Language.ES})), req(language=Language.ES), None),
        (sup(languages=frozenset({Language.ES})), req(), Rejection.LANGUAGE),
        # The ladder, unwidened.
        (sup(role=Role.PHYSICIAN), req(), Rejection.ROLE),
        (sup(role=Role.TECH), req(), None),
        (sup(role=Role.PHYSICIAN), req(role=Role.UNSPECIFIED), None),
        (sup(), req(exclude=frozenset({"s1"})), Rejection.EXCLUDED),
        (sup(busy=True), req(), Rejection.BUSY),
        # Cool-off ends at its instant.
        (sup(cool_off_until=NOW + timedelta(seconds=1)), req(), Rejection.COOL_OFF),
        (sup(cool_off_until=NOW), req(), None),
        (sup(cool_off_until=NOW - timedelta(days=1)), req(), None),
        # The monthly cap: strictly under.
        (sup(minutes_this_month=240), req(), Rejection.CAP),
        (sup(minutes_this_month=239), req(), None),
        (sup(minutes_this_month=100, monthly_cap_minutes=90), req(), Rejection.CAP),
        (sup(monthly_cap_minutes=0), req(), Rejection.CAP),
        # Availability.
        (sup(availability=replace(ON, override=False)), req(), Rejection.UNAVAILABLE),
        (sup(availability=Availability(ZoneInfo("UTC"))), req(), Rejection.UNAVAILABLE),
    ],
)
def test_hard_filter(
    candidate: Candidate, request_: MatchRequest, expected: Rejection | None
) -> None:
    assert first_rejection(request_, candidate) == expected


def test_the_first_failing_filter_is_reported() -> None:
    everything_wrong = sup(active=False, busy=True, minutes_this_month=500, flagged_bad_number=True)
    assert first_rejection(req(), everything_wrong) is Rejection.INACTIVE
    assert first_rejection(req(), replace(everything_wrong, active=True)) is Rejection.BAD_NUMBER


@pytest.mark.parametrize(
    ("caller", "supporter", "expected"),
    [
        (Role.NURSE, Role.NURSE, Step.SAME),
        (Role.TRAINEE, Role.PHYSICIAN, Step.RELATED),
        (Role.PHYSICIAN, Role.TRAINEE, Step.RELATED),
        (Role.APP, Role.PHYSICIAN, Step.RELATED),
        (Role.APP, Role.NURSE, Step.RELATED),
        (Role.NURSE, Role.APP, Step.RELATED),
        (Role.TECH, Role.NURSE, Step.RELATED),
        (Role.ALLIED, Role.APP, Step.RELATED),
        (Role.ALLIED, Role.TECH, Step.RELATED),
        (Role.SUPPORT, Role.TECH, Step.RELATED),
        (Role.OTHER, Role.ALLIED, Step.RELATED),
        (Role.NURSE, Role.PHYSICIAN, Step.OTHER),
        (Role.TRAINEE, Role.NURSE, Step.OTHER),
        (Role.SUPPORT, Role.PHYSICIAN, Step.OTHER),
        (Role.UNSPECIFIED, Role.PHYSICIAN, Step.SAME),  # caller did not say: all equal
        (Role.UNSPECIFIED, Role.SUPPORT, Step.SAME),
    ],
)
def test_step(caller: Role, supporter: Role, expected: Step) -> None:
    assert step(caller, supporter) is expected


def test_ladder_is_symmetric_and_covers_every_named_role() -> None:
    assert all(a is not b for a, b in LADDER)
    assert len({frozenset(pair) for pair in LADDER}) == len(LADDER)
    for role, others in RELATED.items():
        assert all(role in RELATED[other] for other in others)
    assert RELATED[Role.UNSPECIFIED] == frozenset()
    assert all(RELATED[role] for role in Role if role is not Role.UNSPECIFIED)


def test_same_role_before_related_before_other() -> None:
    roster = [
        sup("a-other", Role.PHYSICIAN),
        sup("b-related", Role.TECH),
        sup("c-same", Role.NURSE, minutes_this_month=200),  # role beats fairness
    ]
    assert ids(rank(req(), roster, NOW)) == ["c-same", "b-related"]
    assert ids(rank(req(), roster, NOW, widen=True)) == ["c-same", "b-related", "a-other"]


def test_unspecified_role_ranks_by_fairness_alone() -> None:
    roster = [
        sup("a", Role.PHYSICIAN, minutes_this_month=30),
        sup("b", Role.SUPPORT, minutes_this_month=10),
        sup("c", Role.NURSE, minutes_this_month=20),
    ]
    assert ids(rank(req(Role.UNSPECIFIED), roster, NOW)) == ["b", "c", "a"]


@pytest.mark.parametrize(
    ("caller", "level", "expected"),
    [
        # A physician (attending) caller: among trainees, the most senior first.
        (Role.PHYSICIAN, None, ["att", "fellow", "resident", "unknown", "student"]),
        # A student: a fellow student first, attendings last among the related.
        (Role.TRAINEE, Level.STUDENT, ["student", "resident", "unknown", "fellow", "att"]),
        # A trainee of unknown level counts as a resident.
        (Role.TRAINEE, None, ["resident", "unknown", "student", "fellow", "att"]),
    ],
)
def test_training_level_closeness(caller: Role, level: Level | None, expected: list[str]) -> None:
    roster = [
        sup("att", Role.PHYSICIAN, minutes_this_month=50),
        sup("fellow", Role.TRAINEE, level=Level.FELLOW, minutes_this_month=40),
        sup("resident", Role.TRAINEE, level=Level.RESIDENT, minutes_this_month=10),
        sup("unknown", Role.TRAINEE, minutes_this_month=20),
        sup("student", Role.TRAINEE, level=Level.STUDENT, minutes_this_month=30),
    ]
    request = req(caller, level=level)
    order = ids(rank(request, roster, NOW))
    by_step = sorted(order, key=lambda i: step(caller, next(c.role for c in roster if c.id == i)))
    assert by_step == order  # level never outranks the role
    assert order == expected


def test_level_does_not_apply_off_the_training_ladder() -> None:
    roster = [sup("b", Role.PHYSICIAN, minutes_this_month=5), sup("a", Role.APP)]
    assert ids(rank(req(Role.APP), roster, NOW)) == ["a", "b"]  # fairness only


def test_fairness_minutes_then_longest_idle_then_id() -> None:
    day = timedelta(days=1)
    roster = [
        sup("e", minutes_this_month=60),
        sup("d", minutes_this_month=30, last_call_ended_at=NOW - day),
        sup("c", minutes_this_month=30, last_call_ended_at=NOW - 3 * day),
        sup("b", minutes_this_month=30),  # never called: first among equals
        sup("z", minutes_this_month=0, last_call_ended_at=NOW),
        sup("y", minutes_this_month=0, last_call_ended_at=NOW),  # a tie: by id
    ]
    assert ids(rank(req(), roster, NOW)) == ["y", "z", "b", "c", "d", "e"]


def test_follow_up_goes_to_the_previous_supporter_first() -> None:
    roster = [
        sup("fresh", minutes_this_month=0),
        sup("before", Role.TECH, minutes_this_month=200),
    ]
    request = req(previous_supporter_id="before")
    assert ids(rank(request, roster, NOW)) == ["before", "fresh"]


def test_follow_up_is_not_held_back_by_the_ladder() -> None:
    roster = [sup("fresh"), sup("before", Role.PHYSICIAN)]
    request = req(previous_supporter_id="before")
    assert ids(rank(request, roster, NOW)) == ["before", "fresh"]


@pytest.mark.parametrize(
    "changes",
    [
        {"busy": True},
        {"minutes_this_month": 240},
        {"organization": "Massachusetts General"},
        {"availability": replace(ON, override=False)},
    ],
)
def test_follow_up_respects_the_hard_filters(changes: dict[str, Any]) -> None:
    roster = [sup("fresh"), sup("before", **changes)]
    assert ids(rank(req(previous_supporter_id="before"), roster, NOW)) == ["fresh"]


def test_widening_never_crosses_the_organization_rule() -> None:
    roster = [sup("same-org", Role.PHYSICIAN, organization="Massachusetts General")]
    assert rank(req(), roster, NOW, widen=True) == []
    consent = req(org_preference=OrgPreference.SAME_OK)
    assert ids(rank(consent, roster, NOW, widen=True)) == ["same-org"]


def test_callback_request_checks_the_window_not_now() -> None:
    ny = ZoneInfo("America/New_York")
    evenings = Availability(ny, (WeeklyWindow(0, time(17), time(22)),))
    roster = [sup("evening", availability=evenings)]
    hold = req()
    callback = req(contact_mode=ContactMode.CALLBACK, callback_window=CallbackWindow.EVENING)
    asap = replace(callback, callback_window=CallbackWindow.ASAP)
    assert rank(hold, roster, NOW) == []
    assert ids(rank(callback, roster, NOW)) == ["evening"]
    assert rank(asap, roster, NOW) == []


def test_limit_keeps_the_best() -> None:
    roster = [sup(f"s{i}", minutes_this_month=100 - i) for i in range(10)]
    full = rank(req(), roster, NOW)
    assert rank(req(), roster, NOW, limit=3) == full[:3]
    assert rank(req(), roster, NOW, limit=0) == []


def test_explain_reports_every_candidate_once() -> None:
    roster = [
        sup("z-busy", busy=True),
        sup("a-ok"),
        sup("m-capped", minutes_this_month=250),
        sup("b-spanish", languages=frozenset({Language.ES})),
    ]
    ranked, rejected = explain(req(), roster, NOW)
    assert ids(ranked) == ["a-ok"]
    assert [(r.candidate_id, r.reason) for r in rejected] == [
        ("b-spanish", Rejection.LANGUAGE),
        ("m-capped", Rejection.CAP),
        ("z-busy", Rejection.BUSY),
    ]
    assert rejected[0].detail == "speaks es; caller needs en"
    assert rejected[1].detail == "250 of 240 min used"


@pytest.mark.parametrize(
    ("candidate", "request_", "expected"),
    [
        (sup(role=Role.PHYSICIAN), req(), "physician for a nurse caller"),
        (sup(organization="Massachusetts General"), req(), "Massachusetts General"),
        (sup(availability=replace(ON, override=False)), req(), "away (override)"),
        (sup(availability=Availability(ZoneInfo("UTC"))), req(), "off shift now"),
        (
            sup(availability=Availability(ZoneInfo("UTC"))),
            req(contact_mode=ContactMode.CALLBACK, callback_window=CallbackWindow.MORNING),
            "off shift in the morning window",
        ),
        (sup(cool_off_until=NOW + timedelta(hours=2)), req(), "until 2024-11-04 17:00 UTC"),
        (sup(busy=True), req(), ""),
    ],
)
def test_rejection_detail(candidate: Candidate, request_: MatchRequest, expected: str) -> None:
    _, rejected = explain(request_, [candidate], NOW)
    assert rejected[0].detail == expected


def test_reasons() -> None:
    trainee = sup("t", Role.TRAINEE, level=Level.FELLOW, minutes_this_month=35)
    nurse = sup("n", last_call_ended_at=datetime(2024, 11, 1, 9, 30, tzinfo=UTC))
    physician = sup("p", Role.PHYSICIAN)
    [ranked] = rank(req(Role.PHYSICIAN), [trainee], NOW)
    assert ranked.reasons == (
        "related role: physician ↔ trainee",
        "training level fellow (caller attending)",
        "outside the caller's organization",
        "on shift (override)",
        "35 of 240 min used this month",
        "never called",
    )
    [ranked] = rank(req(organization_unknown=True, organization=None), [nurse], NOW)
    assert ranked.reasons[0] == "same role (nurse)"
    assert "caller gave no organization: not checked" in ranked.reasons
    assert ranked.reasons[-1] == "last call ended 2024-11-01 09:30 UTC"
    [ranked] = rank(req(previous_supporter_id="p"), [physician], NOW)
    assert ranked.reasons[:2] == (
        "previous supporter (follow-up)",
        "other role: physician (caller nurse), follow-up",
    )
    [ranked] = rank(req(language=Language.ES), [replace(nurse, languages=frozenset(Language))], NOW)
    assert "speaks es" in ranked.reasons
    [ranked] = rank(req(Role.UNSPECIFIED, org_preference=OrgPreference.ANY), [physician], NOW)
    assert ranked.reasons[:2] == ("any role (caller did not say)", "organization not restricted")


def test_score_unpacks_what_ranking_packed() -> None:
    last = datetime(2024, 10, 1, tzinfo=UTC)
    roster = [
        sup("t", Role.TRAINEE, level=Level.STUDENT, minutes_this_month=35, last_call_ended_at=last)
    ]
    [ranked] = rank(req(Role.PHYSICIAN, previous_supporter_id="x"), roster, NOW)
    expected = Score(1, Step.RELATED, 3, 35, int(last.timestamp()) * 1_000_000)
    assert ranked.score == expected
    assert ranked.key == expected.pack()
    assert Score.unpack(expected.pack()) == expected


def test_from_answers() -> None:
    answers = Answers(
        role=Role.TECH,
        urgency=Urgency.SOON,
        org_preference=OrgPreference.OUTSIDE,
        organization="Boston Medical Center",
        contact_mode=ContactMode.CALLBACK,
        callback_window=CallbackWindow.EVENING,
    )
    request = MatchRequest.from_answers(answers, Language.ES, previous_supporter_id="s9")
    assert request == MatchRequest(
        role=Role.TECH,
        urgency=Urgency.SOON,
        language=Language.ES,
        organization="Boston Medical Center",
        contact_mode=ContactMode.CALLBACK,
        callback_window=CallbackWindow.EVENING,
        previous_supporter_id="s9",
    )
    empty = MatchRequest.from_answers(Answers(), Language.EN)
    assert (empty.role, empty.contact_mode, empty.needs_window) == (
        Role.UNSPECIFIED,
        ContactMode.HOLD,
        None,
    )


def test_bad_input_is_refused() -> None:
    with pytest.raises(NaiveDatetime):
        rank(req(), [sup()], datetime(2024, 11, 4, 12))
    with pytest.raises(NaiveDatetime):
        sup(cool_off_until=datetime(2024, 11, 4, 12))
    with pytest.raises(InvalidCandidate):
        sup(minutes_this_month=-1)


def test_no_candidates() -> None:
    assert rank(req(), [], NOW) == []
    assert explain(req(), [], NOW) == ([], [])
