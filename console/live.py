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
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis.asyncio as aioredis
from redis import Redis, RedisError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from console.auth import caller, services
from console.problems import ProblemError, problem

logger = logging.getLogger(__name__)

CHANNEL = "peerline:board"
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0


class RedisBoardFeed:
    """Publisher over an explicit sync connection; each listener opens its own async one."""

    def __init__(
        self,
        redis: Redis,
        url: str,
        channel: str = CHANNEL,
        *,
        connect: Callable[[], aioredis.Redis] | None = None,
    ) -> None:
        self.redis, self.url, self.channel = redis, url, channel
        self._connect = connect  # e.g. through Redis Sentinel; default: from ``url``

    def publish(self, kind: str, request_id: str | None = None) -> None:
        message = json.dumps({"kind": kind, "request_id": request_id})
        try:
            self.redis.publish(self.channel, message)
        except RedisError as exc:  # a board missing one update must not fail the change
            logger.warning("board event not published (%s)", type(exc).__name__)

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
