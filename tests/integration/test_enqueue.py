"""The one-round-trip enqueue (``jobs.unique_push``) on a real Redis: the same job RQ would
save, run by a real RQ worker, and never twice however many copies of a webhook race."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from ivr.model import Urgency
from jobs import tasks
from jobs.enqueue import DISPATCH_RETRY, FAILURE_TTL, dispatch_job_id, enqueue_dispatch
from jobs.queues import Queues
from jobs.unique_push import push_unique

# Set per job, so never equal between two saves.
_MOMENTS = {b"created_at", b"enqueued_at"}


@pytest.fixture
def queues(redis_conn: Redis) -> Iterator[Queues]:
    yield Queues(redis_conn)


def _job(queue: Queue, job_id: str) -> Job:
    return queue.create_job(
        tasks.dispatch,
        kwargs={"request_id": "r1"},
        job_id=job_id,
        retry=DISPATCH_RETRY,
        result_ttl=3600,
        failure_ttl=FAILURE_TTL,
        description="dispatch r1",
    )


def test_the_saved_job_is_the_one_rq_would_save(queues: Queues, redis_conn: Redis) -> None:
    queue = queues[Urgency.URGENT]
    assert push_unique(queue, _job(queue, "ours")) is None
    queue.enqueue_job(_job(queue, "theirs"), unique=True)  # RQ's own path
    ours, theirs = redis_conn.hgetall("rq:job:ours"), redis_conn.hgetall("rq:job:theirs")
    assert ours.keys() == theirs.keys()
    assert {k: v for k, v in ours.items() if k not in _MOMENTS} == {
        k: v for k, v in theirs.items() if k not in _MOMENTS
    }
    assert queue.job_ids == ["ours", "theirs"]
    assert queue.key.encode() in redis_conn.smembers(Queue.redis_queues_keys)
    job = Job.fetch("ours", connection=redis_conn, serializer=JSONSerializer)
    assert job.get_status() is JobStatus.QUEUED and job.origin == queue.name
    assert (job.retries_left, job.retry_intervals) == (5, [1, 5, 15, 60, 300])


def test_an_existing_id_is_answered_with_its_status_and_left_alone(
    queues: Queues, redis_conn: Redis
) -> None:
    queue = queues[Urgency.SOON]
    assert push_unique(queue, _job(queue, "j1")) is None
    before = redis_conn.hgetall("rq:job:j1")
    assert push_unique(queue, _job(queue, "j1")) is JobStatus.QUEUED
    assert redis_conn.hgetall("rq:job:j1") == before
    assert queue.job_ids == ["j1"]


def echo(word: str) -> str:
    return word


def test_a_real_worker_runs_the_job(queues: Queues, redis_conn: Redis) -> None:
    queue = queues[Urgency.ROUTINE]
    job = queue.create_job(echo, kwargs={"word": "ran"}, job_id="e1", retry=DISPATCH_RETRY)
    assert push_unique(queue, job) is None
    SimpleWorker([queue], connection=redis_conn, serializer=JSONSerializer).work(burst=True)
    ran = Job.fetch("e1", connection=redis_conn, serializer=JSONSerializer)
    assert ran.get_status() is JobStatus.FINISHED
    assert ran.return_value() == "ran"
    assert queue.job_ids == []


def test_a_thousand_copies_at_once_queue_one_job(queues: Queues, redis_conn: Redis) -> None:
    """B10: one webhook delivered 1,000 times at once."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: enqueue_dispatch(queues, "r1", "urgent"), range(1000)))
    assert answers.count(True) == 1
    assert queues[Urgency.URGENT].job_ids == [dispatch_job_id("r1")]


def test_a_finished_round_is_replaced_once_however_many_copies_race(
    queues: Queues, redis_conn: Redis
) -> None:
    assert enqueue_dispatch(queues, "r1", "urgent")
    queue = queues[Urgency.URGENT]
    job = Job.fetch(dispatch_job_id("r1"), connection=redis_conn, serializer=JSONSerializer)
    queue.remove(job)
    job.set_status(JobStatus.FINISHED)
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: enqueue_dispatch(queues, "r1", "urgent"), range(200)))
    assert answers.count(True) == 1
    assert queue.job_ids == [dispatch_job_id("r1")]
    fresh = Job.fetch(dispatch_job_id("r1"), connection=redis_conn, serializer=JSONSerializer)
    assert fresh.get_status() is JobStatus.QUEUED
