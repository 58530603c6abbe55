"""A Redis rate limiter shared by every worker: outbound REST calls stay under Twilio's CPS.

Generic cell rate algorithm in one Lua script: each caller reserves the next free slot and
sleeps until it. Fair (first come, first served), no polling, one round trip per call. Time
is Redis's own clock, so workers on hosts whose clocks disagree still share one schedule.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis

_RESERVE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000000 + tonumber(now_parts[2])
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil((slot + interval - now) / 1000) + 1000)
return tostring(slot - now)
"""


class Throttle:
    """``wait()`` returns when the caller may make one more request at ``rate`` per second."""

    def __init__(
        self,
        redis: Redis,
        name: str,
        rate: float,
        sleep: Callable[[float], None] = time.sleep,
        headroom: float = 0.95,
    ) -> None:
        self.key = f"peerline:throttle:{name}"
        # Slots exactly 1/rate apart reach the carrier closer than that about half the time
        # (jitter on the way); 5% headroom keeps us under its limit, as measured there.
        self.interval_us = int(1_000_000 / (rate * headroom))
        self._script = redis.register_script(_RESERVE)
        self._sleep = sleep

    def reserve(self) -> float:
        """Reserve the next slot; seconds to wait before using it."""
        delay_us = int(float(self._script(keys=[self.key], args=[self.interval_us])))
        return delay_us / 1_000_000

    def wait(self) -> float:
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
        return delay
