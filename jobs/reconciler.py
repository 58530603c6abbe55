"""The outbox drain: the database says a request is waiting; make sure Redis has its job.

Runs every few seconds from the scheduler loop. Safe to run anywhere, any number of
times: enqueueing is keyed by request id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError
from rq.job import JobStatus

from ivr.model import Urgency
from jobs.enqueue import dispatch_job_status, enqueue_dispatch
from jobs.queues import Queues
from jobs.recovery import enqueue_overdue, recover_abandoned
from storage.models import DispatchState
from storage.repository import Store
from usecases.ports import Jobs

logger = logging.getLogger(__name__)

GRACE = timedelta(seconds=5)  # leave a webhook's own enqueue time to land


@dataclass
class Reconciled:
    enqueued: int = 0
    checked: int = 0
    abandoned_jobs: int = 0
    overdue_jobs: int = 0
    stuck_offers: int = 0


def reconcile(
    store: Store,
    queues: Queues,
    grace: timedelta = GRACE,
    stuck_offers: Callable[[], int] | None = None,
) -> Reconciled:
    """Re-enqueue waiting requests whose job was never queued, was lost, or failed; re-run
    jobs whose worker died; close offers nobody reported back on (``stuck_offers``, the
    dispatcher's ``recover_stuck_offers``)."""
    result = Reconciled()
    try:
        result.abandoned_jobs = recover_abandoned(queues)
        result.overdue_jobs = enqueue_overdue(queues)
    except RedisError:
        logger.warning("reconciler: Redis unreachable")
    if stuck_offers is not None:
        try:
            result.stuck_offers = stuck_offers()
        except RedisError:
            logger.warning("reconciler: Redis unreachable; stuck offers wait")
    for request in store.awaiting_dispatch(older_than=grace):
        result.checked += 1
        if _enqueue(store, queues, request.id, request.urgency):
            result.enqueued += 1
    for request in store.waiting_requests():
        if request.dispatch_state != DispatchState.QUEUED:
            continue
        result.checked += 1
        if request.updated_at > store.clock() - grace:
            continue
        try:
            status = dispatch_job_status(queues, request.id)
        except RedisError:
            logger.warning("reconciler: Redis unreachable")
            break
        # Lost (Redis restarted, flushed, failed over) or failed for good: dispatch again.
        # A finished job means dispatch itself decided what happens next.
        if status in (None, JobStatus.FAILED) and _enqueue(
            store, queues, request.id, request.urgency
        ):
            result.enqueued += 1
            logger.warning("reconciler: request=%s had no live job; re-queued", request.id)
    return result


def _enqueue(store: Store, queues: Queues, request_id: str, urgency: Urgency) -> bool:
    try:
        enqueue_dispatch(queues, request_id, urgency)
    except RedisError:
        logger.warning("reconciler: Redis unreachable; request=%s stays pending", request_id)
        return False
    store.mark_queued(request_id)
    return True


def close_idle_texts(store: Store, jobs: Jobs, idle: timedelta) -> int:
    """Text conversations quiet for ``idle``: queue their kind closing message."""
    sids = store.idle_sessions("sms", store.clock() - idle)
    for sid in sids:
        jobs.close_text(sid)
    return len(sids)
