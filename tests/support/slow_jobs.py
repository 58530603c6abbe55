"""A job for the worker-death test: its first run hangs (to be killed), later runs finish."""

from __future__ import annotations

import time

from redis import Redis


def hang_first_time(redis_url: str, key: str) -> None:
    redis = Redis.from_url(redis_url)
    if redis.incr(f"{key}:runs") == 1:
        redis.set(f"{key}:started", "1")
        time.sleep(60)  # killed long before; bounded in case it is not
    redis.set(f"{key}:done", "1")


def note(key: str) -> None:
    """Count a run in the job's own Redis (whichever server the worker's connection is on)."""
    from rq import get_current_job

    job = get_current_job()
    assert job is not None
    job.connection.incr(key)
