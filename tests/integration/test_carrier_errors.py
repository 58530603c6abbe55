"""Twilio's errors sorted once (``telephony.carrier_errors``), and what each kind does: a
supporter's number is flagged only for the destination's fault, and a call back that can't
be placed — for good, or on its last retry — lets the supporter go kindly, pages a
coordinator and holds the request (never left ``connected``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rq.job import Job
from rq.serializers import JSONSerializer

from sandbox import SandboxServer
from storage.dispatch_models import OfferStatus
from telephony.carrier import TwilioCarrier, twilio_client
from tests.e2e.conftest import PUBLIC_URL
from tests.integration.conftest import Line, supporter_leg
from tests.integration.test_callback_refused import (
    CALLER,
    KIM,
    accept,
    by_phone,
    held_for_the_coordinator,
)
from tests.support.flaky_twilio import FlakyTwilio
from usecases.errors import (
    AmbiguousCarrierError,
    CarrierConfigError,
    CarrierError,
    PermanentCarrierError,
    RetryableCarrierError,
)

pytestmark = pytest.mark.integration

HOTLINE, ANA = "+16175550100", "+12015550101"


@pytest.fixture
def twilio_carrier(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TwilioCarrier, FlakyTwilio]]:
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    twilio = FlakyTwilio()
    with SandboxServer(twilio.app()) as server:
        client = twilio_client("AC" + "0" * 32, "token", server.url, timeout=1.0)
        yield TwilioCarrier(client, PUBLIC_URL), twilio
        twilio.stopping = True


@pytest.mark.parametrize(
    ("fault", "kind", "not_kinds"),
    [
        ("http:400:21215", PermanentCarrierError, (CarrierConfigError, RetryableCarrierError)),
        ("http:400:21216", PermanentCarrierError, (CarrierConfigError,)),
        ("http:400:21999", PermanentCarrierError, (CarrierConfigError,)),  # any other 4xx
        ("http:401:20003", CarrierConfigError, ()),
        ("http:400:21210", CarrierConfigError, ()),
        ("http:400:21606", CarrierConfigError, ()),
        ("http:429:20429", RetryableCarrierError, (PermanentCarrierError, AmbiguousCarrierError)),
        ("http:400:21611", RetryableCarrierError, (PermanentCarrierError,)),
        ("http:503:20503", AmbiguousCarrierError, (PermanentCarrierError,)),
        ("500-after", AmbiguousCarrierError, ()),
        ("timeout-after", AmbiguousCarrierError, ()),
    ],
)
def test_each_twilio_error_is_one_kind(
    twilio_carrier: tuple[TwilioCarrier, FlakyTwilio],
    fault: str,
    kind: type[CarrierError],
    not_kinds: tuple[type[CarrierError], ...],
) -> None:
    carrier, twilio = twilio_carrier
    twilio.fail_next(ANA, fault)
    with pytest.raises(CarrierError) as failure:
        carrier.ring_supporter(to=ANA, from_=HOTLINE, offer_id="0" * 32, ring_seconds=30)
    assert isinstance(failure.value, kind)
    assert not isinstance(failure.value, not_kinds)


def test_a_configuration_error_flags_no_supporters_number(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    line.carrier.fail[ANA] = CarrierConfigError("twilio 401 20003", 20003)
    rid = by_phone(line)
    with pytest.raises(CarrierConfigError):
        line.deps.dispatcher.dispatch(rid)
    assert not any(s.bad_number for s in line.roster.supporters())
    del line.carrier.fail[ANA]
    line.deps.dispatcher.dispatch(rid)  # fixed: Ana is rung
    assert [c["to"] for c in line.carrier.calls] == [ANA]


def test_a_call_back_failing_on_its_last_retry_is_handed_to_a_coordinator(line: Line) -> None:
    line.supporter("Ana Lopez", ANA)
    line.roster.add_coordinator("Coordinator Kim", KIM)
    rid = by_phone(line)
    line.work()
    leg = supporter_leg(line)
    line.carrier.fail[CALLER] = RetryableCarrierError("twilio 503 None", None)
    accept(line, leg)
    line.work()  # the call back fails; retries are left, so the job will run again
    request = line.services.store.get_request(rid)
    assert request is not None and request.status.value == "connected"
    offer = line.deps.dispatcher.offers.offer(leg.offer_id)
    assert offer is not None and offer.status == OfferStatus.ACCEPTED
    # The same job on its last try (what RQ runs after the last retry interval).
    line.deps.dispatcher.jobs.call_back(rid, 99)
    job = Job.fetch(f"callback-{rid}-99", connection=line.services.redis, serializer=JSONSerializer)
    job.retries_left = 0
    job.save()
    line.work()  # gives up: the supporter is told, the request held, a page queued
    line.work()
    held_for_the_coordinator(line, rid, leg, "carrier_unreachable")
