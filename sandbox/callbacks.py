"""The parameters Twilio sends with voice webhooks and call status callbacks."""

from __future__ import annotations

from email.utils import formatdate

from sandbox.phones import Call, country_of

API_VERSION = "2010-04-01"
_STATUS_OF_EVENT = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}


def call_params(call: Call, status: str | None = None) -> list[tuple[str, str]]:
    """The parameters Twilio sends with every voice request about ``call``."""
    params = [
        ("AccountSid", call.account_sid),
        ("ApiVersion", API_VERSION),
        ("CallSid", call.sid),
        ("CallStatus", status or call.status.value),
        ("Direction", call.direction.value),
        ("From", call.from_),
        ("To", call.to),
        ("Caller", call.from_),
        ("Called", call.to),
    ]
    if call.parent_sid:
        params.append(("ParentCallSid", call.parent_sid))
    for prefix, number in (("From", call.from_), ("To", call.to)):
        for field in ("City", "State", "Zip"):
            params.append((prefix + field, ""))
        params.append((prefix + "Country", country_of(number)))
    for prefix, number in (("Caller", call.from_), ("Called", call.to)):
        params.append((prefix + "Country", country_of(number)))
    return params


def status_params(call: Call, event: str, now: float) -> list[tuple[str, str]] | None:
    """A status callback for ``event`` (initiated, ringing, answered, completed), if wanted."""
    if not call.status_callback or event not in call.status_events:
        return None
    params = [
        *call_params(call, _STATUS_OF_EVENT.get(event, call.status.value)),
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(call.sequence)),
        ("Timestamp", formatdate(now, usegmt=True)),
    ]
    if event == "completed":
        minutes = -(-call.duration() // 60) if call.answered else 0
        params += [("CallDuration", str(call.duration())), ("Duration", str(minutes))]
    return params
