"""SMS details on real services: retried deliveries, carrier opt-outs, per-segment throttling."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from jobs.sends import RedisSendLog
from jobs.throttle import Throttle
from storage.sms import SmsStore
from tests.fakes import RecordingCarrier
from tests.integration.conftest import Line
from usecases.errors import OptedOut, PermanentCarrierError
from usecases.outbound import Outbound
from usecases.outbound_policy import ALLOWED, Purpose, Verdict

TEXTER = "+16175550123"


def post(line: Line, sid: str, body: str) -> str:
    response = line.twilio.signed_post(
        "/twilio/sms", {"MessageSid": sid, "From": TEXTER, "To": "+16175550100", "Body": body}
    )
    assert response.status_code == 200
    return " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))


def test_a_message_delivered_three_times_advances_the_conversation_once(line: Line) -> None:
    post(line, "SM" + "a" * 32, "hello")
    replies = {post(line, "SM" + "b" * 32, "1") for _ in range(3)}
    assert len(replies) == 1 and "Which best describes your role" in replies.pop()
    assert "How soon" in post(line, "SM" + "c" * 32, "nurse")


def test_no_body_and_no_sender_are_safe(line: Line) -> None:
    response = line.twilio.signed_post("/twilio/sms", {"MessageSid": "SM" + "d" * 32})
    assert response.status_code == 200 and "<Message>" not in response.text
    assert "988" in post(line, "SM" + "e" * 32, "")


class Anyone:
    """A guard that lets every number through: these tests are about the ledger and pacing."""

    def verdict(self, number: str, purpose: Purpose) -> Verdict:
        return ALLOWED


def outbound(line: Line, carrier: RecordingCarrier, sleeps: list[float]) -> Outbound:
    store = line.services.store
    throttle = Throttle(line.services.redis, "sms-test", rate=1.0, sleep=sleeps.append)
    return Outbound(
        carrier,
        "+16175550100",
        Anyone(),
        calls=throttle,
        messages=throttle,
        ledger=SmsStore(store.engine, store.cipher),
        sends=RedisSendLog(line.services.redis),
    )


def test_carrier_21610_records_the_opt_out_and_later_sends_stop_at_the_ledger(line: Line) -> None:
    carrier = RecordingCarrier()
    carrier.fail[TEXTER] = PermanentCarrierError("unsubscribed", 21610)
    out = outbound(line, carrier, [])
    with pytest.raises(PermanentCarrierError):
        out.sms(TEXTER, "hello", purpose=Purpose.TEXT)
    carrier.fail.clear()
    with pytest.raises(OptedOut):
        out.sms(TEXTER, "hello again", purpose=Purpose.TEXT)
    assert carrier.messages == []


def test_long_or_unicode_texts_wait_for_every_segment(line: Line) -> None:
    sleeps: list[float] = []
    out = outbound(line, RecordingCarrier(), sleeps)
    out.sms(TEXTER, "short", purpose=Purpose.TEXT)  # one segment: the first slot is free
    out.sms(TEXTER, "ñ" * 150 + "💊", purpose=Purpose.TEXT)  # UCS-2: 152 units → 3 segments
    assert len(sleeps) == 3 and sleeps == sorted(sleeps)
