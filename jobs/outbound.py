"""Every outbound call and SMS goes through here: the toll-fraud guard, then the throttle.

Invariant 5: Peerline only ever dials or texts the roster, the original caller, the
coordinators and the crisis number. Anything else is refused before it reaches Twilio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from jobs.throttle import Throttle
from peerline.ports import Carrier, PermanentCarrierError

logger = logging.getLogger(__name__)


class ForbiddenDestination(PermanentCarrierError):
    """The number is not one Peerline may call or text."""


class Outbound:
    def __init__(
        self,
        carrier: Carrier,
        hotline: str,
        allowed: Callable[[str], bool],
        calls: Throttle,
        messages: Throttle,
    ) -> None:
        self.carrier = carrier
        self.hotline = hotline
        self.allowed = allowed
        self.calls = calls
        self.messages = messages

    def call(self, to: str, *, url: str, status_callback: str, timeout: int) -> str:
        self._check(to)
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
        self._check(to)
        self.messages.wait()
        return self.carrier.send_sms(to=to, from_=self.hotline, body=body)

    def _check(self, to: str) -> None:
        if not self.allowed(to):
            logger.error("refused an outbound contact to a number outside the allow-list")
            raise ForbiddenDestination("destination not on the roster, a caller or a coordinator")
