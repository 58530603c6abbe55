"""``<Dial><Conference>``: rooms that legs join and leave, with Twilio's start/end rules.

A room starts when a participant with ``startConferenceOnEnter`` joins (the others hear
the wait music until then) and ends when a participant with ``endConferenceOnExit``
leaves or the last one does. Participants of an ended room carry on after their
``<Dial>`` (or with its ``action``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate

from sandbox import verbs
from sandbox.exchange import Exchange
from sandbox.phones import Call, Heard, new_sid
from sandbox.program import Program, resolve
from sandbox.waiting import hold

_SUBSCRIPTION = {
    "conference-start": "start",
    "conference-end": "end",
    "participant-join": "join",
    "participant-leave": "leave",
}


@dataclass(eq=False)
class Participant:
    call: Call
    noun: verbs.Conference
    verb: verbs.Dial
    action: str | None
    program: Program


@dataclass(eq=False)
class Room:
    sid: str
    name: str
    created_at: float
    participants: list[Participant] = field(default_factory=list)
    started_at: float | None = None
    ended_at: float | None = None
    status_callback: str | None = None
    status_method: str = "POST"
    status_events: frozenset[str] = frozenset()
    sequence: int = 0
    end_reason: str = ""


class Seat:
    """The activity of a leg in a conference."""

    def __init__(self, conferences: Conferences, room: Room, participant: Participant) -> None:
        self.conferences = conferences
        self.room = room
        self.participant = participant

    def on_hangup(self, call: Call) -> None:
        self.conferences.leave(self.room, self.participant, report=True)

    def on_interrupt(self, call: Call) -> None:
        self.conferences.leave(self.room, self.participant, report=False)

    def on_star(self, call: Call) -> None:
        """``hangupOnStar``: the leg leaves the room and carries on after its ``<Dial>``
        (its ``action``), as if the room had ended for it alone."""
        if self.participant.verb.hangup_on_star:
            self.conferences.leave(self.room, self.participant, report=True)


class Conferences:
    def __init__(self, switchboard: Exchange) -> None:
        self.sb = switchboard
        self.active: dict[str, Room] = {}
        self.ended: deque[Room] = deque(maxlen=200)

    def join(self, call: Call, program: Program, verb: verbs.Dial, noun: verbs.Conference) -> bool:
        action = resolve(program.doc_url, verb.action) if verb.action else None
        room = self.active.get(noun.name)
        if room is None:
            room = self.active[noun.name] = Room(new_sid("CF"), noun.name, self.sb.now())
        if room.status_callback is None and noun.status_callback:
            room.status_callback = resolve(program.doc_url, noun.status_callback)
            room.status_method = noun.status_callback_method
            room.status_events = noun.status_events
        participant = Participant(call, noun, verb, action, program)
        room.participants.append(participant)
        program.activity = Seat(self, room, participant)
        self._event(room, "participant-join", participant)
        if room.started_at is None and noun.start_on_enter:
            self._start(room)
        elif room.started_at is None:
            self.sb.hear(call, Heard.STATUS, "On hold until the call starts")
            hold(self.sb, call, program.doc_url, noun.wait_url, noun.wait_method)
        else:
            call.connected_to = room.sid
            self.sb.hear(call, Heard.CONNECTED, self._with(room, call))
            self._tell_others(room, call, f"{self.sb.name_of(call.phone)} joined the call")
        return False

    def leave(self, room: Room, participant: Participant, *, report: bool) -> None:
        """A leg left (hung up or was redirected); the room may end with it."""
        if participant not in room.participants:
            return
        room.participants.remove(participant)
        participant.call.connected_to = None
        self._event(room, "participant-leave", participant)
        if report:
            self._carry_on(participant)
        if participant.noun.end_on_exit:
            self._end(room, "participant-with-end-conference-on-exit-left", participant)
        elif not room.participants:
            self._end(room, "last-participant-left", participant)
        else:
            name = self.sb.name_of(participant.call.phone)
            self._tell_others(room, participant.call, f"{name} left the call")

    def _start(self, room: Room) -> None:
        room.started_at = self.sb.now()
        for participant in room.participants:
            participant.call.connected_to = room.sid
            self.sb.silence(participant.call)  # the wait music stops
        self._event(room, "conference-start")
        for participant in room.participants:
            self.sb.hear(participant.call, Heard.CONNECTED, self._with(room, participant.call))

    def _end(self, room: Room, reason: str, ending: Participant) -> None:
        room.ended_at = self.sb.now()
        room.end_reason = reason
        self.active.pop(room.name, None)
        self.ended.append(room)
        for participant in list(room.participants):
            room.participants.remove(participant)
            participant.call.connected_to = None
            self._event(room, "participant-leave", participant)
            self.sb.hear(participant.call, Heard.STATUS, "The call has ended")
            self._carry_on(participant)
        self._event(room, "conference-end", ending=ending)

    def _carry_on(self, participant: Participant) -> None:
        call = participant.call
        self.sb.silence(call)  # the wait music, if the room never started
        if participant.program.activity is not None and call.program is participant.program:
            participant.program.activity = None
        params = [("DialCallStatus", "completed"), ("DialCallSid", call.sid)]
        self.sb.interpreter.finish_verb(call, participant.action, participant.verb.method, params)

    def _with(self, room: Room, call: Call) -> str:
        """``In a private call with Ana`` (one other), ``In a call with Ana and Ben``, …"""
        names = [self.sb.name_of(p.call.phone) for p in room.participants if p.call is not call]
        if not names:
            return "Waiting for someone to join the call"
        if len(names) == 1:
            return f"In a private call with {names[0]}"
        return f"In a call with {', '.join(names[:-1])} and {names[-1]}"

    def _tell_others(self, room: Room, call: Call, text: str) -> None:
        for participant in room.participants:
            if participant.call is not call:
                self.sb.hear(participant.call, Heard.CONNECTED, text)

    def _event(
        self,
        room: Room,
        event: str,
        who: Participant | None = None,
        *,
        ending: Participant | None = None,
    ) -> None:
        self.sb.events.emit("conference", conference=room.name, event=event)
        if not room.status_callback or _SUBSCRIPTION[event] not in room.status_events:
            return
        params = [
            ("AccountSid", self.sb.config.account_sid),
            ("ConferenceSid", room.sid),
            ("FriendlyName", room.name),
            ("StatusCallbackEvent", event),
            ("SequenceNumber", str(room.sequence)),
            ("Timestamp", formatdate(self.sb.now(), usegmt=True)),
        ]
        room.sequence += 1
        if who is not None:
            params += [
                ("CallSid", who.call.sid),
                ("Muted", "false"),
                ("Hold", "false"),
                ("Coaching", "false"),
                ("EndConferenceOnExit", str(who.noun.end_on_exit).lower()),
                ("StartConferenceOnEnter", str(who.noun.start_on_enter).lower()),
            ]
        if event == "conference-end":
            params.append(("ReasonConferenceEnded", room.end_reason))
            if ending is not None:
                params.append(("CallSidEndingConference", ending.call.sid))
        self.sb.post(room.status_callback, params, room.status_method)
