"""The pure parts of follow-up and sessions: the episode's next session, the window the
number may be kept for, which texts are answers, and the report's tables."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.model import CallbackWindow, Channel, ContactMode, Language, OrgPreference, Role, Urgency
from matching.calling import CallingHours
from storage.models import DispatchState, RequestStatus
from storage.records import RequestRecord
from storage.reports import RequestFact
from usecases.follow_up import FollowUpConfig
from usecases.follow_up_figures import FollowUpTables
from usecases.follow_up_replies import NO, SCORES, YES, _word, next_session

NOW = datetime(2026, 12, 1, 15, tzinfo=UTC)


def record(**values: object) -> RequestRecord:
    base: dict[str, object] = {
        "id": "r1",
        "ticket": "K7Q2",
        "status": RequestStatus.COMPLETED,
        "channel": Channel.VOICE,
        "role": Role.NURSE,
        "urgency": Urgency.SOON,
        "language": Language.ES,
        "org_preference": OrgPreference.OUTSIDE,
        "organization": "Tufts Medical Center",
        "organization_unknown": False,
        "contact_mode": ContactMode.CALLBACK,
        "callback_window": CallbackWindow.EVENING,
        "dispatch_state": DispatchState.QUEUED,
        "dispatch_attempts": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "supporter_id": "ana",
        "other_role_ok": False,
        "other_language_ok": True,
        "follow_up_ok": True,
    }
    return RequestRecord(**(base | values))  # type: ignore[arg-type]


def test_the_next_session_keeps_the_callers_answers_and_asks_the_same_peer_first() -> None:
    new = next_session(record(), "+16175551234", "SM1")
    assert (new.role, new.urgency, new.language) == (Role.NURSE, Urgency.SOON, Language.ES)
    assert (new.org_preference, new.organization) == (OrgPreference.OUTSIDE, "Tufts Medical Center")
    assert (new.contact_mode, new.callback_window) == (ContactMode.CALLBACK, CallbackWindow.EVENING)
    assert (new.other_role_ok, new.other_language_ok, new.follow_up_ok) == (False, True, True)
    assert (new.previous_supporter_id, new.episode_id, new.session_no) == ("ana", "r1", 2)
    assert (new.channel, new.caller, new.source_sid) == (Channel.SMS, "+16175551234", "FUSM1")


def test_a_third_session_stays_in_the_first_sessions_episode() -> None:
    new = next_session(record(id="r2", episode_id="r1", session_no=2), "+16175551234", "SM2")
    assert (new.episode_id, new.session_no) == ("r1", 3)


def test_a_caller_who_held_is_called_back_as_soon_as_possible_and_text_first_stays() -> None:
    held = next_session(record(contact_mode=ContactMode.HOLD, callback_window=None), "+1", "S")
    assert (held.contact_mode, held.callback_window) == (ContactMode.CALLBACK, CallbackWindow.ASAP)
    texted = next_session(
        record(contact_mode=ContactMode.TEXT_FIRST, callback_window=None), "+1", "S"
    )
    assert (texted.contact_mode, texted.callback_window) == (ContactMode.TEXT_FIRST, None)


def test_the_number_is_kept_at_most_the_delay_plus_four_days() -> None:
    config = FollowUpConfig(calling=CallingHours(ZoneInfo("America/New_York")))
    assert config.window == timedelta(hours=48 + 24 + 72)
    shorter = FollowUpConfig(calling=config.calling, after=timedelta(hours=24))
    assert shorter.window == timedelta(hours=24 + 24 + 72)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("1", "yes"),
        (" 1. ", "yes"),
        ("Sí", "yes"),
        ("2", "no"),
        ("No!", "no"),
        ("thanks", None),
        ("1 2", None),
        ("9", None),
    ],
)
def test_which_texts_answer_talk_again(body: str, kind: str | None) -> None:
    word = _word(body)
    found = "yes" if word in YES else "no" if word in NO else None
    assert found == kind


def test_a_score_is_one_digit_from_1_to_5() -> None:
    assert {_word(b) for b in ["1", "5.", " 3 "]} <= SCORES
    assert not {_word(b) for b in ["0", "6", "10", "five"]} & SCORES


class Queries:
    """What ``FollowUpTables`` reads, as plain values."""

    def requests(self, start: datetime, end: datetime) -> list[RequestFact]:
        def fact(ok: bool | None, session: int = 1, follow_up: bool = False) -> RequestFact:
            return RequestFact(
                NOW, "voice", "urgent", "nurse", "en", "completed", NOW, NOW, "callback",
                "asap", follow_up, ok, session,
            )  # fmt: skip

        return [
            *[fact(True) for _ in range(6)],
            fact(False),
            fact(None),
            *[fact(True, 2, True) for _ in range(2)],
        ]

    def self_care_answers(self, start: datetime, end: datetime) -> Counter[str]:
        return Counter()

    def follow_up_texts(self, start: datetime, end: datetime) -> Counter[str]:
        return Counter({"accepted": 2, "declined": 6, "": 1})

    def feedback(self, start: datetime, end: datetime) -> Counter[tuple[str, str]]:
        return Counter({("helped", "4"): 7, ("recommend", "yes"): 5, ("recommend", "no"): 1})


def test_the_follow_up_tables_count_and_suppress() -> None:
    tables = {t.key: t for t in FollowUpTables(Queries()).tables(NOW, NOW, 5)}  # type: ignore[arg-type]
    shown = {k: [row[0].shown for row in t.counts.cells] for k, t in tables.items()}
    # first sessions only: 6 yes, 1 no, 1 not asked — 8 - 6 = 2 would give both 1s away
    assert shown["follow_up_consent"] == ["*", "<5", "<5"]
    assert tables["follow_up_consent"].counts.column_totals[0].shown == "8"
    assert shown["follow_up_sessions"] == ["*", "<5", "0"]  # 8 first, 2 second
    assert shown["follow_up_texts"] == ["<5", "6", "<5", "0", "0"]
    assert shown["feedback_helped"] == ["0", "0", "0", "7", "0"]
    assert shown["feedback_recommend"] == ["*", "<5"]  # 5 yes would give the 1 no away
    assert shown["follow_ups"] == ["<5", "0", "0"]
