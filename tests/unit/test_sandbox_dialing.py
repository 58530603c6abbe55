"""<Dial> to numbers: ringing, caller ID, DialCallStatus, and <Number url> screening."""

import pytest

from sandbox.outbound import update_call
from sandbox.phones import CallStatus, Direction
from tests.sandbox_support import Make

CALLER = "+16175550123"
SUPPORTER = "+16175550102"
OTHER = "+16175550103"
HOTLINE = "+16175550100"


def dial(number: str = SUPPORTER, attrs: str = 'callerId="+16175550100" action="/dialed"') -> str:
    return f"<Response><Say>Connecting you.</Say><Dial {attrs}>{number}</Dial></Response>"


AFTER = {"/dialed": lambda p: f"<Response><Say>Dial ended: {p['DialCallStatus']}.</Say></Response>"}


def test_an_answered_dial_bridges_and_reports_completed(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": dial(), **AFTER})
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings
    supporter = sandbox.phone(SUPPORTER)

    [ringing] = supporter.ringing()
    assert ringing.caller_id == HOTLINE  # masked: the supporter sees the hotline
    assert ringing.direction is Direction.OUTBOUND_DIAL
    assert ringing.parent_sid == caller.sid
    leg = supporter.answer()
    assert leg.connected and caller.connected
    sandbox.advance(42)
    leg.hang_up()

    dialed = script.last("/dialed").params
    assert dialed["DialCallStatus"] == "completed"
    assert dialed["DialCallSid"] == leg.sid
    assert dialed["DialCallDuration"] == "42"
    assert dialed["DialBridged"] == "true"
    assert caller.listen() == ["Dial ended: completed."]
    assert caller.status is CallStatus.COMPLETED


@pytest.mark.parametrize(
    ("act", "dial_status", "leg_status"),
    [
        ("timeout", "no-answer", CallStatus.NO_ANSWER),
        ("decline", "busy", CallStatus.BUSY),
    ],
)
def test_unanswered_dials_report_why(
    scripted: Make, act: str, dial_status: str, leg_status: CallStatus
) -> None:
    sandbox, script = scripted({"/twilio/voice": dial(), **AFTER})
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings
    supporter = sandbox.phone(SUPPORTER)

    if act == "timeout":
        sandbox.advance(29)
        assert supporter.ringing()
        sandbox.advance(1)
    else:
        supporter.decline()

    assert script.last("/dialed").params["DialCallStatus"] == dial_status
    assert script.last("/dialed").params["DialBridged"] == "false"
    [leg] = supporter.calls()
    assert leg.status is leg_status
    assert caller.heard(f"Dial ended: {dial_status}.")


def test_the_caller_hanging_up_cancels_the_ringing_leg(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": dial(), **AFTER})
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings

    caller.hang_up()

    [leg] = sandbox.phone(SUPPORTER).calls()
    assert leg.status is CallStatus.CANCELED
    dialed = script.last("/dialed").params
    assert dialed["DialCallStatus"] == "canceled"
    assert dialed["CallStatus"] == "completed"  # the action is still requested, then ignored


def test_the_caller_hanging_up_ends_the_bridge(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": dial(), **AFTER})
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings
    leg = sandbox.phone(SUPPORTER).answer()

    caller.hang_up()

    assert leg.status is CallStatus.COMPLETED
    assert script.last("/dialed").params["DialCallStatus"] == "completed"


def test_without_an_action_the_document_carries_on(scripted: Make) -> None:
    document = f"<Response><Dial>{SUPPORTER}</Dial><Say>Nobody answered.</Say></Response>"
    sandbox, _ = scripted({"/twilio/voice": document})
    caller = sandbox.phone(CALLER).dial()
    [leg] = sandbox.phone(SUPPORTER).ringing()
    assert leg.caller_id == CALLER  # no callerId: Twilio shows the caller's own number

    sandbox.advance(30)

    assert caller.listen() == ["Nobody answered."]
    assert caller.status is CallStatus.COMPLETED


@pytest.mark.parametrize(
    ("attrs", "number", "code"),
    [
        ('callerId="+16175559999" action="/dialed"', SUPPORTER, "13214"),
        ('action="/dialed"', "911", "13223"),
        ('action="/dialed"', HOTLINE, "13223"),
    ],
)
def test_dials_twilio_refuses_fail(scripted: Make, attrs: str, number: str, code: str) -> None:
    sandbox, script = scripted({"/twilio/voice": dial(number, attrs), **AFTER})

    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings

    assert script.last("/dialed").params["DialCallStatus"] == "failed"
    assert [n.code for n in sandbox.notices()] == [code]
    assert caller.heard("Dial ended: failed.")


def test_redirecting_the_called_leg_takes_it_out_of_the_dial(scripted: Make) -> None:
    moved = "<Response><Say>Moved elsewhere.</Say></Response>"
    sandbox, script = scripted({"/twilio/voice": dial(), **AFTER, "/moved": moved})
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings
    leg = sandbox.phone(SUPPORTER).answer()

    with sandbox.switchboard.lock:
        update_call(
            sandbox.switchboard,
            sandbox.switchboard.calls[leg.sid],
            url="https://peerline.example.org/moved",
            twiml=None,
            method="POST",
            status=None,
        )
    sandbox.settle()

    assert leg.heard("Moved elsewhere.")
    assert script.last("/dialed").params["DialCallStatus"] == "completed"
    assert caller.heard("Dial ended: completed.")


def test_parallel_numbers_first_to_answer_wins(scripted: Make) -> None:
    numbers = f"<Number>{SUPPORTER}</Number><Number>{OTHER}</Number>"
    sandbox, _ = scripted({"/twilio/voice": dial(numbers), **AFTER})
    sandbox.phone(CALLER).dial().listen()

    sandbox.phone(OTHER).answer()

    [loser] = sandbox.phone(SUPPORTER).calls()
    assert loser.status is CallStatus.CANCELED


SCREEN = {
    "/twilio/voice": dial(f'<Number url="screen?req=7">{SUPPORTER}</Number>'),
    "/twilio/screen": '<Response><Gather numDigits="1" action="/accept">'
    "<Say>A nurse needs support today. Press 1 to accept.</Say></Gather><Hangup/></Response>",
    "/accept": lambda p: (
        "<Response><Say>Connecting.</Say></Response>"
        if p.get("Digits") == "1"
        else "<Response><Say>No problem.</Say><Hangup/></Response>"
    ),
    **AFTER,
}


def test_screening_runs_on_the_called_leg_before_the_bridge(scripted: Make) -> None:
    sandbox, script = scripted(SCREEN)
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings
    leg = sandbox.phone(SUPPORTER).answer()

    assert leg.transcript() == ["A nurse needs support today. Press 1 to accept."]
    assert not caller.connected
    screen = script.last("/twilio/screen")
    assert screen.query == "req=7"
    assert screen.params["CallSid"] == leg.sid
    assert screen.params["ParentCallSid"] == caller.sid
    assert screen.params["Direction"] == "outbound-dial"

    leg.press("1")

    assert leg.transcript()[-1] == "Connecting."
    assert not caller.connected  # the supporter hears the words before the bridge
    leg.listen()
    assert caller.connected and leg.connected


@pytest.mark.parametrize("how", ["press 2", "no input"])
def test_a_screen_declined_leaves_the_caller_unbridged(scripted: Make, how: str) -> None:
    sandbox, script = scripted(SCREEN)
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings
    leg = sandbox.phone(SUPPORTER).answer()

    if how == "press 2":
        leg.press("2")
    else:
        leg.listen()
        sandbox.advance(5)
    leg.listen()

    assert leg.status is CallStatus.COMPLETED
    dialed = script.last("/dialed").params
    assert dialed["DialCallStatus"] == "completed"
    assert dialed["DialBridged"] == "false"
    assert caller.heard("Dial ended: completed.")


def test_dial_inside_screening_twiml_is_refused(scripted: Make) -> None:
    sandbox, _ = scripted(
        {**SCREEN, "/twilio/screen": f"<Response><Dial>{OTHER}</Dial></Response>"}
    )
    caller = sandbox.phone(CALLER).dial()
    caller.listen()  # "Connecting you." takes its time, then the Dial rings

    leg = sandbox.phone(SUPPORTER).answer()

    assert leg.status is CallStatus.COMPLETED
    assert [n.code for n in sandbox.notices()] == ["sandbox:dial-in-screen"]
    assert not sandbox.phone(OTHER).ringing()
    assert caller.heard("Dial ended: completed.")


def test_number_status_callbacks(scripted: Make) -> None:
    number = (
        f'<Number statusCallback="/leg" statusCallbackEvent="initiated ringing answered completed">'
        f"{SUPPORTER}</Number>"
    )
    sandbox, script = scripted({"/twilio/voice": dial(number), **AFTER})
    sandbox.phone(CALLER).dial().listen()
    sandbox.phone(SUPPORTER).answer().hang_up()

    events = [r.params["CallStatus"] for r in script.received if r.path == "/leg"]
    assert events == ["initiated", "ringing", "in-progress", "completed"]
    sequence = [r.params["SequenceNumber"] for r in script.received if r.path == "/leg"]
    assert sequence == ["0", "1", "2", "3"]
