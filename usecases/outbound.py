"""The one sender: every outbound call, text and change to a live call goes through here.

In order: the toll-fraud guard (invariant 5: Peerline only ever dials or texts the roster,
the original caller and the coordinators, and only numbers the outbound policy allows —
``usecases.outbound_policy``: allowed countries, no premium or satellite numbers, never our
own numbers or the crisis line; refusals are audited), the opt-out ledger for texts, then
the shared rate limit, then the carrier — once per logical send.

Exactly once against a carrier whose answer can be lost: every call and text has a key of
our own (the offer id, the request and attempt, the page), kept in the send log. When the
carrier's answer is lost (a 5xx, a timeout), or a retry finds an earlier try of the same
key, the carrier is asked what it created since that try began (a call between the two
numbers, a text with the same body) before anything is sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from ivr.model import Line
from ivr.segments import segment_count
from usecases.errors import (
    AmbiguousCarrierError,
    CarrierError,
    ForbiddenDestination,
    OptedOut,
    PermanentCarrierError,
    RetryableCarrierError,
)
from usecases.outbound_policy import Purpose, Refusal, Verdict
from usecases.ports import Carrier, OptOutLedger, SendLog, Throttle

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class Guard(Protocol):
    """Decides each destination (``usecases.destinations.Destinations`` in production)."""

    def verdict(self, number: str, purpose: Purpose) -> Verdict: ...


class Outbound:
    """Calls and texts from the hotline number, guarded, throttled, and no more than once."""

    def __init__(
        self,
        carrier: Carrier,
        hotline: str,
        guard: Guard,
        calls: Throttle,
        messages: Throttle,
        ledger: OptOutLedger,
        sends: SendLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        crisis_number: str = "",
    ) -> None:
        self.crisis_number = crisis_number
        self.carrier = carrier
        self.hotline = hotline
        self.guard = guard
        self.calls = calls
        self.messages = messages
        self.ledger = ledger
        self.sends = sends
        self.clock = clock

    def wait_for_call_slot(self) -> None:
        """Block until this process may place one call (shared calls-per-second budget)."""
        self.calls.wait()

    def ring_supporter(
        self, to: str, *, offer_id: str, ring_seconds: int, slot_taken: bool = False
    ) -> str:
        """Ring a supporter with an offer (one call per offer, the offer id its key);
        ``slot_taken`` if ``wait_for_call_slot`` just ran."""

        def place() -> str:
            self._check(to, Purpose.SUPPORTER)
            if not slot_taken:
                self.calls.wait()
            return self.carrier.ring_supporter(
                to=to, from_=self.hotline, offer_id=offer_id, ring_seconds=ring_seconds
            )

        return self._once(f"offer:{offer_id}", place, self._call_finder(to))

    def call_back(
        self, to: str, *, request_id: str, ring_seconds: int, attempt: int = 0, offer_id: str = ""
    ) -> str:
        """Call a caller back from the hotline (once per request, attempt and accepted
        offer: a supporter who left first leaves the attempt uncounted, and the next
        supporter's call back is a new call); their supporter waits in the conference."""

        def place() -> str:
            self._check(to, Purpose.CALL_BACK)  # counts toward the daily cap: only if placing
            self.calls.wait()
            return self.carrier.call_caller_back(
                to=to, from_=self.hotline, request_id=request_id, ring_seconds=ring_seconds
            )

        key = f"callback:{request_id}:{attempt}" + (f":{offer_id}" if offer_id else "")
        return self._once(key, place, self._call_finder(to))

    def find_call(self, to: str, since: datetime) -> str | None:
        """The call the hotline placed to ``to`` since ``since``, if the carrier has one."""
        return self.carrier.find_call(to=to, from_=self.hotline, since=since)

    def crisis_into_conference(self, request_id: str) -> str:
        """The supporter's help key: call the crisis line into the request's conference
        (the one purpose the policy lets reach the crisis line; see docs/outbound-policy.md)."""
        to = self.crisis_number

        def place() -> str:
            self._check(to, Purpose.CRISIS_CONFERENCE)
            self.calls.wait()
            return self.carrier.call_into_conference(
                to=to, from_=self.hotline, request_id=request_id
            )

        return self._once(f"crisis:{request_id}", place, self._call_finder(to))

    def move_to_conference(self, call_sid: str, request_id: str) -> None:
        self.carrier.move_to_conference(call_sid, request_id)

    def end_call(self, call_sid: str, said: Sequence[Line] = ()) -> None:
        """Cancel a leg still ringing, or say ``said`` and hang up a live one.

        A call that is already over is fine. Without words, a leg that could not be
        cancelled (it was answered meanwhile) is hung up instead.
        """
        try:
            if said:
                self.carrier.hang_up(call_sid, said)
            else:
                self.carrier.cancel_call(call_sid)
        except PermanentCarrierError:
            pass  # already over
        except CarrierError:
            if said:
                raise  # the job retries: the words matter
            self.carrier.hang_up(call_sid)

    def sms(self, to: str, body: str, *, purpose: Purpose, key: str | None = None) -> str:
        """Send a text unless the recipient opted out; a carrier 21610 records the opt-out.

        ``key`` names the logical send (a page, a notice): with it, a retry never texts
        twice. Without it, a lost answer is still looked up before the error is raised."""

        def send() -> str:
            if purpose is Purpose.CRISIS_CONFERENCE:  # a call into a conference, never a text
                raise ForbiddenDestination(Refusal.CRISIS_LINE)
            self._check(to, purpose)
            if self.ledger.is_opted_out(to):
                raise OptedOut("recipient opted out", OPTED_OUT)
            for _ in range(max(1, segment_count(body))):  # a long code: ~1 segment a second
                self.messages.wait()
            try:
                return self.carrier.send_sms(to=to, from_=self.hotline, body=body)
            except PermanentCarrierError as exc:
                if exc.code == OPTED_OUT:
                    self.ledger.set_opted_out(to, True)
                raise

        def find(since: datetime) -> str | None:
            return self.carrier.find_message(to=to, from_=self.hotline, body=body, since=since)

        return self._once(key, send, find)

    def _call_finder(self, to: str) -> Callable[[datetime], str | None]:
        return lambda since: self.find_call(to, since)

    def _once(
        self, key: str | None, place: Callable[[], str], find: Callable[[datetime], str | None]
    ) -> str:
        """``place()`` unless the carrier already holds this logical send.

        When the answer was lost and the carrier shows nothing, raises a plain
        ``RetryableCarrierError`` (as far as anyone can tell, nothing was sent); when the
        carrier could not even be asked, ``AmbiguousCarrierError`` (the outcome is
        unknown). Either way the try is remembered, so a retry looks again before it sends."""
        attempt = self.sends.begin(key, self.clock()) if key else None
        started = attempt.started if attempt else self.clock()
        if attempt is not None and attempt.sid:
            return attempt.sid  # sent by an earlier try (a re-run job)
        sid = None
        if attempt is not None and attempt.earlier:
            sid = self._look(find, started)
        if sid is None:
            try:
                sid = place()
            except AmbiguousCarrierError as exc:
                sid = self._look(find, started)
                if sid is None:
                    raise RetryableCarrierError(f"{exc}; not placed", exc.code) from exc
        if key:
            self.sends.placed(key, sid)
        return sid

    @staticmethod
    def _look(find: Callable[[datetime], str | None], since: datetime) -> str | None:
        try:
            return find(since)
        except CarrierError as exc:
            raise AmbiguousCarrierError("lost answer not found: carrier unreachable") from exc

    def _check(self, to: str, purpose: Purpose) -> None:
        verdict = self.guard.verdict(to, purpose)
        if verdict.reason is not None:
            raise ForbiddenDestination(verdict.reason)
