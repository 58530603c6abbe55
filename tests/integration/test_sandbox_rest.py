"""Contract: the real twilio SDK against the sandbox's REST API over real HTTP."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import pytest
from starlette.testclient import TestClient
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from sandbox import ManualClock, Sandbox, SandboxServer, create_sandbox_app
from sandbox.phones import CallStatus
from sandbox.testing import TwimlScript, sandbox_config

HOTLINE = "+16175550100"
SUPPORTER = "+16175550102"
BASE = "https://peerline.example.org"
WHISPER = (
    '<Response><Gather numDigits="1" action="/accept"><Say>A nurse needs support. '
    "Press 1 to accept.</Say></Gather></Response>"
)


@dataclass
class World:
    client: Client
    sandbox: Sandbox
    script: TwimlScript
    server: SandboxServer


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    config = sandbox_config(cps=1.0, sms_per_second=1.0)
    script = TwimlScript(config.auth_token, config.base_url, {"/screen": WHISPER})
    with TestClient(script.app, base_url=config.peerline_url) as http:
        sandbox = Sandbox(config, clock=ManualClock(), http=http)
        app = create_sandbox_app(config, sandbox=sandbox)
        try:
            with SandboxServer(app) as server:
                client = Client(config.account_sid, config.auth_token)
                client.api.base_url = server.url
                yield World(client, sandbox, script, server)
                sandbox.settle()
        finally:
            sandbox.close()
    assert all(r.signed for r in script.received)


def test_create_fetch_and_cancel_a_call(world: World) -> None:
    call = world.client.calls.create(
        to=SUPPORTER,
        from_=HOTLINE,
        url=f"{BASE}/screen?req=1",
        status_callback=f"{BASE}/leg",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
        timeout=20,
        machine_detection="Enable",
    )

    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert (call.status, call.to, call._from, call.direction) == (
        "queued",
        SUPPORTER,
        HOTLINE,
        "outbound-api",
    )
    assert isinstance(call.date_created, datetime)
    assert world.sandbox.phone(SUPPORTER).ringing()
    assert world.client.calls(call.sid).fetch().status == "ringing"

    canceled = world.client.calls(call.sid).update(status="canceled")

    assert canceled.status == "canceled"
    world.sandbox.settle()
    statuses = [r.params["CallStatus"] for r in world.script.received if r.path == "/leg"]
    assert statuses == ["initiated", "ringing", "canceled"]


def test_redirect_and_hang_up_a_live_call(world: World) -> None:
    call = world.client.calls.create(to=SUPPORTER, from_=HOTLINE, url=f"{BASE}/screen")
    leg = world.sandbox.phone(SUPPORTER).answer()
    assert leg.heard("Press 1 to accept.")

    world.client.calls(call.sid).update(
        twiml="<Response><Say>Sorry, the caller left.</Say><Pause length='60'/></Response>"
    )
    world.sandbox.settle()
    assert leg.transcript()[-1] == "Sorry, the caller left."

    done = world.client.calls(call.sid).update(status="completed")
    assert done.status == "completed"
    assert leg.status is CallStatus.COMPLETED
    with pytest.raises(TwilioRestException) as failure:
        world.client.calls(call.sid).update(url=f"{BASE}/screen")
    assert (failure.value.status, failure.value.code) == (400, 21220)


def test_create_and_fetch_a_message(world: World) -> None:
    message = world.client.messages.create(
        to=SUPPORTER, from_=HOTLINE, body="Peerline: a nurse needs support today."
    )

    assert message.sid.startswith("SM")
    assert (message.status, message.num_segments, message.direction) == (
        "queued",
        "1",
        "outbound-api",
    )
    world.sandbox.settle()
    assert world.client.messages(message.sid).fetch().status == "delivered"
    assert [m.body for m in world.sandbox.phone(SUPPORTER).inbox()] == [message.body]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"to": "+1617555"}, 400, 21211),
        ({"to": "+15005550001"}, 400, 21211),
        ({"from_": "+16175550199"}, 400, 21210),
        ({"record": True}, 400, 20001),
    ],
)
def test_call_errors_raise_twilio_rest_exceptions(
    world: World, kwargs: dict[str, object], status: int, code: int
) -> None:
    arguments: dict[str, object] = {"to": SUPPORTER, "from_": HOTLINE, "url": f"{BASE}/screen"}
    arguments.update(kwargs)
    with pytest.raises(TwilioRestException) as failure:
        world.client.calls.create(**arguments)  # type: ignore[arg-type]
    assert (failure.value.status, failure.value.code) == (status, code)


def test_sms_to_an_opted_out_phone_fails_with_21610(world: World) -> None:
    world.sandbox.phone(SUPPORTER).opted_out = True
    with pytest.raises(TwilioRestException) as failure:
        world.client.messages.create(to=SUPPORTER, from_=HOTLINE, body="hello")
    assert (failure.value.status, failure.value.code) == (400, 21610)
    assert "unsubscribed" in failure.value.msg


def test_more_calls_than_the_cps_allows_get_20429(world: World) -> None:
    world.client.calls.create(to=SUPPORTER, from_=HOTLINE, url=f"{BASE}/screen")
    with pytest.raises(TwilioRestException) as failure:
        world.client.calls.create(to="+16175550103", from_=HOTLINE, url=f"{BASE}/screen")
    assert (failure.value.status, failure.value.code) == (429, 20429)

    world.sandbox.advance(1)
    world.client.calls.create(to="+16175550103", from_=HOTLINE, url=f"{BASE}/screen")


def test_wrong_credentials_get_401(world: World) -> None:
    intruder = Client(world.sandbox.config.account_sid, "not-the-token")
    intruder.api.base_url = world.server.url
    with pytest.raises(TwilioRestException) as failure:
        intruder.messages.create(to=SUPPORTER, from_=HOTLINE, body="hello")
    assert (failure.value.status, failure.value.code) == (401, 20003)


def test_unknown_calls_and_accounts_get_404(world: World) -> None:
    with pytest.raises(TwilioRestException) as failure:
        world.client.calls("CA" + "0" * 32).fetch()
    assert (failure.value.status, failure.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as failure:
        world.client.api.v2010.accounts("AC" + "1" * 32).calls.create(
            to=SUPPORTER, from_=HOTLINE, url=f"{BASE}/screen"
        )
    assert failure.value.status == 404


def test_over_real_http_the_sandbox_names_no_server_and_guards_its_controls(
    world: World,
) -> None:
    page = httpx.get(world.server.url + "/")
    assert page.status_code == 200 and "server" not in page.headers
    forged = httpx.post(
        f"{world.server.url}/sandbox/phones/{SUPPORTER}/sms",
        json={"body": "hi"},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    own = httpx.post(
        f"{world.server.url}/sandbox/phones/{SUPPORTER}/sms",
        json={"body": "hi"},
        headers={"Origin": world.server.url},
    )
    assert own.status_code == 201
