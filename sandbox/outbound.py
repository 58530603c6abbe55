"""Calls controlled through the REST API: create (validated, CPS-limited) and update."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sandbox.errors import ApiError, invalid_to, too_many_requests
from sandbox.phones import Call, CallStatus, Direction, is_phone_number

if TYPE_CHECKING:
    from sandbox.switchboard import Switchboard

INVALID_NUMBERS = frozenset({"+15005550001"})  # Twilio's magic "invalid" test number


def create_call(
    sb: Switchboard,
    *,
    to: str,
    from_: str,
    url: str | None,
    twiml: str | None,
    method: str = "POST",
    status_callback: str | None = None,
    status_events: Iterable[str] = (),
    status_method: str = "POST",
    timeout: float | None = None,
) -> Call:
    """``POST /Calls.json``: validate as Twilio does, then ring the phone (async)."""
    hotline = sb.config.hotline_number
    if not to:
        raise ApiError(400, 21201, "No 'To' number is specified")
    if to in INVALID_NUMBERS or to == hotline or not is_phone_number(to):
        raise invalid_to(to)
    if not from_:
        raise ApiError(400, 21213, "No 'From' number is specified")
    if from_ != hotline:
        raise ApiError(400, 21210, f"The source phone number provided, {from_}, is not verified")
    if not url and not twiml:
        raise ApiError(400, 21205, "Url parameter is required")
    if url and not url.startswith(("http://", "https://")):
        raise ApiError(400, 21205, f"Url is not a valid URL: {url}")
    with sb.lock:
        if not sb.call_rate.take():
            raise too_many_requests()
        call = sb.new_call(
            from_=from_,
            to=to,
            direction=Direction.OUTBOUND_API,
            status_callback=status_callback,
            status_events=status_events,
            status_method=status_method,
        )
        call.url, call.method, call.twiml = url, method, None if url else twiml
        if timeout is not None:
            call.ring_timeout = min(600.0, max(1.0, timeout))
        sb.runner.submit(sb.locked(lambda: _place(sb, call)))
        return call


def _place(sb: Switchboard, call: Call) -> None:
    if call.status is not CallStatus.QUEUED:
        return  # canceled before it left the queue
    sb.status_callback(call, "initiated")
    sb.ring(call, call.ring_timeout)


def update_call(
    sb: Switchboard,
    call: Call,
    *,
    url: str | None,
    twiml: str | None,
    method: str,
    status: str | None,
) -> None:
    """``POST /Calls/{Sid}.json``: cancel, hang up, or redirect a call (under the lock)."""
    if status is not None:
        if status not in ("canceled", "completed"):
            raise ApiError(400, 21218, f"Invalid status: {status}")
        if call.status in (CallStatus.QUEUED, CallStatus.RINGING):
            sb.end_call(call, CallStatus.CANCELED)
        elif status == "completed" and call.status is CallStatus.IN_PROGRESS:
            sb.end_call(call, CallStatus.COMPLETED)
        return
    if not url and not twiml:
        return
    if call.ended:
        raise ApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
    if not call.answered:
        call.url, call.method, call.twiml = url, method, None if url else twiml
        return
    sb.interpreter.redirect(call, url=url, twiml=twiml, method=method)
