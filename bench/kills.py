"""The SIGKILL part of ``recovery_bench`` (B9): workers killed mid-job, timed until re-run."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass

from callers import Caller, last_key, prewalk
from children import Child
from load import Pool, Record
from readouts import status_of, utc_to_monotonic, wait_until
from worker_rig import Rig

HEARTBEAT = {"shipped": 2.0, "monitor5": 5.0}  # job_monitoring_interval of each config
# The kill must land while the job still hangs in Calls.create: Peerline gives up on a
# REST request after 10 s (telephony.carrier), and a job that already failed and was
# retried is nothing left to kill.
KILL_WITHIN = 8.0
RESTART_AFTER_S = 1.0


# -- SIGKILL -----------------------------------------------------------------------------
@dataclass
class Trial:
    job_id: str
    child: Child
    started: float  # monotonic: the job started on the worker we kill
    kill_at: float
    holds_lock: bool = False
    killed: float | None = None
    recovered: float | None = None  # the job left "started" (the reconciler's cleanup)
    rerun: float | None = None  # it started again
    finished: float | None = None


def scheduler_locked(rig: Rig) -> bool:
    return any(True for _ in rig.services.redis.scan_iter("rq:scheduler-lock:*"))


def part_kill(args: argparse.Namespace, rig: Rig, config: str, rnd: random.Random) -> list[Trial]:
    from rq.job import Job
    from rq.serializers import JSONSerializer

    redis = rig.services.redis
    for key in redis.scan_iter("rq:scheduler-lock:*"):
        redis.delete(key)  # a lock a killed worker of the last config left behind
    rig.seed_supporters(3 * (args.trials + 1), prefix="4")
    hung = lambda: [r for r in rig.twilio_requests() if r["status"] == 0]  # noqa: E731
    hung_before = len(hung())
    rig.hang_next_calls(args.trials + 1)
    first = rig.start_worker(config)
    if not wait_until(lambda: scheduler_locked(rig), 10):
        raise RuntimeError("the first worker took no scheduler lock")
    others = [rig.start_worker(config, wait=False) for _ in range(args.trials)]
    workers = [first, *others]
    wait_until(lambda: len(live_on(rig, workers)) == len(workers), 30)

    callers = [Caller.new(rnd) for _ in workers]
    record = Record()
    asyncio.run(prewalk(rig.port, callers, record, concurrency=len(callers)))

    async def keys() -> None:
        pool = Pool(rig.port)
        await asyncio.gather(*(last_key(pool, rig.port, c, record) for c in callers))
        pool.close()

    asyncio.run(keys())
    if not wait_until(lambda: len(hung()) - hung_before >= len(workers), 30):
        stuck = len(hung()) - hung_before
        raise RuntimeError(f"only {stuck} of {len(workers)} workers got stuck mid-job")

    by_pid = {c.pid: c for c in workers}
    trials = []
    for w in rig.live_workers():
        child = by_pid.get(w.pid)
        job_id = w.get_current_job_id()
        if child is None or not job_id:
            continue
        job = Job.fetch(job_id, connection=redis, serializer=JSONSerializer)
        started = utc_to_monotonic(job.started_at) or time.monotonic()
        holds = child is first  # started alone, it took the lock; the others found it taken
        if holds and not args.kill_lock_holder:
            continue
        offset = rnd.uniform(0.5, min(KILL_WITHIN, max(HEARTBEAT[config], 5.0)))
        trials.append(Trial(job_id, child, started, started + offset, holds_lock=holds))
    trials.sort(key=lambda t: t.kill_at)

    restarts: list[tuple[float, Child]] = []
    deadline = max(t.kill_at for t in trials) + args.rerun_limit
    while time.monotonic() < deadline:
        now = time.monotonic()
        for t in trials:
            if t.killed is None and now >= t.kill_at:
                t.child.kill_tree()
                t.killed = time.monotonic()
                restarts.append((t.killed + RESTART_AFTER_S, t.child))
        for due, child in list(restarts):
            if now >= due:
                rig.start_worker(config, wait=False)
                restarts.remove((due, child))
        for t in trials:
            if t.killed is None or t.finished is not None:
                continue
            job = Job.fetch(t.job_id, connection=redis, serializer=JSONSerializer)
            status = status_of(job)
            if t.recovered is None and status != "started":
                t.recovered = time.monotonic()
            begun = utc_to_monotonic(job.started_at)
            if t.rerun is None and begun is not None and begun > t.killed:
                t.rerun = begun
            if status == "finished":
                t.finished = time.monotonic()
        if all(t.finished is not None for t in trials):
            break
        time.sleep(0.1)
    for child in rig.children:
        if child.name == "worker" and child.alive():
            child.stop(timeout=3)
    return trials


def live_on(rig: Rig, children: list[Child]) -> list[Child]:
    pids = {w.pid for w in rig.live_workers()}
    return [c for c in children if c.pid in pids]


def print_trials(config: str, trials: list[Trial], limit: float) -> float:
    """The table for one config; returns the worst kill -> re-run (inf if any never ran)."""
    print()
    print(
        f"SIGKILL [{config}] job_monitoring_interval={HEARTBEAT[config]:g} s; reconciler every "
        "5 s; seconds after the kill:"
    )
    print(f"  {'trial':<8}{'into job':>9}{'handed back':>12}{'re-run':>9}{'finished':>10}  note")
    worst = 0.0
    for i, t in enumerate(trials, 1):
        assert t.killed is not None

        def since(moment: float | None, killed: float = t.killed) -> str:
            return f"{moment - killed:.1f}" if moment is not None else f">{limit:.0f}"

        note = "held the RQ scheduler lock" if t.holds_lock else ""
        print(
            f"  {i:<8}{t.killed - t.started:>9.1f}{since(t.recovered):>12}{since(t.rerun):>9}"
            f"{since(t.finished):>10}  {note}"
        )
        if not t.holds_lock:
            worst = max(worst, (t.rerun - t.killed) if t.rerun is not None else float("inf"))
    return worst
