"""Riding out an outage: which failures are Redis or the database being away, backoff, and
one health line when a dependency goes away and one when it is back.

Workers and the scheduler never quit because Redis or the database stopped answering for a
while: they wait with exponential backoff (0.5 s doubling to 5 s: trying to reconnect
costs nothing, and the end of an outage should be noticed within seconds) and say so once,
not once a second, and say again when it answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

logger = logging.getLogger(__name__)

REDIS = "Redis"
DATABASE = "database"


def outage_of(exc: BaseException) -> str | None:
    """``"Redis"`` or ``"database"`` when ``exc`` means that service is unreachable, else
    None (a bug, bad data: not something waiting will fix)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # RQ and SQLAlchemy wrap errors
        seen.add(id(current))
        if isinstance(current, RedisConnectionError | RedisTimeoutError):
            return REDIS
        if isinstance(current, OperationalError | InterfaceError):
            return DATABASE
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return DATABASE
        current = current.__cause__ or current.__context__
    return None


@dataclass
class Backoff:
    """Exponential backoff: ``first`` seconds, times ``factor`` each time, at most ``cap``."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 5.0
    _next: float = field(default=0.0, init=False)

    def delay(self) -> float:
        """The wait before the next attempt (and moves the schedule on)."""
        current = self._next or self.first
        self._next = min(self.cap, current * self.factor)
        return current

    def reset(self) -> None:
        self._next = 0.0


@dataclass
class Health:
    """One process's view of its dependencies: logs the moment each goes away and comes
    back (``who`` names the process in the line), never a line per retry."""

    who: str
    clock: Callable[[], float] = time.monotonic
    _down_since: dict[str, float] = field(default_factory=dict)

    def down(self, service: str, exc: BaseException, retry_in: float) -> None:
        if service not in self._down_since:
            self._down_since[service] = self.clock()
            logger.warning(
                "health: %s cannot reach %s (%s); retrying with backoff, next in %.0f s",
                self.who,
                service,
                type(exc).__name__,
                retry_in,
            )

    def up(self, service: str) -> None:
        since = self._down_since.pop(service, None)
        if since is not None:
            logger.warning(
                "health: %s reaches %s again after %.1f s", self.who, service, self.clock() - since
            )

    def is_down(self, service: str) -> bool:
        return service in self._down_since


def wait_until_up(
    service: str,
    probe: Callable[[], object],
    health: Health,
    stop: threading.Event,
    backoff: Backoff | None = None,
) -> bool:
    """Call ``probe`` until it succeeds (True) or ``stop`` is set (False), backing off."""
    backoff = backoff or Backoff()
    while not stop.is_set():
        try:
            probe()
        except Exception as exc:
            if outage_of(exc) is None and not isinstance(exc, OSError):
                raise
            delay = backoff.delay()
            health.down(service, exc, delay)
            stop.wait(delay)
            continue
        health.up(service)
        return True
    return False
