"""The one sender: every outbound call, text and change to a live call goes through here.

In order: the toll-fraud guard (invariant 5: Peerline only ever dials or texts the roster,
the original caller, the coordinators and the crisis number), the opt-out ledger for texts,
then the shared rate limit, then the carrier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ivr.model import Line
from ivr.segments import segment_count
from usecases.errors import CarrierError, ForbiddenDestination, OptedOut, PermanentCarrierError
from usecases.ports import Carrier, OptOutLedger, Throttle

logger = logging.getLogger(__name__)

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class Outbound:
    """Calls and texts from the hotline number, guarded, throttled, and no more than once."""

    def __init__(
        self,
        carrier: Carrier,
        hotline: str,
        allowed: Callable[[str], bool],
        calls: Throttle,
        messages: Throttle,
        ledger: OptOutLedger,
    ) -> None:
        self.carrier = carrier
        self.hotline = hotline
        self.allowed = allowed
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
        self._check(to)
        if not slot_taken:
            self.calls.wait()
        return self.carrier.ring_supporter(
            to=to, from_=self.hotline, offer_id=offer_id, ring_seconds=ring_seconds
        )

    def call_back(self, to: str, *, request_id: str, ring_seconds: int) -> str:
        """Call a caller back from the hotline; their supporter waits in the conference."""
        self._check(to)
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

    def sms(self, to: str, body: str) -> str:
        """Send a text unless the recipient opted out; a carrier 21610 records the opt-out."""
        self._check(to)
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

    def _check(self, to: str) -> None:
        if not self.allowed(to):
            logger.error("refused an outbound contact to a number outside the allow-list")
            raise ForbiddenDestination("destination not on the roster, a caller or a coordinator")
