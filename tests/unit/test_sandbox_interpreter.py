"""The TwiML interpreter against a scripted Peerline, on a manual clock."""

import pytest
from starlette.responses import Response

from sandbox.phones import CallStatus, Heard
from sandbox.testing import Reply
from tests.sandbox_support import Make

CALLER = "+16175550123"

MENU = (
    '<Response><Gather numDigits="1" action="/twilio/voice/role">'
    "<Say>Press 1 if you are a nurse.</Say></Gather>"
    "<Say>We did not hear a choice.</Say></Response>"
)


def test_a_call_to_the_hotline_asks_peerline_and_speaks_the_answer(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": MENU})

    call = sandbox.phone(CALLER).dial()

    first = script.last("/twilio/voice").params
    assert first["From"] == CALLER and first["To"] == "+16175550100"
    assert first["CallStatus"] == "ringing" and first["Direction"] == "inbound"
    assert first["Caller"] == CALLER and first["Called"] == "+16175550100"
    assert first["AccountSid"] == sandbox.config.account_sid
    assert first["ApiVersion"] == "2010-04-01"
    assert call.transcript() == ["Press 1 if you are a nurse."]
    assert call.status is CallStatus.IN_PROGRESS
    assert call.gather() is not None


def test_keys_go_to_the_gather_action_resolved_against_the_document(scripted: Make) -> None:
    sandbox, script = scripted(
        {"/twilio/voice": MENU, "/twilio/voice/role": "<Response><Say>Thank you.</Say></Response>"}
    )
    call = sandbox.phone(CALLER).dial()

    call.press("1")

    role = script.last("/twilio/voice/role").params
    assert role["Digits"] == "1" and role["CallStatus"] == "in-progress"
    assert call.transcript()[-1] == "Thank you."
    assert call.status is CallStatus.IN_PROGRESS  # still saying it
    call.listen()
    assert call.status is CallStatus.COMPLETED  # the document ran out


def test_no_input_moves_on_to_the_verb_after_the_gather(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": MENU})
    call = sandbox.phone(CALLER).dial()
    call.listen()  # six words at 160 a minute: 2.25 s, then the 5 s timeout starts

    sandbox.advance(4.9)
    assert call.transcript() == ["Press 1 if you are a nurse."]
    sandbox.advance(0.2)

    assert call.transcript()[-1] == "We did not hear a choice."
    assert "/twilio/voice/role" not in script.paths()
    call.listen()
    assert call.status is CallStatus.COMPLETED


def test_no_input_with_action_on_empty_result_requests_the_action(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": '<Response><Gather timeout="3" actionOnEmptyResult="true" '
            'action="role"><Say>Choose.</Say></Gather></Response>',
            "/twilio/role": "<Response><Say>Let me repeat.</Say></Response>",
        }
    )
    call = sandbox.phone(CALLER).dial()
    call.listen()

    sandbox.advance(3)

    assert "Digits" not in script.last("/twilio/role").params
    assert call.heard("Let me repeat.")


def test_collected_keys_are_submitted_at_the_timeout_or_the_finish_key(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": '<Response><Gather action="/a"/><Gather action="/b"/></Response>',
            "/a": '<Response><Gather action="/b"/></Response>',
            "/b": "<Response><Say>Done.</Say></Response>",
        }
    )
    call = sandbox.phone(CALLER).dial()

    call.press("42")
    sandbox.advance(4)
    call.press("7")  # each key restarts the 5 s timeout
    sandbox.advance(4)
    assert "/a" not in script.paths()
    sandbox.advance(1)
    assert script.last("/a").params["Digits"] == "427"

    call.press("99#")
    assert script.last("/b").params["Digits"] == "99"
    assert script.last("/b").params["FinishedOnKey"] == "#"


def test_speech_is_posted_with_confidence_and_keys_still_work(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": '<Response><Gather input="speech dtmf" action="/org" hints="MGH">'
            "<Say>Say the name of your hospital.</Say></Gather></Response>",
            "/org": "<Response><Say>Got it.</Say></Response>",
        }
    )
    call = sandbox.phone(CALLER).dial()
    gather = call.gather()
    assert gather is not None and gather.hints == "MGH"

    call.say("Mass General", confidence=0.87)

    params = script.last("/org").params
    assert params["SpeechResult"] == "Mass General"
    assert float(params["Confidence"]) == pytest.approx(0.87)
    assert "Digits" not in params


def test_a_keypad_only_gather_does_not_hear_speech(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": MENU})
    call = sandbox.phone(CALLER).dial()

    call.say("nurse")

    assert "/twilio/voice/role" not in script.paths()
    assert [line.kind for line in call.log()][-1] is Heard.SPOKE


def test_redirect_and_get_methods(scripted: Make) -> None:
    sandbox, script = scripted(
        {
            "/twilio/voice": '<Response><Redirect method="GET">next?step=2</Redirect></Response>',
            "/twilio/next": '<Response><Gather method="GET" action="/done"/></Response>',
            "/done": "<Response><Say>Bye.</Say><Hangup/><Say>Never said.</Say></Response>",
        }
    )
    call = sandbox.phone(CALLER).dial()
    assert script.last("/twilio/next").query.startswith("step=2&")
    assert script.last("/twilio/next").params["CallSid"] == call.sid

    call.press("3#")

    assert script.last("/done").params["Digits"] == "3"
    assert call.listen() == ["Bye."]
    assert call.transcript() == ["Bye."]
    assert call.status is CallStatus.COMPLETED


def test_pause_waits_on_the_clock(scripted: Make) -> None:
    sandbox, _ = scripted(
        {"/twilio/voice": '<Response><Pause length="3"/><Say>After the pause.</Say></Response>'}
    )
    call = sandbox.phone(CALLER).dial()
    assert not call.heard("After the pause.")

    sandbox.advance(3)

    assert call.heard("After the pause.")


def test_the_inbound_status_callback_reports_completion(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": MENU})
    call = sandbox.phone(CALLER).dial()
    sandbox.advance(125)

    status = script.last("/twilio/status").params
    assert status["CallSid"] == call.sid
    assert status["CallStatus"] == "completed"
    assert status["CallDuration"] == "10"  # 2.25 s menu, 5 s timeout, 2.25 s goodbye
    assert status["Duration"] == "1"
    assert status["CallbackSource"] == "call-progress-events"
    assert script.paths().count("/twilio/status") == 1  # Twilio's default: completed only


@pytest.mark.parametrize(("reason", "status"), [("busy", "busy"), ("rejected", "no-answer")])
def test_reject_leaves_the_call_unanswered(scripted: Make, reason: str, status: str) -> None:
    sandbox, script = scripted(
        {"/twilio/voice": f'<Response><Reject reason="{reason}"/></Response>'}
    )

    call = sandbox.phone(CALLER).dial()

    assert call.status == status
    assert script.last("/twilio/status").params["CallDuration"] == "0"


def test_the_caller_hanging_up_abandons_the_gather(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/voice": MENU})
    call = sandbox.phone(CALLER).dial()

    call.hang_up()
    sandbox.advance(10)

    assert call.status is CallStatus.COMPLETED
    assert not call.heard("We did not hear a choice.")
    call.press("1")  # too late: nobody listens
    assert "/twilio/voice/role" not in script.paths()


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("<Response><Say>unclosed</Response>", "12100"),
        ("<Response><Play>a.mp3</Play><Sms>hi</Sms></Response>", "12200"),
        (Response("oops", status_code=500), "11200"),
        (Response("<Response/>", media_type="application/json"), "12300"),
        ("<Response><Record/></Response>", "sandbox:record-refused"),
        (
            '<Response><Dial record="record-from-answer">+16175550102</Dial></Response>',
            "sandbox:record-refused",
        ),
    ],
)
def test_broken_documents_end_the_call_with_an_error_never_a_crash(
    scripted: Make, reply: Reply, code: str
) -> None:
    sandbox, _ = scripted({"/twilio/voice": reply})

    call = sandbox.phone(CALLER).dial()

    assert call.status is CallStatus.COMPLETED
    assert [n.code for n in sandbox.notices()] == [code]
    assert sandbox.notices()[0].call_sid == call.sid
    assert call.transcript() == ["We are sorry, an application error has occurred. Goodbye."]
    assert any(line.kind is Heard.ERROR and code in line.text for line in call.log())
    assert not sandbox.phone("+16175550102").ringing()


def test_an_app_that_crashes_is_an_http_failure(scripted: Make) -> None:
    def crash(params: dict[str, str]) -> str:
        raise RuntimeError("peerline bug")

    sandbox, _ = scripted({"/twilio/voice": crash})

    call = sandbox.phone(CALLER).dial()

    assert call.status is CallStatus.COMPLETED
    assert [n.code for n in sandbox.notices()] == ["11205"]


def test_an_endless_redirect_loop_is_cut_off(scripted: Make) -> None:
    sandbox, script = scripted(
        {"/twilio/voice": "<Response><Redirect>/twilio/voice</Redirect></Response>"}
    )

    call = sandbox.phone(CALLER).dial()

    assert call.status is CallStatus.COMPLETED
    assert [n.code for n in sandbox.notices()] == ["sandbox:loop"]
    assert script.paths().count("/twilio/voice") == 51
