"""What the matching core raises. Adapters translate these; the core never catches them."""

from __future__ import annotations


class MatchingError(ValueError):
    """Base class: the input to matching is malformed (a bug upstream, not a caller's fault)."""


class InvalidSchedule(MatchingError):
    """A weekly availability window is out of range."""


class NaiveDatetime(MatchingError):
    """A datetime without a time zone reached matching; every instant must be aware."""


class InvalidCandidate(MatchingError):
    """A supporter snapshot holds an impossible value (negative minutes, say)."""
