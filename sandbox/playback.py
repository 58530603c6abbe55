"""Prompts playing to a leg on the sandbox clock, one segment after another.

Each segment is logged when it starts, so a leg's log reads as the person heard it, with
the time they heard it. A leg hears one thing at a time: a new player stops the old one,
and so do hanging up, a REST redirect and being connected to someone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sandbox.clock import Timer
from sandbox.exchange import Exchange
from sandbox.phones import Call
from sandbox.speech import Segment


class Player:
    """Plays ``segments`` to ``call``; ``then`` runs once they have all played.

    Also the activity of a leg running a top-level ``<Say>``, ``<Play>`` or ``<Pause>``.
    """

    def __init__(
        self,
        switchboard: Exchange,
        call: Call,
        segments: Iterable[Segment],
        then: Callable[[], None] | None = None,
    ) -> None:
        self.sb = switchboard
        self.call = call
        self.then = then
        self.ends_at: float | None = None  # when the segment playing now ends
        self.line = 0  # index in the leg's log of the segment playing now
        self.stopped = False
        self._segments = iter(segments)
        self._epoch = call.epoch
        self._timer: Timer | None = None

    @property
    def playing(self) -> bool:
        return not self.stopped

    def start(self) -> bool:
        """Start playing; True when nothing took any time (``then`` is not called then)."""
        previous = self.call.player
        if previous is not None and previous is not self:
            previous.stop()
        self.call.player = self
        return self._play(at_once=True)

    def stop(self) -> None:
        """Stop for good (barge-in, a bridge, a hang-up); ``then`` never runs."""
        self.stopped = True
        self.ends_at = None
        if self._timer is not None:
            self._timer.cancel()
        if self.call.player is self:
            self.call.player = None

    def on_hangup(self, call: Call) -> None:
        self.stop()

    def on_interrupt(self, call: Call) -> None:
        self.stop()

    def _resume(self) -> None:
        self._play()

    def _play(self, *, at_once: bool = False) -> bool:
        while not self.stopped:
            if self.call.ended or self.call.epoch != self._epoch:
                self.stop()
                return False
            segment = next(self._segments, None)
            if segment is None:
                self.stop()
                if not at_once and self.then is not None:
                    self.then()
                return at_once
            self.line = len(self.call.log)
            self.sb.hear(
                self.call, segment.kind, segment.text, segment.language, repeat=segment.repeat
            )
            if segment.seconds > 0:
                self.ends_at = self.sb.now() + segment.seconds
                self._timer = self.sb.later(self.call, segment.seconds, self._resume)
                return False
        return False
