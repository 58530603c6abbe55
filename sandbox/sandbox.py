"""The sandbox carrier as a Python object: virtual phones to drive from tests or the page.

Every method that acts waits until the sandbox has settled (webhooks answered, TwiML
run), so a test reads like a phone call::

    sandbox = Sandbox(config, clock=ManualClock(), http=TestClient(app))
    call = sandbox.phone("+16175550123").dial()
    call.press("1")
    call.listen()               # the menu is read out; the Gather's timeout starts
    sandbox.advance(6)          # the Gather times out
    assert call.heard("Sorry")
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from sandbox.call_handle import CallHandle
from sandbox.clock import Clock, ManualClock, SystemClock
from sandbox.config import SandboxConfig
from sandbox.phones import (
    CallStatus,
    Direction,
    Message,
    Notice,
)
from sandbox.runner import TaskRunner
from sandbox.switchboard import Switchboard
from sandbox.webhooks import Delivery, HttpClient, WebhookSender


class Sandbox:
    """A local Twilio: REST API state, TwiML interpreter, and virtual phones.

    ``http`` carries webhooks to Peerline (any ``httpx.Client``; a Starlette
    ``TestClient`` reaches an app in-process). ``clock`` defaults to wall-clock time;
    pass a :class:`ManualClock` to move time by hand with :meth:`advance`.
    """

    def __init__(
        self,
        config: SandboxConfig,
        *,
        clock: Clock | None = None,
        http: HttpClient | None = None,
        settle_timeout: float = 10.0,
    ) -> None:
        self.config = config
        self.clock: Clock = clock or SystemClock()
        self._owns_clock = clock is None
        self._own_http: httpx.Client | None = None
        if http is None:
            http = self._own_http = httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0))
        self._http = http
        self._settle_timeout = settle_timeout
        self.runner = TaskRunner()
        self.webhooks = WebhookSender(self._http, config.auth_token, route=config.transport_url)
        self.switchboard = Switchboard(config, self.clock, self.runner, self.webhooks)
        if isinstance(self.clock, ManualClock):
            self.clock.settle = self.settle

    def settle(self) -> None:
        """Wait until every queued webhook and TwiML step is done (bounded)."""
        self.runner.wait_idle(self._settle_timeout)

    def advance(self, seconds: float) -> None:
        """Move a :class:`ManualClock` forward, firing timeouts on the way."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance() needs a ManualClock")
        self.clock.advance(seconds)

    def phone(self, number: str, label: str = "") -> PhoneHandle:
        """The virtual phone with this E.164 number (created on first use)."""
        self.switchboard.phone(number, label)
        return PhoneHandle(self, number)

    def call(self, sid: str) -> CallHandle:
        self.settle()
        return CallHandle(self, self.switchboard.calls[sid])

    def calls(self) -> list[CallHandle]:
        """Every call leg so far, oldest first."""
        self.settle()
        with self.switchboard.lock:
            return [CallHandle(self, c) for c in self.switchboard.calls.values()]

    def deliveries(self) -> list[Delivery]:
        """Every webhook sent so far (most recent 2000), oldest first."""
        self.settle()
        return list(self.webhooks.deliveries)

    def notices(self) -> list[Notice]:
        """Errors as Twilio's debugger would list them, oldest first."""
        self.settle()
        return list(self.switchboard.notices)

    def conference(self, name: str) -> list[CallHandle]:
        """Legs currently in the conference ``name`` (empty when it is not running)."""
        self.settle()
        with self.switchboard.lock:
            room = self.switchboard.conferences.active.get(name)
            legs = [p.call for p in room.participants] if room else []
        return [CallHandle(self, c) for c in legs]

    def close(self) -> None:
        self.runner.close()
        if self._owns_clock and isinstance(self.clock, SystemClock):
            self.clock.close()
        if self._own_http is not None:
            self._own_http.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Sms:
    sid: str
    from_: str
    to: str
    body: str
    status: str


class PhoneHandle:
    """One virtual phone: dial the hotline, answer, text."""

    def __init__(self, sandbox: Sandbox, number: str) -> None:
        self._sandbox = sandbox
        self._sb = sandbox.switchboard
        self.number = number

    def __repr__(self) -> str:
        return f"<phone {self.number}>"

    def dial(self, to: str | None = None) -> CallHandle:
        """Call the hotline (the only number the sandbox routes to Peerline)."""
        if to not in (None, self._sb.config.hotline_number):
            raise ValueError("sandbox phones can only call the hotline")
        call = self._sb.dial_hotline(self.number)
        self._sandbox.settle()
        return CallHandle(self._sandbox, call)

    def calls(self) -> list[CallHandle]:
        self._sandbox.settle()
        with self._sb.lock:
            sids = list(self._sb.phones[self.number].calls)
            return [CallHandle(self._sandbox, self._sb.calls[s]) for s in sids]

    def ringing(self) -> list[CallHandle]:
        """Incoming calls ringing now, oldest first."""
        return [
            c
            for c in self.calls()
            if c.status == CallStatus.RINGING and c.direction is not Direction.INBOUND
        ]

    def answer(self, call: CallHandle | None = None) -> CallHandle:
        """Pick up ``call`` (default: the call ringing longest)."""
        call = call or self._first_ringing()
        with self._sb.lock:
            self._sb.answer(call._call)
        self._sandbox.settle()
        return call

    def decline(self, call: CallHandle | None = None) -> None:
        """Reject a ringing call: the caller's side sees ``busy``."""
        call = call or self._first_ringing()
        call.hang_up()

    def send_sms(self, to: str, body: str) -> Sms:
        """Text ``to`` (the hotline); Peerline's SMS webhook receives it."""
        message = self._sb.sms.from_phone(self.number, to, body)
        self._sandbox.settle()
        return _sms(message)

    def inbox(self) -> list[Sms]:
        """Texts this phone received, oldest first."""
        return [m for m in self.messages() if m.to == self.number]

    def messages(self) -> list[Sms]:
        """Texts sent and received, oldest first."""
        self._sandbox.settle()
        with self._sb.lock:
            sids = list(self._sb.phones[self.number].messages)
            return [_sms(self._sb.sms.messages[s]) for s in sids]

    @property
    def opted_out(self) -> bool:
        return self._sb.phones[self.number].opted_out

    @opted_out.setter
    def opted_out(self, value: bool) -> None:
        """Mark the phone as having replied STOP (texts to it then fail with 21610)."""
        with self._sb.lock:
            self._sb.phones[self.number].opted_out = value

    def _first_ringing(self) -> CallHandle:
        ringing = self.ringing()
        if not ringing:
            raise LookupError(f"nothing is ringing on {self.number}")
        return ringing[0]


def _sms(message: Message) -> Sms:
    return Sms(message.sid, message.from_, message.to, message.body, message.status)
