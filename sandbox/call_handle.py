"""One call leg as its phone experiences it: the call side of the Python sandbox handles.

A handle never changes a leg without the switchboard's lock, and every method that acts
or reads lets the sandbox settle first, so what it returns is what the phone would show
once Peerline has answered. It knows the ``Sandbox`` only as a ``Driver``.
"""

from __future__ import annotations

import time
from typing import Protocol

from sandbox.clock import Clock, ManualClock
from sandbox.phones import Call, CallStatus, Direction, Heard, LogLine
from sandbox.switchboard import Switchboard
from sandbox.verbs import Gather


class Driver(Protocol):
    """What a handle needs of the ``Sandbox`` that made it: its exchange and its time."""

    @property
    def switchboard(self) -> Switchboard: ...

    @property
    def clock(self) -> Clock: ...

    def settle(self) -> None: ...

    def advance(self, seconds: float) -> None: ...


class CallHandle:
    """One call leg as its phone experiences it."""

    def __init__(self, sandbox: Driver, call: Call) -> None:
        self._sandbox = sandbox
        self._sb = sandbox.switchboard
        self._call = call
        self.sid = call.sid

    def __repr__(self) -> str:
        return f"<call {self.sid} {self._call.status.value}>"

    @property
    def status(self) -> CallStatus:
        return self._call.status

    @property
    def direction(self) -> Direction:
        return self._call.direction

    @property
    def from_(self) -> str:
        return self._call.from_

    @property
    def to(self) -> str:
        return self._call.to

    @property
    def caller_id(self) -> str:
        """The number this phone shows for the other end (the hotline, on a masked bridge)."""
        return self._call.caller_id

    @property
    def parent_sid(self) -> str | None:
        return self._call.parent_sid

    @property
    def connected(self) -> bool:
        """Talking with someone: bridged, dequeued, or in a started conference."""
        return self._call.connected_to is not None and not self._call.ended

    def transcript(self) -> list[str]:
        """What was said to this phone (``<Say>`` text), in order; a repetition shows once."""
        return [line.text for line in self.log() if line.kind is Heard.SAY and not line.repeat]

    def listen(self, limit: float = 600.0) -> list[str]:
        """Let the prompts play out; return what they said, from the sentence playing now.

        Time passes (a :class:`ManualClock` is advanced, a real one waited on) until this
        leg is told nothing more: it waits for keys, for someone, or has ended. A Gather's
        timeout has then just started. Raises ``RuntimeError`` after ``limit`` seconds of
        prompts (a ``loop="0"``).
        """
        self._sandbox.settle()
        with self._sb.lock:
            player = self._call.player
            start = player.line if player is not None else len(self._call.log)
        spent = 0.0
        while (ends_at := self._speaking_until()) is not None:
            wait = max(0.0, ends_at - self._sandbox.clock.now())
            spent += wait
            if spent > limit:
                raise RuntimeError(f"call {self.sid} still hears prompts after {limit:g} s")
            if isinstance(self._sandbox.clock, ManualClock):
                self._sandbox.advance(wait)
            else:
                time.sleep(max(wait, 0.01))
                self._sandbox.settle()
        with self._sb.lock:
            heard = self._call.log[start:]
        return [line.text for line in heard if line.kind is Heard.SAY and not line.repeat]

    def _speaking_until(self) -> float | None:
        with self._sb.lock:
            player = self._call.player
            return player.ends_at if player is not None and player.playing else None

    def log(self) -> list[LogLine]:
        """Everything this phone experienced: prompts, keys, status changes, errors."""
        self._sandbox.settle()
        with self._sb.lock:
            return list(self._call.log)

    def heard(self, text: str) -> bool:
        """True when ``text`` was part of something said to this phone."""
        return any(text in line for line in self.transcript())

    def gather(self) -> Gather | None:
        """The ``<Gather>`` this call is waiting on, if any."""
        self._sandbox.settle()
        with self._sb.lock:
            return self._sb.interpreter.listening(self._call)

    def press(self, digits: str) -> None:
        """Press keys, one at a time, letting the sandbox settle after each."""
        for key in digits:
            if key not in "0123456789*#":
                raise ValueError(f"not a phone key: {key!r}")
            with self._sb.lock:
                self._sb.interpreter.press(self._call, key)
            self._sandbox.settle()

    def say(self, text: str, confidence: float | None = None) -> None:
        """Speak to a speech ``<Gather>`` (posted as ``SpeechResult``)."""
        conf = self._sb.config.speech_confidence if confidence is None else confidence
        with self._sb.lock:
            self._sb.interpreter.speak(self._call, text, conf)
        self._sandbox.settle()

    def hang_up(self) -> None:
        with self._sb.lock:
            self._sb.hang_up(self._call)
        self._sandbox.settle()
