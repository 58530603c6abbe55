"""The SMS webhook never answers 5xx: with the database away a texter gets an apology naming
911 and 988, the text is kept (Redis, or a file when Redis is away too, sealed either way),
and the scheduler's replay answers it once the database is back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from peerline import bootstrap
from peerline.app import create_app
from tests.e2e.conftest import AUTH_TOKEN, PUBLIC_URL, make_settings
from tests.integration.conftest import Line
from tests.twilio_driver import TwilioDriver

pytestmark = pytest.mark.integration
TEXTER = "+16175550123"
NOWHERE_DB = "postgresql://peerline@127.0.0.1:9/peerline"  # port 9 (discard) refuses
NOWHERE_REDIS = "redis://127.0.0.1:9/0"


@pytest.fixture
def outage(line: Line, request: pytest.FixtureRequest) -> Iterator[tuple[TwilioDriver, bool]]:
    """The same Peerline (var_dir, key, Redis) with its database away, and Redis too when
    the parameter says so."""
    redis_too: bool = request.param
    settings = make_settings(
        NOWHERE_DB,
        NOWHERE_REDIS if redis_too else line.settings.redis_url or "",
        line.settings.var_dir,
    )
    services = bootstrap.build(settings, fast_fail_redis=True)
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        yield TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL), redis_too
    services.close()


def text(driver: TwilioDriver, sid: str, body: str) -> tuple[int, str]:
    response = driver.signed_post(
        "/twilio/sms", {"MessageSid": sid, "From": TEXTER, "To": "+16175550100", "Body": body}
    )
    words = " ".join(m.text or "" for m in ET.fromstring(response.text).iter("Message"))
    return response.status_code, words


def spool_files(line: Line) -> list[Path]:
    return sorted((line.settings.var_dir / "spool" / "sms").glob("*.sms"))


@pytest.mark.parametrize("outage", [False, True], ids=["redis-up", "redis-down"], indirect=True)
def test_a_text_during_a_database_outage_is_apologised_for_kept_and_answered_later(
    line: Line, outage: tuple[TwilioDriver, bool]
) -> None:
    web, redis_too = outage
    first = "SM" + "1" * 32
    for _ in range(2):  # Twilio re-delivers: still one kept text
        status, words = text(web, first, "hello, rough night")
        assert status == 200
        assert "911" in words and "988" in words and "sorry" in words
    status, _ = text(web, "SM" + "2" * 32, "1")  # the texter answers the welcome anyway
    assert status == 200
    files = spool_files(line)
    in_redis = line.services.redis.hlen("peerline:sms:spool")
    assert (len(files), in_redis) == ((2, 0) if redis_too else (0, 2))
    for path in files:
        sealed = path.read_bytes()
        assert TEXTER.encode() not in sealed and b"rough night" not in sealed
        assert path.stat().st_mode & 0o777 == 0o600
    # The database is back: the scheduler's pass replays both, in the order they came.
    replay = bootstrap.text_replay(line.services, line.deps.outbound)
    assert replay.replay() == 2
    sent = [m["body"] for m in line.carrier.messages if m["to"] == TEXTER]
    assert len(sent) == 2
    assert "Para español" in sent[0]  # the welcome, answering "hello"
    assert "Which best describes your role" in sent[1]  # "1": English, then the first question
    assert spool_files(line) == [] and line.services.redis.hlen("peerline:sms:spool") == 0
    assert replay.replay() == 0 and len(line.carrier.messages) == 2  # nothing twice
    # A late re-delivery of a replayed text gets the reply it was given, not a new turn.
    assert text(line.twilio, first, "hello, rough night") == (200, sent[0])
