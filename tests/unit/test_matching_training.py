"""The training ledger in matching: lapsed refreshers and supporters in training."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr.model import Role, Urgency
from matching import Availability, Candidate, MatchRequest, Rejection, TrainingPolicy, explain, rank
from matching.training import Standing, add_months, lapsed, standing, tier_code

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday, 10:00 in New York
NEW_YORK = ZoneInfo("America/New_York")
ON = Availability(NEW_YORK, override=True)
STRICT = TrainingPolicy()  # refresher every 12 months, trainees routine only
ANY_URGENCY = TrainingPolicy(trainee_urgencies=frozenset(Urgency))


def sup(**kw: Any) -> Candidate:
    return Candidate(id="s1", first_name="Sam", role=Role.NURSE, availability=ON, **kw)


def req(urgency: Urgency = Urgency.URGENT) -> MatchRequest:
    return MatchRequest(role=Role.NURSE, urgency=urgency)


@pytest.mark.parametrize(
    ("candidate", "urgency", "policy", "expected"),
    [
        # No training date on the ledger: the ledger does not gate.
        (sup(), Urgency.URGENT, STRICT, None),
        # Due today (in the supporter's zone): still current until midnight there.
        (sup(refresher_due=date(2026, 3, 2)), Urgency.URGENT, STRICT, None),
        (sup(refresher_due=date(2026, 3, 1)), Urgency.URGENT, STRICT, Rejection.TRAINING_LAPSED),
        (sup(refresher_due=date(2027, 1, 1)), Urgency.URGENT, STRICT, None),
        # In training: routine only, unless the program allows more.
        (sup(in_training=True), Urgency.ROUTINE, STRICT, None),
        (sup(in_training=True), Urgency.SOON, STRICT, Rejection.IN_TRAINING),
        (sup(in_training=True), Urgency.URGENT, STRICT, Rejection.IN_TRAINING),
        (sup(in_training=True), Urgency.URGENT, ANY_URGENCY, None),
        (
            sup(in_training=True),
            Urgency.SOON,
            TrainingPolicy(trainee_urgencies=frozenset({Urgency.SOON, Urgency.ROUTINE})),
            None,
        ),
        # Untrained is reported before lapsed, lapsed before in training.
        (
            sup(trained=False, refresher_due=date(2020, 1, 1)),
            Urgency.URGENT,
            STRICT,
            Rejection.UNTRAINED,
        ),
        (
            sup(in_training=True, refresher_due=date(2020, 1, 1)),
            Urgency.URGENT,
            STRICT,
            Rejection.TRAINING_LAPSED,
        ),
        # The ledger is checked after "active" and before everything else.
        (
            sup(active=False, refresher_due=date(2020, 1, 1)),
            Urgency.URGENT,
            STRICT,
            Rejection.INACTIVE,
        ),
        (
            sup(busy=True, refresher_due=date(2020, 1, 1)),
            Urgency.URGENT,
            STRICT,
            Rejection.TRAINING_LAPSED,
        ),
    ],
)
def test_training_filters(
    candidate: Candidate, urgency: Urgency, policy: TrainingPolicy, expected: Rejection | None
) -> None:
    ranked, rejected = explain(req(urgency), [candidate], NOW, training=policy)
    assert [r.reason for r in rejected] == ([expected] if expected else [])
    assert len(ranked) == (expected is None)
    assert len(rank(req(urgency), [candidate], NOW, training=policy)) == len(ranked)


def test_lapse_is_midnight_in_the_supporters_own_zone() -> None:
    due = date(2026, 3, 1)
    midnight_new_york = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert not lapsed(due, NEW_YORK, midnight_new_york - timedelta(seconds=1))
    assert lapsed(due, NEW_YORK, midnight_new_york)
    tokyo = Candidate(
        "t",
        "Ty",
        Role.NURSE,
        Availability(ZoneInfo("Asia/Tokyo"), override=True),
        refresher_due=due,
    )
    # 2026-03-01 15:00 UTC is already the 2nd in Tokyo: lapsed there, not in New York.
    at = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert explain(req(), [tokyo], at)[1][0].reason is Rejection.TRAINING_LAPSED
    assert explain(req(), [sup(refresher_due=due)], at)[1] == []


def test_explanations_say_why() -> None:
    _, [lapsed_] = explain(req(), [sup(refresher_due=date(2025, 12, 31))], NOW)
    assert (str(lapsed_.reason), lapsed_.detail) == (
        "training lapsed (refresher overdue)",
        "refresher was due 2025-12-31",
    )
    _, [trainee] = explain(req(Urgency.SOON), [sup(in_training=True)], NOW)
    assert trainee.detail == "a soon request"
    [ranked], _ = explain(
        req(Urgency.ROUTINE), [sup(in_training=True, refresher_due=date(2026, 9, 1))], NOW
    )
    assert "in training (routine request allowed)" in ranked.reasons
    assert "training current (refresher due 2026-09-01)" in ranked.reasons


@pytest.mark.parametrize(
    ("trained_on", "refreshed_on", "months", "due"),
    [
        (None, None, 12, None),
        (date(2025, 3, 14), None, 12, date(2026, 3, 14)),
        (date(2024, 3, 14), date(2025, 6, 1), 12, date(2026, 6, 1)),
        # A refresher recorded before a (re)training date counts from the later one.
        (date(2025, 6, 1), date(2024, 1, 1), 6, date(2025, 12, 1)),
        (None, date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), None, 12, date(2025, 2, 28)),
        (date(2025, 11, 30), None, 3, date(2026, 2, 28)),
    ],
)
def test_refresher_due(
    trained_on: date | None, refreshed_on: date | None, months: int, due: date | None
) -> None:
    assert TrainingPolicy(refresher_months=months).refresher_due(trained_on, refreshed_on) == due


def test_add_months_crosses_years() -> None:
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)
    assert add_months(date(2025, 1, 15), 24) == date(2027, 1, 15)


def test_policy_refuses_a_zero_interval() -> None:
    with pytest.raises(ValueError, match="at least one month"):
        TrainingPolicy(refresher_months=0)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1", "1"),
        ("Tier 2", "2"),
        ("tier-3", "3"),
        ("trainee", "trainee"),
        ("In training", "trainee"),
    ],
)
def test_tier_codes(raw: str, code: str) -> None:
    assert tier_code(raw) == code


@pytest.mark.parametrize("raw", ["4", "0", "lead supporter", "tier", ""])
def test_tier_codes_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="is not 1, 2, 3 or trainee"):
        tier_code(raw)


@pytest.mark.parametrize(
    ("tier", "due", "expected"),
    [
        ("1", None, Standing.NO_DATE),
        ("trainee", None, Standing.IN_TRAINING),
        ("trainee", date(2026, 12, 1), Standing.IN_TRAINING),
        ("trainee", date(2026, 2, 1), Standing.LAPSED),
        ("2", date(2026, 3, 1), Standing.LAPSED),
        ("2", date(2026, 3, 2), Standing.DUE_SOON),
        ("2", date(2026, 4, 1), Standing.DUE_SOON),
        ("3", date(2026, 4, 2), Standing.CURRENT),
        (None, date(2027, 1, 1), Standing.CURRENT),
    ],
)
def test_standing(tier: str | None, due: date | None, expected: Standing) -> None:
    assert standing(tier, due, date(2026, 3, 2)) == expected
