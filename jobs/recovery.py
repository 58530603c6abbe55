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

A worker killed in the instant between taking a job off its queue (RQ moves it to the
queue's intermediate list) and registering it as started leaves the job in neither: its
hash still says "queued", so nothing would ever queue it again. ``recover_dequeued`` puts
such a job back on its queue once it has sat there ``STALE_AFTER`` seconds (a live worker
registers it within milliseconds); RQ's own cleanup would fail it after minutes.
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


SEEN = "peerline:dequeued-seen:"  # + job id: when a pass first saw it taken but not started


def recover_dequeued(
    queues: Queues, stale_after: float = STALE_AFTER, clock: float | None = None
) -> int:
    """Put back on their queues jobs a dead worker took off but never started."""
    now = time.time() if clock is None else clock
    redis, requeued = queues.connection, 0
    for queue in queues.all():
        taken = [_text(i) for i in redis.lrange(queue.intermediate_queue_key, 0, -1)]
        started = set(queue.started_job_registry.get_job_ids(cleanup=False)) if taken else set()
        for job_id in taken:
            if job_id in started:
                continue
            seen = SEEN + job_id
            # Short-lived: the same id taken again later must be seen afresh.
            redis.set(seen, now, nx=True, ex=int(10 * stale_after))
            first = float(redis.get(seen) or now)
            # LREM decides who puts it back if RQ's own cleanup runs at the same moment.
            if now - first >= stale_after and redis.lrem(queue.intermediate_queue_key, 1, job_id):
                queue.push_job_id(job_id, at_front=True)
                redis.delete(seen)
                requeued += 1
    return requeued


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


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
