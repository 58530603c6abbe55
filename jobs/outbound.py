"""Every outbound call and SMS goes through here: the toll-fraud guard, the opt-out ledger,
then the throttle.

Invariant 5: Peerline only ever dials or texts the roster, the original caller, the
coordinators and the crisis number. Anything else is refused before it reaches Twilio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from ivr.segments import segment_count
from jobs.throttle import Throttle
from usecases.errors import PermanentCarrierError
from usecases.ports import Carrier

logger = logging.getLogger(__name__)

OPTED_OUT = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class ForbiddenDestination(PermanentCarrierError):
    """The number is not one Peerline may call or text."""


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
        allowed: Callable[[str], bool],
        calls: Throttle,
        messages: Throttle,
        ledger: Ledger,
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

    def call(
        self, to: str, *, url: str, status_callback: str, timeout: int, slot_taken: bool = False
    ) -> str:
        """Place a call from the hotline; ``slot_taken`` if ``wait_for_call_slot`` just ran."""
        self._check(to)
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
