"""A second record of "this call is in a crisis transfer", in Redis.

The database is the record (the session's status). This mark exists for the moment the
database is down: the fallback webhook can still note a caller's 9 here, and the job that
would move a holding caller into a conference checks both before it touches the call.
"""

from __future__ import annotations

from contextlib import suppress

from redis import Redis
from redis.exceptions import RedisError

TTL_SECONDS = 12 * 3600  # far longer than any crisis transfer or hold


class CrisisMarks:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def mark(self, call_sid: str) -> None:
        with suppress(RedisError):  # best effort: the database holds the record
            self.redis.set(_key(call_sid), 1, ex=TTL_SECONDS)

    def marked(self, call_sid: str) -> bool:
        """True when marked; an unreachable Redis answers True (never risk moving a caller)."""
        try:
            return bool(self.redis.exists(_key(call_sid)))
        except RedisError:
            return True


def _key(call_sid: str) -> str:
    return f"peerline:crisis:{call_sid}"
