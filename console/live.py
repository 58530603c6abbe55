"""Live board updates: a Redis pub/sub channel fanned out to browsers as server-sent events.

Any process may publish (``RedisBoardFeed.publish``, the use cases' ``BoardNotifier``);
every web process subscribes once per open board, so it works with many web processes.
Events carry a kind and at most a request id, never personal data; a browser that gets one
re-reads ``/api/v1/board``. A stream ends after ``STREAM_SECONDS`` and the browser's
EventSource reconnects, so a shutdown never waits on an open board for long.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis.asyncio as aioredis
from redis import Redis, RedisError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from console.auth import caller, services
from console.problems import ProblemError, problem

logger = logging.getLogger(__name__)

CHANNEL = "peerline:board"  # + ":<db>": pub/sub is server-wide, not per Redis database
HEARTBEAT_SECONDS = 15.0
QUIET_SECONDS = 5.0  # after Redis refused one event, the next are not tried for this long
STREAM_SECONDS = 300.0


def board_channel(redis: Redis) -> str:
    """The board's channel for this connection's database: two programs (or test runs)
    sharing one Redis server in different databases never hear each other's events."""
    return f"{CHANNEL}:{redis.connection_pool.connection_kwargs.get('db', 0)}"


class RedisBoardFeed:
    """Publisher over an explicit sync connection; each listener opens its own async one.

    Every request event is published from inside calls and webhooks, so a Redis that is
    down must not slow them: after a failure the feed stays quiet for ``QUIET_SECONDS``
    (boards re-read every 30 s anyway) instead of waiting out every event's timeout.
    """

    def __init__(
        self,
        redis: Redis,
        url: str,
        channel: str | None = None,
        *,
        connect: Callable[[], aioredis.Redis] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis, self.url, self.clock = redis, url, clock
        self.channel = channel or board_channel(redis)
        self._connect = connect  # e.g. through Redis Sentinel; default: from ``url``
        self._quiet_until = 0.0

    def publish(self, kind: str, request_id: str | None = None) -> None:
        if self.clock() < self._quiet_until:
            return
        message = json.dumps({"kind": kind, "request_id": request_id})
        try:
            self.redis.publish(self.channel, message)
        except RedisError as exc:  # a board missing one update must not fail the change
            self._quiet_until = self.clock() + QUIET_SECONDS
            logger.warning("board events not published for a while (%s)", type(exc).__name__)

    async def listen(self, seconds: float) -> AsyncIterator[dict[str, Any] | None]:
        client = self._connect() if self._connect else aioredis.Redis.from_url(self.url)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            while (left := deadline - loop.time()) > 0:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=min(HEARTBEAT_SECONDS, left)
                )
                if message is None:
                    yield None
                    continue
                try:
                    yield json.loads(message["data"])
                except (ValueError, TypeError):
                    continue
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]
            await client.aclose()


async def board_events(request: Request) -> Response:
    """``GET /console/board/events``: the SSE stream behind the board page."""
    try:
        await caller(request)
    except ProblemError as exc:
        return problem(exc.status, exc.detail, kind=exc.kind)
    feed = services(request).feed

    async def stream() -> AsyncIterator[str]:
        yield "retry: 3000\nevent: hello\ndata: {}\n\n"
        async for event in feed.listen(STREAM_SECONDS):
            if event is None:
                yield ": keep-alive\n\n"
            else:
                yield f"event: board\ndata: {json.dumps(event)}\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
