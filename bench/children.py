"""The child processes of the worker rig: Peerline's environment, ``Child``, /proc readings,
and the worker variants a rig worker runs (``run_worker_kind``)."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calls import AUTH_TOKEN, HOST, PUBLIC_URL

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT_SID = "AC" + "c" * 32
SECRET_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    """A temporary directory for logs and SQLite; kept when PEERLINE_BENCH_KEEP is set."""
    if os.environ.get("PEERLINE_BENCH_KEEP"):
        path = Path(tempfile.mkdtemp(prefix=prefix))
        print(f"  (keeping logs in {path})")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def peerline_env(
    database_url: str,
    redis_url: str,
    var_dir: Path,
    twilio_url: str,
    port: int,
    *,
    cps: float,
    ring_seconds: int,
    log_level: str = "INFO",
) -> dict[str, str]:
    """Peerline's settings for every child, as production passes them: the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLINE_", "TWILIO_"))}
    env.update(
        PYTHONUNBUFFERED="1",
        PEERLINE_DATABASE_URL=database_url,
        PEERLINE_REDIS_URL=redis_url,
        PEERLINE_PUBLIC_URL=PUBLIC_URL,
        PEERLINE_SECRET_KEY=SECRET_KEY,
        PEERLINE_VAR_DIR=str(var_dir),
        PEERLINE_HOST=HOST,
        PEERLINE_PORT=str(port),
        PEERLINE_TWILIO_API_URL=twilio_url,
        PEERLINE_CALLS_PER_SECOND=str(cps),
        PEERLINE_SMS_PER_SECOND="1000",
        PEERLINE_RING_SECONDS=str(ring_seconds),
        PEERLINE_INBOUND_CALLS_PER_SECOND="0",  # the benches' bursts are floods by design
        PEERLINE_INBOUND_TEXTS_PER_SECOND="0",
        PEERLINE_LOG_LEVEL=log_level,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
    )
    return env


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children first found, then theirs), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its reaped children and its live descendants."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
        total += ticks / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its live descendants, in MB (VmRSS)."""
    total = 0
    for p in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += next(
            (int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmRSS:")), 0
        )
    return total / 1024


class Child:
    """One child process, its output in ``log_path``."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name, self.log_path = name, log_path
        with log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill_tree(self) -> list[int]:
        """SIGKILL the process and everything under it (work horse, scheduler) at once."""
        pids = [self.pid, *descendants(self.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()
        return pids

    def stop(self, timeout: float = 10.0) -> None:
        """Warm shutdown (SIGINT), then SIGKILL the tree if it doesn't go."""
        if not self.alive():
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill_tree()


READY_SECONDS = 120.0  # only ends a hung start: a loaded 2-core host needs 20 s and more


def wait_http(child: Child, port: int, path: str, timeout: float = READY_SECONDS) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited:\n{child.log()[-3000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{child.name} not ready in {timeout:.0f} s:\n{child.log()[-3000:]}")


def run_worker_kind(kind: str, burst: bool = False) -> None:
    """``shipped`` is ``peerline worker`` exactly; the others change one thing each:
    ``simple`` runs jobs in the worker process (``SimpleWorker``), ``monitor5`` heartbeats
    every 5 s, ``preload`` imports the twilio REST modules before forking; ``forking`` is
    what ``peerline worker`` was before ``jobs.worker.PeerlineWorker``: RQ's forking worker with
    the heartbeat interval and the twilio modules imported before the fork."""
    from peerline import logs
    from peerline.settings import Settings

    settings = Settings()
    logs.configure(settings.log_level)
    if kind == "shipped":
        from peerline.processes import run_worker

        run_worker(settings, burst=burst)
        return
    from rq import SimpleWorker, Worker
    from rq.serializers import JSONSerializer

    from jobs import context
    from peerline import bootstrap
    from peerline.processes import MAINTENANCE_INTERVAL

    services = bootstrap.build(settings)
    context.install(lambda: bootstrap.worker_deps(settings))
    options: dict[str, Any] = {}
    if kind in ("monitor5", "forking"):
        from jobs.recovery import JOB_MONITORING_INTERVAL

        options["job_monitoring_interval"] = JOB_MONITORING_INTERVAL
    if kind in ("preload", "forking"):
        # What every work horse otherwise imports again: ``twilio_client`` touches
        # ``client.api``, which loads ~90 modules of the SDK's REST API lazily.
        import twilio.rest.api.v2010.account  # noqa: F401
    worker_class = SimpleWorker if kind == "simple" else Worker
    worker = worker_class(
        services.queues.all(),
        connection=services.redis,
        serializer=JSONSerializer,
        maintenance_interval=MAINTENANCE_INTERVAL,
        **options,
    )
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level)
