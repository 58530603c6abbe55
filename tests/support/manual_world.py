"""Peerline's use cases on a manual clock: the real database and stores, the real sender
(guard, policy, Redis throttle) over a recording carrier, and an in-memory job queue that
runs each job when the manual clock reaches it. The property tests drive it.

Only the queue is a stand-in: RQ schedules by the wall clock, and these tests cover days of
program time in seconds. It keeps RQ's contract that matters here — a job id enqueued twice
is one job — and can re-deliver jobs (a worker killed mid-job: RQ runs it again) or lose
them all (Redis restarted empty: the scheduler's pass re-queues what each open request was
waiting for, as ``jobs.reconciler`` does, deciding with ``usecases.unfinished``).
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ivr.model import Line, Urgency
from matching.calling import CallingHours, QuietHours
from matching.sla import Closures
from peerline import bootstrap
from storage.alerts import AlertStore
from storage.dispatch import DispatchStore
from storage.dispatch_models import ACTIVE_OFFER, Offer
from storage.models import DispatchState
from storage.recovery import RecoveryQueries
from storage.repository import Store
from storage.roster import RosterStore
from tests.fakes import RecordingCarrier
from usecases.caller_leg import CallBackPolicy, CallerLeg
from usecases.dispatch import DispatchConfig, Dispatcher
from usecases.escalation import Escalation, EscalationConfig
from usecases.lifecycle import Expiry, Lifecycle, LifecycleConfig
from usecases.risk_pages import PageReason
from usecases.supporter_leg import SupporterLeg
from usecases.unfinished import Owed, Unfinished
from usecases.withdrawal import Withdrawals

BOSTON = ZoneInfo("America/New_York")
GRACE = timedelta(hours=1)


@dataclass(order=True)
class _Job:
    due: datetime
    order: int
    job_id: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


class ManualJobs:
    """``usecases.ports.Jobs`` on the manual clock (see the module doc)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.queue: list[_Job] = []
        self.ids: set[str] = set()
        self.dropping = 0
        self.ran: list[_Job] = []
        self.order = itertools.count()
        self.world: World | None = None

    def _put(self, job_id: str, after: timedelta | None, run: Callable[[], None]) -> None:
        if job_id in self.ids:
            return  # unique=True: already queued
        if self.dropping > 0 and job_id.startswith("callback-"):
            self.dropping -= 1  # queued by a webhook, then lost with Redis before any worker
            return
        self.ids.add(job_id)
        due = self.now() + max(after or timedelta(0), timedelta(0))
        heapq.heappush(self.queue, _Job(due, next(self.order), job_id, run))

    def next_due(self) -> datetime | None:
        return self.queue[0].due if self.queue else None

    def run_due(self) -> None:
        while self.queue and self.queue[0].due <= self.now():
            job = heapq.heappop(self.queue)
            self.ids.discard(job.job_id)
            self.ran.append(job)
            job.run()

    def redeliver_last(self, count: int) -> None:
        """A worker killed after doing the work but before acking it: RQ runs it again."""
        for job in self.ran[-count:]:
            job.run()

    def lose_everything(self, and_next: int = 0) -> None:
        """Redis restarted without persistence: every queued and delayed job is gone, and
        so are the ``and_next`` call-back jobs queued next (``callback-…``: a supporter's 1
        or the caller's missed call queued one just before the restart)."""
        self.queue, self.ids, self.dropping = [], set(), and_next

    def delay_due(self, pause: timedelta) -> None:
        """The worker is down for ``pause``: jobs due meanwhile run when it is back."""
        back = self.now() + pause
        self.queue = [replace(j, due=max(j.due, back)) for j in self.queue]
        heapq.heapify(self.queue)

    # -- the port -------------------------------------------------------------------------
    @property
    def _w(self) -> World:
        assert self.world is not None
        return self.world

    def dispatch(
        self, request_id: str, urgency: Urgency, *, after: timedelta | None = None
    ) -> None:
        suffix = "" if after is None else f"-at{int((self.now() + after).timestamp())}"
        self._put(
            f"dispatch-{request_id}{suffix}", after, lambda: self._w.dispatcher.dispatch(request_id)
        )

    def connect_caller(self, request_id: str) -> None:
        self._put(f"connect-{request_id}", None, lambda: self._w.caller_leg.connect(request_id))

    def call_back(self, request_id: str, attempt: int, *, after: timedelta | None = None) -> None:
        self._put(
            f"callback-{request_id}-{attempt}",
            after,
            lambda: self._w.caller_leg.call_back(request_id),
        )

    def text_first(self, request_id: str, attempt: int) -> None:
        raise AssertionError("no text-first requests in this world")

    def callback_failed(self, request_id: str, offer_id: str = "") -> None:
        job_id = f"callback-failed-{request_id}-{offer_id or uuid.uuid4().hex[:8]}"
        self._put(job_id, None, lambda: self._w.caller_leg.callback_failed(request_id, offer_id))

    def end_call(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        self._put(f"end-{call_sid}", None, lambda: self._w.outbound.end_call(call_sid, said))

    def check_offer(self, offer_id: str, *, after: timedelta) -> None:
        self._put(f"check-{offer_id}", after, lambda: self._w.dispatcher.check_offer(offer_id))

    def escalate(self, request_id: str, level: int, *, after: timedelta | None = None) -> None:
        suffix = f"now{level}" if after is None else str(level)
        run = lambda: self._w.escalation.escalate(request_id, level)  # noqa: E731
        self._put(f"escalate-{request_id}-{suffix}", after, run)

    # Texts around a request (after-call care, confirmations, pages about texts, console
    # actions) don't change its lifecycle: not played here.
    def page_risk(self, sender_key: str, ticket: str, reason: PageReason) -> None: ...
    def confirm_request(self, request_id: str) -> None: ...
    def self_care(self, offer_id: str, supporter_id: str, long_call: bool) -> None: ...
    def page_debrief(self, supporter_id: str) -> None: ...
    def close_text(self, session_sid: str) -> None: ...
    def assign(self, request_id: str, supporter_id: str) -> None: ...
    def scheduling_text(self, request_id: str, day: str, window: str) -> None: ...


class World:
    """The use cases jobs and webhooks call, all on one manual clock."""

    def __init__(self, services: bootstrap.Services, start: datetime) -> None:
        self.time = start
        self.autoreply: Callable[[], None] | None = None
        self.carrier = RecordingCarrier()
        self.calls_at: list[tuple[datetime, dict[str, Any]]] = []
        engine, cipher = services.store.engine, services.store.cipher
        clock = self.now
        self.store = Store(engine, cipher, clock)
        self.offers = DispatchStore(engine, clock)
        self.roster = RosterStore(engine, cipher, clock)
        self.jobs = ManualJobs(clock)
        self.jobs.world = self
        self.outbound = bootstrap.outbound(services, self.carrier)
        self.calling = CallingHours(BOSTON, QuietHours())
        marks = _Marks()
        self.withdrawals = Withdrawals(self.store, self.offers, self.jobs, marks)
        self.escalation = Escalation(
            self.store,
            AlertStore(engine, clock),
            self.roster,
            self.outbound,
            self.jobs,
            EscalationConfig(zone=BOSTON, holidays=Closures()),
            clock,
        )
        config = LifecycleConfig(zone=BOSTON, holidays=Closures(), grace=GRACE)
        self.expiry = Expiry(
            self.store, self.withdrawals, self.outbound, self.escalation, config, clock
        )
        self.lifecycle = Lifecycle(self.store, self.withdrawals)
        policy = CallBackPolicy(ring_seconds=30, max_attempts=3, calling=self.calling)
        self.caller_leg = CallerLeg(
            self.store,
            self.offers,
            self.outbound,
            self.jobs,
            self.escalation,
            self.withdrawals,
            marks,
            policy,
            self.expiry,
            clock,
        )
        self.supporter_leg = SupporterLeg(
            self.store,
            self.offers,
            self.jobs,
            timedelta(minutes=45),
            timedelta(minutes=30),
            marks=marks,
        )
        self.unfinished = Unfinished(RecoveryQueries(engine), self.offers, clock)
        self.owed: set[tuple[str, Owed, str]] = set()  # what the last pass found owed
        self.dispatcher = Dispatcher(
            self.store,
            self.offers,
            self.roster,
            self.outbound,
            self.jobs,
            self.escalation,
            replace(DispatchConfig(), calling=self.calling),
            clock,
        )

    def now(self) -> datetime:
        return self.time

    def settle(self) -> None:
        """Run every job due now (and what they queue), noting when each call was placed;
        ``autoreply`` then answers for the people on the new calls, until nothing is new."""
        while True:
            self.jobs.run_due()
            new = self.carrier.calls[len(self.calls_at) :]
            for call in new:
                self.calls_at.append((self.time, call))
            if not new or self.autoreply is None:
                return
            self.autoreply()

    def scheduler_pass(self) -> None:
        """What ``peerline scheduler`` does each pass that concerns the lifecycle: offers
        nobody reported on, expiry, and the work Redis lost."""
        # The restart is over by the time the scheduler looks: the call-back jobs lost with
        # it were queued before this pass, and what this pass queues is kept.
        self.jobs.dropping = 0
        self.dispatcher.recover_stuck_offers()
        self.expiry.expire_overdue()
        self.reconcile()
        self.settle()

    def reconcile(self) -> None:
        """``jobs.reconciler.reconcile`` on this queue: a waiting request with no dispatch
        round live gets one; a connected call back gets the job it is owed."""
        for request in self.store.waiting_requests():
            if request.dispatch_state is DispatchState.HELD:
                continue
            mine, rounds = f"dispatch-{request.id}", f"dispatch-{request.id}-"
            if not any(j == mine or j.startswith(rounds) for j in self.jobs.ids):
                self.jobs.dispatch(request.id, request.urgency)
        debts = self.unfinished.call_backs(older_than=timedelta(0))
        self.owed = {(d.request.id, d.owed, d.offer_id) for d in debts}
        for debt in debts:
            rid, attempt = debt.request.id, debt.request.callback_attempts
            if debt.owed is Owed.CALLBACK_FAILED:
                self.jobs.callback_failed(rid, debt.offer_id)
            elif debt.owed is Owed.CALL_BACK:
                self.jobs.call_back(rid, attempt)
            else:
                self.jobs.text_first(rid, attempt)

    def advance(self, span: timedelta) -> None:
        """Let ``span`` pass: every job at its time, a scheduler pass at every stop."""
        end = self.time + span
        while True:
            self.settle()
            due = self.jobs.next_due()
            deadline = self._next_deadline()
            stop = min(t for t in (due, deadline, end) if t is not None)
            if stop > end:
                stop = end
            self.time = max(self.time, stop)
            self.settle()
            self.scheduler_pass()
            if self.time >= end:
                return

    def _next_deadline(self) -> datetime | None:
        later = [
            d
            for r in self.store.unanswered_requests()
            if (d := self.expiry.deadline(r)) > self.time
        ]
        return min(later, default=None)

    def active_offers_per_supporter(self) -> int:
        with self.store.engine.connect() as db:
            counts = db.execute(
                select(Offer.supporter_id, func.count())
                .where(Offer.status.in_(ACTIVE_OFFER))
                .group_by(Offer.supporter_id)
            ).all()
        return max((n for _s, n in counts), default=0)


class _Marks:
    def __init__(self) -> None:
        self.calls: set[str] = set()

    def mark(self, call_sid: str) -> None:
        self.calls.add(call_sid)

    def marked(self, call_sid: str) -> bool:
        return call_sid in self.calls


def start_of(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=BOSTON).astimezone(UTC)
