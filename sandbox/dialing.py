"""``<Dial>`` to phone numbers: ring the called legs, screen them, bridge, report.

The called legs are ``outbound-dial`` children of the calling leg, showing ``callerId``
(default: the caller's own number). The first to answer (and pass its ``<Number url>``
screening TwiML) is bridged and the others are hung up. When the dial ends, Twilio
requests the ``action`` URL with ``DialCallStatus``, or carries on with the next verb.
"""

from __future__ import annotations

from sandbox import verbs
from sandbox.clock import Timer
from sandbox.conference import Conferences
from sandbox.exchange import Exchange
from sandbox.phones import Call, CallStatus, Direction, Heard, formatted, is_phone_number
from sandbox.program import Program, resolve
from sandbox.queues import Queues

_AGGREGATE_ORDER = ("completed", "no-answer", "busy", "failed", "canceled")


class Dialer:
    def __init__(self, switchboard: Exchange, conferences: Conferences, queues: Queues) -> None:
        self.sb = switchboard
        self.conferences = conferences
        self.queues = queues
        self.dials: dict[str, NumberDial] = {}  # called leg sid -> the dial that placed it

    def dial(self, call: Call, program: Program, verb: verbs.Dial) -> bool:
        target = verb.target
        if isinstance(target, verbs.Conference):
            return self.conferences.join(call, program, verb, target)
        if isinstance(target, verbs.Queue):
            return self.queues.dial(call, program, verb, target)
        NumberDial(self.sb, self.dials, call, program, verb, target).start()
        return False

    def answered(self, leg: Call) -> None:
        dial = self.dials.get(leg.sid)
        if dial is None:
            self.sb.end_call(leg, CallStatus.COMPLETED)
        else:
            dial.answered(leg)

    def screened(self, leg: Call) -> None:
        """The ``<Number url>`` TwiML ran out of verbs: the called party accepted."""
        dial = self.dials.get(leg.sid)
        if dial is None:
            self.sb.end_call(leg, CallStatus.COMPLETED)
        else:
            dial.bridge(leg)

    def leg_left(self, leg: Call) -> None:
        """A called leg ended, or was redirected away by the REST API."""
        dial = self.dials.pop(leg.sid, None)
        if dial is not None:
            dial.leg_left(leg)


class NumberDial:
    """A parent leg dialing up to ten numbers in parallel."""

    def __init__(
        self,
        switchboard: Exchange,
        placed: dict[str, NumberDial],
        parent: Call,
        program: Program,
        verb: verbs.Dial,
        numbers: tuple[verbs.Number, ...],
    ) -> None:
        self.sb = switchboard
        self.placed = placed  # the dialer's: called leg sid -> the dial that placed it
        self.parent = parent
        self.verb = verb
        self.numbers = numbers
        self.doc_url = program.doc_url
        self.action = resolve(program.doc_url, verb.action) if verb.action else None
        self.program = program
        self.legs: list[Call] = []
        self.screen: dict[str, verbs.Number] = {}
        self.bridged: Call | None = None
        self.gone: set[str] = set()  # sids of legs no longer part of this dial
        self.done = False
        self.timer: Timer | None = None

    def start(self) -> None:
        sb, parent = self.sb, self.parent
        self.program.activity = self
        caller_id = self.verb.caller_id or parent.from_
        if caller_id not in (sb.config.hotline_number, parent.from_, parent.to):
            sb.notice("13214", "Dial: Invalid callerId value", parent)
            self.finish("failed")
            return
        for number in self.numbers:
            if number.number == sb.config.hotline_number or not is_phone_number(number.number):
                sb.notice("13223", "Dial: Invalid phone number format", parent)
                continue
            callback = number.status_callback
            leg = sb.new_call(
                from_=caller_id,
                to=number.number,
                direction=Direction.OUTBOUND_DIAL,
                parent=parent,
                status_callback=resolve(self.doc_url, callback) if callback else None,
                status_events=number.status_events,
                status_method=number.status_callback_method,
            )
            self.legs.append(leg)
            self.placed[leg.sid] = self
            if number.url:
                self.screen[leg.sid] = number
            sb.status_callback(leg, "initiated")
            sb.ring(leg, None)
        if not self.legs:
            self.finish("failed")
            return
        sb.hear(
            parent, Heard.STATUS, "Calling " + ", ".join(sb.name_of(leg.to) for leg in self.legs)
        )
        self.timer = sb.later(parent, self.verb.timeout, self._timeout)

    def answered(self, leg: Call) -> None:
        if self.done or self.bridged is not None:
            self.sb.end_call(leg, CallStatus.COMPLETED)
            return
        number = self.screen.get(leg.sid)
        if number is not None and number.url:
            url = resolve(self.doc_url, number.url)
            self.sb.interpreter.fetch(leg, url, number.method, screening=True)
        else:
            self.bridge(leg)

    def bridge(self, leg: Call) -> None:
        if self.done or self.bridged is not None or leg.ended:
            self.sb.end_call(leg, CallStatus.COMPLETED)
            return
        self.bridged = leg
        if self.timer is not None:
            self.timer.cancel()
        for other in self.legs:
            if other is not leg and not other.ended:
                self.sb.end_call(
                    other, CallStatus.COMPLETED if other.answered else CallStatus.CANCELED
                )
        self.parent.connected_to = leg.sid
        leg.connected_to = self.parent.sid
        name = self.sb.name_of
        self.sb.hear(self.parent, Heard.CONNECTED, f"In a private call with {name(leg.to)}")
        self.sb.hear(
            leg,
            Heard.CONNECTED,
            f"In a private call with {name(self.parent.phone)} (shown as {formatted(leg.from_)})",
        )

    def leg_left(self, leg: Call) -> None:
        if self.done:
            return
        self.gone.add(leg.sid)
        if leg is self.bridged:
            self.finish("completed", leg)
        elif self.bridged is None and all(other.sid in self.gone for other in self.legs):
            # A leg that answered and left without being bridged reports "completed".
            statuses = {o.status.value if o.ended else "completed" for o in self.legs}
            status = next(s for s in _AGGREGATE_ORDER if s in statuses)
            self.finish(status, leg if len(self.legs) == 1 else None)

    def on_hangup(self, call: Call) -> None:
        if not self.done:
            self._hang_up_legs()
            self.finish("completed" if self.bridged else "canceled", self.bridged)

    def on_interrupt(self, call: Call) -> None:
        self._hang_up_legs()

    def finish(self, status: str, leg: Call | None = None) -> None:
        self.done = True
        if self.timer is not None:
            self.timer.cancel()
        self.parent.connected_to = None
        params = [("DialCallStatus", status)]
        if leg is not None:
            params += [("DialCallSid", leg.sid), ("DialCallDuration", str(leg.duration()))]
        params.append(("DialBridged", "true" if self.bridged else "false"))
        if self.program.activity is self:
            self.program.activity = None
        self.sb.interpreter.finish_verb(self.parent, self.action, self.verb.method, params)

    def _timeout(self) -> None:
        if self.done or self.bridged is not None:
            return
        for leg in self.legs:
            if leg.status is CallStatus.RINGING:
                self.sb.end_call(leg, CallStatus.NO_ANSWER)

    def _hang_up_legs(self) -> None:
        self.done = True
        for leg in self.legs:
            if not leg.ended:
                self.sb.end_call(leg, CallStatus.COMPLETED if leg.answered else CallStatus.CANCELED)
