"""``<Enqueue>`` and ``<Dial><Queue>``: callers wait in a named queue until dequeued.

``<Dial><Queue>`` bridges the dialing leg with the caller at the front (waiting up to
the Dial ``timeout`` when the queue is empty). When the bridge ends, the enqueued
caller carries on after ``<Enqueue>`` with ``QueueResult=bridged`` and the dialing leg
after its ``<Dial>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox import verbs
from sandbox.callbacks import call_params
from sandbox.clock import Timer
from sandbox.exchange import Exchange
from sandbox.phones import Call, Heard, new_sid
from sandbox.program import Program, resolve
from sandbox.waiting import hold


@dataclass(eq=False)
class CallQueue:
    sid: str
    name: str
    waiting: list[Waiter] = field(default_factory=list)
    dialers: list[QueueDial] = field(default_factory=list)


@dataclass(eq=False)
class Waiter:
    """The activity of an enqueued leg."""

    queues: Queues
    queue: CallQueue
    call: Call
    program: Program
    verb: verbs.Enqueue
    action: str | None
    since: float
    agent: QueueDial | None = None
    done: bool = False

    def on_hangup(self, call: Call) -> None:
        self.queues.waiter_left(self, hung_up=True)

    def on_interrupt(self, call: Call) -> None:
        self.queues.waiter_left(self, hung_up=False)


@dataclass(eq=False)
class QueueDial:
    """The activity of a leg dialing a queue."""

    queues: Queues
    queue: CallQueue
    call: Call
    program: Program
    verb: verbs.Dial
    noun: verbs.Queue
    action: str | None
    waiter: Waiter | None = None
    timer: Timer | None = None
    done: bool = False

    def on_hangup(self, call: Call) -> None:
        self.queues.agent_left(self, hung_up=True)

    def on_interrupt(self, call: Call) -> None:
        self.queues.agent_left(self, hung_up=False)


class Queues:
    def __init__(self, switchboard: Exchange) -> None:
        self.sb = switchboard
        self.queues: dict[str, CallQueue] = {}

    def get(self, name: str) -> CallQueue:
        if name not in self.queues:
            self.queues[name] = CallQueue(new_sid("QU"), name)
        return self.queues[name]

    def enqueue(self, call: Call, program: Program, verb: verbs.Enqueue) -> bool:
        action = resolve(program.doc_url, verb.action) if verb.action else None
        queue = self.get(verb.name)
        waiter = Waiter(self, queue, call, program, verb, action, self.sb.now())
        program.activity = waiter
        queue.waiting.append(waiter)
        self.sb.hear(call, Heard.STATUS, "On hold in a queue")
        if queue.dialers:
            self._dequeue(queue.dialers.pop(0))
        else:
            extra = [
                ("QueueSid", queue.sid),
                ("QueuePosition", str(len(queue.waiting))),
                ("QueueTime", "0"),
                ("AvgQueueTime", "0"),
                ("CurrentQueueSize", str(len(queue.waiting))),
                ("MaxQueueSize", "1000"),
            ]
            hold(
                self.sb,
                call,
                program.doc_url,
                verb.wait_url,
                verb.wait_method,
                extra,
                on_leave=lambda: self._leave(waiter),
            )
        return False

    def dial(self, call: Call, program: Program, verb: verbs.Dial, noun: verbs.Queue) -> bool:
        action = resolve(program.doc_url, verb.action) if verb.action else None
        queue = self.get(noun.name)
        agent = QueueDial(self, queue, call, program, verb, noun, action)
        program.activity = agent
        if queue.waiting:
            self._dequeue(agent)
        else:
            queue.dialers.append(agent)
            self.sb.hear(call, Heard.STATUS, "Waiting for a caller in the queue")
            agent.timer = self.sb.later(call, verb.timeout, lambda: self._nobody(agent))
        return False

    def waiter_left(self, waiter: Waiter, *, hung_up: bool) -> None:
        """The enqueued leg hung up or was redirected."""
        if waiter.done:
            return
        waiter.done = True
        if waiter in waiter.queue.waiting:
            waiter.queue.waiting.remove(waiter)
            result = "hangup" if hung_up else "redirected"
        else:
            result = "bridged" if hung_up else "redirected-from-bridged"
        agent, waiter.agent = waiter.agent, None
        if agent is not None and not agent.done:
            agent.waiter = None
            self._agent_done(agent, "completed", waiter.call)
        if waiter.action:
            params = [*call_params(waiter.call), *self._queue_result(waiter, result)]
            self.sb.post(waiter.action, params, waiter.verb.method)

    def agent_left(self, agent: QueueDial, *, hung_up: bool) -> None:
        """The leg that dialed the queue hung up or was redirected."""
        if agent.done:
            return
        agent.done = True
        if agent in agent.queue.dialers:
            agent.queue.dialers.remove(agent)
        waiter, agent.waiter = agent.waiter, None
        if waiter is not None and not waiter.done:
            waiter.agent = None
            self._waiter_done(waiter, "bridged")
        if hung_up and agent.action:
            params = [
                *call_params(agent.call),
                *self._dial_result(agent, "completed", waiter.call if waiter else None),
            ]
            self.sb.post(agent.action, params, agent.verb.method)

    def _dequeue(self, agent: QueueDial) -> None:
        waiter = agent.queue.waiting.pop(0)
        waiter.agent, agent.waiter = agent, waiter
        if agent.timer is not None:
            agent.timer.cancel()
        if agent.noun.url:
            extra = [
                ("QueueSid", agent.queue.sid),
                ("QueueTime", str(round(self.sb.now() - waiter.since))),
                ("DequeingCallSid", agent.call.sid),
            ]
            hold(
                self.sb,
                waiter.call,
                agent.program.doc_url,
                agent.noun.url,
                agent.noun.method,
                extra,
                then=lambda: self._connect(agent, waiter),
            )
        else:
            self._connect(agent, waiter)

    def _connect(self, agent: QueueDial, waiter: Waiter) -> None:
        if agent.done or waiter.done:
            return
        agent.call.connected_to, waiter.call.connected_to = waiter.call.sid, agent.call.sid
        self.sb.silence(waiter.call)  # the wait music stops
        name = self.sb.name_of
        self.sb.hear(
            agent.call, Heard.CONNECTED, f"In a private call with {name(waiter.call.phone)}"
        )
        self.sb.hear(
            waiter.call, Heard.CONNECTED, f"In a private call with {name(agent.call.phone)}"
        )

    def _leave(self, waiter: Waiter) -> None:
        if waiter.done or waiter not in waiter.queue.waiting:
            return
        waiter.queue.waiting.remove(waiter)
        self._waiter_done(waiter, "leave")

    def _nobody(self, agent: QueueDial) -> None:
        if agent.done or agent.waiter is not None:
            return
        if agent in agent.queue.dialers:
            agent.queue.dialers.remove(agent)
        self._agent_done(agent, "no-answer", None)

    def _waiter_done(self, waiter: Waiter, result: str) -> None:
        waiter.done = True
        self.sb.silence(waiter.call)  # the wait music stops
        waiter.call.connected_to = None
        if waiter.program.activity is waiter:
            waiter.program.activity = None
        params = self._queue_result(waiter, result)
        self.sb.interpreter.finish_verb(waiter.call, waiter.action, waiter.verb.method, params)

    def _agent_done(self, agent: QueueDial, status: str, other: Call | None) -> None:
        agent.done = True
        agent.call.connected_to = None
        if agent.program.activity is agent:
            agent.program.activity = None
        params = self._dial_result(agent, status, other)
        self.sb.interpreter.finish_verb(agent.call, agent.action, agent.verb.method, params)

    def _queue_result(self, waiter: Waiter, result: str) -> list[tuple[str, str]]:
        return [
            ("QueueResult", result),
            ("QueueSid", waiter.queue.sid),
            ("QueueTime", str(round(self.sb.now() - waiter.since))),
        ]

    def _dial_result(
        self, agent: QueueDial, status: str, other: Call | None
    ) -> list[tuple[str, str]]:
        params = [("DialCallStatus", status), ("QueueSid", agent.queue.sid)]
        if other is not None:
            params.insert(1, ("DialCallSid", other.sid))
        return params
