"""The one sender: every outbound call, text and change to a live call goes through here.

In order: the toll-fraud guard (invariant 5: Peerline only ever dials or texts the roster,
the original caller and the coordinators, and only numbers the outbound policy allows —
``usecases.outbound_policy``: allowed countries, no premium or satellite numbers, never our
own numbers or the crisis line; refusals are audited), the opt-out ledger for texts, then
the shared rate limit, then the carrier.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ivr.model import Line
from ivr.segments import segment_count
from usecases.errors import CarrierError, ForbiddenDestination, OptedOut, PermanentCarrierError
from usecases.outbound_policy import Purpose, Verdict
from usecases.ports import Carrier, OptOutLedger, Throttle

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
    ) -> None:
        self.carrier = carrier
        self.hotline = hotline
        self.guard = guard
        self.calls = calls
        self.messages = messages
        self.ledger = ledger

    def wait_for_call_slot(self) -> None:
        """Block until this process may place one call (shared calls-per-second budget)."""
        self.calls.wait()

    def ring_supporter(
        self, to: str, *, offer_id: str, ring_seconds: int, slot_taken: bool = False
    ) -> str:
        """Ring a supporter with an offer; ``slot_taken`` if ``wait_for_call_slot`` just ran."""
        self._check(to, Purpose.SUPPORTER)
        if not slot_taken:
            self.calls.wait()
        return self.carrier.ring_supporter(
            to=to, from_=self.hotline, offer_id=offer_id, ring_seconds=ring_seconds
        )

    def call_back(self, to: str, *, request_id: str, ring_seconds: int) -> str:
        """Call a caller back from the hotline; their supporter waits in the conference."""
        self._check(to, Purpose.CALL_BACK)
        self.calls.wait()
        return self.carrier.call_caller_back(
            to=to, from_=self.hotline, request_id=request_id, ring_seconds=ring_seconds
        )

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

    def sms(self, to: str, body: str, *, purpose: Purpose) -> str:
        """Send a text unless the recipient opted out; a carrier 21610 records the opt-out."""
        self._check(to, purpose)
        if self.ledger.is_opted_out(to):
            raise OptedOut("recipient opted out", OPTED_OUT)
        for _ in range(max(1, segment_count(body))):  # a long code sends ~1 segment a second
            self.messages.wait()
        try:
            return self.carrier.send_sms(to=to, from_=self.hotline, body=body)
        except PermanentCarrierError as exc:
            if exc.code == OPTED_OUT:
                self.ledger.set_opted_out(to, True)
            raise

    def _check(self, to: str, purpose: Purpose) -> None:
        verdict = self.guard.verdict(to, purpose)
        if verdict.reason is not None:
            raise ForbiddenDestination(verdict.reason)
