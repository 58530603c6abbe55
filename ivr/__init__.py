"""Pure intake flow for voice and SMS: states, prompts and the ``advance`` function.

Nothing here knows about Twilio, HTTP, Redis or SQL (an import-linter contract holds it).
"""

from ivr.flow import advance, start
from ivr.model import (
    Answers,
    CallbackWindow,
    Channel,
    Completed,
    ContactMode,
    Crisis,
    Ended,
    Inbound,
    Language,
    OrgPreference,
    Outcome,
    Prompt,
    Role,
    Session,
    State,
    Step,
    Urgency,
)

__all__ = [
    "Answers",
    "CallbackWindow",
    "Channel",
    "Completed",
    "ContactMode",
    "Crisis",
    "Ended",
    "Inbound",
    "Language",
    "OrgPreference",
    "Outcome",
    "Prompt",
    "Role",
    "Session",
    "State",
    "Step",
    "Urgency",
    "advance",
    "start",
]
