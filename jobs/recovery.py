"""Re-run jobs whose worker died: the target is 10 s from SIGKILL to re-run (invariant 4
says 30 s); RQ alone takes minutes.

Busy workers heartbeat every ``JOB_MONITORING_INTERVAL`` seconds, pushing the job's expiry
in the started registry to ``now + HEARTBEAT_TTL``. RQ's own cleanup treats a job as
abandoned once that expiry passes (a minute later); we run the same cleanup with the
cutoff moved forward so a job whose heartbeat is ``STALE_AFTER`` seconds old (three missed
heartbeats) counts as abandoned. RQ then schedules its retry (every Peerline job has a
``Retry``), and we enqueue that retry at once: the job is known to have died, and the RQ
scheduler that would move it may have died with it. The scheduler process runs this every
``RECOVERY_TICK`` seconds, so a job is re-run about 7 s after its worker died.
"""

from __future__ import annotations

import time

from rq.job import Job

from jobs.queues import Queues

JOB_MONITORING_INTERVAL = 2  # seconds between heartbeats of a busy worker
HEARTBEAT_TTL = JOB_MONITORING_INTERVAL + 60  # what RQ adds to "now" at each heartbeat
STALE_AFTER = 6  # three missed heartbeats: the worker is gone
RECOVERY_TICK = 1.0  # seconds between the scheduler's looks for abandoned jobs
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
        expired = registry.get_expired_job_ids(cutoff)
        if not expired:
            continue
        registry.cleanup(timestamp=cutoff)
        recovered += len(expired)
        retried = Job.fetch_many(expired, connection=queues.connection, serializer=queue.serializer)
        for job_id, job in zip(expired, retried, strict=True):
            # RQ scheduled the retry; ZREM decides who enqueues it if its scheduler wakes too.
            if job is not None and queues.connection.zrem(queue.scheduled_job_registry.key, job_id):
                queue.enqueue_job(job)
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
