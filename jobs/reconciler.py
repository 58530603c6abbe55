"""The outbox drain: the database says a request is waiting; make sure Redis has its job.

Runs every few seconds from the scheduler loop. Safe to run anywhere, any number of
times: enqueueing is keyed by request id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError
from rq.job import JobStatus

from jobs.enqueue import JobSink, dispatch_job_status, enqueue_dispatch
from jobs.queues import Queues
from jobs.recovery import enqueue_overdue, recover_abandoned
from storage.dispatch import DispatchStore
from storage.dispatch_models import OfferStatus
from storage.models import DispatchState
from storage.repository import Store

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
    store: Store, queues: Queues, grace: timedelta = GRACE, offers: DispatchStore | None = None
) -> Reconciled:
    """Re-enqueue waiting requests whose job was never queued, was lost, or failed; re-run
    jobs whose worker died; close offers nobody reported back on."""
    result = Reconciled()
    try:
        result.abandoned_jobs = recover_abandoned(queues)
        result.overdue_jobs = enqueue_overdue(queues)
    except RedisError:
        logger.warning("reconciler: Redis unreachable")
    if offers is not None:
        result.stuck_offers = recover_offers(store, offers, JobSink(queues))
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


def _enqueue(store: Store, queues: Queues, request_id: str, urgency: str) -> bool:
    try:
        enqueue_dispatch(queues, request_id, urgency)
    except RedisError:
        logger.warning("reconciler: Redis unreachable; request=%s stays pending", request_id)
        return False
    store.mark_queued(request_id)
    return True


def recover_offers(store: Store, offers: DispatchStore, sink: JobSink) -> int:
    """Offers still ringing past their time (a status callback lost, a worker killed between
    claim and call): close them, free the supporter, dispatch the request again."""
    closed = 0
    for offer in offers.stuck_offers():
        if not offers.end_offer(offer.id, OfferStatus.TIMED_OUT, reason="stuck"):
            continue
        closed += 1
        logger.warning(
            "reconciler: offer=%s was stuck; request=%s re-dispatched", offer.id, offer.request_id
        )
        request = store.get_request(offer.request_id)
        try:
            if offer.call_sid:
                sink.cancel_leg(offer.call_sid)
            if request is not None:
                sink.dispatch(
                    request.id,
                    request.urgency,
                    delay=timedelta(0),
                    round_=int(store.clock().timestamp()),
                )
        except RedisError:
            logger.warning("reconciler: Redis unreachable; request=%s waits", offer.request_id)
    return closed


def close_idle_texts(store: Store, sink: JobSink, idle: timedelta) -> int:
    """Text conversations quiet for ``idle``: queue their kind closing message."""
    sids = store.idle_sessions("sms", store.clock() - idle)
    for sid in sids:
        sink.close_text(sid)
    return len(sids)
