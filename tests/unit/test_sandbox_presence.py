"""What the page says a leg is doing: on hold, or in a private call with someone by name."""

from sandbox import Sandbox
from sandbox.call_handle import CallHandle
from sandbox.phones import Heard
from sandbox.presence import holding, talking_with
from tests.sandbox_support import Make, call_supporter

CALLER = "+16175550101"  # "Caller (nurse)" among the default demo phones
SUPPORTER = "+16175550102"  # "Supporter A"
CRISIS = "+18002738255"
ROOM = "peerline-a1c8b7f9"


def situation(sandbox: Sandbox, call: CallHandle) -> tuple[bool, list[str]]:
    sandbox.settle()
    with sandbox.switchboard.lock:
        leg = sandbox.switchboard.calls[call.sid]
        return holding(leg), talking_with(sandbox.switchboard, leg)


def test_waiting_for_a_conference_is_on_hold_then_a_private_call_by_name(scripted: Make) -> None:
    sandbox, _ = scripted(
        {
            "/twilio/voice": f'<Response><Dial><Conference startConferenceOnEnter="false" '
            f'waitUrl="">{ROOM}</Conference></Dial></Response>',
            "/supporter": f"<Response><Dial><Conference>{ROOM}</Conference></Dial></Response>",
        }
    )
    caller = sandbox.phone(CALLER).dial()
    assert situation(sandbox, caller) == (True, [])

    call_supporter(sandbox)
    supporter = sandbox.phone(SUPPORTER).answer()

    assert situation(sandbox, caller) == (False, ["Supporter A"])
    assert situation(sandbox, supporter) == (False, ["Caller (nurse)"])
    lines = [line.text for line in caller.log() + supporter.log()]
    assert "In a private call with Supporter A" in lines
    assert not any(ROOM in line for line in lines), "never a raw conference name"


def test_a_hold_loop_is_on_hold_and_a_menu_is_not(scripted: Make) -> None:
    sandbox, _ = scripted(
        {
            "/twilio/voice": '<Response><Gather numDigits="1" action="/hold">'
            "<Say>Press 1 to wait for a peer.</Say></Gather></Response>",
            "/hold": '<Response><Gather numDigits="1" timeout="5" action="/hold">'
            '<Say>Thanks for holding.</Say><Pause length="20"/></Gather></Response>',
        }
    )
    caller = sandbox.phone(CALLER).dial()
    assert situation(sandbox, caller) == (False, [])

    caller.press("1")

    assert situation(sandbox, caller) == (True, [])


def test_a_queue_is_on_hold(scripted: Make) -> None:
    sandbox, _ = scripted({"/twilio/voice": "<Response><Enqueue>support</Enqueue></Response>"})
    caller = sandbox.phone(CALLER).dial()

    assert situation(sandbox, caller) == (True, [])
    assert [line.text for line in caller.log() if line.kind is Heard.STATUS][-1] == (
        "On hold in a queue"
    )


def test_the_crisis_line_is_a_phone_named_988_lifeline(scripted: Make) -> None:
    sandbox, _ = scripted(
        {"/twilio/voice": f"<Response><Dial>{CRISIS}</Dial></Response>"},
        crisis_number=CRISIS,
    )
    assert sandbox.switchboard.phones[CRISIS].label == "988 Lifeline"
    caller = sandbox.phone(CALLER).dial()

    sandbox.phone(CRISIS).answer()

    assert situation(sandbox, caller) == (False, ["988 Lifeline"])
    assert caller.log()[-1].text == "In a private call with 988 Lifeline"


def test_an_unlabelled_phone_is_named_by_its_number(scripted: Make) -> None:
    sandbox, _ = scripted({"/twilio/voice": "<Response><Dial>+16175550177</Dial></Response>"})
    caller = sandbox.phone(CALLER).dial()

    sandbox.phone("+16175550177").answer()

    assert situation(sandbox, caller) == (False, ["(617) 555-0177"])


def test_alone_in_a_started_conference_is_waiting_for_someone(scripted: Make) -> None:
    sandbox, _ = scripted(
        {"/twilio/voice": f"<Response><Dial><Conference>{ROOM}</Conference></Dial></Response>"}
    )
    caller = sandbox.phone(CALLER).dial()

    assert caller.connected
    assert situation(sandbox, caller) == (False, [])
    assert caller.log()[-1].text == "Waiting for someone to join the call"
