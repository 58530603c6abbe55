"""`peerline twilio configure` drives the real SDK; here against a local recording server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from telephony.carrier import configure_number, twilio_client

SID = "AC" + "1" * 32
NUMBER_SID = "PN" + "2" * 32


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, dict[str, list[str]]]] = []
    numbers: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.requests.append(("GET", url.path, parse_qs(url.query)))
        self._reply(
            {
                "incoming_phone_numbers": self.numbers,
                "next_page_uri": None,
                "page": 0,
                "page_size": 2,
                "uri": url.path,
            }
        )

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        self.requests.append(("POST", self.path, form))
        self._reply({**self.numbers[0], **{k: v[0] for k, v in form.items()}})


@pytest.fixture
def fake() -> Iterator[str]:
    FakeTwilio.requests = []
    FakeTwilio.numbers = [{"sid": NUMBER_SID, "account_sid": SID, "phone_number": "+16175550100"}]
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_configure_points_every_webhook_at_the_public_url(
    fake: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    client = twilio_client(SID, "token", fake)
    assert configure_number(client, "+16175550100", "https://hotline.example.org") == NUMBER_SID
    method, path, query = FakeTwilio.requests[0]
    assert (method, query["PhoneNumber"]) == ("GET", ["+16175550100"])
    method, path, form = FakeTwilio.requests[1]
    assert path == f"/2010-04-01/Accounts/{SID}/IncomingPhoneNumbers/{NUMBER_SID}.json"
    assert form["VoiceUrl"] == ["https://hotline.example.org/twilio/voice"]
    assert form["VoiceFallbackUrl"] == ["https://hotline.example.org/twilio/voice/fallback"]
    assert form["StatusCallback"] == ["https://hotline.example.org/twilio/status"]
    assert form["SmsUrl"] == ["https://hotline.example.org/twilio/sms"]


def test_configure_reports_a_number_that_is_not_on_the_account(fake: str) -> None:
    FakeTwilio.numbers = []
    with pytest.raises(LookupError, match="no incoming number"):
        configure_number(twilio_client(SID, "token", fake), "+16175550199", "https://x.org")
