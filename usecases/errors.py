"""What a use case refuses, and why; the edges translate these (HTTP status, exit code)."""

from __future__ import annotations

from collections.abc import Sequence


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
