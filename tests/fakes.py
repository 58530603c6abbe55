"""Ten-line fakes for the ports. The carrier contract test keeps them honest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ivr.model import Line
from usecases.errors import AmbiguousCarrierError, CarrierError


class RecordingCarrier:
    """``usecases.ports.Carrier`` that records intents: ``calls`` placed (kind "offer" or
    "call_back"), ``updates`` to live calls ({"sid", and "moved_to", "status" or "said"}),
    ``messages`` sent. ``fail`` and ``fail_updates`` make chosen requests raise; ``lose_answer``
    places the call or text to those numbers and then raises as a lost 5xx answer would."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: list[dict[str, str]] = []
        self.fail: dict[str, CarrierError] = {}  # by destination number
        self.fail_updates: dict[str, CarrierError] = {}  # by call SID
        self.lose_answer: set[str] = set()  # by destination number
        self.created: dict[str, datetime] = {}  # SID -> when it was placed or sent

    def ring_supporter(self, **kw: Any) -> str:
        return self._place(kind="offer", **kw)

    def call_caller_back(self, **kw: Any) -> str:
        return self._place(kind="call_back", **kw)

    def call_into_conference(self, **kw: Any) -> str:
        return self._place(kind="crisis_conference", **kw)

    def move_to_conference(self, call_sid: str, request_id: str) -> None:
        self._update(call_sid, moved_to=request_id)

    def cancel_call(self, call_sid: str) -> None:
        self._update(call_sid, status="canceled")

    def hang_up(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        if said:
            self._update(call_sid, said=tuple(line.msg for line in said))
        else:
            self._update(call_sid, status="completed")

    def send_sms(self, **kw: str) -> str:
        if kw["to"] in self.fail:
            raise self.fail[kw["to"]]
        self.messages.append(kw)
        return self._created(f"SM{len(self.messages):032x}", kw["to"])

    def find_call(self, *, to: str, from_: str, since: datetime) -> str | None:
        sids = [f"CAfa{i + 1:030x}" for i, c in enumerate(self.calls) if c["to"] == to]
        return self._since(sids, since)

    def find_message(self, *, to: str, from_: str, body: str, since: datetime) -> str | None:
        sids = [
            f"SM{i + 1:032x}"
            for i, m in enumerate(self.messages)
            if (m["to"], m["body"]) == (to, body)
        ]
        return self._since(sids, since)

    def _place(self, **kw: Any) -> str:
        if kw["to"] in self.fail:
            raise self.fail[kw["to"]]
        self.calls.append(kw)
        return self._created(f"CAfa{len(self.calls):030x}", kw["to"])  # not the driver's SIDs

    def _created(self, sid: str, to: str) -> str:
        self.created[sid] = datetime.now(UTC)
        if to in self.lose_answer:
            raise AmbiguousCarrierError("twilio 500 None")
        return sid

    def _since(self, sids: list[str], since: datetime) -> str | None:
        return next((sid for sid in sids if self.created[sid] >= since), None)

    def _update(self, sid: str, **kw: Any) -> None:
        if sid in self.fail_updates:
            raise self.fail_updates[sid]
        self.updates.append({"sid": sid, **kw})


class MemoryRateLimiter:
    """``usecases.ports.RateLimiter`` in memory: the sliding-window log the Redis script
    keeps, on a clock the test moves (``now``, seconds). The contract test holds both."""

    def __init__(self) -> None:
        self.now = 0.0
        self.log: dict[str, dict[str, float]] = {}  # key -> event -> when counted

    def admit(self, key: str, event: str, limit: int, window_seconds: float) -> bool:
        events = self.log.setdefault(key, {})
        for old in [e for e, at in events.items() if at <= self.now - window_seconds]:
            del events[old]
        if event in events:
            return True
        if len(events) >= limit:
            return False
        events[event] = self.now
        return True
