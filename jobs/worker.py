"""The RQ worker Peerline runs: RQ's forking ``Worker`` that knows why it stopped, and takes
no job while the database does not answer.

RQ ends its work loop on some Redis errors ("Redis connection timeout, quitting…", an error
in a heartbeat after a job) and on any unexpected exception. ``stopping`` tells a
requested stop (SIGTERM, SIGINT) from those, so the caller (``peerline.processes``) can
start the loop again once Redis answers instead of leaving the queues unworked.

While the database is away every job would fail and spend one of its retries; the worker
holds jobs in Redis instead, until the database answers again (probed at most once a
second while it is up, so this costs nothing under load).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from redis.exceptions import RedisError
from rq import Worker

from jobs.outages import DATABASE, Backoff, Health, outage_of

PROBE_EVERY = 1.0  # seconds between database probes while it answers


class PeerlineWorker(Worker):
    def __init__(
        self,
        *args: Any,
        database_probe: Callable[[], object] | None = None,
        health: Health | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.stopping = False
        self._probe = database_probe
        self._health = health or Health("worker")
        self._probed_at = -PROBE_EVERY

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def dequeue_job_and_maintain_ttl(
        self, timeout: int | None, max_idle_time: int | None = None
    ) -> Any:
        self._wait_for_database()
        return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)

    def _wait_for_database(self) -> None:
        if self._probe is None or time.monotonic() - self._probed_at < PROBE_EVERY:
            return
        backoff = Backoff()
        while not self.stopping and not self._stop_requested:
            try:
                self._probe()
            except Exception as exc:
                if outage_of(exc) is None:
                    raise
                delay = backoff.delay()
                self._health.down(DATABASE, exc, delay)
                with contextlib.suppress(RedisError):
                    self.heartbeat()  # still alive: the registry must not take us for dead
                time.sleep(delay)
                continue
            self._health.up(DATABASE)
            self._probed_at = time.monotonic()
            return
