"""`peerline twilio configure` drives the real SDK; here against a local recording server.

The command's own tests run ``peerline.cli.main`` end to end: a mistake a person can fix
(credentials, an unreachable API, a number the account doesn't have) is one line on
stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from peerline.cli import main
from peerline.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN
from telephony.carrier import configure_number, twilio_client

SID = "AC" + "1" * 32
NUMBER_SID = "PN" + "2" * 32
SECRET = "s3cret-auth-token"


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, dict[str, list[str]]]] = []
    numbers: list[dict[str, Any]] = []
    refuse = False  # answer 401 as Twilio does to bad credentials

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, body: dict[str, Any]) -> None:
        status = 200
        if self.refuse:
            status = 401
            body = {"code": 20003, "message": "Authenticate", "status": 401}
        payload = json.dumps(body).encode()
        self.send_response(status)
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
    FakeTwilio.refuse = False
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


# -- the command -----------------------------------------------------------------------
@pytest.fixture
def command(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A real account's settings in the environment; logging restored afterwards."""
    for name in ("TWILIO_REGION", "TWILIO_EDGE", "PEERLINE_TWILIO_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", SECRET)
    monkeypatch.setenv("PEERLINE_HOTLINE_NUMBER", "+16175550100")
    monkeypatch.setenv("PEERLINE_PUBLIC_URL", "https://hotline.example.org")
    # A deployment (public URL not loopback) must bring its own key: `peerline` refuses otherwise.
    monkeypatch.setenv("PEERLINE_SECRET_KEY", base64.urlsafe_b64encode(bytes(range(32))).decode())
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield monkeypatch
    root.handlers[:], root.level = handlers, level


def configure(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["twilio", "configure"])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_the_command_configures_the_number(
    fake: str, command: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command.setenv("PEERLINE_TWILIO_API_URL", fake)
    code, out, err = configure(capsys)
    assert (code, err) == (0, "")
    assert out == (
        f"configured {NUMBER_SID}: voice, fallback, status and SMS URLs under"
        " https://hotline.example.org\n"
    )
    assert [method for method, _path, _query in FakeTwilio.requests] == ["GET", "POST"]


def test_wrong_credentials_are_one_line(
    fake: str, command: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command.setenv("PEERLINE_TWILIO_API_URL", fake)
    FakeTwilio.refuse = True
    code, out, err = configure(capsys)
    assert (code, out) == (1, "")
    line = one_line(err)
    assert line.startswith("peerline: Twilio refused the credentials (HTTP 401)")
    assert "TWILIO_AUTH_TOKEN" in line and SECRET not in err


def test_a_number_the_account_does_not_have_is_one_line(
    fake: str, command: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command.setenv("PEERLINE_TWILIO_API_URL", fake)
    FakeTwilio.numbers = []
    code, _out, err = configure(capsys)
    assert code == 1
    assert one_line(err) == (
        f"peerline: +16175550100 is not a number on Twilio account {SID}:"
        " set PEERLINE_HOTLINE_NUMBER to one it owns"
    )
    assert [method for method, _path, _query in FakeTwilio.requests] == ["GET"]  # no update


def test_an_unreachable_api_is_one_line(
    command: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as closed:  # a port nothing listens on once this socket is closed
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    command.setenv("PEERLINE_TWILIO_API_URL", f"http://127.0.0.1:{port}")
    code, _out, err = configure(capsys)
    assert code == 1
    assert one_line(err) == (
        f"peerline: could not reach the Twilio API at http://127.0.0.1:{port}: Connection refused"
    )


@pytest.mark.parametrize(
    ("env", "expected", "status"),
    [
        (
            {"TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN},
            "are the sandbox's placeholders",
            2,  # the deployment refusal that long-running and Twilio commands share
        ),
        ({"TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN}, "are the sandbox's placeholders", 2),
        ({"TWILIO_AUTH_TOKEN": ""}, "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", 1),
        ({"TWILIO_ACCOUNT_SID": "my-account"}, "is not an account SID", 1),
        ({"PEERLINE_PUBLIC_URL": "http://127.0.0.1:8000"}, "which Twilio cannot reach", 1),
    ],
)
def test_what_can_only_fail_at_twilio_is_said_before_trying(
    command: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    expected: str,
    status: int,
) -> None:
    # No PEERLINE_TWILIO_API_URL: the real API, which this machine can't even reach. Had
    # the command tried, the line would say so instead.
    for name, value in env.items():
        command.setenv(name, value)
    code, _out, err = configure(capsys)
    assert code == status
    line = one_line(err)
    assert expected in line and "could not reach" not in line
