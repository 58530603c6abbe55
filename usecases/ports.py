"""Ports the use cases depend on; adapters (Twilio, fakes) implement them."""

from __future__ import annotations

from typing import Protocol


class CarrierError(Exception):
    """A carrier request failed. ``code`` is Twilio's error code when there is one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RetryableCarrierError(CarrierError):
    """Rate limited (429/20429), a 5xx or a network error: safe to try again later."""


class PermanentCarrierError(CarrierError):
    """Invalid number, opted out, not reachable: retrying the same thing won't help."""


class Carrier(Protocol):
    """Outbound calls and messages (Twilio's REST API, or the sandbox's)."""

    def place_call(
        self, *, to: str, from_: str, url: str, status_callback: str, timeout: int
    ) -> str: ...

    def update_call(
        self,
        sid: str,
        *,
        status: str | None = None,
        url: str | None = None,
        twiml: str | None = None,
    ) -> None: ...

    def send_sms(self, *, to: str, from_: str, body: str) -> str: ...
