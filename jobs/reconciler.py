"""The outbox drain: the database says what each open request is waiting for; make sure
Redis has the job that will do it.

A waiting request needs a dispatch round: queued, or delayed (the caller's window, the
next try when nobody was free). A call back a supporter took needs its call back, its
text-first text, or, when the caller did not take it, ``callback_failed`` — what exactly is
``usecases.unfinished``'s decision. Whatever Redis lost (a restart without persistence, a
flush, a failover) is queued again.

Runs every few seconds from the scheduler loop. Safe to run anywhere, any number of
times: every job is keyed by request, attempt or offer, and a live one is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from ivr.model import Urgency
from jobs.enqueue import (
    RqJobs,
    callback_failed_job_id,
    callback_job_id,
    dispatch_job_id,
    enqueue_dispatch,
    textfirst_job_id,
)
from jobs.queues import URGENCIES, Queues
from jobs.recovery import enqueue_overdue, recover_abandoned, recover_dequeued
from storage.models import DispatchState
from storage.records import RequestRecord
from storage.repository import Store
from usecases.ports import Jobs
from usecases.unfinished import Debt, Owed, Unfinished

logger = logging.getLogger(__name__)

GRACE = timedelta(seconds=5)  # leave a webhook's own enqueue time to land
_LIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
_ROUND = "dispatch-"


@dataclass
class Reconciled:
    enqueued: int = 0
    checked: int = 0
    abandoned_jobs: int = 0
    overdue_jobs: int = 0
    stuck_offers: int = 0
    call_backs: int = 0  # call-back work (call, text, callback_failed) queued again


def reconcile(
    store: Store,
    queues: Queues,
    grace: timedelta = GRACE,
    stuck_offers: Callable[[], int] | None = None,
    unfinished: Unfinished | None = None,
) -> Reconciled:
    """Re-enqueue waiting requests whose job was never queued, was lost, or failed; re-run
    jobs whose worker died; close offers nobody reported back on (``stuck_offers``, the
    dispatcher's ``recover_stuck_offers``); re-queue the call-back work ``unfinished`` says
    a connected request is owed and Redis no longer has."""
    result = Reconciled()
    try:
        result.abandoned_jobs = recover_abandoned(queues) + recover_dequeued(queues)
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
    try:
        result.enqueued += _lost_dispatches(store, queues, grace, result)
        if unfinished is not None:
            result.call_backs = _restore(queues, unfinished.call_backs(older_than=grace))
    except RedisError:
        logger.warning("reconciler: Redis unreachable")
    return result


def _lost_dispatches(store: Store, queues: Queues, grace: timedelta, result: Reconciled) -> int:
    """Waiting requests with no live dispatch round: dispatch them again (dispatch itself
    re-schedules one asked for in a window). A finished round with nothing after it is
    lost work too: every decision dispatch makes that leaves a request waiting queues a
    next round. A few reads of Redis whatever the number of requests."""
    cutoff = store.clock() - grace
    candidates = []
    for request in store.waiting_requests():
        if request.dispatch_state != DispatchState.QUEUED:
            continue
        result.checked += 1
        if request.updated_at <= cutoff:
            candidates.append(request)
    if not candidates:
        return 0
    jobs = Job.fetch_many(
        [dispatch_job_id(r.id) for r in candidates],
        connection=queues.connection,
        serializer=JSONSerializer,
    )
    dead, live = [], []
    for request, job in zip(candidates, jobs, strict=True):
        if job is None or job.get_status(refresh=False) not in _LIVE:
            dead.append(request)
        else:
            live.append(request)
    ids = live_job_ids(queues)
    dead += _stranded(queues, live, ids)
    rounds = live_dispatch_rounds(ids) if dead else set()
    enqueued = 0
    for request in dead:
        if request.id in rounds:
            continue
        if _enqueue(store, queues, request.id, request.urgency):
            enqueued += 1
            logger.warning("reconciler: request=%s had no live job; re-queued", request.id)
    return enqueued


def _restore(queues: Queues, debts: list[Debt]) -> int:
    """Queue each job owed unless Redis still has it live (same ids as ``RqJobs``)."""
    jobs, restored = RqJobs(queues), 0
    for debt in debts:
        rid, attempt = debt.request.id, debt.request.callback_attempts
        if debt.owed is Owed.CALLBACK_FAILED:
            if clear_dead(queues, callback_failed_job_id(rid, debt.offer_id)):
                jobs.callback_failed(rid, debt.offer_id)
            else:
                continue
        elif debt.owed is Owed.TEXT_FIRST:
            if clear_dead(queues, textfirst_job_id(rid, attempt)):
                jobs.text_first(rid, attempt)
            else:
                continue
        elif clear_dead(queues, callback_job_id(rid, attempt)):
            jobs.call_back(rid, attempt)
        else:
            continue
        restored += 1
        logger.warning("reconciler: request=%s owed %s; re-queued", rid, debt.owed)
    return restored


def clear_dead(queues: Queues, job_id: str) -> bool:
    """True when no live job has this id (a finished or failed one is deleted, so the same
    id can be queued again); False while one is queued, scheduled or running."""
    job = Job.fetch_many([job_id], connection=queues.connection, serializer=JSONSerializer)[0]
    if job is None:
        return True
    if job.get_status(refresh=False) in _LIVE:
        return False
    job.delete()
    return True


def _stranded(queues: Queues, requests: list[RequestRecord], ids: set[str]) -> list[RequestRecord]:
    """Requests whose dispatch job says it is live but is on no list: a worker killed
    between taking it and starting it can leave it so (its hash still "queued"), and
    nothing else would ever run it. Read again after the lists, then deleted, so the
    request can be queued anew under the same id."""
    suspects = [r for r in requests if dispatch_job_id(r.id) not in ids]
    if not suspects:
        return []
    jobs = Job.fetch_many(
        [dispatch_job_id(r.id) for r in suspects],
        connection=queues.connection,
        serializer=JSONSerializer,
    )
    stranded = []
    for request, job in zip(suspects, jobs, strict=True):
        if job is not None and job.get_status(refresh=False) in _LIVE:
            job.delete()
            logger.warning("reconciler: request=%s had a job on no queue", request.id)
        stranded.append(request)
    return stranded


def live_job_ids(queues: Queues) -> set[str]:
    """Every job scheduled, queued, taken by a worker or running. Read in the order jobs
    move (scheduled, queued, taken, running), so a job moving on is seen."""
    found: set[str] = set()
    for name in URGENCIES:
        queue = queues[name]
        found.update(queue.scheduled_job_registry.get_job_ids(cleanup=False))
        found.update(queue.get_job_ids())
        found.update(
            _text(i) for i in queues.connection.lrange(queue.intermediate_queue_key, 0, -1)
        )
        found.update(queue.started_job_registry.get_job_ids(cleanup=False))
    return found


def live_dispatch_rounds(ids: set[str]) -> set[str]:
    """Requests with a live extra dispatch round (``dispatch-<id>-at…`` delayed for the
    caller's window or the next try, ``dispatch-<id>-next…`` behind a running one)."""
    found: set[str] = set()
    for job_id in ids:
        rest = job_id[len(_ROUND) :]
        if job_id.startswith(_ROUND) and "-" in rest:
            found.add(rest.split("-", 1)[0])
    return found


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


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
