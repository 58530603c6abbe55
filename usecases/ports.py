"""Every port the use cases depend on, each a ``typing.Protocol`` in one shape.

Adapters implement them: ``telephony.carrier.TwilioCarrier`` (Carrier), ``jobs.enqueue.RqJobs``
(Jobs), ``jobs.throttle.Throttle`` (Throttle), ``jobs.crisis_marks.CrisisMarks`` (Marks);
the stores in ``storage`` are used through their own classes. Tests use ten-line fakes
(tests/fakes.py), and one contract test runs the fake and the real carrier alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ivr.model import Line, Urgency
from matching import Candidate, MatchRequest
from storage.records import RequestRecord
from storage.roster import CoordinatorRecord, SupporterRecord
from usecases.inbound import Text
from usecases.risk_pages import PageReason


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

    def call_into_conference(self, *, to: str, from_: str, request_id: str) -> str:
        """Call ``to`` (only ever the crisis line) into the request's live conference."""

    def cancel_call(self, call_sid: str) -> None:
        """Stop a call that has not been answered yet."""

    def hang_up(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        """End a live call, saying ``said`` first."""

    def send_sms(self, *, to: str, from_: str, body: str) -> str: ...

    def find_call(self, *, to: str, from_: str, since: datetime) -> str | None:
        """The call from ``from_`` to ``to`` the carrier created since ``since``, if any:
        how a call whose answer was lost (a 5xx, a timeout) is found instead of re-dialed."""

    def find_message(self, *, to: str, from_: str, body: str, since: datetime) -> str | None:
        """Likewise for a text with this body."""


@dataclass(frozen=True)
class Attempt:
    """A logical send as the send log knows it: when it was first tried, the carrier's id
    once known, and whether an earlier try may have reached the carrier."""

    started: datetime
    sid: str | None = None
    earlier: bool = False


class SendLog(Protocol):
    """Logical sends (an offer's call, a page, a call back) by our own key, never a number:
    one logical send is one carrier call, even across retries and a killed worker."""

    def begin(self, key: str, now: datetime) -> Attempt:
        """Record a try of ``key``; the first try's time and sid if it was tried before."""

    def placed(self, key: str, sid: str) -> None: ...


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
    def confirm_request(self, request_id: str) -> None: ...
    def callback_failed(self, request_id: str, offer_id: str = "") -> None: ...
    def end_call(self, call_sid: str, said: Sequence[Line] = ()) -> None: ...
    def check_offer(self, offer_id: str, *, after: timedelta) -> None: ...
    def escalate(self, request_id: str, level: int, *, after: timedelta | None = None) -> None: ...
    def page_risk(
        self, sender_key: str, ticket: str, reason: PageReason, *, message_sid: str = ""
    ) -> None:
        """Page about a texter; copies of one text (``message_sid``) queue one page."""

    def page_group(self, coordinator_id: str, *, after: timedelta) -> None:
        """Send the coordinator's held pages as one, ``after`` from now (one job per
        coordinator per interval)."""

    def close_text(self, session_sid: str) -> None: ...
    def self_care(self, offer_id: str, supporter_id: str, long_call: bool) -> None: ...
    def page_debrief(self, supporter_id: str, *, during_call: bool = False) -> None: ...
    def crisis_conference(self, request_id: str) -> None: ...
    def assign(self, request_id: str, supporter_id: str) -> None:
        """Offer the request to the supporter a coordinator chose (``Dispatcher.assign``)."""

    def scheduling_text(self, request_id: str, day: str, window: str) -> None:
        """Text the caller when to expect the call (``Notices.scheduling_text``)."""


class TextSpool(Protocol):
    """Inbound texts kept while the database is away, replayed when it returns
    (``jobs.text_spool``: Redis, or a local file when Redis is away too; encrypted)."""

    def keep(self, text: Text) -> None:
        """Keep ``text``; the same MessageSid kept twice is one entry. Raises if it can't."""

    def pending(self, limit: int) -> list[tuple[str, Text]]:
        """Up to ``limit`` kept texts, oldest first, each with the key ``done`` takes."""

    def done(self, key: str) -> None:
        """Forget a replayed text."""


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


class BoardNotifier(Protocol):
    """Tells every console watching the board that something changed (no personal data:
    an event kind such as ``request.acked`` and at most a request id)."""

    def publish(self, kind: str, request_id: str | None = None) -> None: ...


class AttemptCounter(Protocol):
    """Counts failed sign-ins per key within a rolling window (login throttling)."""

    def count(self, key: str) -> int: ...

    def hit(self, key: str, window: timedelta) -> int: ...

    def clear(self, key: str) -> None: ...


class CandidateOf(Protocol):
    """A roster row as matching sees it, with the minutes of month ``month_key``."""

    def __call__(self, record: SupporterRecord, month_key: str) -> Candidate: ...


class MatchRequestOf(Protocol):
    """A stored request as matching sees it, leaving out the ``exclude``d supporters."""

    def __call__(self, request: RequestRecord, exclude: frozenset[str]) -> MatchRequest: ...


class PhoneParser(Protocol):
    """A typed-in number as E.164, or None when it is not a valid number."""

    def __call__(self, raw: str) -> str | None: ...


class PagingOrder(Protocol):
    """Coordinators in the order escalation pages them at ``now`` (on call first)."""

    def __call__(
        self, coordinators: list[CoordinatorRecord], now: datetime
    ) -> list[CoordinatorRecord]: ...


class OnCallNow(Protocol):
    """Whether escalation counts ``coordinator`` as on call at ``now``."""

    def __call__(self, coordinator: CoordinatorRecord, now: datetime, /) -> bool: ...


class RateLimiter(Protocol):
    """A sliding-window count shared by every process (webhook rate limits)."""

    def admit(self, key: str, event: str, limit: int, window_seconds: float) -> bool:
        """Count ``event`` under ``key`` unless ``limit`` others were counted within the last
        ``window_seconds``; True if counted. The same event counted twice is one event (a
        re-delivered webhook), and is admitted again."""


class Once(Protocol):
    """A claim shared by every process: ``first`` is True for the first caller with ``key``
    until ``ttl_seconds`` pass (the daily coverage text is sent once a day); ``forget``
    gives the claim back (the send failed and may be tried again)."""

    def first(self, key: str, ttl_seconds: int) -> bool: ...

    def forget(self, key: str) -> None: ...
