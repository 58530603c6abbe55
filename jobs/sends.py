"""The send log in Redis: which logical sends were tried, when first, and what the carrier
called them (``usecases.ports.SendLog``).

It lives beside the jobs that retry those sends: a retry that Redis still holds finds its
earlier try here, and a try Redis lost went with the retry itself. Keys are our own ids
(offer, request, session), never a number.
"""

from __future__ import annotations

from datetime import datetime

from redis import Redis

from usecases.ports import Attempt

TTL_SECONDS = 2 * 86400  # longer than any retry schedule


class RedisSendLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def begin(self, key: str, now: datetime) -> Attempt:
        pipe = self.redis.pipeline(transaction=True)
        pipe.hsetnx(_key(key), "started", now.isoformat())
        pipe.hgetall(_key(key))
        pipe.expire(_key(key), TTL_SECONDS)
        first, stored, _ = pipe.execute()
        fields = {k.decode(): v.decode() for k, v in stored.items()}
        return Attempt(
            started=datetime.fromisoformat(fields["started"]),
            sid=fields.get("sid"),
            earlier=not first,
        )

    def placed(self, key: str, sid: str) -> None:
        self.redis.hset(_key(key), "sid", sid)


def _key(key: str) -> str:
    return f"peerline:send:{key}"
