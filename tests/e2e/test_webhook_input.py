"""Text from Twilio is checked before it reaches a use case or the database: a malformed SID
is a 400, control characters (NUL among them, which PostgreSQL refuses) never get stored,
and odd numerals never become a 500. Signed requests throughout: the signature is not what
is being tested."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import Engine, func, select

from storage.models import CallSession, Event
from storage.sms_models import InboundMessage
from tests.twilio_driver import TwilioDriver, new_call_sid

TEXTER = "+16175551234"


def text(twilio: TwilioDriver, sid: str, body: str) -> tuple[int, str]:
    response = twilio.signed_post(
        "/twilio/sms", {"MessageSid": sid, "From": TEXTER, "To": "+16175550100", "Body": body}
    )
    if response.status_code != 200:
        return response.status_code, response.text
    words = " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))
    return 200, words


def stored(engine: Engine) -> list[str]:
    """Every text column of every row a webhook can write, as one list."""
    with engine.connect() as db:
        sids = list(db.scalars(select(InboundMessage.message_sid)))
        replies = list(db.scalars(select(InboundMessage.reply)))
        sessions = [str(f) for f in db.scalars(select(CallSession.flow))]
        events = [str(d) for d in db.scalars(select(Event.detail))]
    return sids + replies + sessions + events


@pytest.mark.parametrize(
    "sid",
    ["SM\x00" + "a" * 31, "SM\n" + "a" * 31, "SM'; DROP TABLE x;--", "", "S", "SM" + "a" * 70],
)
def test_a_malformed_message_sid_is_a_400_and_nothing_is_kept(
    twilio: TwilioDriver, engine: Engine, sid: str
) -> None:
    status, answer = text(twilio, sid, "hello")
    assert (status, answer) == (400, "missing MessageSid")
    with engine.connect() as db:
        assert db.scalar(select(func.count()).select_from(InboundMessage)) == 0
        assert db.scalar(select(func.count()).select_from(CallSession)) == 0


def test_control_characters_in_a_text_are_dropped_and_the_conversation_goes_on(
    twilio: TwilioDriver, engine: Engine
) -> None:
    assert "Para español" in text(twilio, "SM" + "1" * 32, "he\x00llo\x1b[31m")[1]
    assert "Which best describes your role" in text(twilio, "SM" + "2" * 32, "\x001\x00")[1]
    assert all("\x00" not in value and "\x1b" not in value for value in stored(engine))


@pytest.mark.parametrize(
    "extra",
    [
        {"SpeechResult": "Mass\x00General\x07"},
        {"CallStatus": "in-progress\x00"},
        {"Digits": "1\x00"},
        {"From": "+1617555\x001234"},
        {"CallDuration": "²³"},
    ],
)
def test_control_characters_in_a_call_never_make_a_500(
    twilio: TwilioDriver, engine: Engine, extra: dict[str, str]
) -> None:
    sid = new_call_sid()
    base = {"CallSid": sid, "From": TEXTER, "To": "+16175550100", "CallStatus": "in-progress"}
    for path in ("/twilio/voice", "/twilio/voice/gather?turn=0", "/twilio/status"):
        response = twilio.signed_post(path, {**base, **extra})
        assert response.status_code == 200, (path, response.text)
        ET.fromstring(response.text)  # well-formed TwiML
    assert all("\x00" not in value for value in stored(engine))


def test_a_unicode_numeral_in_our_own_query_string_is_no_500(twilio: TwilioDriver) -> None:
    call = twilio.call()
    call.start()
    response = twilio.signed_post(
        "/twilio/voice/gather?turn=%C2%B2",  # ²
        {"CallSid": call.sid, "From": TEXTER, "To": "+16175550100", "Digits": "1"},
    )
    assert response.status_code == 200
