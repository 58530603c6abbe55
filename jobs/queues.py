"""The RQ queues, always with the JSON serializer (never pickle).

``live`` carries work on a call in progress (move a holding caller, call a caller back
while their supporter waits, end or cancel a leg, give up on an unanswered offer): a person
is on the line, so it runs before any new dispatch. Then one queue per urgency. Workers
listen in that order.
"""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from ivr.model import Urgency

LIVE = "live"
URGENCIES = tuple(u.value for u in Urgency)  # urgent, soon, routine
QUEUE_NAMES = (LIVE, *URGENCIES)  # also the worker's priority order


class Queues:
    """The queues on one explicit Redis connection."""

    def __init__(self, connection: Redis) -> None:
        self.connection = connection
        self._by_name = {
            name: Queue(name, connection=connection, serializer=JSONSerializer)
            for name in QUEUE_NAMES
        }

    def __getitem__(self, name: str) -> Queue:
        """The queue by name; an unknown name is a bug upstream and raises KeyError."""
        return self._by_name[name]

    def all(self) -> list[Queue]:
        return [self._by_name[name] for name in QUEUE_NAMES]
