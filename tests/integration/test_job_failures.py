"""A failed job's exception text is kept by RQ in Redis: no phone number in it, and for a
day, not a week (the probe found a caller's number in ``rq:results:…`` for 7 days)."""

from __future__ import annotations

import pytest
from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer

from jobs.enqueue import FAILURE_TTL, enqueue_task
from jobs.queues import LIVE, Queues
from jobs.worker import PeerlineWorker
from tests.support.failing_jobs import fail_naming_a_number

pytestmark = pytest.mark.integration


def test_a_failed_jobs_stored_traceback_names_no_number(redis_conn: Redis) -> None:
    queues = Queues(redis_conn)
    enqueue_task(queues, LIVE, fail_naming_a_number, "fails-1", request_id="r" * 32)
    queued = Job.fetch("fails-1", connection=redis_conn, serializer=JSONSerializer)
    queued.retries_left = 0  # its last try: RQ keeps the text of a final failure
    queued.save()
    worker = PeerlineWorker(queues.all(), connection=redis_conn, serializer=JSONSerializer)
    worker.work(burst=True)
    job = Job.fetch("fails-1", connection=redis_conn, serializer=JSONSerializer)
    result = job.latest_result()
    assert result is not None and result.exc_string is not None
    assert "RuntimeError" in result.exc_string and "r" * 32 in result.exc_string
    assert "14:21:54" in result.exc_string  # a time is not a number to hide
    # What RQ keeps (compressed in Redis), as RQ reads it back.
    text = result.exc_string
    assert "6175551234" not in text and "555-1234" not in text
    assert "to [number] failed; tried [number] at" in text
    assert job.failure_ttl == FAILURE_TTL == 86400
