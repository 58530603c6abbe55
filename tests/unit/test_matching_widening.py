"""Consent before the match widens (matching.widening): rounds as far as the caller allowed,
and which question, if any, would find someone now. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr.model import Language, Role, Urgency
from matching import Availability, Candidate, MatchRequest
from matching.widening import Round, Widening, offers, question, rounds

NOW = datetime(2024, 11, 4, 15, 0, tzinfo=UTC)
ON = Availability(ZoneInfo("UTC"), override=True)
EN, ES = frozenset({Language.EN}), frozenset({Language.EN, Language.ES})


def sup(id: str, role: Role, languages: frozenset[Language] = EN) -> Candidate:
    return Candidate(id=id, first_name="Sam", role=role, availability=ON, languages=languages)


def req(**kw: Any) -> MatchRequest:
    kw.setdefault("role", Role.NURSE)
    return MatchRequest(urgency=Urgency.URGENT, **kw)


def ids(request: MatchRequest, pool: list[Candidate]) -> list[str]:
    return [r.candidate.id for r in offers(request, pool, NOW)]


@pytest.mark.parametrize(
    ("role_ok", "language_ok", "language", "expected"),
    [
        (None, None, Language.EN, [Round(False, False)]),
        (False, None, Language.EN, [Round(False, False)]),
        (True, None, Language.EN, [Round(False, False), Round(True, False)]),
        (None, True, Language.EN, [Round(False, False)]),  # English: nothing to widen
        (None, True, Language.ES, [Round(False, False), Round(False, True)]),
        (
            True,
            True,
            Language.ES,
            [Round(False, False), Round(True, False), Round(False, True), Round(True, True)],
        ),
    ],
)
def test_rounds_go_only_as_far_as_the_caller_allowed(
    role_ok: bool | None, language_ok: bool | None, language: Language, expected: list[Round]
) -> None:
    request = req(other_role_ok=role_ok, other_language_ok=language_ok, language=language)
    assert list(rounds(request)) == expected


def test_without_consent_nobody_outside_the_ladder_is_offered() -> None:
    pool = [sup("doc", Role.PHYSICIAN), sup("tech", Role.TECH)]
    assert ids(req(), pool) == ["tech"]  # related to nurse
    assert ids(req(), [sup("doc", Role.PHYSICIAN)]) == []
    assert ids(req(other_role_ok=False), [sup("doc", Role.PHYSICIAN)]) == []
    assert ids(req(other_role_ok=True), [sup("doc", Role.PHYSICIAN)]) == ["doc"]


def test_the_ladder_comes_before_other_roles_and_each_supporter_once() -> None:
    pool = [sup("doc", Role.PHYSICIAN), sup("tech", Role.TECH), sup("rn", Role.NURSE)]
    assert ids(req(other_role_ok=True), pool) == ["rn", "tech", "doc"]


def test_a_spanish_speaker_gets_english_only_with_consent_and_spanish_first() -> None:
    pool = [sup("en", Role.NURSE), sup("es", Role.TECH, ES)]
    assert ids(req(language=Language.ES), pool) == ["es"]
    assert ids(req(language=Language.ES, other_language_ok=True), pool) == ["es", "en"]
    assert ids(req(language=Language.ES), [sup("en", Role.NURSE)]) == []


@pytest.mark.parametrize(
    ("request_kw", "pool", "expected"),
    [
        ({}, [sup("doc", Role.PHYSICIAN)], Widening.ROLE),
        ({"other_role_ok": False}, [sup("doc", Role.PHYSICIAN)], None),  # answered: no
        ({}, [], None),  # nobody either way: nothing to ask
        ({"role": Role.UNSPECIFIED}, [], None),  # every role was fine already
        ({"language": Language.ES}, [sup("en", Role.NURSE)], Widening.LANGUAGE),
        ({"language": Language.ES, "other_language_ok": False}, [sup("en", Role.NURSE)], None),
        # only both would do: the role question first, the language one next round
        ({"language": Language.ES}, [sup("doc", Role.PHYSICIAN)], Widening.ROLE),
        (
            {"language": Language.ES, "other_role_ok": True},
            [sup("doc", Role.PHYSICIAN)],
            Widening.LANGUAGE,
        ),
    ],
)
def test_the_question_whose_yes_would_find_someone_now(
    request_kw: dict[str, Any], pool: list[Candidate], expected: Widening | None
) -> None:
    assert question(req(**request_kw), pool, NOW) is expected
