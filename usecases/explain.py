"""Why a request was or would be offered to whom: ``matching.explain`` over the roster as
it is now, and the offers already made for the request and how each ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from matching import Rejected, Rejection, TrainingPolicy, explain
from matching.training import DEFAULT_POLICY
from storage.board import BoardQueries, OfferHistory
from storage.dispatch import DispatchStore
from storage.records import RequestRecord
from storage.repository import Store
from storage.roster import RosterStore, SupporterRecord
from usecases.access import Actor, Role
from usecases.errors import NotFound
from usecases.ports import CandidateOf, MatchRequestOf

REOFFER_AFTER = timedelta(minutes=30)  # dispatch's own: who declined isn't re-rung sooner

ASSIGNABLE = frozenset(
    {Rejection.ROLE, Rejection.EXCLUDED, Rejection.COOL_OFF, Rejection.CAP, Rejection.UNAVAILABLE}
)
"""Why dispatch passed someone over that a coordinator may overrule by assigning them by
hand: fit to take the call, just not first in line now (another role, offered already,
cool-off, over the monthly cap, off shift). Never overruled: inactive, training, a bad
number, the caller's own organization, the caller's language, busy."""


@dataclass(frozen=True)
class Considered:
    supporter_id: str
    name: str
    position: int  # 1 = would be offered first
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Left:
    supporter_id: str
    name: str
    reason: str  # the first hard filter that failed
    detail: str
    assignable: bool  # a coordinator may still assign them by hand (``ASSIGNABLE``)


@dataclass(frozen=True)
class OfferMade:
    offer: OfferHistory
    name: str


@dataclass(frozen=True)
class Explanation:
    request_id: str
    ticket: str
    widened: bool  # nobody in the same or a related role: any role was considered
    considered: list[Considered]
    left_out: list[Left]
    offers: list[OfferMade]


class MatchExplainer:
    def __init__(
        self,
        store: Store,
        roster: RosterStore,
        queries: BoardQueries,
        offers: DispatchStore,
        candidate_of: CandidateOf,
        match_request_of: MatchRequestOf,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        reoffer_after: timedelta = REOFFER_AFTER,
        training: TrainingPolicy = DEFAULT_POLICY,
    ) -> None:
        self.store, self.roster, self.queries, self.offers = store, roster, queries, offers
        self.candidate_of, self.match_request_of = candidate_of, match_request_of
        self.clock, self.reoffer_after = clock, reoffer_after
        self.training = training

    def explain(self, actor: Actor, request_id: str) -> Explanation:
        actor.require(Role.COORDINATOR)
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound("no such request")
        now = self.clock()
        people = self.roster.supporters()
        names = {p.id: p.name for p in people}
        pool = [self.candidate_of(p, f"{now:%Y-%m}") for p in people]
        exclude = self.offers.offered_supporters(request_id, since=now - self.reoffer_after)
        wanted = self.match_request_of(request, exclude)
        ranked, rejected = explain(wanted, pool, now, training=self.training)
        widened = not ranked and bool(wanted.other_role_ok)  # only with the caller's yes
        if widened:
            ranked, rejected = explain(wanted, pool, now, widen=True, training=self.training)
        return Explanation(
            request_id=request.id,
            ticket=request.ticket,
            widened=widened,
            considered=[
                Considered(r.candidate.id, names[r.candidate.id], n, r.reasons)
                for n, r in enumerate(ranked, start=1)
            ],
            left_out=[
                Left(
                    r.candidate_id,
                    names[r.candidate_id],
                    str(r.reason),
                    r.detail,
                    r.reason in ASSIGNABLE,
                )
                for r in rejected
            ],
            offers=[
                OfferMade(o, names.get(o.supporter_id, "a removed supporter"))
                for o in self.queries.offers(request_id)
            ],
        )

    def screen(self, request: RequestRecord, supporter: SupporterRecord) -> Rejected | None:
        """Why matching would leave ``supporter`` out of ``request`` now, with every role
        considered and nobody excluded; None when they pass every filter."""
        now = self.clock()
        wanted = self.match_request_of(request, frozenset())
        pool = [self.candidate_of(supporter, f"{now:%Y-%m}")]
        _ranked, rejected = explain(wanted, pool, now, widen=True, training=self.training)
        return rejected[0] if rejected else None
