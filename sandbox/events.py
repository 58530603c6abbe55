"""A bounded, sequenced log of what happened, for the softphone page's live updates."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str  # call | heard | sms | notice | phone | conference
    data: dict[str, str] = field(default_factory=dict)


class EventLog:
    def __init__(self, keep: int = 1000) -> None:
        self._events: deque[Event] = deque(maxlen=keep)
        self._seq = 0
        self._lock = threading.Lock()

    def emit(self, kind: str, **data: str) -> None:
        with self._lock:
            self._seq += 1
            self._events.append(Event(self._seq, kind, data))

    def since(self, seq: int) -> list[Event]:
        with self._lock:
            return [e for e in self._events if e.seq > seq]

    @property
    def last_seq(self) -> int:
        return self._seq
