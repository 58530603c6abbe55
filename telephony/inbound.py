"""Twilio's webhook parameters as the use cases' typed inbound values, trimmed and bounded."""

from __future__ import annotations

import re

from starlette.datastructures import FormData

from ivr.numbers import to_e164
from usecases.inbound import Text, VoiceCall

_DIGITS = re.compile(r"[^0-9*#]")
_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")


class MissingField(ValueError):
    pass


def _sid(form: FormData, name: str) -> str:
    value = str(form.get(name) or "").strip()
    if not _SID.match(value):
        raise MissingField(name)
    return value


def voice_call(form: FormData) -> VoiceCall:
    """A voice webhook's call; raises ``MissingField`` without a well-formed CallSid."""
    return VoiceCall(
        call_sid=_sid(form, "CallSid"),
        caller=to_e164(str(form.get("From") or "")),
        digits=_DIGITS.sub("", str(form.get("Digits") or ""))[:32],
        speech=str(form.get("SpeechResult") or "").strip()[:200],
        call_status=str(form.get("CallStatus") or "").strip().lower()[:20],
    )


def text_message(form: FormData) -> Text:
    """An inbound SMS webhook's message."""
    return Text(
        message_sid=str(form.get("MessageSid") or "")[:64],
        sender=to_e164(str(form.get("From") or "")),
        body=str(form.get("Body") or "")[:1600],
    )
