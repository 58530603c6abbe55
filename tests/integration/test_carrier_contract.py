"""One contract for the ``Carrier`` port, run against the fake and the real adapter alike.

``RecordingCarrier`` (what most tests use) and ``TwilioCarrier`` (the twilio SDK, here talking
to the sandbox carrier over HTTP) must agree on what a caller of the port can observe: SIDs,
which operations succeed, and which errors come back as which ``usecases.ports`` error with
which Twilio code. When they disagree, tests written against the fake stop meaning anything.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from ivr.catalogue import voice
from ivr.messages import Msg
from ivr.model import Language, Line
from sandbox import ManualClock, Sandbox, SandboxServer, create_sandbox_app
from sandbox.phones import CallStatus
from sandbox.testing import TwimlScript, sandbox_config
from telephony.carrier import TwilioCarrier, twilio_client
from tests.fakes import RecordingCarrier
from usecases.errors import PermanentCarrierError, RetryableCarrierError
from usecases.ports import Carrier

pytestmark = pytest.mark.integration

HOTLINE = "+16175550100"
ANA, BEN = "+16175550102", "+16175550103"
INVALID = "+15005550001"  # Twilio's magic "invalid number" (21211)
BASE = "https://peerline.example.org"
OFFER, REQUEST = "c0ffee" + "0" * 26, "feed" + "0" * 28
OFFER_URL = f"{BASE}/twilio/offer?offer={OFFER}"
JOIN_URL = f"{BASE}/twilio/voice/join?request={REQUEST}"
CRISIS_JOIN_URL = f"{BASE}/twilio/crisis/join?request={REQUEST}"
THANKS = (Line(Msg.OFFER_DECLINED, Language.EN),)


class ContractRecordingCarrier(RecordingCarrier):
    """``RecordingCarrier`` plus what it cannot say on its own: an SMS-only opt-out (Twilio's
    21610 never applies to calls) and a calls-per-second budget on a manual clock."""

    def __init__(self, cps: float = 1.0) -> None:
        super().__init__()
        self.opted_out: set[str] = set()
        self.now = 0.0
        self._cps = cps
        self._tokens = max(1.0, cps)
        self._at = 0.0
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def _place(self, **kw: Any) -> str:
        with self._lock:
            if kw["to"] not in self.fail:  # Twilio validates the number before the rate
                self._tokens = min(
                    max(1.0, self._cps), self._tokens + (self.now - self._at) * self._cps
                )
                self._at = self.now
                if self._tokens < 1.0:
                    raise RetryableCarrierError("twilio 429 20429", 20429)
                self._tokens -= 1.0
            return super()._place(**kw)

    def send_sms(self, **kw: str) -> str:
        if kw["to"] in self.opted_out:
            raise PermanentCarrierError("twilio error 21610", 21610)
        return super().send_sms(**kw)


class Harness:
    """A carrier under contract, and the knobs a test needs to put it in each situation."""

    carrier: Carrier

    def opt_out(self, number: str) -> None:
        raise NotImplementedError

    def advance(self, seconds: float) -> None:
        raise NotImplementedError

    def now(self) -> datetime:
        """The carrier's own time (what its DateCreated says)."""
        raise NotImplementedError

    def received_text(self, number: str, body: str) -> bool:
        raise NotImplementedError

    def call_canceled(self, sid: str) -> bool:
        raise NotImplementedError

    def answered_hears(self, sid: str, number: str, msg: Msg) -> bool:
        """Once ``number`` picks up call ``sid``, it hears ``msg``."""
        raise NotImplementedError

    def answered_fetches(self, sid: str, number: str, url: str) -> bool:
        """Once ``number`` picks up call ``sid``, its TwiML is fetched from ``url``."""
        raise NotImplementedError


class FakeHarness(Harness):
    def __init__(self) -> None:
        self.fake = ContractRecordingCarrier(cps=1.0)
        self.fake.fail[INVALID] = PermanentCarrierError("twilio error 21211", 21211)
        self.carrier = self.fake

    def opt_out(self, number: str) -> None:
        self.fake.opted_out.add(number)

    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def received_text(self, number: str, body: str) -> bool:
        return {"to": number, "from_": HOTLINE, "body": body} in self.fake.messages

    def call_canceled(self, sid: str) -> bool:
        return {"sid": sid, "status": "canceled"} in self.fake.updates

    def answered_hears(self, sid: str, number: str, msg: Msg) -> bool:
        return any(u["sid"] == sid and msg in u.get("said", ()) for u in self.fake.updates)

    def answered_fetches(self, sid: str, number: str, url: str) -> bool:
        if url == CRISIS_JOIN_URL:  # a call placed into the conference, by intent
            placed = self.fake.calls[int(sid[4:], 16) - 1]
            return placed["kind"] == "crisis_conference" and placed["request_id"] == REQUEST
        return {"sid": sid, "moved_to": REQUEST} in self.fake.updates and url == JOIN_URL


class SandboxHarness(Harness):
    def __init__(self, box: Sandbox, carrier: TwilioCarrier, peerline: TwimlScript) -> None:
        self.box, self.carrier, self.peerline = box, carrier, peerline

    def opt_out(self, number: str) -> None:
        self.box.phone(number).opted_out = True

    def advance(self, seconds: float) -> None:
        self.box.advance(seconds)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.box.clock.now(), UTC)

    def received_text(self, number: str, body: str) -> bool:
        return [(m.from_, m.body) for m in self.box.phone(number).inbox()] == [(HOTLINE, body)]

    def call_canceled(self, sid: str) -> bool:
        return self.box.call(sid).status is CallStatus.CANCELED

    def answered_hears(self, sid: str, number: str, msg: Msg) -> bool:
        words = voice(msg, Language.EN)
        return self.box.phone(number).answer(self.box.call(sid)).heard(words)

    def answered_fetches(self, sid: str, number: str, url: str) -> bool:
        self.box.phone(number).answer(self.box.call(sid))
        fetched = [f"{BASE}{r.path}?{r.query}" for r in self.peerline.received]
        return url in fetched and OFFER_URL not in fetched


@pytest.fixture(params=["recording", "twilio"])
def harness(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    if request.param == "recording":
        yield FakeHarness()
        return
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    config = sandbox_config(hotline_number=HOTLINE, cps=1.0, sms_per_second=1.0)
    peerline = TwimlScript(config.auth_token, config.base_url, {})  # answers <Response/>
    with TestClient(peerline.app, base_url=config.peerline_url) as http:
        box = Sandbox(config, clock=ManualClock(), http=http)
        try:
            with SandboxServer(create_sandbox_app(config, sandbox=box)) as server:
                client = twilio_client(config.account_sid, config.auth_token, server.url)
                yield SandboxHarness(box, TwilioCarrier(client, BASE), peerline)
                box.settle()
        finally:
            box.close()
    assert all(r.signed for r in peerline.received)


def place(carrier: Carrier, to: str) -> str:
    return carrier.ring_supporter(to=to, from_=HOTLINE, offer_id=OFFER, ring_seconds=30)


def test_place_call_returns_a_call_sid(harness: Harness) -> None:
    sid = place(harness.carrier, ANA)
    assert re.fullmatch(r"CA[0-9a-f]{32}", sid), sid


def test_cancel_call_cancels_a_ringing_call(harness: Harness) -> None:
    sid = place(harness.carrier, ANA)
    harness.carrier.cancel_call(sid)
    assert harness.call_canceled(sid)


def test_hang_up_says_its_words_and_move_fetches_the_conference(harness: Harness) -> None:
    said = place(harness.carrier, ANA)
    harness.carrier.hang_up(said, THANKS)
    assert harness.answered_hears(said, ANA, Msg.OFFER_DECLINED)
    harness.advance(1)  # one call a second
    moved = place(harness.carrier, BEN)
    harness.carrier.move_to_conference(moved, REQUEST)
    assert harness.answered_fetches(moved, BEN, JOIN_URL)


def test_call_into_conference_places_a_call_that_joins_the_requests_room(
    harness: Harness,
) -> None:
    sid = harness.carrier.call_into_conference(to=BEN, from_=HOTLINE, request_id=REQUEST)
    assert re.fullmatch(r"CA[0-9a-f]{32}", sid), sid
    assert harness.answered_fetches(sid, BEN, CRISIS_JOIN_URL)


def test_send_sms_returns_a_message_sid_and_delivers_it(harness: Harness) -> None:
    sid = harness.carrier.send_sms(to=ANA, from_=HOTLINE, body="Peerline: you're on shift.")
    assert re.fullmatch(r"SM[0-9a-f]{32}", sid), sid
    assert harness.received_text(ANA, "Peerline: you're on shift.")


def test_an_invalid_number_is_a_permanent_error_21211(harness: Harness) -> None:
    with pytest.raises(PermanentCarrierError) as call_failure:
        place(harness.carrier, INVALID)
    with pytest.raises(PermanentCarrierError) as sms_failure:
        harness.carrier.send_sms(to=INVALID, from_=HOTLINE, body="hello")
    assert (call_failure.value.code, sms_failure.value.code) == (21211, 21211)


def test_texting_an_opted_out_phone_is_permanent_21610_but_calling_it_still_works(
    harness: Harness,
) -> None:
    harness.opt_out(ANA)
    with pytest.raises(PermanentCarrierError) as failure:
        harness.carrier.send_sms(to=ANA, from_=HOTLINE, body="hello")
    assert failure.value.code == 21610
    assert not isinstance(failure.value, RetryableCarrierError)
    assert place(harness.carrier, ANA).startswith("CA")  # STOP is about messaging only


def test_calls_over_the_cps_are_retryable_20429_and_pass_a_second_later(
    harness: Harness,
) -> None:
    place(harness.carrier, ANA)
    with pytest.raises(RetryableCarrierError) as failure:
        place(harness.carrier, BEN)
    assert failure.value.code == 20429
    assert not isinstance(failure.value, PermanentCarrierError)
    harness.advance(1)
    assert place(harness.carrier, BEN).startswith("CA")


def test_find_call_finds_the_call_placed_since_an_attempt_began_and_no_other(
    harness: Harness,
) -> None:
    """How a call whose answer was lost is found instead of dialed again."""
    began = harness.now()
    sid = place(harness.carrier, ANA)
    carrier = harness.carrier
    assert carrier.find_call(to=ANA, from_=HOTLINE, since=began) == sid
    assert carrier.find_call(to=BEN, from_=HOTLINE, since=began) is None
    later = harness.now() + timedelta(minutes=5)
    assert carrier.find_call(to=ANA, from_=HOTLINE, since=later) is None


def test_find_message_matches_the_body_as_well(harness: Harness) -> None:
    began = harness.now()
    sid = harness.carrier.send_sms(to=ANA, from_=HOTLINE, body="Peerline: ticket K7Q2")
    carrier = harness.carrier
    assert (
        carrier.find_message(to=ANA, from_=HOTLINE, body="Peerline: ticket K7Q2", since=began)
        == sid
    )
    assert carrier.find_message(to=ANA, from_=HOTLINE, body="another", since=began) is None
    later = harness.now() + timedelta(minutes=5)
    assert (
        carrier.find_message(to=ANA, from_=HOTLINE, body="Peerline: ticket K7Q2", since=later)
        is None
    )
