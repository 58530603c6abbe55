"""Consent before the match widens. Pure.

Support is chosen by the participant: a caller asked for a peer in their role (or a
related one on the ladder) who speaks their language. Someone in another role, or a peer
who talks with a Spanish speaker in English, is offered only after the caller said yes —
at intake for a call later (``ivr.flow``), or while holding, when it matters
(``usecases.consent``). The organization rule is consent-based from the start (the
caller's own answer at intake) and never widens here.

``offers`` ranks in rounds, as far as the caller allowed: their ladder in their language;
then other roles; then English; then both. ``question`` says which consent, not yet asked,
would find someone now when no round did.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ivr.model import Language, Role
from matching.model import Candidate, MatchRequest, Ranked
from matching.rules import rank
from matching.training import DEFAULT_POLICY, TrainingPolicy


class Widening(StrEnum):
    """A consent a caller can give: another role, or a peer in English."""

    ROLE = "role"
    LANGUAGE = "language"


@dataclass(frozen=True)
class Round:
    other_roles: bool
    any_language: bool


def rounds(request: MatchRequest) -> tuple[Round, ...]:
    """The rankings to try, in order, as far as the caller's consent goes."""
    out = [Round(False, False)]
    if request.other_role_ok:
        out.append(Round(True, False))
    if request.other_language_ok and request.language is not Language.EN:
        out.append(Round(False, True))
        if request.other_role_ok:
            out.append(Round(True, True))
    return tuple(out)


def offers(
    request: MatchRequest,
    candidates: Sequence[Candidate],
    now: datetime,
    *,
    limit: int = 10,
    training: TrainingPolicy = DEFAULT_POLICY,
) -> Iterator[Ranked]:
    """Who to offer the request to, best first, round by round; each supporter once."""
    seen: set[str] = set()
    for r in rounds(request):
        ranked = rank(
            request,
            candidates,
            now,
            widen=r.other_roles,
            any_language=r.any_language,
            limit=limit,
            training=training,
        )
        for choice in ranked:
            if choice.candidate.id not in seen:
                seen.add(choice.candidate.id)
                yield choice


def question(
    request: MatchRequest,
    candidates: Sequence[Candidate],
    now: datetime,
    *,
    training: TrainingPolicy = DEFAULT_POLICY,
) -> Widening | None:
    """When ``offers`` found nobody: the consent not asked yet whose yes would find someone
    now, or None (nobody either way, or the caller answered already). Where only both
    would do, the role question comes first; the language one follows on the next round."""
    role_open = request.other_role_ok is None and request.role is not Role.UNSPECIFIED
    language_open = request.other_language_ok is None and request.language is not Language.EN
    roles, english = bool(request.other_role_ok), bool(request.other_language_ok)

    def anyone(other_roles: bool, any_language: bool) -> bool:
        found = rank(
            request,
            candidates,
            now,
            widen=other_roles,
            any_language=any_language,
            limit=1,
            training=training,
        )
        return bool(found)

    if role_open and anyone(True, english):
        return Widening.ROLE
    if language_open and anyone(roles, True):
        return Widening.LANGUAGE
    if role_open and language_open and anyone(True, True):
        return Widening.ROLE
    return None
