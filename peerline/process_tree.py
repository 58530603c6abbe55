"""The child processes of ``peerline run``: started, waited for, and stopped as one tree.

Each child runs in its own process group, so a terminal's Ctrl-C reaches only ``run``,
which then stops every child the same way: SIGTERM to the child's whole group (a worker's
work horse and RQ scheduler, uvicorn's server), and SIGKILL to whatever is left when the
grace period is over. A child also asks the kernel for SIGTERM when ``run`` dies without
cleaning up (``follow_parent``, Linux only), so even a SIGKILLed ``run`` leaves nothing
behind but what it started itself.

A child that exits while ``run`` is running is started again (``restart_exited``) after a
backoff (1 s doubling to 30 s; afresh once it has been up a minute), and the others carry
on: a crashed worker never takes the web process or the sandbox with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from jobs.outages import Backoff

logger = logging.getLogger(__name__)

PARENT_ENV = "PEERLINE_PARENT_PID"  # set by ``spawn``, read once by ``follow_parent``
PR_SET_PDEATHSIG = 1
STABLE_AFTER = 60.0  # seconds a child must stay up before its restart backoff starts afresh
PEERLINE = (sys.executable, "-m", "peerline")


@dataclass(frozen=True)
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    args: tuple[str, ...] = ()
    started_at: float = 0.0


@dataclass
class _Restart:
    backoff: Backoff = field(default_factory=lambda: Backoff(first=1.0, cap=30.0))
    due: float | None = None  # when the exited child is started again
    count: int = 0


class ProcessTree:
    """Children of this process, each the leader of its own process group."""

    def __init__(
        self,
        env: dict[str, str],
        program: tuple[str, ...] = PEERLINE,
        clock: Callable[[], float] = time.monotonic,
        stable_after: float = STABLE_AFTER,
    ) -> None:
        self._env = {**env, PARENT_ENV: str(os.getpid())}
        self.program, self.clock, self.stable_after = program, clock, stable_after
        self.children: list[Child] = []
        self.restarts: dict[str, _Restart] = {}

    def spawn(self, name: str, args: list[str]) -> Child:
        """Start ``program args`` as ``name`` (replacing an earlier child of that name)."""
        proc = subprocess.Popen(  # noqa: S603
            [*self.program, *args],
            env=self._env,
            stdin=subprocess.DEVNULL,
            process_group=0,  # a Ctrl-C for the terminal's group is ``run``'s alone
        )
        child = Child(name, proc, tuple(args), self.clock())
        self.children = [c for c in self.children if c.name != name] + [child]
        logger.info("started %s pid=%d", name, proc.pid)
        return child

    def restart_exited(self) -> None:
        """Note every child that has exited and start again those whose backoff is over."""
        now = self.clock()
        for child in list(self.children):
            if child.proc.poll() is None:
                continue
            plan = self.restarts.setdefault(child.name, _Restart())
            if plan.due is None:
                # What it leaves in its group (a work horse, RQ's scheduler process) goes too:
                # the new child starts its own, and nothing would stop these later.
                _signal_group(child.proc.pid, signal.SIGKILL)
                if now - child.started_at >= self.stable_after:
                    plan.backoff.reset()
                delay = plan.backoff.delay()
                plan.due = now + delay
                logger.error(
                    "%s exited with %s; starting it again in %.0f s",
                    child.name,
                    child.proc.returncode,
                    delay,
                )
            elif now >= plan.due:
                plan.due, plan.count = None, plan.count + 1
                self.spawn(child.name, list(child.args))

    def exited(self) -> Child | None:
        """A child that has ended, if any."""
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def wait_for_ports(
        self, addresses: list[tuple[str, int]], stop: threading.Event, timeout: float
    ) -> str | None:
        """Block until every address accepts a connection; else say why not."""
        deadline = time.monotonic() + timeout
        waiting = list(addresses)
        while waiting:
            if stop.is_set():
                return "stopped while starting"
            if (child := self.exited()) is not None:
                return f"{child.name} exited with {child.proc.returncode} while starting"
            if time.monotonic() > deadline:
                names = ", ".join(f"{host}:{port}" for host, port in waiting)
                return f"nothing answered on {names} after {timeout:.0f} s"
            waiting = [address for address in waiting if not _answers(address)]
            if waiting:
                stop.wait(0.1)
        return None

    def stop(self, grace: float) -> None:
        """SIGTERM every child's group, SIGKILL what remains after ``grace`` seconds."""
        started = time.monotonic()
        for child in self.children:
            _signal_group(child.proc.pid, signal.SIGTERM)
        deadline = started + grace
        for child in self.children:
            try:
                child.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %.1f s; killing it", child.name, grace)
        for child in self.children:
            _signal_group(child.proc.pid, signal.SIGKILL)  # stragglers: horses, servers
            child.proc.wait()
        logger.info("children stopped in %.2f s", time.monotonic() - started)


def follow_parent() -> None:
    """In a child of ``ProcessTree``: receive SIGTERM when the parent dies (Linux)."""
    parent = os.environ.pop(PARENT_ENV, None)  # grandchildren follow their own parent
    if parent is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        logger.warning("could not ask to be stopped with my parent (errno %d)", ctypes.get_errno())
        return
    if os.getppid() != int(parent):  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGTERM)


def _answers(address: tuple[str, int]) -> bool:
    host, port = address
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening on all: ask loopback
        host = "127.0.0.1"
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group has gone
        os.killpg(pgid, signum)
