"""What a leg is doing, as a person holding the phone would put it: on hold, or with whom.

The sandbox does not know why a document plays; it judges from what the leg hears. A
leg is on hold while it waits in a queue, in a conference that has not started, or runs
a document that keeps it in :data:`HOLD_SILENCE` seconds or more of silence (a hold
loop: a message, a long pause, again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox import verbs
from sandbox.conference import Seat
from sandbox.phones import Call
from sandbox.queues import Waiter

if TYPE_CHECKING:
    from sandbox.switchboard import Switchboard

HOLD_SILENCE = 10.0


def holding(call: Call) -> bool:
    """Whether the person on this leg is being kept waiting for someone."""
    if call.ended or call.connected_to is not None or call.program is None:
        return False
    activity = call.program.activity
    if isinstance(activity, Waiter):
        return True
    if isinstance(activity, Seat):
        return activity.room.started_at is None
    return any(_long_silence(verb) for verb in call.program.verbs)


def _long_silence(verb: verbs.Verb) -> bool:
    if isinstance(verb, verbs.Gather):
        return any(_long_silence(prompt) for prompt in verb.prompts)
    return isinstance(verb, verbs.Pause) and verb.length >= HOLD_SILENCE


def talking_with(sb: Switchboard, call: Call) -> list[str]:
    """The other people on this leg's conversation, by the names the page knows them."""
    target = call.connected_to
    if target is None or call.ended:
        return []
    room = next((r for r in sb.conferences.active.values() if r.sid == target), None)
    if room is not None:
        others = [p.call for p in room.participants if p.call is not call]
    else:
        other = sb.calls.get(target)
        others = [other] if other is not None else []
    return [sb.name_of(leg.phone) for leg in others]
