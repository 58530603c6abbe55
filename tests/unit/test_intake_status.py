"""The session status a flow step leaves behind, on each channel."""

from __future__ import annotations

from ivr import Channel, Crisis, Inbound, advance, start
from storage.models import SessionStatus
from usecases.intake import session_status


def test_nine_on_a_call_ends_the_session_as_a_crisis_transfer() -> None:
    step = advance(start(Channel.VOICE).session, Inbound(digits="9"))
    assert isinstance(step.outcome, Crisis)
    assert session_status(step) is SessionStatus.CRISIS


def test_nine_by_text_keeps_the_conversation_going() -> None:
    # The texter got the numbers and the question again; their next text answers it.
    at_role = advance(start(Channel.SMS).session, Inbound(digits="1"))
    step = advance(at_role.session, Inbound(digits="9"))
    assert isinstance(step.outcome, Crisis)
    assert session_status(step) is SessionStatus.ACTIVE
    assert session_status(advance(step.session, Inbound(digits="1"))) is SessionStatus.ACTIVE
