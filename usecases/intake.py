"""What voice and text intake share: the request a finished flow creates, and the session
status each flow outcome leaves behind. One definition, so the channels can't drift."""

from __future__ import annotations

import ivr
from ivr.model import (
    TERMINAL_STATES,
    Channel,
    Completed,
    ContactMode,
    Crisis,
    Ended,
    Role,
    Step,
    Urgency,
)
from storage.models import SessionStatus
from storage.records import NewRequest

# What an unanswered question means once the caller has finished (the flow applies its
# menu defaults first; these only cover answers the flow never asked for).
DEFAULT_ROLE = Role.UNSPECIFIED
DEFAULT_URGENCY = Urgency.SOON
DEFAULT_CONTACT = ContactMode.CALLBACK


def new_request(
    step: Step, channel: Channel, caller: str | None, source_sid: str
) -> NewRequest | None:
    """The request a completed flow creates; None when this step completed nothing."""
    if not isinstance(step.outcome, Completed):
        return None
    answers = step.session.answers
    return NewRequest(
        channel=channel,
        role=answers.role or DEFAULT_ROLE,
        urgency=answers.urgency or DEFAULT_URGENCY,
        language=step.session.language,
        org_preference=answers.org_preference,
        organization=answers.organization,
        organization_unknown=answers.organization_unknown,
        contact_mode=answers.contact_mode or DEFAULT_CONTACT,
        callback_window=answers.callback_window,
        caller=caller,
        source_sid=source_sid,
    )


def session_status(step: ivr.Step) -> SessionStatus:
    """The session's status after ``step``: still talking, or how it ended."""
    outcome = step.outcome
    if isinstance(outcome, Completed):
        return SessionStatus.COMPLETED
    if isinstance(outcome, Crisis):
        if step.session.channel is Channel.SMS and step.session.state not in TERMINAL_STATES:
            # A text gets the crisis numbers and the question again (ivr.flow.crisis): the
            # conversation goes on, so the next text answers that question.
            return SessionStatus.ACTIVE
        return SessionStatus.CRISIS
    if isinstance(outcome, Ended):
        return SessionStatus.ENDED
    return SessionStatus.ACTIVE
