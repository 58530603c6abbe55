"""A token bucket on the sandbox clock: ``rate`` requests per second, bursts of ``rate``."""

from __future__ import annotations

import threading

from sandbox.clock import Clock


class RateLimit:
    def __init__(self, clock: Clock, rate: float) -> None:
        self._clock = clock
        self._rate = rate
        self._capacity = max(1.0, rate)
        self._tokens = self._capacity
        self._at = clock.now()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one token; False when the caller is over the rate."""
        with self._lock:
            now = self._clock.now()
            elapsed = max(0.0, now - self._at)
            self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
            self._at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False
