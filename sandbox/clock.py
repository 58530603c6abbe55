"""Time for the sandbox: a manual clock for tests, a system clock for the server.

Both schedule callbacks with ``call_later``. A :class:`ManualClock` only moves when told
to, so tests fire Gather and ring timeouts with ``clock.advance(6)`` instead of sleeping.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)
Callback = Callable[[], None]
MAX_FIRES_PER_ADVANCE = 10_000  # a runaway timer loop fails loudly instead of hanging


class Timer:
    """A scheduled callback; ``cancel`` is idempotent."""

    __slots__ = ("callback", "cancelled", "due")

    def __init__(self, due: float, callback: Callback) -> None:
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def call_later(self, delay: float, callback: Callback) -> Timer: ...


class _TimerHeap:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()

    def push(self, timer: Timer) -> None:
        heapq.heappush(self._heap, (timer.due, next(self._order), timer))

    def pop_due(self, until: float) -> Timer | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        if self._heap and self._heap[0][0] <= until:
            return heapq.heappop(self._heap)[2]
        return None

    def next_due(self) -> float | None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None


class ManualClock:
    """A clock that moves only on :meth:`advance`; timers fire in the advancing thread.

    ``settle`` runs before and after every timer fires; a sandbox sets it to wait until
    the work a timer started is done, so ``advance`` returns to a quiet sandbox.
    """

    def __init__(self, start: float = 1_767_600_000.0) -> None:  # 2026-01-05 08:00 UTC
        self._now = start
        self._timers = _TimerHeap()
        self._lock = threading.Lock()
        self.settle: Callback = lambda: None

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callback) -> Timer:
        with self._lock:
            timer = Timer(self._now + max(0.0, delay), callback)
            self._timers.push(timer)
            return timer

    def advance(self, seconds: float) -> None:
        """Move time forward, firing every timer that falls due on the way, in order."""
        target = self._now + seconds
        self.settle()
        for _ in range(MAX_FIRES_PER_ADVANCE):
            with self._lock:
                timer = self._timers.pop_due(target)
                if timer is None:
                    self._now = max(self._now, target)
                    return
                self._now = max(self._now, timer.due)
            timer.callback()
            self.settle()
        raise RuntimeError(f"more than {MAX_FIRES_PER_ADVANCE} timers fired in one advance")

    @property
    def pending(self) -> int:
        """Timers scheduled and not cancelled."""
        with self._lock:
            return sum(1 for _, _, t in self._timers._heap if not t.cancelled)


class SystemClock:
    """Wall-clock time; callbacks run on one scheduler thread, started on first use."""

    def __init__(self) -> None:
        self._timers = _TimerHeap()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def now(self) -> float:
        return time.time()

    def call_later(self, delay: float, callback: Callback) -> Timer:
        timer = Timer(time.time() + max(0.0, delay), callback)
        with self._cond:
            if self._closed:
                return timer
            self._timers.push(timer)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-clock", daemon=True)
                self._thread.start()
            self._cond.notify()
        return timer

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                timer = self._timers.pop_due(time.time())
                if timer is None:
                    due = self._timers.next_due()
                    self._cond.wait(None if due is None else max(0.0, due - time.time()))
                    continue
            try:
                timer.callback()
            except Exception:
                logger.exception("sandbox timer callback failed")
