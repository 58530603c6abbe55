"""Webhook rate limits in Redis: a sliding-window log per key, one Lua script per check.

Each key is a sorted set of event ids (CallSid, MessageSid) scored by time: events older
than the window are dropped, an event already in the set is admitted again (Twilio
re-delivers webhooks) and a new one is added only below the limit, so a caller who
stays over it does not push their own window forward. Keys never hold a number (the use
case passes the blind index) and expire with their window.

If Redis can't be reached the check admits: a Redis outage must never turn a caller away.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PREFIX = "peerline:limit:"
_ADMIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


class RedisRateLimiter:
    """``usecases.ports.RateLimiter`` over Redis, shared by every web process."""

    def __init__(self, redis: Redis, clock: Callable[[], float] = time.time) -> None:
        self._script = redis.register_script(_ADMIT)
        self.clock = clock

    def admit(self, key: str, event: str, limit: int, window_seconds: float) -> bool:
        now_ms = int(self.clock() * 1000)
        args: list[int | str] = [now_ms, max(1, int(window_seconds * 1000)), limit, event]
        try:
            return bool(self._script(keys=[PREFIX + key], args=args))
        except RedisError:
            channel = key.split(":", 1)[0]
            logger.warning("%s rate limit not checked: Redis unreachable; admitted", channel)
            return True
