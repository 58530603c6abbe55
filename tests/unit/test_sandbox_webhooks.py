"""Outbound webhooks: signed like Twilio's, over the public URL, sent wherever Peerline is."""

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from twilio.request_validator import RequestValidator

from sandbox.testing import sandbox_config
from sandbox.webhooks import WebhookSender

TOKEN = "sandbox-test-token"
PUBLIC = "https://peerline.example.org"


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, text="<Response/>", headers={"content-type": "text/xml"})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sender(recorder: Recorder) -> WebhookSender:
    config = sandbox_config(auth_token=TOKEN, public_url=PUBLIC)
    client = httpx.Client(transport=httpx.MockTransport(recorder))
    return WebhookSender(client, TOKEN, route=config.transport_url)


def test_a_post_is_signed_over_the_public_url_and_sent_to_peerline(
    sender: WebhookSender, recorder: Recorder
) -> None:
    url = f"{PUBLIC}/twilio/voice/gather?tenant=a%20b&step=2"
    params = [("CallSid", "CA1"), ("Digits", "1"), ("FromZip", ""), ("Body", "café & co")]

    delivery = sender.send(url, params)

    [request] = recorder.requests
    assert str(request.url) == "http://peerline.test/twilio/voice/gather?tenant=a%20b&step=2"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    form = parse_qsl(request.content.decode(), keep_blank_values=True)
    assert form == params
    signature = request.headers["X-Twilio-Signature"]
    assert RequestValidator(TOKEN).validate(url, dict(form), signature)
    assert not RequestValidator(TOKEN).validate(url, {**dict(form), "Digits": "9"}, signature)
    assert delivery.ok and delivery.signature == signature
    assert delivery.content_type == "text/xml"


def test_a_get_carries_its_parameters_in_the_signed_query(
    sender: WebhookSender, recorder: Recorder
) -> None:
    delivery = sender.send(
        f"{PUBLIC}/twilio/voice/menu", [("CallSid", "CA1"), ("Digits", "2")], "GET"
    )

    [request] = recorder.requests
    assert request.method == "GET"
    signed_url = f"{PUBLIC}/twilio/voice/menu?CallSid=CA1&Digits=2"
    assert delivery.url == signed_url
    assert urlsplit(str(request.url)).query == "CallSid=CA1&Digits=2"
    assert RequestValidator(TOKEN).validate(signed_url, {}, request.headers["X-Twilio-Signature"])


def test_urls_outside_peerline_are_requested_as_they_are(
    sender: WebhookSender, recorder: Recorder
) -> None:
    sender.send("https://peerline.example.org.evil.test/x", [("CallSid", "CA1")])
    sender.send("http://elsewhere.test/hook", [("CallSid", "CA1")])

    assert [str(r.url) for r in recorder.requests] == [
        "https://peerline.example.org.evil.test/x",
        "http://elsewhere.test/hook",
    ]


def test_a_failure_to_connect_is_a_delivery_with_an_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    sender = WebhookSender(httpx.Client(transport=httpx.MockTransport(refuse)), TOKEN)

    delivery = sender.send(f"{PUBLIC}/twilio/voice", [("CallSid", "CA1")])

    assert not delivery.ok
    assert "refused" in (delivery.error or "")
    assert list(sender.deliveries) == [delivery]


def test_every_delivery_header_twilio_sends() -> None:
    recorder = Recorder()
    sender = WebhookSender(httpx.Client(transport=httpx.MockTransport(recorder)), TOKEN)
    sender.send(f"{PUBLIC}/twilio/status", [("CallSid", "CA1")])
    sender.send(f"{PUBLIC}/twilio/status", [("CallSid", "CA1")])

    first, second = recorder.requests
    assert first.headers["User-Agent"] == "TwilioProxy/1.1"
    assert (
        first.headers["I-Twilio-Idempotency-Token"] != second.headers["I-Twilio-Idempotency-Token"]
    )


def test_config_reroutes_only_its_own_base_url() -> None:
    config = sandbox_config(public_url="https://peerline.example.org/")
    assert config.base_url == "https://peerline.example.org"
    assert config.voice_url == "https://peerline.example.org/twilio/voice"
    assert config.transport_url("https://peerline.example.org") == "http://peerline.test"
    assert config.transport_url("https://peerline.example.org?x=1") == "http://peerline.test?x=1"
    same = sandbox_config(public_url=None)
    assert (
        same.transport_url("http://peerline.test/twilio/sms") == "http://peerline.test/twilio/sms"
    )
