"""The fake Twilio's phones for B11: a supporter who answers and presses 1 at once, and a
holding caller's leg that follows Peerline's redirect into the conference at once.

What Twilio does after a REST request, with no human time in it: on an accepted
``Calls.json`` whose Url is an offer, POST the offer webhook (the supporter picked up),
then the Gather's action with ``Digits=1``; the answer must put the supporter in the
request's conference. On a ``Calls/{sid}.json`` update with a Url (Peerline moving the
holding caller), POST that Url for the caller's call; the answer must be the conference.
Each leg in a conference is one JSON line in the fake's log (``kind`` ``supporter_in`` or
``caller_in``, monotonic ``t``). Every webhook is signed as Twilio signs it.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from calls import AUTH_TOKEN, HOST, HOTLINE, PUBLIC_URL
from twilio.request_validator import RequestValidator

_ACTION = re.compile(r'<Gather[^>]*\baction="([^"]+)"')
Log = Callable[[dict[str, Any]], None]


class Answering:
    """Drives the legs against Peerline's web process on ``port``; ``log`` writes a line."""

    def __init__(self, port: int, account_sid: str, log: Log) -> None:
        self.port, self.account_sid, self.log = port, account_sid, log
        self._validator = RequestValidator(AUTH_TOKEN)

    def call_placed(self, sid: str, form: dict[str, str]) -> None:
        """An accepted ``Calls.json``: answer it if it offers a request."""
        url = form.get("Url", "")
        if "/twilio/offer?" in url:
            threading.Thread(target=self._supporter, args=(sid, form), daemon=True).start()

    def call_updated(self, sid: str, form: dict[str, str]) -> None:
        """A ``Calls/{sid}.json`` update: follow a redirect of a live call."""
        if form.get("Url"):
            threading.Thread(target=self._caller, args=(sid, form["Url"]), daemon=True).start()

    def _supporter(self, sid: str, form: dict[str, str]) -> None:
        offer = parse_qs(urlsplit(form["Url"]).query).get("offer", [""])[0]
        fields = self._fields(sid, form.get("From", ""), form.get("To", ""), "outbound-api")
        try:
            whisper = self._post(_path(form["Url"]), fields)
            action = _ACTION.search(whisper)
            if action is None:
                raise RuntimeError(f"no Gather in the offer: {whisper[:200]}")
            answer = self._post(action.group(1).replace("&amp;", "&"), {**fields, "Digits": "1"})
            if "<Conference" not in answer:
                raise RuntimeError(f"pressing 1 did not join the conference: {answer[:200]}")
            self.log({"kind": "supporter_in", "t": time.monotonic(), "offer": offer, "sid": sid})
        except Exception as exc:  # one line in the log; the bench counts a missing leg
            self.log(
                {"kind": "leg_error", "t": time.monotonic(), "offer": offer, "error": str(exc)}
            )

    def _caller(self, sid: str, url: str) -> None:
        fields = self._fields(sid, "+16175550000", HOTLINE, "inbound")
        try:
            answer = self._post(_path(url), fields)
            if "<Conference" not in answer:
                raise RuntimeError(f"the redirect did not join the conference: {answer[:200]}")
            self.log({"kind": "caller_in", "t": time.monotonic(), "sid": sid})
        except Exception as exc:
            self.log({"kind": "leg_error", "sid": sid, "error": str(exc)})

    def _fields(self, sid: str, from_: str, to: str, direction: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": sid,
            "CallStatus": "in-progress",
            "Direction": direction,
            "From": from_,
            "To": to,
        }

    def _post(self, path: str, fields: dict[str, str]) -> str:
        body = urlencode(fields)
        signature = self._validator.compute_signature(PUBLIC_URL + path, fields)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(
                "POST",
                path,
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            )
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path.split('?')[0]} answered {response.status}")
        return text


def _path(url: str) -> str:
    """The path and query Twilio would request of ``url`` (absolute or already a path)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def legs(lines: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """(offer id -> supporter in, caller CallSid -> caller in, errors) from the fake's log."""
    supporters = {r["offer"]: r["t"] for r in lines if r.get("kind") == "supporter_in"}
    callers = {r["sid"]: r["t"] for r in lines if r.get("kind") == "caller_in"}
    errors = [json.dumps(r) for r in lines if r.get("kind") == "leg_error"]
    return supporters, callers, errors
