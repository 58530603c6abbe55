"""``peerline run``'s children: start them, restart any that exits, stop them all.

A child that exits (a crash, an OOM kill, ``kill -9``) is started again after a backoff
(1 s doubling to 30 s; afresh once it has run for a minute), and the others carry on: a
crashed worker never takes the web process or the sandbox with it.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jobs.outages import Backoff

logger = logging.getLogger(__name__)

STABLE_AFTER = 60.0  # seconds a child must run before its backoff starts afresh
Spawn = Callable[[Sequence[str], dict[str, str]], "subprocess.Popen[bytes]"]


def _popen(argv: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(list(argv), env=env)  # noqa: S603 - our own interpreter and args


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: int = 0
    backoff: Backoff = field(default_factory=lambda: Backoff(first=1.0, cap=30.0))


class Supervisor:
    def __init__(
        self,
        env: dict[str, str],
        spawn: Spawn = _popen,
        clock: Callable[[], float] = time.monotonic,
        stable_after: float = STABLE_AFTER,
    ) -> None:
        self.env, self.spawn, self.clock, self.stable_after = env, spawn, clock, stable_after
        self.children: list[Child] = []

    def start(self, name: str, argv: Sequence[str]) -> Child:
        child = Child(name, argv)
        self.children.append(child)
        self._start(child)
        return child

    def tend(self) -> None:
        """One look at every child: note the ones that exited, restart those whose time is up."""
        now = self.clock()
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._start(child)
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            if now - child.started_at >= self.stable_after:
                child.backoff.reset()
            delay = child.backoff.delay()
            child.restart_at = now + delay
            logger.error(
                "run: %s exited with %s; starting it again in %.0f s",
                child.name,
                child.proc.returncode,
                delay,
            )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM every child, then SIGKILL whichever is still there after ``timeout``."""
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.terminate()
        deadline = self.clock() + timeout
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def _start(self, child: Child) -> None:
        child.proc = self.spawn(child.argv, self.env)
        child.started_at, child.restart_at = self.clock(), None
        logger.info("started %s pid=%d", child.name, child.proc.pid)
