"""Re-run jobs whose worker died: invariant 4 says within 30 s, RQ alone takes minutes.

Workers heartbeat every ``JOB_MONITORING_INTERVAL`` seconds, pushing the job's expiry in
the started registry to ``now + HEARTBEAT_TTL``. RQ's own cleanup treats a job as abandoned
once that expiry passes (62 s later); we run the same cleanup with the cutoff moved
forward so a job whose heartbeat is ``STALE_AFTER`` seconds old counts as abandoned. RQ
then retries it (every Peerline job has a ``Retry``), exactly as it would have later.
"""

from __future__ import annotations

import time

from rq.job import Job

from jobs.queues import Queues

JOB_MONITORING_INTERVAL = 2  # seconds between heartbeats of a busy worker
HEARTBEAT_TTL = JOB_MONITORING_INTERVAL + 60  # what RQ adds to "now" at each heartbeat
STALE_AFTER = 6  # three missed heartbeats: the worker is gone (B9: re-run within 10 s)
OVERDUE_AFTER = 15  # a delayed job this late means RQ's scheduler is not running


def recover_abandoned(
    queues: Queues, stale_after: float = STALE_AFTER, clock: float | None = None
) -> int:
    """Hand jobs with a stale heartbeat back to RQ's retry; returns how many there were."""
    now = time.time() if clock is None else clock
    cutoff = now + HEARTBEAT_TTL - stale_after
    recovered = 0
    for queue in queues.all():
        registry = queue.started_job_registry
        expired = len(registry.get_expired_job_ids(cutoff))
        if expired:
            registry.cleanup(timestamp=cutoff)
            recovered += expired
    return recovered


def enqueue_overdue(
    queues: Queues, late_by: float = OVERDUE_AFTER, clock: float | None = None
) -> int:
    """Enqueue delayed jobs (retries, offer checks, escalation timers) overdue by ``late_by``.

    RQ's scheduler runs inside one worker and moves due jobs within a second; if that
    worker dies its lock outlives it and idle workers may not take over for minutes. A job
    this late means nobody is scheduling, so we do it. Removing the job from the registry
    first (ZREM) decides who enqueues it if the scheduler wakes at the same moment.
    """
    now = time.time() if clock is None else clock
    moved = 0
    for queue in queues.all():
        registry = queue.scheduled_job_registry
        due = registry.get_jobs_to_schedule(int(now - late_by))
        jobs = Job.fetch_many(due, connection=queues.connection, serializer=queue.serializer)
        for job_id, job in zip(due, jobs, strict=True):
            if not queues.connection.zrem(registry.key, job_id) or job is None:
                continue
            queue.enqueue_job(job)
            moved += 1
    return moved
