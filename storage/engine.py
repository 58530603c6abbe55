"""Engine construction: one place that knows the differences between SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

# A pooled connection back in the pool for longer than this is pinged before it is handed
# out (a restarted or failed-over server has closed it). One in steady use is not: a ping
# on every checkout cost one round trip of the 6-8 a webhook made (bench/README.md).
IDLE_PING_SECONDS = 5.0
POOL_SIZE = 20  # connections kept open per process (the web process runs as many threads)


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (the driver we ship)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # The web process runs handlers on POOL_SIZE threads (peerline.app); the overflow is
    # for the rest (a worker's threads, the console's live board).
    options = {"pool_size": POOL_SIZE, "max_overflow": 20, **kwargs}
    engine = create_engine(url, **options)
    if not options.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def autocommit(engine: Engine) -> Engine:
    """``engine`` for work that is one statement: autocommit, so it is one round trip (no
    BEGIN before it, no COMMIT or ROLLBACK after). Anything of two statements or more
    that must hold together goes through a transaction instead."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _ping_when_idle(engine: Engine) -> None:
    """``pool_pre_ping``, but only for connections idle for ``IDLE_PING_SECONDS``.

    A connection that dies while in steady use fails its statement; SQLAlchemy then
    invalidates it and every older pooled connection, so the next checkout connects anew.
    """

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("idle connection no longer answers") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web process read while a worker writes; busy_timeout waits out the
    # writer lock instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
