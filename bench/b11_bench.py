"""Benchmark the caller's last key -> both legs in the conference (target B11: p99 <= 1 s).

Run ``python bench/b11_bench.py [--calls 100] [--rate 5] [--workers 1]
[--backend auto|sqlite]``. About 40 s on 2 cores.

Set-up as ``dispatch_bench`` (``worker_rig``): PostgreSQL in a private schema and a claimed
Redis db (7 if free), ``peerline serve``, ``--workers`` ``peerline worker`` processes, one
on-shift supporter per caller, ``PEERLINE_CALLS_PER_SECOND=1000``. The fake Twilio runs
with ``--answer-port`` (``bench/answering.py``): the supporter answers and presses 1 the
moment their call is placed, and the holding caller's call follows Peerline's redirect the
moment it is asked to, so the figure is system overhead only, with no ringing or human
time in it.

Callers ("connect me now") start at ``--rate`` per second and walk the IVR with signed
webhooks. For each: last key sent -> the later of the supporter's "1" answered with the
conference and the caller's redirect answered with the conference, split into the
dispatch (last key -> supporter's call placed), the supporter's two webhooks, and
connecting the caller (the ``connect_caller`` job and the redirect). Exits 1 if a caller
does not reach the conference, or reaches it twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker_rig as rig_
from answering import legs
from callers import Caller
from children import workdir
from dispatch_bench import open_loop
from percentile import percentile
from readouts import ROW_HEADER, machine_line, row, verdict, wait_until
from results import record as record_result
from worker_rig import Rig

REDIS_DB = 7
TARGET_P99_S = 1.0
WARMUP_CALLS = 5
DRAIN_S = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="callers started per second")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    print(f"b11_bench: {args.calls} callers at {args.rate:g}/s, {args.workers} worker(s)")
    print(f"  {machine_line()} at start")
    problems: list[str] = []
    with (
        workdir("peerline-b11-bench-") as tmp,
        rig_.backends(args.backend, tmp, REDIS_DB) as (database_url, redis_url, label),
        Rig(tmp, database_url, redis_url, cps=1000.0, log_level="INFO", answer=True) as rig,
    ):
        rig.seed_supporters(args.calls + WARMUP_CALLS)
        rig.start_web()
        for _ in range(args.workers):
            rig.start_worker("shipped")
        asyncio.run(open_loop(rig.port, [Caller.new(rnd) for _ in range(WARMUP_CALLS)], 5, rnd))
        callers = [Caller.new(rnd) for _ in range(args.calls)]
        record = asyncio.run(open_loop(rig.port, callers, args.rate, rnd))
        done = [c for c in callers if c.sid in record.completed]
        wait_until(
            lambda: set(legs(rig.twilio_requests())[1]) >= {c.sid for c in done}, DRAIN_S, 0.25
        )
        time.sleep(0.5)  # a late second leg would show as a duplicate
        lines = rig.twilio_requests()
        offers = rig.offers()  # offer id -> (request id, caller CallSid, status)
    supporters, joined, errors = legs(lines)
    placed = {r["offer"]: r["t"] for r in lines if r.get("kind") == "call" and r.get("offer")}
    offer_of = {sid: oid for oid, (_rid, sid, _status) in offers.items() if oid in supporters}
    both, dispatch, supporter, caller = [], [], [], []
    for c in done:
        oid = offer_of.get(c.sid)
        if oid is None or c.sid not in joined:
            problems.append(
                f"{c.sid}: {'no supporter leg' if oid is None else 'caller never joined'}"
            )
            continue
        both.append(max(supporters[oid], joined[c.sid]) - c.sent)
        dispatch.append(placed[oid] - c.sent)
        supporter.append(supporters[oid] - placed[oid])
        caller.append(joined[c.sid] - supporters[oid])
    joins = Counter(r["sid"] for r in lines if r.get("kind") == "caller_in")
    joins.update(offers[oid][1] for oid in supporters if oid in offers)  # each leg once
    twice = [sid for sid, n in joins.items() if n > 2]
    problems += [f"{sid}: joined twice" for sid in twice] + errors[:5]
    if len(done) < len(callers):
        problems.append(f"{len(callers) - len(done)} callers never completed the intake")
    print(f"  backends: {label}; load average {os.getloadavg()[0]:.2f} at end")
    print(f"{'(ms)':<34}{ROW_HEADER[34:]}")
    print(row("last key -> both in conference", both))
    print(row("  last key -> supporter's call", dispatch))
    print(row("  supporter answers, presses 1", supporter))
    print(row("  then the caller joins", caller))
    for problem in problems[:10]:
        print(f"  BROKEN {problem}")
    p99 = percentile(sorted(both), 99) if both else float("inf")
    ok = p99 <= TARGET_P99_S and not problems
    print(f"{verdict(ok)} B11 last key -> both legs in the conference p99 {p99 * 1000:.0f} ms")
    record_result(
        "B11",
        f"last key -> both legs in the conference p99 at {args.rate:g} callers/s",
        p99 * 1000,
        "ms",
        f"<= {TARGET_P99_S * 1000:.0f} ms",
        ok,
        floor=f"dispatch alone p99 {percentile(sorted(dispatch), 99) * 1000:.0f} ms"
        if dispatch
        else "",
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
