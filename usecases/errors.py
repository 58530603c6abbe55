"""Errors the use cases raise and handle. Adapters translate their own failures into these."""

from __future__ import annotations

from usecases.outbound_policy import Refusal


class CarrierError(Exception):
    """A carrier request failed. ``code`` is Twilio's error code when there is one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RetryableCarrierError(CarrierError):
    """Rate limited (429/20429), a 5xx or a network error: safe to try again later."""


class PermanentCarrierError(CarrierError):
    """Invalid number, opted out, not reachable: retrying the same thing won't help."""


class ForbiddenDestination(PermanentCarrierError):
    """The number is not one Peerline may call or text (invariant 5); ``reason`` says why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"outbound contact refused: {reason}")
        self.reason = reason


class OptedOut(PermanentCarrierError):
    """The recipient texted STOP: nothing may be sent until they text START."""
