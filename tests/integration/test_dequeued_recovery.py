"""A worker killed between taking a job off its queue and registering it as started leaves
the job in RQ's intermediate list only, its hash still "queued": nothing would queue it
again (the scale-out test lost 1 request in 100 this way). ``recover_dequeued`` puts it
back after ``STALE_AFTER`` seconds; a job a live worker has started is never touched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from ivr.model import Urgency
from jobs import tasks
from jobs.enqueue import dispatch_job_id, enqueue_dispatch
from jobs.queues import Queues
from jobs.reconciler import reconcile
from jobs.recovery import STALE_AFTER, recover_dequeued
from jobs.unique_push import push_unique
from storage.repository import Store
from tests.request_support import waiting_request

pytestmark = pytest.mark.integration
T0 = 1_800_000_000.0


@pytest.fixture
def queues(redis_conn: Redis) -> Iterator[Queues]:
    yield Queues(redis_conn)


def taken_by_a_worker_that_died(queues: Queues, job_id: str) -> None:
    """What ``Queue.dequeue_any`` does (LMOVE to the intermediate list), then SIGKILL."""
    queue = queues[Urgency.URGENT]
    job = queue.create_job(tasks.confirm_request, kwargs={"request_id": "r1"}, job_id=job_id)
    assert push_unique(queue, job) is None
    redis = queues.connection
    assert redis.lmove(queue.key, queue.intermediate_queue_key) == job_id.encode()


def test_a_job_taken_but_never_started_goes_back_on_its_queue(queues: Queues) -> None:
    taken_by_a_worker_that_died(queues, "lost")
    queue = queues[Urgency.URGENT]
    assert queue.job_ids == []
    assert recover_dequeued(queues, clock=T0) == 0  # first seen: a worker may be starting it
    assert recover_dequeued(queues, clock=T0 + STALE_AFTER - 1) == 0
    assert recover_dequeued(queues, clock=T0 + STALE_AFTER) == 1
    assert queue.job_ids == ["lost"]
    assert queues.connection.lrange(queue.intermediate_queue_key, 0, -1) == []
    assert recover_dequeued(queues, clock=T0 + 60) == 0, "put back once"
    SimpleWorker([queue], connection=queues.connection, serializer=JSONSerializer).work(burst=True)
    job = Job.fetch("lost", connection=queues.connection, serializer=JSONSerializer)
    assert job.get_status() is not JobStatus.QUEUED, "a worker ran it"


def test_a_job_a_live_worker_started_is_left_alone(queues: Queues) -> None:
    taken_by_a_worker_that_died(queues, "running")
    queue = queues[Urgency.URGENT]
    # What a worker's prepare_job_execution writes: an execution of the job, by score expiry.
    queues.connection.zadd(queue.started_job_registry.key, {"running:exec1": T0 + 60})
    for clock in (T0, T0 + 60):
        assert recover_dequeued(queues, clock=clock) == 0
    assert queue.job_ids == []


def test_a_waiting_requests_job_on_no_list_is_queued_again(
    queues: Queues, store: Store, redis_conn: Redis
) -> None:
    # However it came to be (here: taken, then dropped from the taken list), a job whose
    # hash says "queued" on no queue, taken list or registry would never run.
    rid = waiting_request(store, contact_mode="hold")
    assert enqueue_dispatch(queues, rid, Urgency.URGENT)
    store.mark_queued(rid)
    queue = queues[Urgency.URGENT]
    redis_conn.lmove(queue.key, queue.intermediate_queue_key)
    redis_conn.delete(queue.intermediate_queue_key)
    assert queue.job_ids == []
    result = reconcile(store, queues, grace=timedelta(0))
    assert result.enqueued == 1
    assert queue.job_ids == [dispatch_job_id(rid)]
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 0, "queued once"


def test_a_job_a_worker_is_taking_is_not_taken_for_lost(
    queues: Queues, store: Store, redis_conn: Redis
) -> None:
    rid = waiting_request(store, contact_mode="hold")
    assert enqueue_dispatch(queues, rid, Urgency.URGENT)
    store.mark_queued(rid)
    queue = queues[Urgency.URGENT]
    redis_conn.lmove(queue.key, queue.intermediate_queue_key)  # a live worker mid-dequeue
    assert reconcile(store, queues, grace=timedelta(0)).enqueued == 0
    assert queue.job_ids == []
