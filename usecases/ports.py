"""Every port the use cases depend on, each a ``typing.Protocol`` in one shape.

Adapters implement them: ``telephony.carrier.TwilioCarrier`` (Carrier), ``jobs.enqueue.RqJobs``
(Jobs), ``jobs.throttle.Throttle`` (Throttle), ``jobs.crisis_marks.CrisisMarks`` (Marks);
the stores in ``storage`` are used through their own classes. Tests use ten-line fakes
(tests/fakes.py), and one contract test runs the fake and the real carrier alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from ivr.model import Line, Urgency


class Carrier(Protocol):
    """The telephone company: outbound calls and texts, and changes to live calls.

    The adapter turns intents into URLs and TwiML; the use cases never see either.
    """

    def ring_supporter(self, *, to: str, from_: str, offer_id: str, ring_seconds: int) -> str:
        """Call a supporter with the offer; their answer and the call's end come back by
        webhook, keyed by ``offer_id``. Returns the call's id."""

    def call_caller_back(self, *, to: str, from_: str, request_id: str, ring_seconds: int) -> str:
        """Call the caller back for the request whose supporter waits in the conference."""

    def move_to_conference(self, call_sid: str, request_id: str) -> None:
        """Take a live call (a holding caller) into the request's conference."""

    def cancel_call(self, call_sid: str) -> None:
        """Stop a call that has not been answered yet."""

    def hang_up(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        """End a live call, saying ``said`` first."""

    def send_sms(self, *, to: str, from_: str, body: str) -> str: ...


class Jobs(Protocol):
    """The work queue. Jobs take ids; enqueueing the same job twice runs it once.

    Raises the queue's own errors when it is unreachable; callers that must answer a
    caller anyway (the intake) catch them and leave the work to the reconciler.
    """

    def dispatch(
        self, request_id: str, urgency: Urgency, *, after: timedelta | None = None
    ) -> None: ...
    def connect_caller(self, request_id: str) -> None: ...
    def call_back(
        self, request_id: str, attempt: int, *, after: timedelta | None = None
    ) -> None: ...
    def text_first(self, request_id: str, attempt: int) -> None: ...
    def callback_failed(self, request_id: str, offer_id: str = "") -> None: ...
    def end_call(self, call_sid: str, said: Sequence[Line] = ()) -> None: ...
    def check_offer(self, offer_id: str, *, after: timedelta) -> None: ...
    def escalate(self, request_id: str, level: int, *, after: timedelta | None = None) -> None: ...
    def page_risk(self, sender_key: str, ticket: str) -> None: ...
    def close_text(self, session_sid: str) -> None: ...


class Throttle(Protocol):
    """A rate shared by every process: ``wait()`` returns when one more request may go."""

    def wait(self) -> float: ...


class Marks(Protocol):
    """A second record of calls in a crisis transfer (see jobs.crisis_marks)."""

    def mark(self, call_sid: str) -> None: ...
    def marked(self, call_sid: str) -> bool: ...


class OptOutLedger(Protocol):
    """Who texted STOP (by blind index, never the number itself)."""

    def is_opted_out(self, number: str) -> bool: ...
    def set_opted_out(self, number: str, opted_out: bool) -> None: ...
