"""One round trip to put a job with a fixed id on an RQ queue, unless that id already exists.

RQ's own ``enqueue_call(unique=True)`` costs two round trips (a ``SADD`` pipeline, then its
unique-enqueue script), and telling a finished job from a live one costs a third. This
script does all of it at once: the job hash is written exactly as ``Job.save`` writes it
(``Job.to_dict``), so RQ workers and the scheduler handle the job like any other.
"""

from __future__ import annotations

from typing import Any

from redis.commands.core import Script
from rq import Queue
from rq.job import Job, JobStatus
from rq.utils import now

# Inside the script: HGET, then HSET, RPUSH and SADD for a new job (four commands), or
# nothing more when the id exists. A hash without a status is not a job (a late heartbeat
# can leave one behind); it is overwritten, as RQ's delete-then-save would.
_PUSH = """
local status = redis.call('HGET', KEYS[1], 'status')
if status then return status end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[2])
return ''
"""

_scripts: dict[int, Script] = {}


def _script(queue: Queue) -> Script:
    key = id(queue.connection)
    script = _scripts.get(key)
    if script is None or script.registered_client is not queue.connection:
        script = _scripts[key] = queue.connection.register_script(_PUSH)
    return script


def push_unique(queue: Queue, job: Job) -> JobStatus | None:
    """Save ``job`` (made by ``queue.create_job``) and queue it in one round trip.

    None when it was queued; else the status of the job already saved under that id, and
    nothing was written.
    """
    job.origin = queue.name
    job.enqueued_at = now()
    args: list[Any] = [job.id, queue.key]
    for name, value in job.to_dict().items():
        if value is not None:
            args += (name, value if isinstance(value, bytes | str) else str(value))
    result = _script(queue)(keys=[job.key, queue.key, Queue.redis_queues_keys], args=args)
    if not result:
        return None
    raw = result.decode() if isinstance(result, bytes) else str(result)
    try:
        return JobStatus(raw)
    except ValueError:  # a status this RQ does not know: treat it as live
        return JobStatus.QUEUED
