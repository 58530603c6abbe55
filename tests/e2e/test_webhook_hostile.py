"""Bad input gets a clear 4xx or safe TwiML — never a 5xx, never a silent caller."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from starlette.testclient import TestClient

from jobs.reconciler import reconcile
from peerline import bootstrap
from peerline.app import create_app
from tests.e2e.conftest import AUTH_TOKEN, PUBLIC_URL, make_settings
from tests.twilio_driver import TwilioDriver, new_call_sid


def base_params(**extra: str) -> dict[str, str]:
    return {
        "CallSid": new_call_sid(),
        "From": "+16175551234",
        "To": "+16175550100",
        "CallStatus": "in-progress",
        **extra,
    }


def test_unsigned_webhook_is_forbidden(client: TestClient) -> None:
    response = client.post("/twilio/voice", data=base_params())
    assert response.status_code == 403


def test_badly_signed_webhook_is_forbidden(client: TestClient) -> None:
    headers = {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert client.post("/twilio/voice", data=base_params(), headers=headers).status_code == 403


def test_signature_for_other_params_is_forbidden(twilio: TwilioDriver, client: TestClient) -> None:
    params = base_params()
    signature = twilio.validator.compute_signature(PUBLIC_URL + "/twilio/voice", params)
    tampered = {**params, "Digits": "1"}
    response = client.post(
        "/twilio/voice", data=tampered, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_signature_over_the_internal_url_is_forbidden(client: TestClient) -> None:
    """We check against PEERLINE_PUBLIC_URL, not whatever Host the request claims."""
    params = base_params()
    driver = TwilioDriver(client, AUTH_TOKEN, "http://internal:8000")
    response = client.post(
        "/twilio/voice",
        data=params,
        headers={
            "X-Twilio-Signature": driver.validator.compute_signature(
                "http://internal:8000/twilio/voice", params
            )
        },
    )
    assert response.status_code == 403


def test_signature_with_query_string_is_checked_byte_exact(twilio: TwilioDriver) -> None:
    call = twilio.call()
    call.start()
    assert call.post("/twilio/voice/gather?turn=0", Digits="1").tag == "Response"


def test_missing_call_sid_is_a_clear_400(twilio: TwilioDriver) -> None:
    response = twilio.signed_post("/twilio/voice", {"From": "+16175551234"})
    assert response.status_code == 400
    assert "CallSid" in response.text


@pytest.mark.parametrize("digits", ["*#77", "1" * 500, "ab<c>", "", " "])
def test_odd_digits_replay_the_menu(twilio: TwilioDriver, digits: str) -> None:
    call = twilio.call()
    call.start()
    call.press("1")
    doc = call.press(digits)
    assert doc.find("Gather") is not None
    assert "Which best describes your role" in call.words()


def test_missing_from_and_withheld_caller_id_still_work(twilio: TwilioDriver) -> None:
    call = twilio.call(caller="anonymous")
    call.start()
    assert call.press("1").find("Gather") is not None
    params = {"CallSid": new_call_sid(), "CallStatus": "ringing"}
    response = twilio.signed_post("/twilio/voice", params)
    assert response.status_code == 200


def test_unknown_call_sid_on_an_action_url_is_greeted_afresh(twilio: TwilioDriver) -> None:
    response = twilio.signed_post("/twilio/voice/gather?turn=4", base_params(Digits="2"))
    assert response.status_code == 200
    assert "not a crisis line" in response.text


def test_absurd_turn_numbers_are_harmless(twilio: TwilioDriver) -> None:
    call = twilio.call()
    call.start()
    for query in ["turn=-1", "turn=99999999999", "turn=abc", ""]:
        response = twilio.signed_post(f"/twilio/voice/gather?{query}", call.params(Digits="1"))
        assert response.status_code == 200, query
        ET.fromstring(response.text)


def test_one_megabyte_body_is_refused(twilio: TwilioDriver) -> None:
    response = twilio.signed_post("/twilio/voice", base_params(Body="x" * 1_000_000))
    assert response.status_code == 413


def test_json_content_type_is_refused(client: TestClient) -> None:
    response = client.post(
        "/twilio/voice",
        content=json.dumps(base_params()),
        headers={"Content-Type": "application/json", "X-Twilio-Signature": "c2ln"},
    )
    assert response.status_code == 415


def test_non_utf8_body_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/twilio/voice",
        content=b"CallSid=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "c2ln"},
    )
    assert response.status_code in (400, 403)


def test_get_is_not_allowed(client: TestClient) -> None:
    assert client.get("/twilio/voice").status_code == 405


def test_status_callback_for_an_unknown_call_is_fine(twilio: TwilioDriver) -> None:
    response = twilio.signed_post("/twilio/status", base_params(CallStatus="completed"))
    assert response.status_code == 200


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "redis": "ok"}


# -- outages ---------------------------------------------------------------------------


@pytest.fixture
def redis_down_client(
    database_url: str, engine: Engine, var_dir: Path
) -> Iterator[tuple[TestClient, bootstrap.Services]]:
    settings = make_settings(database_url, "redis://127.0.0.1:1/0", var_dir)
    services = bootstrap.build(settings, fast_fail_redis=True)
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        yield client, services
    services.close()


def test_redis_down_the_caller_hears_the_normal_confirmation_and_nothing_is_lost(
    redis_down_client: tuple[TestClient, bootstrap.Services], services: bootstrap.Services
) -> None:
    client, down = redis_down_client
    call = TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL).call()
    call.start()
    for key in ["1", "1", "1", "3", "2", "1", "1", "2"]:  # ..., no follow-up text
        call.press(key)
    assert "call you from this Peerline number" in call.words()
    [request] = down.store.waiting_requests()
    assert request.dispatch_state == "pending"
    assert client.get("/readyz").status_code == 503
    # Redis is back (the healthy fixture's Redis): the reconciler queues it.
    result = reconcile(services.store, services.queues, grace=timedelta(0))
    assert result.enqueued == 1
    assert services.store.get_request(request.id).dispatch_state == "queued"  # type: ignore[union-attr]
    assert len(services.queues["urgent"].get_job_ids()) == 1


def test_database_down_the_caller_still_hears_an_apology_with_the_crisis_key(
    redis_url: str, var_dir: Path
) -> None:
    settings = make_settings("postgresql://nobody@127.0.0.1:1/none", redis_url, var_dir)
    services = bootstrap.build(settings, fast_fail_redis=True)
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        driver = TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL)
        call = driver.call()
        doc = call.start()
        assert "technical problem" in call.words()
        gather = doc.find("Gather")
        assert gather is not None
        doc = call.press("9")
        assert (doc.findtext("Dial") or "").strip() == settings.crisis_number
        call.post("/twilio/voice/fallback?answered=1")
        assert call.doc is not None and call.doc.find("Hangup") is not None
        assert client.get("/readyz").json()["database"] == "unreachable"
    services.close()


def test_wrong_auth_token_configured_means_403_not_500(
    database_url: str, redis_url: str, var_dir: Path, engine: Engine
) -> None:
    settings = make_settings(database_url, redis_url, var_dir)
    settings.twilio_auth_token = SecretStr("another-token")
    services = bootstrap.build(settings)
    with TestClient(create_app(settings, services), base_url=PUBLIC_URL) as client:
        call = TwilioDriver(client, AUTH_TOKEN, PUBLIC_URL)
        assert call.signed_post("/twilio/voice", base_params()).status_code == 403
    services.close()
