"""Errors the use cases raise and handle; the edges translate them (HTTP status, exit code),
and adapters translate their own failures into these."""

from __future__ import annotations

from collections.abc import Sequence

from usecases.outbound_policy import Refusal


class CarrierError(Exception):
    """A carrier request failed. ``code`` is Twilio's error code when there is one."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RetryableCarrierError(CarrierError):
    """Rate limited (429/20429), a 5xx or a network error: safe to try again later."""


class AmbiguousCarrierError(RetryableCarrierError):
    """The request may have been carried out although no answer said so: a 5xx, a timeout
    or a connection lost after sending. Before trying again, look for what was placed."""


class PermanentCarrierError(CarrierError):
    """Invalid number, opted out, not reachable: retrying the same thing won't help."""


class CarrierConfigError(PermanentCarrierError):
    """Our side is wrong (credentials, the From number, a URL): no retry fixes it, and it
    says nothing about the destination (no supporter's number is flagged for it)."""


class ForbiddenDestination(PermanentCarrierError):
    """The number is not one Peerline may call or text (invariant 5); ``reason`` says why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"outbound contact refused: {reason}")
        self.reason = reason


class OptedOut(PermanentCarrierError):
    """The recipient texted STOP: nothing may be sent until they text START."""


class UseCaseError(Exception):
    """Base class. ``str(error)`` is a sentence a coordinator can read."""


class NotSignedIn(UseCaseError):
    """No valid session or token, or wrong credentials."""


class Forbidden(UseCaseError):
    """Signed in, but the role does not allow this."""


class NotFound(UseCaseError):
    pass


class Conflict(UseCaseError):
    """The request clashes with the current state (a duplicate, a supporter on a call)."""


class Throttled(UseCaseError):
    """Too many failed sign-ins for this account or address; try again later."""


class Invalid(UseCaseError):
    """The input is wrong; ``errors`` lists every problem, one line each."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)
