"""Typed views of Twilio's webhook parameters. Values are trimmed and bounded here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import FormData

from telephony.numbers import to_e164

_DIGITS = re.compile(r"[^0-9*#]")
_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")


class MissingField(ValueError):
    pass


def _sid(form: FormData, name: str) -> str:
    value = str(form.get(name) or "").strip()
    if not _SID.match(value):
        raise MissingField(name)
    return value


@dataclass(frozen=True)
class VoiceCall:
    """One voice webhook: which call, who (E.164 or None), and what was pressed or said."""

    call_sid: str
    caller: str | None
    digits: str
    speech: str
    call_status: str

    @classmethod
    def from_form(cls, form: FormData) -> VoiceCall:
        digits = _DIGITS.sub("", str(form.get("Digits") or ""))[:32]
        return cls(
            call_sid=_sid(form, "CallSid"),
            caller=to_e164(str(form.get("From") or "")),
            digits=digits,
            speech=str(form.get("SpeechResult") or "").strip()[:200],
            call_status=str(form.get("CallStatus") or "").strip().lower()[:20],
        )
