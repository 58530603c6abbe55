"""Putting work on the queues. Job ids derive from request ids, so re-delivery is harmless."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from redis.exceptions import WatchError
from rq import Retry
from rq.exceptions import DuplicateJobError, InvalidJobOperation
from rq.job import Job, JobStatus

from ivr.model import Line, Urgency
from jobs import tasks
from jobs.queues import LIVE, Queues
from jobs.unique_push import push_unique
from usecases.risk_pages import PageReason

logger = logging.getLogger(__name__)

DISPATCH_RETRY = Retry(max=5, interval=[1, 5, 15, 60, 300])
TASK_RETRY = Retry(max=4, interval=[1, 3, 10, 30])
# A failed job (its traceback, redacted by jobs.worker) is kept for a day: long enough for
# someone to look the next morning, not a week of text about callers in Redis.
FAILURE_TTL = 86400
_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def dispatch_job_id(request_id: str) -> str:
    return f"dispatch-{request_id}"


def enqueue_dispatch(queues: Queues, request_id: str, urgency: Urgency) -> bool:
    """Queue ``dispatch(request_id)``; False when an identical job is already live.

    One Redis round trip (``unique_push``) whatever the answer, except when a finished or
    failed job is to be replaced. A round that is running right now may be past its choice:
    a supporter who passed at once, or a busy line, asks for the next round before the
    running one has finished. That request gets a round of its own after it, or it would be
    lost (the reconciler re-queues a waiting request only when no round of it is live).

    Raises redis errors: the caller decides what an unreachable Redis means.
    """
    job_id = dispatch_job_id(request_id)
    queue = queues[urgency]
    for attempt in range(2):
        job = queue.create_job(
            tasks.dispatch,
            kwargs={"request_id": request_id},
            job_id=job_id,
            retry=DISPATCH_RETRY,
            result_ttl=3600,
            failure_ttl=FAILURE_TTL,
            description=f"dispatch {request_id}",
        )
        status = push_unique(queue, job)
        if status is None:
            logger.info("dispatch queued request=%s urgency=%s", request_id, urgency)
            return True
        if status is JobStatus.STARTED:
            next_round = f"{job_id}-next{int(time.time() * 1000)}"
            enqueue_task(queues, urgency, tasks.dispatch, next_round, request_id=request_id)
            logger.info("dispatch round queued after the running one request=%s", request_id)
            return True
        if status in _LIVE or attempt:
            return False
        _delete_ended(queues, job_id)  # finished or failed: a new round replaces it
    return False


def _delete_ended(queues: Queues, job_id: str) -> None:
    """Delete the ended job under ``job_id`` with RQ's own delete (its registries too).

    Copies of one webhook race here: the job is watched, so a copy that already replaced
    it with a queued job keeps that job (this delete is dropped, and the next push finds
    the new job live).
    """
    key = Job.key_for(job_id)
    with queues.connection.pipeline() as pipe:
        try:
            pipe.watch(key)  # type: ignore[no-untyped-call]
            saved = pipe.hgetall(key)
            if not saved:
                return
            old = Job(job_id, connection=queues.connection, serializer=queues[LIVE].serializer)
            old.restore(saved)
            if old.get_status(refresh=False) in _LIVE | {JobStatus.STARTED}:
                return
            pipe.multi()
            old.delete(pipeline=pipe)
            pipe.execute()
        except (WatchError, InvalidJobOperation):  # changed or gone meanwhile: theirs now
            return


def callback_job_id(request_id: str, attempt: int) -> str:
    return f"callback-{request_id}-{attempt}"


def textfirst_job_id(request_id: str, attempt: int) -> str:
    return f"textfirst-{request_id}-{attempt}"


def callback_failed_job_id(request_id: str, offer_id: str) -> str:
    return f"callback-failed-{request_id}-{offer_id}"


def enqueue_task(
    queues: Queues,
    queue_name: str,
    func: Callable[..., None],
    job_id: str,
    delay: timedelta | None = None,
    **kwargs: str,
) -> None:
    """Queue a follow-up job (connect, call back, cancel, check); duplicates are ignored."""
    queue = queues[queue_name]
    options: dict[str, Any] = {
        "job_id": job_id,
        "retry": TASK_RETRY,
        "result_ttl": 600,
        "failure_ttl": FAILURE_TTL,
    }
    if delay is None or delay <= timedelta(0):
        if push_unique(queue, queue.create_job(func, kwargs=kwargs, **options)) is not None:
            logger.info("job %s already queued", job_id)
        return
    try:
        queue.enqueue_in(delay, func, unique=True, **options, **kwargs)
    except DuplicateJobError:
        logger.info("job %s already queued", job_id)


class RqJobs:
    """``usecases.ports.Jobs`` on RQ: which queue, which job id, which retry schedule.

    Job ids derive from request, offer and call ids, so a re-delivered webhook or a
    re-run job enqueues nothing new.
    """

    def __init__(self, queues: Queues) -> None:
        self.queues = queues

    def dispatch(
        self, request_id: str, urgency: Urgency, *, after: timedelta | None = None
    ) -> None:
        if after is None:
            enqueue_dispatch(self.queues, request_id, urgency)
            return
        at = int(time.time() + after.total_seconds())  # one retry round per second at most
        self._task(
            urgency, tasks.dispatch, f"dispatch-{request_id}-at{at}", after, request_id=request_id
        )

    def connect_caller(self, request_id: str) -> None:
        self._task(LIVE, tasks.connect_caller, f"connect-{request_id}", None, request_id=request_id)

    def call_back(self, request_id: str, attempt: int, *, after: timedelta | None = None) -> None:
        job_id = callback_job_id(request_id, attempt)
        # An ended run is replaced: a supporter who left first leaves the attempt as it
        # was, and the next supporter's call back must run (the send log keeps it one call).
        _delete_ended(self.queues, job_id)
        self._task(LIVE, tasks.call_back, job_id, after, request_id=request_id)

    def text_first(self, request_id: str, attempt: int) -> None:
        job_id = textfirst_job_id(request_id, attempt)
        _delete_ended(self.queues, job_id)  # as for a call back
        self._task(LIVE, tasks.text_first, job_id, None, request_id=request_id)

    def confirm_request(self, request_id: str) -> None:
        job_id = f"confirm-{request_id}"
        self._task(LIVE, tasks.confirm_request, job_id, None, request_id=request_id)

    def callback_failed(self, request_id: str, offer_id: str = "") -> None:
        job_id = callback_failed_job_id(request_id, offer_id or uuid.uuid4().hex[:8])
        self._task(
            LIVE, tasks.callback_failed, job_id, None, request_id=request_id, offer_id=offer_id
        )

    def end_call(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        words = tasks.encode_said(said)
        self._task(LIVE, tasks.end_call, f"end-{call_sid}", None, call_sid=call_sid, said=words)

    def check_offer(self, offer_id: str, *, after: timedelta) -> None:
        self._task(LIVE, tasks.check_offer, f"check-{offer_id}", after, offer_id=offer_id)

    def escalate(self, request_id: str, level: int, *, after: timedelta | None = None) -> None:
        # The immediate page (nobody on shift) must not collide with the SLA timer's job id.
        suffix = f"now{level}" if after is None else str(level)
        job_id = f"escalate-{request_id}-{suffix}"
        self._task(
            Urgency.URGENT, tasks.escalate, job_id, after, request_id=request_id, level=str(level)
        )

    def page_risk(
        self, sender_key: str, ticket: str, reason: PageReason, *, message_sid: str = ""
    ) -> None:
        # Copies of one text (Twilio re-delivering it at once) queue one page.
        job_id = f"risk-{message_sid}" if message_sid else f"risk-{ticket}-{uuid.uuid4().hex[:8]}"
        self._task(
            Urgency.URGENT,
            tasks.page_risk,
            job_id,
            None,
            sender_key=sender_key,
            ticket=ticket,
            reason=reason.value,
            send_key=job_id,
        )

    def page_group(self, coordinator_id: str, *, after: timedelta) -> None:
        seconds = max(1, int(after.total_seconds()))
        window = int(time.time() + seconds) // seconds  # one job per coordinator per interval
        job_id = f"pagegroup-{coordinator_id}-{window}"
        self._task(Urgency.URGENT, tasks.page_group, job_id, after, coordinator_id=coordinator_id)

    def close_text(self, session_sid: str) -> None:
        job_id = f"close-{session_sid}"
        self._task(Urgency.ROUTINE, tasks.close_text, job_id, None, session_sid=session_sid)

    def assign(self, request_id: str, supporter_id: str) -> None:
        job_id = f"assign-{request_id}-{supporter_id}-{uuid.uuid4().hex[:8]}"
        self._task(
            LIVE, tasks.assign, job_id, None, request_id=request_id, supporter_id=supporter_id
        )

    def scheduling_text(self, request_id: str, day: str, window: str) -> None:
        job_id = f"schedtext-{request_id}-{uuid.uuid4().hex[:8]}"
        self._task(
            Urgency.SOON,
            tasks.scheduling_text,
            job_id,
            None,
            request_id=request_id,
            day=day,
            window=window,
            send_key=job_id,
        )

    def self_care(self, offer_id: str, supporter_id: str, long_call: bool) -> None:
        self._task(
            Urgency.SOON,
            tasks.self_care,
            f"selfcare-{offer_id}",
            None,
            offer_id=offer_id,
            supporter_id=supporter_id,
            long_call="1" if long_call else "",
        )

    def page_debrief(self, supporter_id: str, *, during_call: bool = False) -> None:
        job_id = f"debrief-{supporter_id}-{uuid.uuid4().hex[:8]}"
        queue = LIVE if during_call else Urgency.SOON
        during = "1" if during_call else ""
        self._task(
            queue, tasks.page_debrief, job_id, None, supporter_id=supporter_id, during_call=during
        )

    def crisis_conference(self, request_id: str) -> None:
        job_id = f"crisis-conference-{request_id}"
        self._task(LIVE, tasks.crisis_conference, job_id, None, request_id=request_id)

    def _task(
        self,
        queue: str,
        func: Callable[..., None],
        job_id: str,
        after: timedelta | None,
        **kwargs: str,
    ) -> None:
        enqueue_task(self.queues, queue, func, job_id, delay=after, **kwargs)
