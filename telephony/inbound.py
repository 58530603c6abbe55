"""Twilio's webhook parameters as the use cases' typed inbound values, trimmed and bounded.

Nothing a webhook carries reaches a use case (or the database) unchecked: SIDs must match
Twilio's shape (letters and digits only, else ``MissingField`` → 400), numbers come out as
E.164 or None, digits as ``0-9*#``, a call status as lowercase letters and dashes, and
free text (a body, a speech result) loses every control character but tab and newline —
NUL included, which PostgreSQL refuses in any text column."""

from __future__ import annotations

import re

from starlette.datastructures import FormData

from ivr.numbers import to_e164
from usecases.inbound import Text, VoiceCall

_DIGITS = re.compile(r"[^0-9*#]")
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
_STATUS = re.compile(r"[^a-z-]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline, DEL, C1


class MissingField(ValueError):
    pass


def _sid(form: FormData, name: str) -> str:
    value = str(form.get(name) or "").strip()
    if not _SID.fullmatch(value):
        raise MissingField(name)
    return value


def clean_text(raw: object, limit: int) -> str:
    """Free text from a webhook: no control characters but tab and newline, at most
    ``limit`` characters."""
    return _CONTROL.sub("", str(raw or ""))[:limit]


def voice_call(form: FormData) -> VoiceCall:
    """A voice webhook's call; raises ``MissingField`` without a well-formed CallSid."""
    return VoiceCall(
        call_sid=_sid(form, "CallSid"),
        caller=to_e164(str(form.get("From") or "")),
        digits=_DIGITS.sub("", str(form.get("Digits") or ""))[:32],
        speech=clean_text(form.get("SpeechResult"), 400).strip()[:200],
        call_status=_STATUS.sub("", str(form.get("CallStatus") or "").lower())[:20],
    )


def text_message(form: FormData) -> Text:
    """An inbound SMS webhook's message; raises ``MissingField`` without a well-formed
    MessageSid."""
    return Text(
        message_sid=_sid(form, "MessageSid"),
        sender=to_e164(str(form.get("From") or "")),
        body=clean_text(form.get("Body"), 1600),
    )
