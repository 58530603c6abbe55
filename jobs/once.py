"""Once a day, across every process: a Redis key set only if it is not there yet."""

from __future__ import annotations

from redis import Redis


class RedisOnce:
    """``usecases.ports.Once`` on Redis (``SET NX EX``): the first caller wins."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def first(self, key: str, ttl_seconds: int) -> bool:
        return bool(self.redis.set(f"peerline:once:{key}", 1, nx=True, ex=ttl_seconds))

    def forget(self, key: str) -> None:
        self.redis.delete(f"peerline:once:{key}")
