"""Invariant 4: a worker SIGKILLed mid-job has that job re-run within 30 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from redis import Redis
from rq import Retry, SimpleWorker
from rq.serializers import JSONSerializer

from jobs.queues import Queues
from jobs.recovery import recover_abandoned

WORKER = """
import sys
from peerline.processes import run_worker
from peerline.settings import Settings
run_worker(Settings(redis_url=sys.argv[1], database_url=sys.argv[2], var_dir=sys.argv[3]),
           burst=True)
"""  # the shipped worker, configured exactly as `peerline worker` runs it


def kill_tree(pid: int) -> None:
    """SIGKILL a worker and its work horses. RQ puts each horse in its own process group
    (``os.setpgrp``), so killing the worker's group alone would leave the horse running."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    horses = [int(c) for c in children.read_text().split()] if children.exists() else []
    for child in horses:
        os.kill(child, signal.SIGKILL)
    os.killpg(pid, signal.SIGKILL)


def wait_for(predicate, timeout: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_job_whose_worker_was_killed_is_rerun_within_30_seconds(
    redis_conn: Redis, redis_url: str, tmp_path: Path
) -> None:
    queues = Queues(redis_conn)
    key = f"peerline:test:death:{uuid.uuid4().hex}"  # no earlier run's job can touch it
    queues["urgent"].enqueue_call(
        "tests.support.slow_jobs.hang_first_time",
        kwargs={"redis_url": redis_url, "key": key},
        job_id="death-test",
        retry=Retry(max=3, interval=[1]),
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, redis_url, f"sqlite:///{tmp_path}/w.db", str(tmp_path)],
        cwd=Path(__file__).parents[2],
        start_new_session=True,
    )
    try:
        wait_for(lambda: redis_conn.get(f"{key}:started"), timeout=30)
        time.sleep(8)  # the worker heartbeats (every 2 s) while its job runs...
        assert recover_abandoned(queues) == 0, "a live job is never taken for dead"
        kill_tree(worker.pid)  # the worker and its work horse, mid-job, as a host crash would
        killed_at = time.monotonic()
        worker.wait(timeout=10)

        def rerun() -> bool:
            recover_abandoned(queues)  # what the reconciler does every few seconds
            SimpleWorker(queues.all(), connection=redis_conn, serializer=JSONSerializer).work(
                burst=True, with_scheduler=True
            )
            return bool(redis_conn.get(f"{key}:done"))

        wait_for(rerun, timeout=45)
        elapsed = time.monotonic() - killed_at
        print(f"job re-run {elapsed:.1f} s after its worker was killed")
        assert elapsed <= 30
        assert int(redis_conn.get(f"{key}:runs") or 0) == 2
    finally:
        if worker.poll() is None:
            kill_tree(worker.pid)


pytestmark = pytest.mark.integration
