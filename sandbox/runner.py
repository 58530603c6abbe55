"""One worker thread that runs the sandbox's work in order, like Twilio's media servers.

Webhooks are posted from here, never from the thread that asked for them, so a REST
request returns before its status callbacks are sent and a webhook handler may call
the REST API back without deadlocking.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

logger = logging.getLogger(__name__)
Task = Callable[[], None]


class SandboxCrash(RuntimeError):
    """A sandbox task raised: a bug in the sandbox, surfaced to whoever waits on it."""


class TaskRunner:
    """FIFO task queue drained by a daemon thread, started on first submit."""

    def __init__(self, name: str = "sandbox-runner") -> None:
        self._name = name
        self._tasks: deque[Task] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._failures: list[BaseException] = []

    def submit(self, task: Task) -> None:
        with self._cond:
            if self._closed:
                return
            self._tasks.append(task)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def in_worker(self) -> bool:
        return threading.current_thread() is self._thread

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no task is queued or running; raise if one crashed meanwhile."""
        if self.in_worker():
            return
        with self._cond:
            if not self._cond.wait_for(lambda: not self._tasks and not self._busy, timeout):
                raise TimeoutError(f"sandbox still busy after {timeout} s")
            failures, self._failures = self._failures, []
        if failures:
            raise SandboxCrash(f"{len(failures)} sandbox task(s) failed") from failures[0]

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._closed = True
            self._tasks.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and not self.in_worker():
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                self._cond.wait_for(lambda: self._tasks or self._closed)
                if self._closed:
                    return
                task = self._tasks.popleft()
                self._busy = True
            try:
                task()
            except Exception as exc:
                logger.exception("sandbox task failed")
                with self._cond:
                    self._failures.append(exc)
