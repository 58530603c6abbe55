"""Signed webhooks with anything in them never get a 5xx.

Hypothesis builds form bodies for every Twilio webhook: Twilio's own field names and
random ones, values with control characters, NUL, lone combining marks, emoji, numbers in
every shape, huge values (up to the 64 KB body limit) and fields given more than once. Each
is signed with Twilio's real ``RequestValidator``, so it passes the signature check and
reaches the parsing and the use cases. The answer must be below 500, and a 200 must be
well-formed XML. Against SQLite and PostgreSQL (where a NUL in a text column used to answer
500), with calls and a text conversation already under way so that turns really advance.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import FormData
from starlette.testclient import TestClient

from tests.e2e.conftest import PUBLIC_URL
from tests.twilio_driver import TwilioDriver

pytestmark = pytest.mark.e2e

HEX = "0123456789abcdef"
TWILIO_FIELDS = [
    "CallSid",
    "MessageSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "Digits",
    "SpeechResult",
    "Confidence",
    "CallStatus",
    "CallDuration",
    "Direction",
    "FromCity",
    "NumMedia",
    "SmsStatus",
]
HOSTILE = st.sampled_from(
    ["\x00", "\x1b[2J", "\r\n", "\u0301", "\u202e", "\ufeff", "💊", "<Say>", "&amp;", "%00"]
)
NUMBERS = st.sampled_from(
    ["+16175551234", "+19005550123", "+882165432", "anonymous", "+1617555\x001234", ""]
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(st.one_of(HOSTILE, st.text(max_size=5)), max_size=12).map("".join),
    NUMBERS,
    st.sampled_from(["1", "9", "*", "#", "completed", "in-progress", "no-answer", "²"]),
    st.integers(min_value=1_000, max_value=60_000).map(lambda n: "9" * n),  # huge
)


def _query(path: str, name: str, value: str) -> str:
    # A URL carries its query percent-encoded (a control character can't travel raw).
    return f"{path}?{name}={quote(value, safe='')}"


def paths(hex_id: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "/twilio/voice",
                "/twilio/voice/fallback",
                "/twilio/voice/fallback?answered=1",
                "/twilio/status",
                "/twilio/sms",
                "/twilio/conference/wait",
            ]
        ),
        st.builds(
            _query,
            st.sampled_from(["/twilio/voice/gather", "/twilio/voice/hold"]),
            st.sampled_from(["turn", "cycle"]),
            st.one_of(st.integers(-2, 12).map(str), st.sampled_from(["²", "x", "99999999"])),
        ),
        st.builds(
            _query,
            st.sampled_from(
                [
                    "/twilio/offer",
                    "/twilio/offer/answer",
                    "/twilio/offer/status",
                    "/twilio/voice/join",
                    "/twilio/callback",
                    "/twilio/callback/answer",
                    "/twilio/callback/status",
                ]
            ),
            st.sampled_from(["offer", "request"]),
            hex_id,
        ),
    )


@pytest.fixture
def known(twilio: TwilioDriver) -> list[str]:
    """SIDs of calls and a text conversation under way (so turns have sessions to advance)."""
    sids = []
    for _ in range(2):
        call = twilio.call()
        call.start()
        sids.append(call.sid)
    twilio.signed_post(
        "/twilio/sms",
        {"MessageSid": "SM" + "0" * 32, "From": "+16175551234", "Body": "hello"},
    )
    return [*sids, "SM" + "0" * 32]


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_signed_webhook_gets_a_5xx(
    data: st.DataObject, client: TestClient, twilio: TwilioDriver, known: list[str]
) -> None:
    hex_id = st.one_of(st.text(HEX, min_size=32, max_size=32), st.text(max_size=40))
    path = data.draw(paths(hex_id), label="path")
    sid = st.one_of(st.sampled_from(known), st.text(max_size=70), st.sampled_from(["", "CA"]))
    pairs = [("CallSid", data.draw(sid, label="CallSid"))]
    pairs.append(("MessageSid", data.draw(sid, label="MessageSid")))
    names = st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(min_size=1, max_size=12))
    extra = st.lists(st.tuples(names, VALUES), max_size=8)  # names repeat: duplicated fields
    pairs += data.draw(extra, label="fields")
    body = urlencode(pairs).encode()
    if len(body) > 64 * 1024:
        pairs = pairs[:2]
        body = urlencode(pairs).encode()
    url = PUBLIC_URL + path
    signature = twilio.validator.compute_signature(url, FormData(pairs))
    response = client.post(
        url,
        content=body,
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code < 500, (path, pairs, response.text[:300])
    if response.status_code == 200:
        ET.fromstring(response.text)  # well-formed TwiML
