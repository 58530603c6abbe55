"""Re-run jobs whose worker died: invariant 4 says within 30 s, RQ alone takes minutes.

Workers heartbeat every ``JOB_MONITORING_INTERVAL`` seconds, pushing the job's expiry in
the started registry to ``now + HEARTBEAT_TTL``. RQ's own cleanup treats a job as abandoned
once that expiry passes (65 s later); we run the same cleanup with the cutoff moved
forward so a job whose heartbeat is ``STALE_AFTER`` seconds old counts as abandoned. RQ
then retries it (every Peerline job has a ``Retry``), exactly as it would have later.
"""

from __future__ import annotations

import time

from jobs.queues import Queues

JOB_MONITORING_INTERVAL = 5  # seconds between heartbeats of a busy worker
HEARTBEAT_TTL = JOB_MONITORING_INTERVAL + 60  # what RQ adds to "now" at each heartbeat
STALE_AFTER = 15  # three missed heartbeats: the worker is gone


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
