"""Putting work on the queues. Job ids derive from request ids, so re-delivery is harmless."""

from __future__ import annotations

import logging

from rq import Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus

from jobs import tasks
from jobs.queues import Queues

logger = logging.getLogger(__name__)

DISPATCH_RETRY = Retry(max=5, interval=[1, 5, 15, 60, 300])
_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def dispatch_job_id(request_id: str) -> str:
    return f"dispatch-{request_id}"


def enqueue_dispatch(queues: Queues, request_id: str, urgency: str) -> bool:
    """Queue ``dispatch(request_id)``; False when an identical job is already live.

    Raises redis errors: the caller decides what an unreachable Redis means.
    """
    job_id = dispatch_job_id(request_id)
    existing = Job.fetch_many(
        [job_id], connection=queues.connection, serializer=queues[urgency].serializer
    )[0]
    if existing is not None:
        if existing.get_status(refresh=False) in _LIVE:
            return False
        existing.delete()  # finished or failed: a new dispatch round replaces it
    try:
        queues[urgency].enqueue_call(
            tasks.dispatch,
            kwargs={"request_id": request_id},
            job_id=job_id,
            retry=DISPATCH_RETRY,
            unique=True,
            result_ttl=3600,
            failure_ttl=7 * 86400,
            description=f"dispatch {request_id}",
        )
    except DuplicateJobError:
        return False
    logger.info("dispatch queued request=%s urgency=%s", request_id, urgency)
    return True


def dispatch_job_status(queues: Queues, request_id: str) -> JobStatus | None:
    """The status of the request's dispatch job, or None when Redis has no such job."""
    job = Job.fetch_many(
        [dispatch_job_id(request_id)],
        connection=queues.connection,
        serializer=queues["soon"].serializer,
    )[0]
    return None if job is None else job.get_status(refresh=False)
