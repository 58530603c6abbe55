"""The RQ queues, one per urgency, always with the JSON serializer (never pickle)."""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

URGENCIES = ("urgent", "soon", "routine")  # also the worker's priority order


class Queues:
    """The queues on one explicit Redis connection."""

    def __init__(self, connection: Redis) -> None:
        self.connection = connection
        self._by_name = {
            name: Queue(name, connection=connection, serializer=JSONSerializer)
            for name in URGENCIES
        }

    def __getitem__(self, name: str) -> Queue:
        """The queue by name; an unknown name is a bug upstream and raises KeyError."""
        return self._by_name[name]

    def all(self) -> list[Queue]:
        return [self._by_name[name] for name in URGENCIES]
