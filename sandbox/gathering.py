"""``<Gather>``: collecting keys or speech, with timeouts from the sandbox clock.

Twilio's rules: the nested prompts play first (taking the time ``sandbox.speech`` gives
them) and the timeout starts when they finish; a key or words during them count and stop
them (``bargeIn``, the default; with ``bargeIn="false"`` input waits for the prompts to
end). The timeout restarts after each key; ``numDigits`` or ``finishOnKey`` submit at
once; on timeout, collected keys are submitted, and with none Twilio goes on to the next
verb unless ``actionOnEmptyResult`` asks for the action anyway.
"""

from __future__ import annotations

from sandbox import verbs
from sandbox.exchange import Exchange
from sandbox.phones import Call
from sandbox.playback import Player
from sandbox.program import Program, resolve
from sandbox.speech import segments
from sandbox.twiml import TwimlError


class Gathering:
    """A ``<Gather>`` waiting for keys or speech; timeouts come from the sandbox clock."""

    def __init__(
        self, switchboard: Exchange, call: Call, program: Program, verb: verbs.Gather
    ) -> None:
        self.sb = switchboard
        self.call = call
        self.program = program
        self.verb = verb
        self.digits = ""
        self.done = False
        self._timer_epoch = 0
        self.player = Player(
            switchboard, call, segments(verb.prompts, program.said), self._prompts_played
        )

    @property
    def prompting(self) -> bool:
        """The nested prompts are still playing (the timeout has not started)."""
        return self.player.playing

    def start(self) -> None:
        self.program.activity = self
        if self.player.start():
            self._arm(self.verb.timeout)

    def _prompts_played(self) -> None:
        if not self.done and self.program.activity is self:
            self._arm(self.verb.timeout)

    def _heard_input(self) -> bool:
        """Whether input counts now; input during the prompts stops them (barge-in)."""
        if not self.player.playing:
            return True
        if not self.verb.barge_in:
            return False
        self.player.stop()
        return True

    def digit(self, key: str) -> None:
        if self.done or "dtmf" not in self.verb.input or not self._heard_input():
            return
        if self.verb.finish_on_key and key == self.verb.finish_on_key:
            if self.digits:
                self._submit([("Digits", self.digits), ("FinishedOnKey", key)])
            else:
                self._nothing_heard()
            return
        self.digits += key
        if self.verb.num_digits is not None and len(self.digits) >= self.verb.num_digits:
            self._submit([("Digits", self.digits), ("FinishedOnKey", "")])
        else:
            self._arm(self.verb.timeout)

    def speech(self, text: str, confidence: float) -> None:
        if self.done or "speech" not in self.verb.input or not self._heard_input():
            return
        self._submit([("SpeechResult", text), ("Confidence", f"{confidence:.8f}")])

    def on_hangup(self, call: Call) -> None:
        self.done = True
        self.player.stop()

    def on_interrupt(self, call: Call) -> None:
        self.done = True
        self.player.stop()

    def _arm(self, seconds: float) -> None:
        self._timer_epoch += 1
        mine = self._timer_epoch
        self.sb.later(self.call, seconds, lambda: self._timeout(mine))

    def _timeout(self, armed: int) -> None:
        if self.done or armed != self._timer_epoch or self.program.activity is not self:
            return
        if self.digits:
            self._submit([("Digits", self.digits), ("FinishedOnKey", "")])
        else:
            self._nothing_heard()

    def _nothing_heard(self) -> None:
        if self.verb.action_on_empty_result:
            self._submit([])
        else:
            self.done = True
            self.sb.interpreter.run(self.call)  # Twilio moves on to the verb after <Gather>

    def _submit(self, params: list[tuple[str, str]]) -> None:
        self.done = True
        self.program.activity = None
        try:
            url = resolve(self.program.doc_url, self.verb.action or self.program.doc_url or "")
        except TwimlError as exc:
            self.sb.interpreter.fail(self.call, exc.code, exc.message)
            return
        self.sb.interpreter.fetch(
            self.call, url, self.verb.method, params, screening=self.program.screening
        )
