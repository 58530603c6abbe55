"""Plays Twilio's side of a call against Peerline: signed form posts, TwiML followed as a tree.

Signatures come from the real ``RequestValidator``; nothing here re-implements Twilio's rules.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator

_SIDS = itertools.count(1)


def new_call_sid() -> str:
    return f"CA{next(_SIDS):032x}"


class TwilioDriver:
    """Posts webhooks the way Twilio does to an ASGI test client (or any httpx-like client)."""

    def __init__(self, client: Any, auth_token: str, public_url: str) -> None:
        self.client = client
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url.rstrip("/")

    def signed_post(self, path: str, params: dict[str, str], **kwargs: Any) -> Any:
        url = urljoin(self.public_url + "/", path.lstrip("/"))
        signature = self.validator.compute_signature(url, params)
        headers = {"X-Twilio-Signature": signature, **kwargs.pop("headers", {})}
        return self.client.post(url, data=params, headers=headers, **kwargs)

    def call(self, caller: str = "+16175551234", hotline: str = "+16175550100") -> Call:
        return Call(self, new_call_sid(), caller, hotline)


class Call:
    """One inbound call: start it, then press keys or speak at whatever the TwiML asks."""

    def __init__(self, driver: TwilioDriver, sid: str, caller: str, hotline: str) -> None:
        self.driver, self.sid, self.caller, self.hotline = driver, sid, caller, hotline
        self.doc: ET.Element | None = None
        self.documents: list[str] = []
        self.url = "/twilio/voice"

    def params(self, **extra: str) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.caller,
            "To": self.hotline,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def post(self, path: str, **extra: str) -> ET.Element:
        response = self.driver.signed_post(path, self.params(**extra))
        assert response.status_code == 200, (response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/xml")
        self.documents.append(response.text)
        self.doc = ET.fromstring(response.text)
        self.url = path
        return self.doc

    def start(self) -> ET.Element:
        return self.post("/twilio/voice", CallStatus="ringing")

    def gather(self) -> ET.Element:
        assert self.doc is not None
        gather = self.doc.find("Gather")
        assert gather is not None, self.documents[-1]
        return gather

    def press(self, digits: str) -> ET.Element:
        return self.post(self._action(), Digits=digits)

    def say(self, words: str) -> ET.Element:
        return self.post(self._action(), SpeechResult=words, Confidence="0.91")

    def silence(self) -> ET.Element:
        return self.post(self._action())

    def hang_up(self, status: str = "completed") -> Any:
        return self.driver.signed_post("/twilio/status", self.params(CallStatus=status))

    def words(self) -> str:
        assert self.doc is not None
        return " ".join((say.text or "") for say in self.doc.iter("Say"))

    def _action(self) -> str:
        action = self.gather().get("action")
        assert action
        return urljoin(self.url, action)
