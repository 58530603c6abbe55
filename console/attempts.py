"""Failed sign-in counters in Redis (the use cases' ``AttemptCounter``), over an explicit
connection; keys expire with their window, so a quiet account is unlocked by itself."""

from __future__ import annotations

from datetime import timedelta

from redis import Redis

_PREFIX = "peerline:"


class RedisAttempts:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def count(self, key: str) -> int:
        value = self.redis.get(_PREFIX + key)
        return int(value) if value is not None else 0

    def hit(self, key: str, window: timedelta) -> int:
        pipe = self.redis.pipeline()
        pipe.set(_PREFIX + key, 0, ex=window, nx=True)  # the window starts at the first failure
        pipe.incr(_PREFIX + key)  # INCR keeps the key's expiry
        _, count = pipe.execute()
        return int(count)

    def clear(self, key: str) -> None:
        self.redis.delete(_PREFIX + key)
