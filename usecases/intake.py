"""What voice and text intake share: one turn (advance, render, save, queue), the request a
finished flow creates, and the session status each outcome leaves. One definition, so the
channels can't drift."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import ivr
from ivr.model import (
    TERMINAL_STATES,
    Channel,
    Completed,
    ContactMode,
    Crisis,
    Ended,
    Inbound,
    Role,
    Session,
    State,
    Step,
    Urgency,
)
from ivr.organizations import match
from storage.errors import StaleTurn
from storage.models import SessionStatus
from storage.records import NewRequest
from storage.repository import Store
from usecases.ports import Jobs

logger = logging.getLogger(__name__)

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
        other_role_ok=answers.other_role_ok,
        other_language_ok=answers.other_language_ok,
        follow_up_ok=answers.follow_up_ok,
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


class KnownOrganizations:
    """The organization names and aliases intake matches answers against, re-read from the
    store at most once a minute (the roster changes rarely; every webhook needs them)."""

    def __init__(self, store: Organizations, ttl: float = 60.0) -> None:
        self.store, self.ttl = store, ttl
        self._loaded: tuple[float, list[str], dict[str, str]] | None = None

    def names(self) -> tuple[list[str], dict[str, str]]:
        if self._loaded is None or time.monotonic() - self._loaded[0] > self.ttl:
            names, aliases = self.store.organizations()
            self._loaded = (time.monotonic(), names, aliases)
        return self._loaded[1], self._loaded[2]

    def match(self, answer: str) -> str | None:
        """The known organization ``answer`` names, if exactly one (aliases count)."""
        names, aliases = self.names()
        return match(answer, names, aliases)


class Organizations(Protocol):
    def organizations(self) -> tuple[list[str], dict[str, str]]: ...


@dataclass(frozen=True)
class Turn:
    """One caller turn, parsed for the flow, against the session it answers."""

    session_sid: str
    expected: int  # the turn the session must be at (a repeated delivery is stale)
    session: Session
    inbound: Inbound
    caller: str | None  # the number a new request takes (None: the session's own)
    keyed: str | None = None  # a keyed call-back number to keep on the session
    message_sid: str | None = None  # the text this turn answers: recorded with the turn


@dataclass(frozen=True)
class Turned:
    step: Step
    document: str  # the answer, as saved with the turn
    stale: bool  # a concurrent or repeated delivery got there first: ``document`` is theirs


class IntakeTurn:
    """The one intake turn voice and text share: advance the pure flow, render, save the
    turn (and the request it completes) in one transaction, then queue the dispatch."""

    def __init__(self, store: Store, jobs: Jobs) -> None:
        self.store, self.jobs = store, jobs

    def take(self, turn: Turn, channel: Channel, render: Callable[[Step], str]) -> Turned:
        step = ivr.advance(turn.session, turn.inbound)
        document = render(step)
        request = new_request(step, channel, turn.caller, turn.session_sid)
        # A keyed number the caller moved away from without confirming it is forgotten.
        unconfirmed = not step.session.caller_known and (
            step.session.state is not State.CALLBACK_CONFIRM
        )
        try:
            saved = self.store.save_turn(
                turn.session_sid,
                turn.expected,
                step.session.to_dict(),
                session_status(step),
                document,
                request,
                caller=turn.keyed,
                clear_caller=unconfirmed and turn.keyed is None,
                message_sid=turn.message_sid,
            )
        except StaleTurn:
            latest = self.store.get_session(turn.session_sid)
            return Turned(step, latest.last_response if latest else document, stale=True)
        if saved.request is not None:
            self.enqueue(saved.request.id, saved.request.urgency)
        return Turned(step, document, stale=False)

    def enqueue(self, request_id: str, urgency: Urgency) -> None:
        """Queue the dispatch; the row is durable already, so a Redis failure only delays
        it (the reconciler queues what is still pending)."""
        try:
            self.jobs.dispatch(request_id, urgency)
        except Exception:  # Redis down or slow: the webhook still answers
            logger.warning(
                "enqueue failed; request=%s left for the reconciler", request_id, exc_info=True
            )
            return
        self.store.mark_queued(request_id)
