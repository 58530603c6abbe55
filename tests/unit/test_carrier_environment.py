"""The Twilio client reads the proxy variables once, with requests' own rules."""

from __future__ import annotations

import pytest

from telephony.carrier import twilio_client

SID = "AC" + "a" * 32


def test_a_proxy_in_the_environment_is_kept_on_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    session = twilio_client(SID, "token").http_client.session  # type: ignore[attr-defined]
    assert session.proxies == {"https": "http://proxy.example:3128"}
    assert not session.trust_env  # not read again on every request


def test_no_proxy_for_the_api_host_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = twilio_client(SID, "token", api_url="http://127.0.0.1:9")
    assert client.http_client.session.proxies == {}  # type: ignore[attr-defined]
