"""A Redis that is down costs the calls that publish board events one failed try per quiet
period, not a timeout per event."""

from __future__ import annotations

from typing import Any

from redis import Redis

from console.live import QUIET_SECONDS, RedisBoardFeed

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def test_after_a_failure_the_feed_stays_quiet_then_tries_again() -> None:
    now = [100.0]
    client = Redis.from_url(NOWHERE, socket_connect_timeout=0.5)
    tries: list[Any] = []
    publish = client.publish

    def counted(*args: Any) -> Any:
        tries.append(args)
        return publish(*args)

    client.publish = counted  # type: ignore[method-assign]
    feed = RedisBoardFeed(client, NOWHERE, clock=lambda: now[0])
    feed.publish("request.created", "r1")  # refused: logged, not raised
    feed.publish("request.offered", "r1")
    now[0] += QUIET_SECONDS - 0.1
    feed.publish("request.connected", "r1")
    assert len(tries) == 1
    now[0] += 0.2
    feed.publish("request.closed", "r1")
    assert len(tries) == 2


def test_programs_in_different_redis_databases_use_different_channels() -> None:
    # Pub/sub ignores SELECT: without the database in the name, a second program (or a
    # second test run) on the same Redis server would see this board's events.
    first = RedisBoardFeed(Redis.from_url("redis://127.0.0.1:1/3"), NOWHERE)
    second = RedisBoardFeed(Redis.from_url("redis://127.0.0.1:1/4"), NOWHERE)
    assert (first.channel, second.channel) == ("peerline:board:3", "peerline:board:4")
