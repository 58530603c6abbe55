"""A Redis rate limiter shared by every worker: outbound REST calls stay under Twilio's CPS.

Generic cell rate algorithm in one Lua script: each caller reserves the next free slot and
sleeps until it. Fair (first come, first served), no polling, one round trip per call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redis import Redis

_RESERVE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = f"peerline:throttle:{name}"
        self.interval_us = int(1_000_000 / rate)
        self._script = redis.register_script(_RESERVE)
        self._sleep = sleep
        self._clock = clock

    def reserve(self) -> float:
        """Reserve the next slot; seconds to wait before using it."""
        now_us = int(self._clock() * 1_000_000)
        delay_us = int(float(self._script(keys=[self.key], args=[now_us, self.interval_us])))
        return delay_us / 1_000_000

    def wait(self) -> float:
        delay = self.reserve()
        if delay > 0:
            self._sleep(delay)
        return delay
