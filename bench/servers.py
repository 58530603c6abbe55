"""Peerline (and hello world) served the way ``peerline serve`` runs it, in a child process."""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from backends import POOL_TAG, READY_TAG, count_pool_use
from calls import AUTH_TOKEN, HOST, PUBLIC_URL

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "webhook_bench.py"  # its --serve mode runs ``serve`` below


# -- processes -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def pressure() -> dict[str, int]:
    """Linux PSI: total microseconds some runnable task waited for CPU / for IO, if known."""
    out = {}
    for kind in ("cpu", "io"):
        try:
            some = Path(f"/proc/pressure/{kind}").read_text().splitlines()[0]
            out[kind] = int(some.rsplit("total=", 1)[1])
        except (OSError, IndexError, ValueError):
            pass
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from /proc; 0 where unsupported."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """``webhook_bench.py`` in ``--serve`` mode, in a child process, on a free loopback port."""

    def __init__(
        self,
        role: str,
        var_dir: Path,
        database_url: str,
        redis_url: str,
        workers: int = 1,
        stack: tuple[str, str] = ("auto", "auto"),
    ) -> None:
        self.role, self.port = role, free_port()
        self.log_path = var_dir / f"{role}-server.log"
        env = {
            **os.environ,
            **server_environment(database_url, redis_url, var_dir, self.port),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, str(SCRIPT), "--serve", role, "--port", str(self.port)]
        command += ["--workers", str(workers), "--http", stack[0], "--loop", stack[1]]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready(workers if role == "peerline" else 0)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, counted: int) -> None:
        """Until it answers, and ``counted`` workers count their pool use (SIGUSR1 before
        then would kill a worker)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.role} server exited:\n{self.log()}")
            if self.log().count(READY_TAG) < counted:
                time.sleep(0.1)
                continue
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
                    if sock.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.role} server not ready in 60 s:\n{self.log()}")

    def pids(self) -> list[int]:
        """The process serving requests: uvicorn's, or with workers its worker processes."""
        import psutil

        try:
            children = psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return []
        workers = []
        for child in children:
            with contextlib.suppress(psutil.Error):  # a zombie or one just gone
                if "spawn_main" in " ".join(child.cmdline()):
                    workers.append(child.pid)
        return workers or [self.proc.pid]

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid) + sum(
            cpu_seconds(pid) for pid in self.pids() if pid != self.proc.pid
        )

    def rss_mb(self) -> list[float]:
        """Resident memory of each serving process, MB."""
        return [rss_mb(pid) for pid in self.pids()]

    def pool_use(self) -> tuple[int, int, int]:
        """(new DB connections, pool checkouts, commits) so far in every worker, asked by
        SIGUSR1 (each worker prints its own line, tagged with its pid)."""
        pids = self.pids()
        # Found anywhere in the log: the workers' lines can still land mid-line of another's.
        pattern = re.compile(rf"{POOL_TAG} (\d+) (\d+) (\d+) (\d+)")
        seen = len(pattern.findall(self.log()))
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            found = pattern.findall(self.log())
            if len(found) >= seen + len(pids):
                latest: dict[str, list[int]] = {}
                for pid, *counts in found:
                    latest[pid] = [int(c) for c in counts]
                total = [sum(c[i] for c in latest.values()) for i in range(3)]
                return total[0], total[1], total[2]
            time.sleep(0.02)
        return -1, -1, -1

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


SECRET_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def server_environment(database_url: str, redis_url: str, var_dir: Path, port: int) -> dict:
    """Peerline's settings for the served app, as a deployment gives them: the environment."""
    return {
        "PEERLINE_DATABASE_URL": database_url,
        "PEERLINE_REDIS_URL": redis_url,
        "PEERLINE_PUBLIC_URL": PUBLIC_URL,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PEERLINE_SECRET_KEY": SECRET_KEY,
        "PEERLINE_VAR_DIR": str(var_dir),
        "PEERLINE_HOST": HOST,
        "PEERLINE_PORT": str(port),
        "PEERLINE_LOG_LEVEL": "WARNING",
        # Hundreds of new calls a second for minutes: far past any hotline, and past the
        # flood guard, which would turn them away. Per-number limits stay on.
        "PEERLINE_INBOUND_CALLS_PER_SECOND": "0",
        "PEERLINE_INBOUND_TEXTS_PER_SECOND": "0",
    }


def peerline_app() -> Any:
    """The served app in each uvicorn worker: ``peerline.app.create_app`` and the counters."""
    from peerline import logs
    from peerline.app import create_app

    logs.configure("WARNING")
    app = create_app()
    count_pool_use(app.state.services.store.engine)
    return app


def hello_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    async def hello(request: Request) -> Response:
        await request.body()
        return PlainTextResponse("Hello, world!")

    return Starlette(
        routes=[
            Route("/hello", hello, methods=["GET", "POST"]),
            Route("/healthz", hello, methods=["GET"]),
        ]
    )


def serve(role: str, port: int, workers: int, http: str = "auto", loop: str = "auto") -> None:
    """The child process: Peerline (or hello world) as ``peerline serve`` runs it."""
    import uvicorn

    factory = "servers:peerline_app" if role == "peerline" else "servers:hello_app"
    uvicorn.run(
        factory,
        factory=True,
        host=HOST,
        port=port,
        workers=workers,
        http=http,
        loop=loop,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
    )


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
