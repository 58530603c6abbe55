"""One measured phase of ``webhook_bench``: what it returned and what it cost."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from load import Record
from servers import Server, pressure
from stats import Line


@dataclass
class Phase:
    result: Any
    wall: float  # seconds
    server_cpu: float  # seconds of CPU used by the server process
    gen_cpu: float  # ... by this load generator
    new_db_connections: int = -1  # Peerline only: the engine's "connect" events
    checkouts: int = -1  # ... and pool checkouts
    commits: int = -1  # ... and transactions committed
    pressure: dict[str, float] = field(default_factory=dict)  # PSI share of the wall time


def measured(server: Server, coro: Any, pool: bool = False) -> Phase:
    """Run ``coro`` against ``server``; what it returned and what it cost."""
    before = server.pool_use() if pool else (0, 0, 0)
    psi0, cpu0, own0, wall0 = pressure(), server.cpu(), time.process_time(), time.perf_counter()
    result = asyncio.run(coro)
    wall = time.perf_counter() - wall0
    phase = Phase(result, wall, server.cpu() - cpu0, time.process_time() - own0)
    phase.pressure = {k: (v - psi0[k]) / 1e6 / wall for k, v in pressure().items() if k in psi0}
    if pool:
        after = server.pool_use()
        phase.new_db_connections = after[0] - before[0]
        phase.checkouts = after[1] - before[1]
        phase.commits = after[2] - before[2]
    return phase


def with_cpu(line: Line, phase: Phase) -> Line:
    line.server_cpu, line.client_cpu = phase.server_cpu / phase.wall, phase.gen_cpu / phase.wall
    return line


def pool_note(name: str, phase: Phase, record: Record) -> str:
    webhooks = len(record.samples)
    return (
        f"  {name}: per webhook {phase.checkouts / webhooks:.1f} DB pool checkouts and "
        f"{phase.commits / webhooks:.1f} commits; {phase.new_db_connections:,} new DB "
        f"connections opened for {webhooks:,} webhooks"
    )


def pressure_note(phases: list[tuple[str, Phase]]) -> str:
    """How contended the (shared) machine was: PSI 'some' for CPU and IO, per phase."""
    cells = [
        f"{name} cpu {p.pressure['cpu']:.0%} io {p.pressure.get('io', 0):.0%}"
        for name, p in phases
        if "cpu" in p.pressure
    ]
    if not cells:
        return "  machine pressure: unknown (no /proc/pressure)"
    return "  machine pressure (PSI some: share of time a task waited): " + "; ".join(cells)
