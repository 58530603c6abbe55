"""Scale-out on PostgreSQL and Redis: two ``peerline serve`` processes, two ``peerline worker``
processes and ``peerline scheduler``, all real subprocesses (``bench/worker_rig.py``'s
``Rig``), with the sandbox carrier in this process as Twilio. Intakes ("connect me now")
are posted as signed webhooks to both web processes in turn; one worker is SIGKILLed
(with its work horse) midway. Nobody answers and the ring time is long, so each request
rings exactly one supporter.

Asserts zero loss (every intake is one request row, and each request one call at the
carrier) and zero duplicates (no request rung twice, no supporter rung twice, so none with
two ringing calls at once). ``PEERLINE_SCALEOUT_INTAKES`` sets the count (default 100 to
fit CI's budget; ``PEERLINE_SCALEOUT_INTAKES=500 pytest -m processes -s
tests/integration/test_scaleout.py`` runs the issue's 500).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from redis import Redis
from sqlalchemy import Engine

from sandbox import Sandbox
from sandbox.app import create_sandbox_app
from sandbox.config import SandboxConfig
from sandbox.phones import CallStatus, Direction
from sandbox.server import SandboxServer

pytestmark = [pytest.mark.integration, pytest.mark.processes]
INTAKES = int(os.environ.get("PEERLINE_SCALEOUT_INTAKES", "100"))
BENCH = Path(__file__).parents[2] / "bench"
LANES = 8  # callers in flight at once, spread over both web processes


def bench_module(name: str) -> ModuleType:
    """A module of ``bench/`` (they import each other by plain name from that directory)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def rig_module() -> ModuleType:
    """``bench/worker_rig.py``."""
    return bench_module("worker_rig")


@contextlib.contextmanager
def carrier(peerline_port: int, port: int) -> Iterator[Sandbox]:
    """The sandbox carrier serving Twilio's REST API on ``port``; its webhooks go to the
    web process on ``peerline_port``."""
    calls = bench_module("calls")
    config = SandboxConfig(
        account_sid=bench_module("children").ACCOUNT_SID,
        auth_token=calls.AUTH_TOKEN,
        hotline_number=calls.HOTLINE,
        peerline_url=f"http://{calls.HOST}:{peerline_port}",
        public_url=calls.PUBLIC_URL,
        cps=1000.0,
        sms_per_second=1000.0,
    )
    box = Sandbox(config)
    server = SandboxServer(create_sandbox_app(config, sandbox=box), port=port).start()
    try:
        yield box
    finally:
        server.stop()
        box.close()


def outbound(box: Sandbox) -> list[Any]:
    """Every call Peerline placed through the sandbox's REST API, oldest first."""
    with box.switchboard.lock:
        return [c for c in box.switchboard.calls.values() if c.direction is Direction.OUTBOUND_API]


async def intake(ports: list[int], callers: list[Any], midway: Callable[[], None]) -> Any:
    """Walk every caller through the IVR to "connect me now", ``LANES`` at a time over the
    web processes in turn; ``midway`` runs when half of them are in."""
    load, walker = bench_module("load"), bench_module("callers")
    record = load.Record()
    pools = {port: load.Pool(port) for port in ports}
    todo = list(enumerate(callers))

    async def lane() -> None:
        while todo:
            index, caller = todo.pop(0)
            if index == len(callers) // 2:
                midway()
            port = ports[index % len(ports)]
            await walker.walk(pools[port], port, caller, record, upto=walker.FINAL + 1)

    await asyncio.gather(*(lane() for _ in range(LANES)))
    for pool in pools.values():
        pool.close()
    return record


def test_two_web_two_workers_and_a_scheduler_lose_and_double_nothing_when_a_worker_dies(
    rig_module: ModuleType,
    database_url: str,
    redis_url: str,
    engine: Engine,
    redis_conn: Redis,
    tmp_path: Path,
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("scale-out runs on PostgreSQL (SQLite is one process's database)")
    started = time.monotonic()
    free_port, host = bench_module("servers").free_port, bench_module("calls").HOST
    carrier_port = free_port()
    rig = rig_module.Rig(
        tmp_path,
        database_url,
        redis_url,
        cps=1000.0,
        ring_seconds=600,  # nobody answers: each request rings one supporter, no second
        carrier_url=f"http://{host}:{carrier_port}",
    )
    with rig, carrier(rig.port, carrier_port) as box:
        rig.seed_supporters(INTAKES + 10)
        second_port = free_port()
        webs = [rig.start_web(wait=False), rig.start_web(second_port, wait=False)]
        doomed = rig.start_worker(wait=False)
        rig.start_worker(wait=False)
        rig.start_scheduler(interval=1.0)
        rig.wait_web(webs[0])  # all five start at once: a loaded host takes 20 s for each
        rig.wait_web(webs[1], second_port)
        wait_until = bench_module("readouts").wait_until
        assert wait_until(lambda: len(rig.live_workers()) == 2, 120), "workers"
        ready = time.monotonic() - started
        rnd = random.Random(14)
        callers = [bench_module("callers").Caller.new(rnd) for _ in range(INTAKES)]
        ports = [rig.port, second_port]
        killed: list[int] = []
        busy: list[int] = []

        def kill_a_worker() -> None:  # the worker and its work horse, as a host crash would
            busy.append(sum(q.started_job_registry.count for q in rig.services.queues.all()))
            killed.extend(doomed.kill_tree())

        record = asyncio.run(intake(ports, callers, kill_a_worker))
        walked = time.monotonic() - started - ready
        assert record.errors == Counter(), record.examples
        assert killed, "no worker was killed"

        def settled() -> bool:
            return len(outbound(box)) >= INTAKES and not any(
                q.count or q.started_job_registry.count for q in rig.services.queues.all()
            )

        assert wait_until(settled, timeout=60 + INTAKES, every=0.5), (
            f"{len(outbound(box))} of {INTAKES} requests rung"
        )
        time.sleep(3)  # room for a late duplicate to show
        elapsed = time.monotonic() - started

        sids = [c.sid for c in callers]
        rows = Counter(sid for _rid, sid, _status in rig.requests())
        offers = rig.offers()
        calls = outbound(box)
        per_request = Counter(offers[parse_qs(urlsplit(c.url).query)["offer"][0]][0] for c in calls)
        per_number = Counter(c.to for c in calls)
        ringing = Counter(c.to for c in calls if c.status is CallStatus.RINGING)

    print(
        f"\n{INTAKES} intakes over 2 web processes, 2 workers (one SIGKILLed while"
        f" {busy[0]} jobs ran), scheduler:"
        f" {len(rows)} request rows, {len(calls)} calls placed,"
        f" {elapsed:.1f} s in all ({ready:.1f} s starting, {walked:.1f} s of intakes,"
        f" then {elapsed - ready - walked:.1f} s until every request rang and 3 s more)"
    )
    assert [sid for sid in sids if rows[sid] != 1] == [], "an intake lost or doubled"
    assert sum(rows.values()) == INTAKES
    assert sorted(per_request.values()) == [1] * INTAKES, "a request rung twice or not at all"
    assert max(per_number.values()) == 1, "a supporter rung twice"
    assert max(ringing.values(), default=1) == 1
