"""The simulated Twilio calls of the webhook benches: each caller's signed webhooks, step by step.

Each simulated call walks the IVR the way Twilio would: ``POST /twilio/voice``, one
``POST /twilio/voice/gather?turn=N`` per key, then ``/twilio/status`` when the caller hangs
up. Every request is signed with twilio's ``RequestValidator`` over ``PUBLIC_URL`` + path.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

PUBLIC_URL = "https://peerline.bench.invalid"  # what Twilio signs; the guard rebuilds it
AUTH_TOKEN = "bench-auth-token"  # a local benchmark's made-up token
ACCOUNT_SID = "AC" + "b" * 32
HOTLINE = "+16175550100"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Step:
    label: str  # start / gather / gather+request / hold / status
    path: str
    extra: dict[str, str]
    expect: bytes  # must appear in the answer
    completes: bool = False  # this turn writes the request row and enqueues


# name, weight, keys pressed after the greeting, how the last key ends the IVR
SCRIPTS = (
    # English, nurse, today, any, call me, pm, other role ok, one follow-up text
    ("callback-en", 45, "11132311", "callback"),
    # Spanish, nurse, soon, same org ok, call me, asap, other role and English ok, no follow-up
    ("callback-es", 15, "212221112", "callback"),
    ("hold", 30, "162312", "hold"),  # English, tech, soon, any, connect me now, no follow-up
    ("crisis", 10, "119", "crisis"),  # English, nurse, then 9: the crisis line
)


def steps_for(keys: str, ending: str) -> tuple[Step, ...]:
    steps = [Step("start", "/twilio/voice", {"CallStatus": "ringing"}, b"gather?turn=0")]
    gather = {"FinishedOnKey": "", "msg": "Gather End"}
    for turn, key in enumerate(keys):
        path, extra = f"/twilio/voice/gather?turn={turn}", {**gather, "Digits": key}
        if turn < len(keys) - 1:
            steps.append(Step("gather", path, extra, f"gather?turn={turn + 1}".encode()))
        elif ending == "crisis":
            steps.append(Step("gather", path, extra, b"<Dial"))
        elif ending == "hold":
            steps.append(Step("gather+request", path, extra, b"hold?cycle=0", completes=True))
        else:
            steps.append(Step("gather+request", path, extra, b"<Hangup", completes=True))
    if ending == "hold":
        steps.append(Step("hold", "/twilio/voice/hold?cycle=0", {}, b"hold?cycle=1"))
    done = {"CallStatus": "completed", "CallDuration": "94", "Duration": "2"}
    steps.append(Step("status", "/twilio/status", done, b"<Response"))
    return tuple(steps)


STEPS = {name: steps_for(keys, ending) for name, _w, keys, ending in SCRIPTS}
WEIGHTS = [w for _n, w, _k, _e in SCRIPTS]
NAMES = [n for n, _w, _k, _e in SCRIPTS]


class Call:
    """One caller: its fixed Twilio fields and how far through its script it is."""

    _validator = RequestValidator(AUTH_TOKEN)

    def __init__(self, rnd: random.Random, script: str | None = None) -> None:
        self.sid = "CA" + uuid.UUID(int=rnd.getrandbits(128)).hex
        self.script = script or rnd.choices(NAMES, WEIGHTS)[0]
        self.steps = STEPS[self.script]
        self.pos = 0
        caller = f"+1{rnd.choice(['617', '508', '781', '857'])}{rnd.randint(2_000_000, 9_999_999)}"
        self.fields = {
            "AccountSid": ACCOUNT_SID,
            "ApiVersion": "2010-04-01",
            "CallSid": self.sid,
            "CallStatus": "in-progress",
            "Called": HOTLINE,
            "CalledCity": "BOSTON",
            "CalledCountry": "US",
            "CalledState": "MA",
            "CalledZip": "02108",
            "Caller": caller,
            "CallerCity": "CAMBRIDGE",
            "CallerCountry": "US",
            "CallerState": "MA",
            "CallerZip": "02139",
            "Direction": "inbound",
            "From": caller,
            "FromCity": "CAMBRIDGE",
            "FromCountry": "US",
            "FromState": "MA",
            "FromZip": "02139",
            "To": HOTLINE,
            "ToCity": "BOSTON",
            "ToCountry": "US",
            "ToState": "MA",
            "ToZip": "02108",
        }

    @property
    def step(self) -> Step:
        return self.steps[self.pos]

    def request(self, port: int, step: Step | None = None) -> bytes:
        """The signed HTTP/1.1 request for ``step`` (default: the next one)."""
        step = step or self.step
        params = {**self.fields, **step.extra}
        signature = self._validator.compute_signature(PUBLIC_URL + step.path, params)
        return http_post(port, step.path, urlencode(params).encode(), signature)


def http_post(port: int, path: str, body: bytes, signature: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: TwilioProxy/1.1\r\n"
        "Accept: */*\r\nCache-Control: max-age=259200\r\n"
        "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n\r\n"
    )
    return head.encode() + body
