"""Hard filters, the role ladder, and the ranking built on them. Pure.

Hard filters, in the order ``explain`` reports them (``Rejection``): active, trained,
training not lapsed (refresher not overdue), a supporter in training only for the urgencies
the program allows them (``matching.training``), not flagged for a bad number, not in the
caller's organization unless the caller said "same_ok" or "any" (an organization the caller
did not name excludes nobody), speaks the caller's language, role on the ladder (unless
widened), not already offered this request, not busy, not in cool-off, strictly under the
monthly cap, and available now or, for a callback, in the caller's window
(``matching.availability``).

``rank`` returns every supporter who passes them, best first:

1. the caller's previous supporter, for a follow-up (continuity);
2. role: same role > related role (``LADDER``) > other roles; a caller who did not say
   (``unspecified``) finds every role equally fine;
3. training level: fewest steps apart, where both sides are on the medical training ladder;
4. fairness: fewest minutes used this month, then longest idle (never called first);
5. candidate id, so equal scores always come out in the same order.

Other roles are offered only with ``widen=True``. With the default, an empty list means
nobody in the caller's role or a related one can take the call now: the dispatcher alerts
the coordinator and may rank again widened. Widening relaxes the role ladder only; the
organization rule, language and every other hard filter hold either way, and the previous
supporter of a follow-up is never held back by the ladder.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime

from ivr.model import OrgPreference, Role
from matching.availability import When, require_aware
from matching.model import (
    GAP_BITS,
    LAST_CALL_BITS,
    MINUTES_BITS,
    STEP_BITS,
    Candidate,
    Level,
    MatchRequest,
    Ranked,
    Rejected,
    Rejection,
    Step,
)
from matching.training import DEFAULT_POLICY, TrainingPolicy

# Related roles, both ways round. A caller's "similar role" peer is first someone in their
# own role, then someone on the other side of one of these pairings.
LADDER: tuple[tuple[Role, Role], ...] = (
    # Same profession at a different stage: residents and fellows train under attendings.
    (Role.TRAINEE, Role.PHYSICIAN),
    # NPs, PAs and CRNAs diagnose, prescribe and share call and liability with physicians.
    (Role.APP, Role.PHYSICIAN),
    # Most NPs, CRNAs and nurse-midwives were nurses first.
    (Role.APP, Role.NURSE),
    # Nursing assistants and patient-care techs are the nursing team at the bedside;
    # EMS crews hand their patients over to nurses.
    (Role.TECH, Role.NURSE),
    # Pharmacists and therapists are, like APPs, licensed clinicians with graduate training
    # who are neither physicians nor bedside nurses.
    (Role.ALLIED, Role.APP),
    # Lab and imaging technologists and patient-care techs: hands-on technical shift work.
    (Role.ALLIED, Role.TECH),
    # Environmental, dietary and transport staff work beside aides and techs on the floor,
    # mostly hourly and without clinical authority.
    (Role.SUPPORT, Role.TECH),
    # Social workers and chaplains are psychosocial professionals, usually grouped with
    # allied health.
    (Role.OTHER, Role.ALLIED),
)


def _related(ladder: Iterable[tuple[Role, Role]]) -> dict[Role, frozenset[Role]]:
    pairs: dict[Role, set[Role]] = {role: set() for role in Role}
    for a, b in ladder:
        pairs[a].add(b)
        pairs[b].add(a)
    return {role: frozenset(others) for role, others in pairs.items()}


RELATED: Mapping[Role, frozenset[Role]] = _related(LADDER)

# Where the fields of a packed ``Score`` start (see ``Score.pack``).
_GAP_SHIFT = MINUTES_BITS + LAST_CALL_BITS
_STEP_SHIFT = _GAP_SHIFT + GAP_BITS
_FOLLOW_UP = 1 << (_STEP_SHIFT + STEP_BITS)
# Below the score while sorting: the candidate's place in id order, the final tie-break.
_PLACE_BITS = 32
_PLACE_MASK = (1 << _PLACE_BITS) - 1


def step(caller: Role, supporter: Role) -> Step:
    """Where ``supporter``'s role sits on the ladder for a ``caller`` in ``caller``'s role."""
    if caller is Role.UNSPECIFIED or caller is supporter:
        return Step.SAME
    return Step.RELATED if supporter in RELATED[caller] else Step.OTHER


class _Screen:
    """One request's filters and scoring, precomputed once so each candidate costs little."""

    __slots__ = (
        "any_language",
        "exclude",
        "language",
        "level",
        "now",
        "org",
        "prefixes",
        "previous",
        "reject",
        "request",
        "steps",
        "trainee_ok",
        "when",
        "widen",
    )

    def __init__(
        self,
        request: MatchRequest,
        now: datetime,
        widen: bool,
        training: TrainingPolicy,
        any_language: bool = False,
    ) -> None:
        self.request = request
        self.now = require_aware(now)
        self.widen = widen
        self.any_language = any_language
        self.language = request.language
        # The organization rule: only a caller who said "same_ok" or "any" waives it.
        consent = request.org_preference is not OrgPreference.OUTSIDE
        self.org = None if consent else request.org_key
        self.steps = {role: step(request.role, role) for role in Role}
        # Each role's packed score before the per-candidate parts (not the previous
        # supporter, the role's step, then zeros).
        self.prefixes = {r: _FOLLOW_UP | s << _STEP_SHIFT for r, s in self.steps.items()}
        self.level = Level.of(request.role, request.level)
        self.previous = request.previous_supporter_id
        self.exclude = request.exclude
        self.when = When(now, request.needs_window, request.callback_zone)
        self.trainee_ok = training.trainee_may_take(request.urgency)

    def sift(
        self,
        candidates: Iterable[Candidate],
        rejected: Callable[[Candidate, Rejection], None] | None = None,
    ) -> tuple[list[Candidate], list[int]]:
        """The candidates that pass every hard filter, each with its packed ``Score``
        (``Score.pack``, written out inline); ``rejected(c, why)`` hears of every other
        one, with the first filter it failed, in ``Rejection``'s order.

        The hot path, and the one copy of the filters: one loop with the filters inline
        and this request's values in locals, since a call or an attribute look-up per
        candidate per filter is most of the cost over 10,000 candidates.
        """
        now, trainee_ok, org = self.now, self.trainee_ok, self.org
        any_language, language, widen = self.any_language, self.language, self.widen
        steps, previous, exclude, admits = self.steps, self.previous, self.exclude, self.when.admits
        prefixes, level, other = self.prefixes, self.level, Step.OTHER
        passed: list[Candidate] = []
        scores: list[int] = []
        keep, score = passed.append, scores.append
        for c in candidates:
            if not c.active:
                why = Rejection.INACTIVE
            elif not c.trained:
                why = Rejection.UNTRAINED
            elif c.lapses_at is not None and now >= c.lapses_at:
                why = Rejection.TRAINING_LAPSED
            elif c.in_training and not trainee_ok:
                why = Rejection.IN_TRAINING
            elif c.flagged_bad_number:
                why = Rejection.BAD_NUMBER
            elif org is not None and c.org_key == org:
                why = Rejection.SAME_ORGANIZATION
            elif not any_language and language not in c.languages:
                why = Rejection.LANGUAGE
            elif not widen and steps[c.role] is other and c.id != previous:
                why = Rejection.ROLE
            elif c.id in exclude:
                why = Rejection.EXCLUDED
            elif c.busy:
                why = Rejection.BUSY
            elif c.cool_off_until is not None and c.cool_off_until > now:
                why = Rejection.COOL_OFF
            elif c.minutes_this_month >= c.monthly_cap_minutes:
                why = Rejection.CAP
            elif not admits(c.availability):
                why = Rejection.UNAVAILABLE
            else:
                keep(c)
                key = prefixes[c.role] | c.fairness_key
                if c.id == previous:
                    key ^= _FOLLOW_UP
                if level and c.ladder_level:
                    key |= abs(c.ladder_level - level) << _GAP_SHIFT
                score(key)
                continue
            if rejected is not None:
                rejected(c, why)
        return passed, scores

    def rank(
        self,
        candidates: Iterable[Candidate],
        limit: int | None = None,
        rejected: Callable[[Candidate, Rejection], None] | None = None,
    ) -> list[Ranked]:
        """The candidates that pass, in rank order (``rejected``: see ``sift``).

        Each survivor's packed score goes above its place in id order, so one sort of
        plain ints does it all. Candidates are read in the order they came, which is
        usually the order in memory.
        """
        passed, scores = self.sift(candidates, rejected)
        ids = [c.id for c in passed]  # each survivor's place in id order: the last tie-break
        by_id = sorted(range(len(passed)), key=ids.__getitem__)
        keys = [0] * len(passed)
        for p, i in enumerate(by_id):
            keys[i] = scores[i] << _PLACE_BITS | p
        keys = sorted(keys) if limit is None else heapq.nsmallest(limit, keys)
        request, make = self.request, Ranked._make
        return [make((passed[by_id[k & _PLACE_MASK]], k >> _PLACE_BITS, request)) for k in keys]

    def detail(self, c: Candidate, why: Rejection) -> str:
        if why is Rejection.TRAINING_LAPSED and c.refresher_due is not None:
            return f"refresher was due {c.refresher_due:%Y-%m-%d}"
        if why is Rejection.IN_TRAINING:
            return f"a {self.request.urgency} request"
        if why is Rejection.SAME_ORGANIZATION:
            return c.organization or ""
        if why is Rejection.LANGUAGE:
            return f"speaks {', '.join(sorted(c.languages))}; caller needs {self.language}"
        if why is Rejection.ROLE:
            return f"{c.role} for a {self.request.role} caller"
        if why is Rejection.COOL_OFF and c.cool_off_until is not None:
            return f"until {c.cool_off_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if why is Rejection.CAP:
            return f"{c.minutes_this_month} of {c.monthly_cap_minutes} min used"
        if why is Rejection.UNAVAILABLE:
            if c.availability.override is False:
                return "away (override)"
            window = self.request.needs_window
            return f"off shift in the {window} window" if window else "off shift now"
        return ""


def rank(
    request: MatchRequest,
    candidates: Iterable[Candidate],
    now: datetime,
    *,
    widen: bool = False,
    limit: int | None = None,
    training: TrainingPolicy = DEFAULT_POLICY,
    any_language: bool = False,
) -> list[Ranked]:
    """Every candidate who passes the hard filters, best first (see the module doc). Pure.

    ``now`` must be timezone-aware. The order depends only on the candidates, never on the
    order they arrive in. ``limit`` keeps only the best few (the dispatcher needs one).
    ``training`` is the program's training rules (who in training may take which urgency).
    ``widen`` and ``any_language`` relax the role ladder and the language filter; only the
    caller's consent may ask for them (``matching.widening``).
    """
    return _Screen(request, now, widen, training, any_language).rank(candidates, limit)


def explain(
    request: MatchRequest,
    candidates: Iterable[Candidate],
    now: datetime,
    *,
    widen: bool = False,
    training: TrainingPolicy = DEFAULT_POLICY,
) -> tuple[list[Ranked], list[Rejected]]:
    """``rank``'s answer plus, for the console, why each other candidate was left out.

    Each rejection names the first filter that failed, in ``Rejection``'s order; rejections
    are sorted by candidate id.
    """
    screen = _Screen(request, now, widen, training)
    rejected: list[Rejected] = []

    def note(c: Candidate, why: Rejection) -> None:
        rejected.append(Rejected(c.id, why, screen.detail(c, why)))

    ranked = screen.rank(candidates, rejected=note)
    rejected.sort(key=lambda r: r.candidate_id)
    return ranked, rejected
