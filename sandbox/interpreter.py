"""The TwiML interpreter: fetches a leg's documents and runs them one verb at a time.

A verb either completes at once (Redirect, Leave) or leaves an *activity* on the program
(Say, Play, Pause and Gather take time on the clock; Dial and Enqueue wait for others)
that the clock, the phone or another leg later resumes.
"""

from __future__ import annotations

from sandbox import twiml, verbs
from sandbox.callbacks import call_params
from sandbox.conference import Seat
from sandbox.dialing import Dialer
from sandbox.exchange import Exchange
from sandbox.gathering import Gathering
from sandbox.phones import Call, CallStatus, Direction, Heard
from sandbox.playback import Player
from sandbox.program import Params, Program, resolve
from sandbox.queues import Queues
from sandbox.speech import segments
from sandbox.twiml import TwimlError

MAX_HOPS = 50  # documents fetched in a row with no input and no time passing
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."


class Interpreter:
    def __init__(self, switchboard: Exchange, dialer: Dialer, queues: Queues) -> None:
        self.sb = switchboard
        self.dialer = dialer
        self.queues = queues

    # -- documents --------------------------------------------------------------------

    def fetch(
        self,
        call: Call,
        url: str,
        method: str,
        extra: Params = (),
        *,
        screening: bool = False,
        hops: int = 0,
    ) -> None:
        """Request the next document for ``call`` from ``url``, then run it (on the runner)."""
        if hops > MAX_HOPS:
            self.fail(call, "sandbox:loop", f"{hops} documents in a row without any input")
            return
        call.program = None
        epoch, extra = call.epoch, list(extra)

        def request() -> None:
            with self.sb.lock:
                if call.ended or call.epoch != epoch:
                    return
                params = call_params(call) + extra
            delivery = self.sb.webhooks.send(url, params, method)
            with self.sb.lock:
                if call.ended or call.epoch != epoch:
                    return
                if delivery.error is not None:
                    self.fail(call, "11205", f"HTTP connection failure: {url}: {delivery.error}")
                elif not delivery.ok:
                    self.fail(
                        call, "11200", f"HTTP retrieval failure: {url} ({delivery.status_code})"
                    )
                elif "xml" not in delivery.content_type and "html" not in delivery.content_type:
                    self.fail(call, "12300", f"Invalid Content-Type: {delivery.content_type!r}")
                else:
                    self.run_document(call, delivery.body, url, screening=screening, hops=hops)

        self.sb.runner.submit(request)

    def run_document(
        self, call: Call, text: str, doc_url: str | None, *, screening: bool = False, hops: int = 0
    ) -> None:
        try:
            document = twiml.parse_voice(text)
        except TwimlError as exc:
            self.fail(call, exc.code, exc.message)
            return
        if screening and any(isinstance(v, verbs.Dial) for v in document):
            self.fail(call, "sandbox:dial-in-screen", "<Dial> is not allowed in <Number url> TwiML")
            return
        call.program = Program(document, doc_url, screening, hops)
        self.run(call)

    def redirect(self, call: Call, *, url: str | None, twiml: str | None, method: str) -> None:
        """Abandon whatever the leg is doing and run a new document (REST update)."""
        call.epoch += 1
        call.cancel_timers()
        self.sb.silence(call)
        program, call.program = call.program, None
        if program is not None and program.activity is not None:
            activity, program.activity = program.activity, None
            activity.on_interrupt(call)
        if call.direction is Direction.OUTBOUND_DIAL:
            self.dialer.leg_left(call)  # taken out of its <Dial>, as Twilio does
            call.connected_to = None
        if url:
            self.fetch(call, url, method)
        else:
            self.run_document(call, twiml or "", None)

    # -- running ----------------------------------------------------------------------

    def run(self, call: Call) -> None:
        """Run verbs until one waits, the leg ends, or the document runs out."""
        program = call.program
        if program is None:
            return
        program.activity = None
        while program.pc < len(program.verbs):
            verb = program.verbs[program.pc]
            program.pc += 1
            try:
                done = self._execute(call, program, verb)
            except TwimlError as exc:
                self.fail(call, exc.code, exc.message)
                return
            if not done or call.ended or call.program is not program:
                return
        if program.screening:
            call.program = None
            self.dialer.screened(call)
        else:
            self.sb.mark_answered(call)
            self.sb.end_call(call, CallStatus.COMPLETED)

    def finish_verb(self, call: Call, action: str | None, method: str, params: Params) -> None:
        """A Dial/Enqueue ended: request its action, or carry on with the next verb."""
        if action:
            if call.ended:
                self.sb.post(action, [*call_params(call), *params], method)
            else:
                self.fetch(call, action, method, params)
        elif not call.ended:
            self.run(call)

    def fail(self, call: Call, code: str, message: str) -> None:
        """Twilio's behaviour on a broken document: an error notice, an apology, a hang-up."""
        self.sb.notice(code, message, call)
        if call.ended:
            return
        self.sb.mark_answered(call)
        self.sb.hear(call, Heard.SAY, APPLICATION_ERROR, "en-US")
        self.sb.end_call(call, CallStatus.COMPLETED)

    def _execute(self, call: Call, program: Program, verb: verbs.Verb) -> bool:
        """Run one verb; False when the leg now waits on something."""
        if isinstance(verb, verbs.Reject):
            if call.direction is Direction.INBOUND and not call.answered:
                busy = verb.reason == "busy"
                self.sb.end_call(call, CallStatus.BUSY if busy else CallStatus.NO_ANSWER)
            else:
                self.sb.end_call(call, CallStatus.COMPLETED)
            return False
        self.sb.mark_answered(call)
        match verb:
            case verbs.Say() | verbs.Play() | verbs.Pause():
                return self.play(call, program, verb)
            case verbs.Gather():
                Gathering(self.sb, call, program, verb).start()
                return False
            case verbs.Redirect():
                url = resolve(program.doc_url, verb.url)
                self.fetch(
                    call, url, verb.method, screening=program.screening, hops=program.hops + 1
                )
                return False
            case verbs.Hangup():
                self.sb.end_call(call, CallStatus.COMPLETED)
                return False
            case verbs.Leave():
                return True  # only meaningful while waiting in a queue
            case verbs.Dial():
                return self.dialer.dial(call, program, verb)
            case verbs.Enqueue():
                return self.queues.enqueue(call, program, verb)
        raise TwimlError("12200", f"Schema validation warning: <{type(verb).__name__}>")

    def play(self, call: Call, program: Program, prompt: verbs.Prompt) -> bool:
        """A top-level prompt: the document goes on once it has played."""
        player = Player(self.sb, call, segments([prompt], program.said), lambda: self.run(call))
        if player.start():
            return True
        program.activity = player
        return False

    # -- the person on the phone ------------------------------------------------------

    def press(self, call: Call, key: str) -> None:
        if call.ended:
            return
        self.sb.hear(call, Heard.PRESSED, key)
        activity = call.program.activity if call.program else None
        if isinstance(activity, Gathering):
            activity.digit(key)
        elif key == "*" and isinstance(activity, Seat):
            activity.on_star(call)  # <Dial hangupOnStar="true">: this leg steps out

    def speak(self, call: Call, text: str, confidence: float) -> None:
        if call.ended:
            return
        self.sb.hear(call, Heard.SPOKE, text)
        activity = call.program.activity if call.program else None
        if isinstance(activity, Gathering):
            activity.speech(text, confidence)

    def listening(self, call: Call) -> verbs.Gather | None:
        """The Gather the leg is waiting on, if any."""
        activity = call.program.activity if call.program else None
        return activity.verb if isinstance(activity, Gathering) else None
