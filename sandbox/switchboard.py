"""The sandbox's exchange: owns phones, call legs and messages, and their life cycles.

Every mutation happens under ``lock``; HTTP never does. Webhooks go out from the task
runner, so callers of these methods never wait on Peerline.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable

from sandbox.callbacks import status_params
from sandbox.clock import Clock, Timer
from sandbox.conference import Conferences
from sandbox.config import CRISIS_LABEL, SandboxConfig
from sandbox.dialing import Dialer
from sandbox.events import EventLog
from sandbox.interpreter import Interpreter
from sandbox.messaging import Messaging
from sandbox.phones import (
    Call,
    CallStatus,
    Direction,
    Heard,
    LogLine,
    Notice,
    Phone,
    formatted,
    is_phone_number,
    new_sid,
)
from sandbox.queues import Queues
from sandbox.ratelimit import RateLimit
from sandbox.runner import TaskRunner
from sandbox.webhooks import Delivery, WebhookSender

logger = logging.getLogger(__name__)


class Switchboard:
    def __init__(
        self, config: SandboxConfig, clock: Clock, runner: TaskRunner, webhooks: WebhookSender
    ) -> None:
        self.config = config
        self.clock = clock
        self.runner = runner
        self.webhooks = webhooks
        self.lock = threading.RLock()
        self.phones: dict[str, Phone] = {}
        self.calls: dict[str, Call] = {}
        self.notices: deque[Notice] = deque(maxlen=500)
        self.events = EventLog()
        self.call_rate = RateLimit(clock, config.cps)
        self.conferences = Conferences(self)
        self.queues = Queues(self)
        self.dialer = Dialer(self, self.conferences, self.queues)
        self.interpreter = Interpreter(self, self.dialer, self.queues)
        self.sms = Messaging(self)
        for number, label, *shown in config.demo_phones:
            self.phone(number, label).open_by_default = bool(shown and shown[0])
        crisis = config.crisis_number
        if crisis != config.hotline_number and is_phone_number(crisis):
            self.phone(crisis, CRISIS_LABEL)

    # -- plumbing ---------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def locked(self, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            with self.lock:
                fn()

        return run

    def later(self, call: Call, delay: float, fn: Callable[[], None]) -> Timer:
        """Run ``fn`` under the lock after ``delay`` seconds; cancelled when the call ends."""
        runner, task = self.runner, self.locked(fn)
        timer = self.clock.call_later(delay, lambda: runner.submit(task))
        call.timers = [t for t in call.timers if not t.cancelled]
        call.timers.append(timer)
        return timer

    def post(self, url: str, params: Iterable[tuple[str, str]], method: str = "POST") -> None:
        """Send a webhook whose answer nobody acts on (status callbacks, late actions)."""
        pairs = list(params)

        def task() -> None:
            delivery = self.webhooks.send(url, pairs, method)
            if not delivery.ok:
                with self.lock:
                    self.notice("11200", f"HTTP retrieval failure: {url} ({_why(delivery)})")

        self.runner.submit(task)

    def hear(
        self, call: Call, kind: Heard, text: str, language: str = "", *, repeat: bool = False
    ) -> None:
        call.log.append(LogLine(self.now(), kind, text, language, repeat))
        self.events.emit("heard", call=call.sid, phone=call.phone, line=kind.value)

    def silence(self, call: Call) -> None:
        """Stop whatever prompt is playing to ``call`` (it was connected, or it left)."""
        if call.player is not None:
            call.player.stop()

    def notice(self, code: str, message: str, call: Call | None = None) -> None:
        """Record an error the way Twilio's debugger would show it."""
        sid = call.sid if call else None
        self.notices.append(Notice(self.now(), code, message, sid))
        logger.warning("sandbox error %s (call %s): %s", code, sid, message)  # never a number
        if call is not None:
            self.hear(call, Heard.ERROR, f"Error {code}: {message}")
        self.events.emit("notice", code=code)

    # -- phones -----------------------------------------------------------------------

    def phone(self, number: str, label: str = "") -> Phone:
        """The virtual phone for ``number``, created on first mention."""
        if number == self.config.hotline_number:
            raise ValueError("the hotline is Peerline's number, not a sandbox phone")
        if not is_phone_number(number):
            raise ValueError(f"not an E.164 phone number: {number!r}")
        with self.lock:
            phone = self.phones.get(number)
            if phone is None:
                phone = self.phones[number] = Phone(number, label)
                self.events.emit("phone", phone=number)
            elif label and not phone.label:
                phone.label = label
            return phone

    def name_of(self, number: str) -> str:
        """A phone as people on the page know it: its label, else its formatted number."""
        phone = self.phones.get(number)
        return phone.label if phone is not None and phone.label else formatted(number)

    # -- calls ------------------------------------------------------------------------

    def new_call(
        self,
        *,
        from_: str,
        to: str,
        direction: Direction,
        status: CallStatus = CallStatus.QUEUED,
        parent: Call | None = None,
        status_callback: str | None = None,
        status_events: Iterable[str] = (),
        status_method: str = "POST",
    ) -> Call:
        # With a callback and no events named, Twilio reports "completed" only.
        events = frozenset(status_events) or frozenset({"completed"})
        call = Call(
            sid=new_sid("CA"),
            account_sid=self.config.account_sid,
            from_=from_,
            to=to,
            direction=direction,
            created_at=self.now(),
            updated_at=self.now(),
            status=status,
            parent_sid=parent.sid if parent else None,
            status_callback=status_callback,
            status_callback_method=status_method,
            status_events=events if status_callback else frozenset(),
            ring_timeout=self.config.ring_timeout,
        )
        self.calls[call.sid] = call
        self.phone(call.phone).calls.append(call.sid)
        self.events.emit("call", call=call.sid, phone=call.phone, status=call.status.value)
        return call

    def dial_hotline(self, number: str) -> Call:
        """A phone calls the hotline: Twilio asks Peerline's voice URL what to do."""
        with self.lock:
            call = self.new_call(
                from_=number,
                to=self.config.hotline_number,
                direction=Direction.INBOUND,
                status=CallStatus.RINGING,
                status_callback=self.config.status_url,
            )
            self.hear(call, Heard.STATUS, f"Calling {formatted(self.config.hotline_number)}")
            self.interpreter.fetch(call, self.config.voice_url, "POST")
            return call

    def ring(self, call: Call, timeout: float | None) -> None:
        """Make the leg's phone ring; give up with no-answer after ``timeout`` seconds."""
        self._set_status(call, CallStatus.RINGING)
        self.status_callback(call, "ringing")
        self.hear(call, Heard.STATUS, f"Incoming call from {formatted(call.caller_id)}")
        if timeout is not None:

            def give_up() -> None:
                if call.status is CallStatus.RINGING:
                    self.end_call(call, CallStatus.NO_ANSWER)

            self.later(call, timeout, give_up)

    def answer(self, call: Call) -> None:
        """The phone picks up a ringing leg."""
        if call.status is not CallStatus.RINGING or call.direction is Direction.INBOUND:
            raise ValueError(f"call {call.sid} is not ringing on {call.phone}")
        call.cancel_timers()
        self.mark_answered(call)
        if call.direction is Direction.OUTBOUND_DIAL:
            self.dialer.answered(call)
        elif call.url:
            self.interpreter.fetch(call, call.url, call.method)
        else:
            self.interpreter.run_document(call, call.twiml or "", doc_url=None)

    def mark_answered(self, call: Call) -> None:
        if call.answered_at is None:
            call.answered_at = self.now()
            self._set_status(call, CallStatus.IN_PROGRESS)
            self.status_callback(call, "answered")
            if call.direction is not Direction.INBOUND:
                self.hear(call, Heard.STATUS, "Answered")

    def hang_up(self, call: Call) -> None:
        """The phone hangs up (or declines, if it is still ringing)."""
        if call.ended:
            return
        if call.status is CallStatus.RINGING and call.direction is not Direction.INBOUND:
            self.end_call(call, CallStatus.BUSY)
        else:
            self.end_call(call, CallStatus.COMPLETED if call.answered else CallStatus.CANCELED)

    def end_call(self, call: Call, status: CallStatus) -> None:
        """End a leg and everything that hangs on it: its TwiML, its bridge, its Dial."""
        if call.ended:
            return
        call.ended_at = self.now()
        call.epoch += 1
        call.cancel_timers()
        self.silence(call)
        self._set_status(call, status)
        self.hear(call, Heard.STATUS, f"Call ended ({status.value})")
        self.status_callback(call, "completed")
        program, call.program = call.program, None
        if program is not None and program.activity is not None:
            activity, program.activity = program.activity, None
            activity.on_hangup(call)
        if call.direction is Direction.OUTBOUND_DIAL:
            self.dialer.leg_left(call)
        call.connected_to = None

    def _set_status(self, call: Call, status: CallStatus) -> None:
        call.status = status
        call.updated_at = self.now()
        self.events.emit("call", call=call.sid, phone=call.phone, status=status.value)

    def status_callback(self, call: Call, event: str) -> None:
        params = status_params(call, event, self.now())
        if params is not None and call.status_callback:
            call.sequence += 1
            self.post(call.status_callback, params, call.status_callback_method)


def _why(delivery: Delivery) -> str:
    return delivery.error or f"HTTP {delivery.status_code}"
