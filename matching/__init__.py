"""Pure matching: which supporters may take a request, and in what order to offer it.

``rank(request, candidates, now)`` is the whole contract; ``explain`` adds the reasons
the console shows. Nothing here knows about Twilio, HTTP, Redis or SQL (an import-linter
contract holds it); the only Peerline package it imports is ``ivr``.
"""

from matching.availability import CALLBACK_WINDOWS, Availability, WeeklyWindow, next_window
from matching.errors import InvalidCandidate, InvalidSchedule, MatchingError, NaiveDatetime
from matching.model import (
    DEFAULT_MONTHLY_CAP,
    Candidate,
    Level,
    MatchRequest,
    Ranked,
    Rejected,
    Rejection,
    Score,
    Step,
)
from matching.rules import LADDER, RELATED, explain, rank, step
from matching.training import TrainingPolicy

__all__ = [
    "CALLBACK_WINDOWS",
    "DEFAULT_MONTHLY_CAP",
    "LADDER",
    "RELATED",
    "Availability",
    "Candidate",
    "InvalidCandidate",
    "InvalidSchedule",
    "Level",
    "MatchRequest",
    "MatchingError",
    "NaiveDatetime",
    "Ranked",
    "Rejected",
    "Rejection",
    "Score",
    "Step",
    "TrainingPolicy",
    "WeeklyWindow",
    "explain",
    "next_window",
    "rank",
    "step",
]
