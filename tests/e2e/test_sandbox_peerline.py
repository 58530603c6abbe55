"""A sandbox phone calls the real Peerline app in-process and walks its voice intake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from peerline import bootstrap
from peerline.settings import Settings
from sandbox import ManualClock, Sandbox, SandboxConfig
from sandbox.phones import CallStatus
from storage.models import HelpRequest
from tests.e2e.conftest import AUTH_TOKEN, CRISIS, PUBLIC_URL

pytestmark = pytest.mark.e2e
CALLER = "+16175550123"


@pytest.fixture
def sandbox(client: TestClient, settings: Settings) -> Iterator[Sandbox]:
    config = SandboxConfig(
        account_sid=settings.twilio_account_sid,
        auth_token=AUTH_TOKEN,
        hotline_number=settings.hotline_number,
        peerline_url=PUBLIC_URL,
        public_url=PUBLIC_URL,
    )
    with Sandbox(config, clock=ManualClock(), http=client) as box:
        yield box
        assert box.notices() == [], "Peerline's TwiML ran without a carrier error"
        assert all(d.status_code == 200 for d in box.deliveries()), "every signature accepted"


def test_a_phone_walks_the_ivr_to_a_callback_request(
    sandbox: Sandbox, services: bootstrap.Services
) -> None:
    call = sandbox.phone(CALLER).dial()
    greeting = " ".join(call.listen())
    assert "not a crisis line" in greeting and "press 9" in greeting

    # English, nurse, today, no preference, call me back, as soon as possible, another role
    # is fine, no follow-up text
    for key in ["1", "1", "1", "3", "2", "1", "1", "2"]:
        call.press(key)

    assert "within two hours" in " ".join(call.listen())  # the closing words, in their time
    sandbox.advance(2)  # the crisis key is live a moment longer, then Peerline hangs up
    assert call.status is CallStatus.COMPLETED
    with services.store.engine.connect() as conn:
        row = conn.execute(select(HelpRequest)).one()
    assert (row.role, row.urgency, row.org_preference, row.contact_mode, row.callback_window) == (
        "nurse",
        "urgent",
        "any",
        "callback",
        "asap",
    )
    assert services.store.caller_of(row.id) == CALLER
    statuses = [d for d in sandbox.deliveries() if d.url == f"{PUBLIC_URL}/twilio/status"]
    assert [d.form["CallStatus"] for d in statuses] == ["completed"]


def test_key_nine_rings_the_crisis_line(sandbox: Sandbox) -> None:
    call = sandbox.phone(CALLER).dial()
    call.press("1")  # English

    call.press("9")
    call.listen()  # "Connecting you to …", then the Dial rings

    [ringing] = sandbox.phone(CRISIS).ringing()
    assert ringing.caller_id == CALLER  # the Lifeline sees the caller's own number
    sandbox.phone(CRISIS).answer()
    assert call.connected
