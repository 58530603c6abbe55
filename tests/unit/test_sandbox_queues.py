"""<Enqueue> and <Dial><Queue>: waiting callers, dequeuing, and what each side hears."""

from sandbox.phones import CallStatus
from sandbox.testing import Reply
from tests.sandbox_support import Make, call_supporter

CALLER = "+16175550123"
SUPPORTER = "+16175550102"
HOTLINE = "+16175550100"

REPLIES: dict[str, Reply] = {
    "/twilio/voice": '<Response><Enqueue action="/dequeued" waitUrl="/wait">req-7</Enqueue>'
    "<Say>Never heard with an action.</Say></Response>",
    "/wait": "<Response><Say>You are next in line.</Say></Response>",
    "/supporter": '<Response><Dial action="/agent-done" timeout="20">'
    '<Queue url="/connecting">req-7</Queue></Dial></Response>',
    "/connecting": "<Response><Say>Connecting you to a peer supporter.</Say></Response>",
    "/dequeued": lambda p: f"<Response><Say>Queue result {p['QueueResult']}.</Say></Response>",
    "/agent-done": lambda p: f"<Response><Say>Dial {p['DialCallStatus']}.</Say></Response>",
}


def test_dequeuing_bridges_the_supporter_with_the_waiting_caller(scripted: Make) -> None:
    sandbox, script = scripted(REPLIES)
    caller = sandbox.phone(CALLER).dial()
    assert caller.transcript() == ["You are next in line."]
    assert script.last("/wait").params["QueuePosition"] == "1"

    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()

    assert caller.transcript()[-1] == "Connecting you to a peer supporter."
    assert script.last("/connecting").params["DequeingCallSid"] == supporter.sid
    assert not caller.connected  # the announcement plays first
    caller.listen()
    assert caller.connected and supporter.connected

    supporter.hang_up()

    dequeued = script.last("/dequeued").params
    assert dequeued["QueueResult"] == "bridged"
    assert caller.listen() == ["Queue result bridged."]
    assert script.last("/agent-done").params["DialCallStatus"] == "completed"
    assert caller.status is CallStatus.COMPLETED


def test_the_caller_hanging_up_ends_the_supporters_dial(scripted: Make) -> None:
    sandbox, script = scripted(REPLIES)
    caller = sandbox.phone(CALLER).dial()
    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()

    caller.hang_up()

    done = script.last("/agent-done").params
    assert done["DialCallStatus"] == "completed"
    assert done["DialCallSid"] == caller.sid
    assert supporter.transcript()[-1] == "Dial completed."
    assert script.last("/dequeued").params["QueueResult"] == "bridged"


def test_hanging_up_in_the_queue(scripted: Make) -> None:
    sandbox, script = scripted(REPLIES)
    caller = sandbox.phone(CALLER).dial()

    caller.hang_up()

    assert script.last("/dequeued").params["QueueResult"] == "hangup"


def test_dialing_an_empty_queue_waits_for_a_caller_then_gives_up(scripted: Make) -> None:
    sandbox, _ = scripted(REPLIES)
    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()
    assert not supporter.connected

    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # the queue's announcement, then the bridge
    assert caller.connected and supporter.connected
    caller.hang_up()

    call_supporter(sandbox)
    second = sandbox.phone(SUPPORTER).answer()
    sandbox.advance(20)
    assert second.transcript()[-1] == "Dial no-answer."


def test_leave_in_the_wait_document(scripted: Make) -> None:
    sandbox, _ = scripted(
        {
            **REPLIES,
            "/twilio/voice": '<Response><Enqueue waitUrl="/wait">req-7</Enqueue>'
            "<Say>The line has closed for today.</Say></Response>",
            "/wait": "<Response><Say>We are closing.</Say><Leave/></Response>",
        }
    )
    caller = sandbox.phone(CALLER).dial()

    assert caller.listen() == ["We are closing.", "The line has closed for today."]
    assert caller.status is CallStatus.COMPLETED
