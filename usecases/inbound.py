"""What arrives from a caller or texter, already parsed and bounded by the web adapter."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceCall:
    """One voice webhook: which call, who (E.164 or None), and what was pressed or said."""

    call_sid: str
    caller: str | None
    digits: str = ""
    speech: str = ""
    call_status: str = ""


@dataclass(frozen=True)
class Text:
    """One inbound text: its id, the sender (E.164 or None) and the body."""

    message_sid: str
    sender: str | None
    body: str
