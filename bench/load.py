"""The load generators: a small keep-alive HTTP/1.1 client and the open and closed loops."""

from __future__ import annotations

import asyncio
import heapq
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from calls import HOST, NAMES, STEPS, Call, Step, http_post
from percentile import percentile

TIMEOUT = 15.0  # Twilio's whole budget for one webhook
APOLOGY = b"/twilio/voice/fallback"  # in any answer, the use case failed behind a 200


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
