"""The queue layer on a real Redis: enqueue, worker, reconciler."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from ivr.messages import Msg
from ivr.model import Language, Line, Urgency
from jobs import context, tasks
from jobs.enqueue import RqJobs, dispatch_job_id, enqueue_dispatch
from jobs.queues import URGENCIES, Queues
from jobs.reconciler import reconcile
from storage.models import RequestStatus
from storage.repository import Store
from tests.conftest import lose_everything
from tests.request_support import waiting_request
from usecases.risk_pages import PageReason


class RecordingDispatcher:
    def __init__(self, store: Store) -> None:
        self.store = store

    def dispatch(self, request_id: str) -> None:
        request = self.store.get_request(request_id)
        if request is not None and request.status == RequestStatus.WAITING:
            self.store.add_event("dispatch.run", request_id=request_id, urgency=request.urgency)


class Deps:
    def __init__(self, store: Store) -> None:
        self.dispatcher = RecordingDispatcher(store)
        self.escalation = None


@pytest.fixture
def queues(redis_conn: Redis, store: Store) -> Iterator[Queues]:
    context.install(lambda: Deps(store))
    yield Queues(redis_conn)


def work(queues: Queues) -> None:
    SimpleWorker(queues.all(), connection=queues.connection, serializer=JSONSerializer).work(
        burst=True
    )


def test_queues_are_live_then_per_urgency_with_json_serializer(queues: Queues) -> None:
    assert [q.name for q in queues.all()] == ["live", *URGENCIES]
    assert all(
        q.serializer is JSONSerializer or q.serializer == JSONSerializer for q in queues.all()
    )


def test_enqueue_then_worker_runs_dispatch(queues: Queues, store: Store) -> None:
    rid = waiting_request(store, urgency="routine")
    assert enqueue_dispatch(queues, rid, "routine")
    assert queues["routine"].get_job_ids() == [dispatch_job_id(rid)]
    job = Job.fetch(dispatch_job_id(rid), connection=queues.connection, serializer=JSONSerializer)
    assert job.kwargs == {"request_id": rid}
    work(queues)
    assert ("dispatch.run", {"urgency": "routine"}) in store.events(rid)


def test_enqueue_twice_is_one_job(queues: Queues, store: Store) -> None:
    rid = waiting_request(store)
    assert enqueue_dispatch(queues, rid, "urgent")
    assert not enqueue_dispatch(queues, rid, "urgent")
    assert len(queues["urgent"]) == 1


def test_reconciler_queues_what_the_webhook_could_not(queues: Queues, store: Store) -> None:
    rid = waiting_request(store)
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 1
    assert queues["urgent"].get_job_ids() == [dispatch_job_id(rid)]
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 0, "nothing twice"


def test_reconciler_requeues_a_job_redis_lost(queues: Queues, store: Store) -> None:
    rid = waiting_request(store)
    enqueue_dispatch(queues, rid, "urgent")
    store.mark_queued(rid)
    lose_everything(queues.connection)  # a Redis restart without persistence
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 1
    work(queues)
    assert any(kind == "dispatch.run" for kind, _ in store.events(rid))


def test_reconciler_leaves_a_finished_dispatch_with_its_next_round_alone(
    queues: Queues, store: Store
) -> None:
    rid = waiting_request(store)
    enqueue_dispatch(queues, rid, "urgent")
    store.mark_queued(rid)
    work(queues)
    RqJobs(queues).dispatch(rid, Urgency.URGENT, after=timedelta(hours=4))  # e.g. its window
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 0


def test_reconciler_requeues_a_finished_dispatch_whose_next_round_redis_lost(
    queues: Queues, store: Store
) -> None:
    """Every decision dispatch makes that leaves a request waiting queues a next round
    (its window, the next try): a waiting request with none has lost it."""
    rid = waiting_request(store)
    enqueue_dispatch(queues, rid, "urgent")
    store.mark_queued(rid)
    work(queues)
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 1
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 0, "nothing twice"


def test_reconciler_respects_the_grace_period(queues: Queues, store: Store) -> None:
    waiting_request(store)
    assert reconcile(store, queues, grace=timedelta(minutes=1)).enqueued == 0


def test_delayed_jobs_nobody_scheduled_are_enqueued_once_overdue(
    queues: Queues, store: Store
) -> None:
    from datetime import UTC, datetime

    from jobs import tasks
    from jobs.recovery import enqueue_overdue

    rid = waiting_request(store)
    queue = queues["urgent"]
    queue.enqueue_at(
        datetime.now(UTC) - timedelta(seconds=5), tasks.dispatch, request_id=rid, job_id="late-5s"
    )
    queue.enqueue_at(
        datetime.now(UTC) - timedelta(seconds=60), tasks.dispatch, request_id=rid, job_id="late-60s"
    )
    assert enqueue_overdue(queues) == 1  # 5 s late is RQ's scheduler's business still
    assert queue.get_job_ids() == ["late-60s"]
    assert enqueue_overdue(queues) == 0, "never twice"


def test_each_job_goes_to_the_queue_its_kind_needs(queues: Queues, store: Store) -> None:
    """Work on a call in progress runs first (a person is on the line); dispatch follows
    the request's urgency; a risk page is urgent; closing an idle text is routine."""
    jobs = RqJobs(queues)
    rid = waiting_request(store, urgency="routine")
    jobs.dispatch(rid, Urgency.ROUTINE)
    jobs.connect_caller(rid)
    jobs.call_back(rid, 0)
    jobs.end_call("CA" + "1" * 32, (Line(Msg.CALLER_LEFT, Language.EN),))
    jobs.page_risk("k" * 32, "K7Q2", PageReason.CRISIS_KEY)
    jobs.close_text("SM1")
    assert queues["routine"].get_job_ids() == [dispatch_job_id(rid), "close-SM1"]
    assert queues["live"].get_job_ids() == [
        f"connect-{rid}",
        f"callback-{rid}-0",
        "end-CA" + "1" * 32,
    ]
    [risk] = queues["urgent"].get_job_ids()
    assert risk.startswith("risk-K7Q2-")
    end = Job.fetch("end-CA" + "1" * 32, connection=queues.connection, serializer=JSONSerializer)
    assert tasks.decode_said(end.kwargs["said"]) == (Line(Msg.CALLER_LEFT, Language.EN),)


def test_a_round_asked_for_while_dispatch_runs_gets_its_own_round(queues: Queues) -> None:
    """A supporter who passes at once (or a busy line) asks for the next round while the
    round that rang them is still finishing: that ask must not be lost."""
    assert enqueue_dispatch(queues, "r1", Urgency.URGENT)
    assert not enqueue_dispatch(queues, "r1", Urgency.URGENT)  # queued: one job is enough
    job = Job.fetch(dispatch_job_id("r1"), connection=queues.connection, serializer=JSONSerializer)
    job.set_status(JobStatus.STARTED)
    assert enqueue_dispatch(queues, "r1", Urgency.URGENT)
    waiting = queues[Urgency.URGENT].job_ids
    assert len(waiting) == 2 and waiting[1].startswith(dispatch_job_id("r1") + "-next")
    follow_up = Job.fetch(waiting[1], connection=queues.connection, serializer=JSONSerializer)
    assert follow_up.kwargs == {"request_id": "r1"}
