"""TwiML parsing: Twilio's defaults, the documents Peerline writes, and the ones Twilio fails."""

import pytest
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from sandbox import verbs
from sandbox.twiml import RECORDING_REFUSED, TwimlError, parse_messaging, parse_voice


def test_a_gather_from_the_twilio_builder_keeps_every_attribute() -> None:
    response = VoiceResponse()
    gather = Gather(
        input="speech dtmf",
        num_digits=1,
        timeout=6,
        finish_on_key="",
        action="/twilio/voice/org",
        method="POST",
        action_on_empty_result=True,
        hints="Mass General, MGH",
        language="es-US",
    )
    gather.say("Diga el nombre", language="es-US", voice="Polly.Lupe")
    gather.pause(length=2)
    response.append(gather)

    [parsed] = parse_voice(str(response))

    assert parsed == verbs.Gather(
        input=frozenset({"speech", "dtmf"}),
        num_digits=1,
        timeout=6.0,
        finish_on_key="",
        action="/twilio/voice/org",
        method="POST",
        action_on_empty_result=True,
        hints="Mass General, MGH",
        language="es-US",
        prompts=(verbs.Say("Diga el nombre", "Polly.Lupe", "es-US"), verbs.Pause(2.0)),
    )


def test_defaults_are_twilios() -> None:
    gather, dial = parse_voice("<Response><Gather/><Dial>+16175550102</Dial></Response>")

    assert gather == verbs.Gather(input=frozenset({"dtmf"}), timeout=5.0, finish_on_key="#")
    assert dial == verbs.Dial(target=(verbs.Number("+16175550102"),), timeout=30.0)


def test_dial_nouns() -> None:
    response = VoiceResponse()
    dial = Dial(caller_id="+16175550100", timeout=20, action="/dialed")
    dial.number(
        "+16175550102",
        url="/screen",
        status_callback="/leg",
        status_callback_event="initiated completed",
    )
    response.append(dial)
    conference = Dial()
    conference.conference(
        "req-1", start_conference_on_enter=False, end_conference_on_exit=True, wait_url=""
    )
    response.append(conference)
    queue = Dial()
    queue.queue("req-2", url="/connecting")
    response.append(queue)
    response.enqueue("req-2", action="/dequeued", wait_url="/hold")

    numbers, room, line, enqueue = parse_voice(str(response))

    assert numbers == verbs.Dial(
        target=(
            verbs.Number(
                "+16175550102",
                url="/screen",
                status_callback="/leg",
                status_events=frozenset({"initiated", "completed"}),
            ),
        ),
        caller_id="+16175550100",
        timeout=20.0,
        action="/dialed",
    )
    assert room == verbs.Dial(
        target=verbs.Conference("req-1", start_on_enter=False, end_on_exit=True, wait_url="")
    )
    assert line == verbs.Dial(target=verbs.Queue("req-2", url="/connecting"))
    assert enqueue == verbs.Enqueue("req-2", action="/dequeued", wait_url="/hold")


def test_messaging_documents() -> None:
    response = MessagingResponse()
    response.message("Reply 1 for a nurse")
    response.redirect("/twilio/sms/next")

    assert parse_messaging(str(response)) == [
        verbs.Message("Reply 1 for a nurse"),
        verbs.Redirect("/twilio/sms/next"),
    ]
    assert parse_messaging("<Response/>") == []


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("<Response><Say>unclosed</Response>", "12100"),
        ("not xml at all", "12100"),
        ("<Document><Say>hi</Say></Document>", "12100"),
        ("<Response><Sms>hello</Sms></Response>", "12200"),
        ("<Response><Dial><Client>alice</Client></Dial></Response>", "12200"),
        ('<Response><Gather input="video"/></Response>', "12200"),
        ('<Response><Gather timeout="soon"/></Response>', "12200"),
        ("<Response><Gather><Dial>+16175550102</Dial></Gather></Response>", "12200"),
        ("<Response><Redirect/></Response>", "12200"),
        ("<Response><Record/></Response>", RECORDING_REFUSED),
        (
            '<Response><Dial record="record-from-answer">+16175550102</Dial></Response>',
            RECORDING_REFUSED,
        ),
        (
            '<Response><Dial><Conference record="record-from-start">r</Conference></Dial>'
            "</Response>",
            RECORDING_REFUSED,
        ),
        ('<Response><Dial record="true">+16175550102</Dial></Response>', RECORDING_REFUSED),
    ],
)
def test_documents_twilio_would_fail(document: str, code: str) -> None:
    with pytest.raises(TwimlError) as failure:
        parse_voice(document)
    assert failure.value.code == code


@pytest.mark.parametrize("value", ["false", "do-not-record"])
def test_record_set_to_off_is_fine(value: str) -> None:
    [dial] = parse_voice(f'<Response><Dial record="{value}">+16175550102</Dial></Response>')
    assert isinstance(dial, verbs.Dial)
