"""Ten-line fakes for the ports. The sandbox contract tests keep them honest."""

from __future__ import annotations

from typing import Any

from usecases.errors import CarrierError


class RecordingCarrier:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: list[dict[str, str]] = []
        self.fail: dict[str, CarrierError] = {}  # by destination number
        self.fail_updates: dict[str, CarrierError] = {}  # by call SID

    def place_call(self, **kw: Any) -> str:
        if kw["to"] in self.fail:
            raise self.fail[kw["to"]]
        self.calls.append(kw)
        return f"CAfa{len(self.calls):030x}"  # apart from the driver's inbound SIDs

    def update_call(self, sid: str, **kw: Any) -> None:
        if sid in self.fail_updates:
            raise self.fail_updates[sid]
        self.updates.append({"sid": sid, **{k: v for k, v in kw.items() if v}})

    def send_sms(self, **kw: str) -> str:
        if kw["to"] in self.fail:
            raise self.fail[kw["to"]]
        self.messages.append(kw)
        return f"SM{len(self.messages):032x}"
