"""Waiting, clocks and the printed rows of the worker benches."""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from percentile import percentile


def status_of(job: Any) -> str:
    """An RQ job's status as its plain value ("started", "finished", ...)."""
    status = job.get_status(refresh=False)
    return str(getattr(status, "value", status))


def wait_until(predicate: Any, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


def utc_to_monotonic(moment: datetime | None) -> float | None:
    """An RQ timestamp (UTC) on this process's monotonic clock."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() - time.time() + time.monotonic()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine_line() -> str:
    return (
        f"Python {sys.version.split()[0]}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def row(name: str, values: list[float], unit_scale: float = 1000.0) -> str:
    """name, n, p50, p90, p95, p99, max (values in seconds, printed in ms by default)."""
    values = sorted(values)
    if not values:
        return f"{name:<34}{0:>6}"
    cells = [percentile(values, q) * unit_scale for q in (50, 90, 95, 99)]
    cells.append(values[-1] * unit_scale)
    return f"{name:<34}{len(values):>6}" + "".join(f"{c:>9.1f}" for c in cells)


ROW_HEADER = f"{'':<34}{'n':>6}{'p50':>9}{'p90':>9}{'p95':>9}{'p99':>9}{'max':>9}"
