"""Text messages: texting the hotline, replies by TwiML and REST, and Twilio's opt-out."""

import pytest

from sandbox import Sandbox
from sandbox.errors import ApiError
from sandbox.messaging import HELP_REPLY, OPT_OUT_REPLY
from tests.sandbox_support import Make

TEXTER = "+16175550123"
COORDINATOR = "+16175550104"
HOTLINE = "+16175550100"
MENU = "<Response><Message>Reply 1 if you are a nurse.</Message></Response>"


def send(sandbox: Sandbox, to: str = TEXTER, body: str = "Someone will call you today.") -> str:
    message = sandbox.switchboard.sms.create(
        to=to, from_=HOTLINE, body=body, status_callback="https://peerline.example.org/sms-status"
    )
    sandbox.settle()
    return message.sid


def test_a_text_to_the_hotline_reaches_peerline_and_the_reply_comes_back(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/sms": MENU})
    phone = sandbox.phone(TEXTER)

    sent = phone.send_sms(HOTLINE, "I need to talk to someone 💬")

    params = script.last("/twilio/sms").params
    assert params["MessageSid"] == params["SmsSid"] == sent.sid
    assert sent.sid.startswith("SM") and len(sent.sid) == 34
    assert (params["From"], params["To"]) == (TEXTER, HOTLINE)
    assert params["Body"] == "I need to talk to someone 💬"
    assert (params["NumMedia"], params["NumSegments"], params["SmsStatus"]) == (
        "0",
        "1",
        "received",
    )
    [reply] = phone.inbox()
    assert (reply.from_, reply.body) == (HOTLINE, "Reply 1 if you are a nurse.")
    assert [m.body for m in phone.messages()] == [sent.body, reply.body]


def test_a_reply_may_go_to_another_number(scripted: Make) -> None:
    alert = f'<Response><Message to="{COORDINATOR}">Ticket K7Q2 urgent</Message></Response>'
    sandbox, _ = scripted({"/twilio/sms": alert})
    sandbox.phone(TEXTER).send_sms(HOTLINE, "I need to talk")

    assert [m.body for m in sandbox.phone(COORDINATOR).inbox()] == ["Ticket K7Q2 urgent"]
    assert sandbox.phone(TEXTER).inbox() == []


def test_an_empty_response_sends_nothing(scripted: Make) -> None:
    sandbox, _ = scripted({"/twilio/sms": "<Response/>"})
    sandbox.phone(TEXTER).send_sms(HOTLINE, "hello")
    assert sandbox.phone(TEXTER).inbox() == []


def test_rest_messages_are_delivered_with_status_callbacks(scripted: Make) -> None:
    sandbox, script = scripted({})
    sid = send(sandbox)

    [received] = sandbox.phone(TEXTER).inbox()
    assert (received.sid, received.from_, received.status) == (sid, HOTLINE, "delivered")
    statuses = [r.params["MessageStatus"] for r in script.received if r.path == "/sms-status"]
    assert statuses == ["sent", "delivered"]


def test_stop_opts_out_and_start_opts_back_in(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/sms": MENU})
    phone = sandbox.phone(TEXTER)

    phone.send_sms(HOTLINE, " stop ")

    assert phone.opted_out
    assert script.last("/twilio/sms").params["Body"] == " stop "  # Peerline still hears it
    assert [m.body for m in phone.inbox()] == [OPT_OUT_REPLY]  # and its reply is blocked
    assert [n.code for n in sandbox.notices()] == ["21610"]
    with pytest.raises(ApiError) as failure:
        send(sandbox)
    assert failure.value.code == 21610

    phone.send_sms(HOTLINE, "START")
    assert not phone.opted_out
    send(sandbox)
    assert phone.inbox()[-1].body == "Someone will call you today."


def test_help_gets_twilios_standard_reply(scripted: Make) -> None:
    sandbox, script = scripted({"/twilio/sms": "<Response/>"})
    phone = sandbox.phone(TEXTER)
    phone.send_sms(HOTLINE, "HELP")
    assert [m.body for m in phone.inbox()] == [HELP_REPLY]
    assert script.last("/twilio/sms").params["Body"] == "HELP"


def test_stop_inside_a_sentence_is_just_a_message(scripted: Make) -> None:
    sandbox, _ = scripted({"/twilio/sms": MENU})
    phone = sandbox.phone(TEXTER)
    phone.send_sms(HOTLINE, "please stop the calls")
    assert not phone.opted_out


def test_a_phone_marked_opted_out_cannot_be_texted(scripted: Make) -> None:
    sandbox, _ = scripted({})
    sandbox.phone(TEXTER).opted_out = True
    with pytest.raises(ApiError) as failure:
        send(sandbox)
    assert (failure.value.status, failure.value.code) == (400, 21610)


@pytest.mark.parametrize(
    ("to", "from_", "body", "code"),
    [
        ("", HOTLINE, "hi", 21604),
        ("+1617555", HOTLINE, "hi", 21211),
        (TEXTER, "", "hi", 21603),
        (TEXTER, "+16175550199", "hi", 21606),
        (TEXTER, HOTLINE, "", 21602),
        (TEXTER, HOTLINE, "x" * 1601, 21617),
        (HOTLINE, HOTLINE, "hi", 21266),
        ("+15005550009", HOTLINE, "hi", 21614),
    ],
)
def test_messages_twilio_rejects(scripted: Make, to: str, from_: str, body: str, code: int) -> None:
    sandbox, _ = scripted({})
    with pytest.raises(ApiError) as failure:
        sandbox.switchboard.sms.create(to=to, from_=from_, body=body)
    assert failure.value.code == code


def test_texts_per_second_are_limited(scripted: Make) -> None:
    sandbox, _ = scripted({}, sms_per_second=1.0)
    send(sandbox)
    with pytest.raises(ApiError) as failure:
        send(sandbox)
    assert failure.value.code == 20429


def test_phones_only_text_the_hotline(scripted: Make) -> None:
    sandbox, _ = scripted({})
    with pytest.raises(ValueError, match="hotline"):
        sandbox.phone(TEXTER).send_sms(COORDINATOR, "hi")
