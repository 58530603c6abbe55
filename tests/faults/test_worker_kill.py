"""A worker and its work horse SIGKILLed while the carrier is placing a supporter's call (the
call is placed; its answer never reaches us): the pool's other worker re-runs the dispatch
within seconds (the target is 10 s), the supporter whose phone is already ringing is not
rung again, nor a second one for the request, and that ringing call is the offer."""

from __future__ import annotations

import time

import pytest
from redis import Redis

from jobs.enqueue import dispatch_job_id
from tests.faults.plant import Plant
from tests.faults.services import HANG_AFTER_PLACING, wait_for

pytestmark = pytest.mark.faults


def started_at(redis: Redis, job_id: str) -> bytes | None:
    value = redis.hget(f"rq:job:{job_id}", "started_at")
    return value if isinstance(value, bytes) else None


def test_a_worker_killed_mid_call_has_its_job_rerun_and_rings_nobody_twice(plant: Plant) -> None:
    plant.supporters(6)
    for name in ("worker", "worker-2"):  # the pool's two workers (compose runs two)
        plant.start(name)
        wait_for(lambda n=name: "Listening on" in plant.log(n), 90, f"{name} to listen")
    plant.start("scheduler")
    wait_for(lambda: "scheduler: a pass every" in plant.log("scheduler"), 90, "the scheduler")
    plant.carrier.faults.append(HANG_AFTER_PLACING)  # placed; the answer hangs
    plant.call(0)
    wait_for(lambda: plant.carrier.attempts == 1, 30, "a worker to place the call")
    [(request_id, *_)] = plant.requests()
    redis = Redis.from_url(plant.redis.url)
    job_key = f"rq:job:{dispatch_job_id(request_id)}"
    first_run = started_at(redis, dispatch_job_id(request_id))
    assert first_run is not None
    # Kill the one running it, well within the SDK's 10 s wait for the carrier's answer.
    running = (redis.hget(job_key, "worker_name") or b"").decode()
    pid = int(redis.hget(f"rq:worker:{running}", "pid") or 0)
    [busy] = [name for name, proc in plant.children.items() if proc.pid == pid]

    plant.kill(busy)  # mid-request, as a host crash would
    killed = time.monotonic()
    plant.carrier.release.set()
    handed_back = wait_for(lambda: redis.hget(job_key, "status") != b"started", 45, "hand-back")
    wait_for(
        lambda: started_at(redis, dispatch_job_id(request_id)) not in (None, first_run),
        45,
        "the dispatch to be re-run",
    )
    rerun = time.monotonic() - killed
    print(
        f"dispatch handed back {handed_back:.1f} s and re-run {rerun:.1f} s after its worker"
        " was SIGKILLed"
    )
    time.sleep(3)  # what the re-run did next
    calls = plant.carrier.placed
    assert len(calls) == 1, f"{len(calls)} calls placed for one request: a second ring"
    # The call placed before the kill is the request's offer: its supporter can take it.
    assert "<Conference" in plant.answer(calls[0])
    [(_, _, status)] = plant.requests()
    assert status == "connected"
    redis.close()
