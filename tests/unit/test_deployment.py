"""Laptop-only settings refused when the public URL faces the world, in one line."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr

from peerline.deployment import deployment_refusal, is_loopback_host, sandbox_refusal
from peerline.settings import Settings

KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
REAL = {
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": SecretStr("a-real-token"),
    "secret_key": SecretStr(KEY),
}


def settings(**values: object) -> Settings:
    return Settings.model_validate({"var_dir": "/nonexistent", **values})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("localhost", True),
        ("app.localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("hotline.example.org", False),
        ("localhost.example.org", False),
        ("", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_a_laptop_may_run_on_the_sandbox_credentials_and_a_generated_key() -> None:
    assert deployment_refusal(settings()) is None
    assert deployment_refusal(settings(public_url="http://localhost:8000")) is None


@pytest.mark.parametrize(
    "where", [{"public_url": "https://hotline.example.org"}, {"host": "0.0.0.0"}]
)
def test_a_deployment_on_laptop_settings_is_refused_in_one_line(where: dict[str, str]) -> None:
    line = deployment_refusal(settings(**where))
    assert line is not None and "\n" not in line
    assert line.startswith("peerline: refusing to start: PEERLINE_PUBLIC_URL")
    assert "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN are the sandbox's placeholders" in line
    assert "PEERLINE_SECRET_KEY is not set" in line
    assert KEY not in line and "sandbox-auth-token" not in line  # never echo a secret


def test_each_placeholder_is_refused_on_its_own() -> None:
    public = {"public_url": "https://hotline.example.org"}
    assert deployment_refusal(settings(**public, **REAL)) is None
    token_only = {**REAL, "twilio_auth_token": SecretStr("sandbox-auth-token")}
    assert "placeholders" in (deployment_refusal(settings(**public, **token_only)) or "")
    keyless = {k: v for k, v in REAL.items() if k != "secret_key"}
    line = deployment_refusal(settings(**public, **keyless)) or ""
    assert "PEERLINE_SECRET_KEY is not set" in line and "placeholders" not in line


def test_unusable_keys_are_refused_anywhere() -> None:
    short = settings(secret_key=SecretStr("c2hvcnQ="))
    assert "PEERLINE_SECRET_KEY is not urlsafe base64 of 32+ bytes" in (
        deployment_refusal(short) or ""
    )
    old = settings(secret_key=SecretStr(KEY), old_secret_keys=SecretStr(f"{KEY}, not*base64"))
    assert "PEERLINE_OLD_SECRET_KEYS holds a key" in (deployment_refusal(old) or "")


def test_the_sandbox_starts_only_beside_a_loopback_web_process() -> None:
    assert sandbox_refusal(settings()) is None
    line = sandbox_refusal(settings(host="0.0.0.0"))
    assert line is not None and "PEERLINE_HOST=0.0.0.0" in line and "--no-sandbox" in line
