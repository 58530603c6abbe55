"""Putting work on the queues. Job ids derive from request ids, so re-delivery is harmless."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from rq import Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus

from jobs import tasks
from jobs.queues import Queues

logger = logging.getLogger(__name__)

DISPATCH_RETRY = Retry(max=5, interval=[1, 5, 15, 60, 300])
TASK_RETRY = Retry(max=4, interval=[1, 3, 10, 30])
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


def enqueue_task(
    queues: Queues,
    urgency: str,
    func: Callable[..., None],
    job_id: str,
    delay: timedelta | None = None,
    **kwargs: str,
) -> None:
    """Queue a follow-up job (connect, call back, cancel, check); duplicates are ignored."""
    queue = queues[urgency]
    try:
        if delay is None or delay <= timedelta(0):
            queue.enqueue_call(
                func,
                kwargs=kwargs,
                job_id=job_id,
                retry=TASK_RETRY,
                unique=True,
                result_ttl=600,
                failure_ttl=7 * 86400,
            )
        else:
            queue.enqueue_in(
                delay,
                func,
                job_id=job_id,
                retry=TASK_RETRY,
                unique=True,
                result_ttl=600,
                failure_ttl=7 * 86400,
                **kwargs,
            )
    except DuplicateJobError:
        logger.info("job %s already queued", job_id)


class JobSink:
    """What webhooks and jobs ask the queue to do next, by id."""

    def __init__(self, queues: Queues) -> None:
        self.queues = queues

    def dispatch(
        self, request_id: str, urgency: str, delay: timedelta | None = None, round_: int = 0
    ) -> None:
        if delay is None and round_ == 0:
            enqueue_dispatch(self.queues, request_id, urgency)
            return
        enqueue_task(
            self.queues,
            urgency,
            tasks.dispatch,
            f"dispatch-{request_id}-r{round_}",
            delay=delay,
            request_id=request_id,
        )

    def connect_caller(self, request_id: str) -> None:
        enqueue_task(
            self.queues,
            "urgent",
            tasks.connect_caller,
            f"connect-{request_id}",
            request_id=request_id,
        )

    def call_back(self, request_id: str, attempt: int, delay: timedelta | None = None) -> None:
        enqueue_task(
            self.queues,
            "urgent",
            tasks.call_back,
            f"callback-{request_id}-{attempt}",
            delay=delay,
            request_id=request_id,
        )

    def text_first(self, request_id: str, attempt: int) -> None:
        enqueue_task(
            self.queues,
            "urgent",
            tasks.text_first,
            f"textfirst-{request_id}-{attempt}",
            request_id=request_id,
        )

    def callback_failed(self, request_id: str, offer_id: str = "") -> None:
        enqueue_task(
            self.queues,
            "urgent",
            tasks.callback_failed,
            f"callback-failed-{request_id}-{uuid.uuid4().hex[:8]}",
            request_id=request_id,
            offer_id=offer_id,
        )

    def cancel_leg(self, call_sid: str, say: str = "") -> None:
        enqueue_task(
            self.queues, "urgent", tasks.end_leg, f"end-{call_sid}", call_sid=call_sid, say=say
        )

    def check_offer(self, offer_id: str, delay: timedelta) -> None:
        enqueue_task(
            self.queues,
            "urgent",
            tasks.check_offer,
            f"check-{offer_id}",
            delay=delay,
            offer_id=offer_id,
        )

    def escalate(
        self, request_id: str, level: int, delay: timedelta | None = None, now: bool = False
    ) -> None:
        # The immediate page (nobody on shift) must not collide with the SLA timer's job id.
        suffix = f"now{level}" if now else str(level)
        enqueue_task(
            self.queues,
            "urgent",
            tasks.escalate,
            f"escalate-{request_id}-{suffix}",
            delay=delay,
            request_id=request_id,
            level=str(level),
        )

    def page_risk(self, sender_key: str, ticket: str) -> None:
        enqueue_task(
            self.queues,
            "urgent",
            tasks.page_risk,
            f"risk-{ticket}-{uuid.uuid4().hex[:8]}",
            sender_key=sender_key,
            ticket=ticket,
        )

    def close_text(self, session_sid: str) -> None:
        enqueue_task(
            self.queues,
            "routine",
            tasks.close_text,
            f"close-{session_sid}",
            session_sid=session_sid,
        )
