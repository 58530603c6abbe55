"""Every outbound call and SMS goes through here: the toll-fraud guard, the opt-out ledger,
then the throttle.

Invariant 5: Peerline only ever dials or texts the roster, the original caller and the
coordinators, and only numbers the outbound policy allows (``usecases.outbound_policy``:
allowed countries, no premium or satellite numbers, never our own numbers or the crisis
line). Anything else is refused, and audited, before it reaches Twilio.
"""

from __future__ import annotations

from typing import Protocol

from jobs.throttle import Throttle
from peerline.ports import Carrier, PermanentCarrierError
from telephony.segments import segment_count
from usecases.outbound_policy import Purpose, Refusal, Verdict

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class ForbiddenDestination(PermanentCarrierError):
    """The number is not one Peerline may call or text; ``reason`` says why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"outbound contact refused: {reason}")
        self.reason = reason


class Guard(Protocol):
    """Decides each destination (``usecases.destinations.Destinations`` in production)."""

    def verdict(self, number: str, purpose: Purpose) -> Verdict: ...


class OptedOut(PermanentCarrierError):
    """The recipient texted STOP: nothing may be sent until they text START."""


class Ledger(Protocol):
    def is_opted_out(self, number: str) -> bool: ...
    def set_opted_out(self, number: str, opted_out: bool) -> None: ...


class Outbound:
    """The one sender: every call and text in the codebase goes out through here."""

    def __init__(
        self,
        carrier: Carrier,
        hotline: str,
        guard: Guard,
        calls: Throttle,
        messages: Throttle,
        ledger: Ledger,
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

    def call(
        self,
        to: str,
        *,
        purpose: Purpose,
        url: str,
        status_callback: str,
        timeout: int,
        slot_taken: bool = False,
    ) -> str:
        """Place a call from the hotline; ``slot_taken`` if ``wait_for_call_slot`` just ran."""
        self._check(to, purpose)
        if not slot_taken:
            self.calls.wait()
        return self.carrier.place_call(
            to=to, from_=self.hotline, url=url, status_callback=status_callback, timeout=timeout
        )

    def update_call(
        self,
        sid: str,
        *,
        status: str | None = None,
        url: str | None = None,
        twiml: str | None = None,
    ) -> None:
        self.carrier.update_call(sid, status=status, url=url, twiml=twiml)

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
