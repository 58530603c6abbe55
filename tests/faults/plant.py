"""The plant a fault test drives: child processes, intakes by voice and text, and the
invariants every fault test asserts (``Plant.tally``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select

from storage.crypto import FieldCipher
from storage.dispatch_models import Offer
from storage.models import OPEN_REQUEST_STATUSES, HelpRequest
from storage.roster import NewSupporter, RosterStore
from tests.faults.services import (
    FakeTwilio,
    PlacedCall,
    PrivateRedis,
    RefusingProxy,
    wait_for,
)
from tests.twilio_driver import TwilioDriver

ROOT = Path(__file__).parents[2]
HOLD = ["1", "1", "1", "3", "1", "2"]  # English, nurse, today, no preference, stay on the line
CALL_BACK = ["1", "1", "1", "3", "2", "1", "1", "2"]  # ... call me back, asap, any role
# welcome, English, nurse, today, any, back, asap, another role is fine
TEXTS = ["hello", "1", "1", "1", "3", "1", "1", "1", "2"]  # ..., no follow-up text


def supporter_number(index: int) -> str:
    return f"+1201230{index:04d}"


def caller_number(index: int) -> str:
    return f"+1617230{index:04d}"


def texter_number(index: int) -> str:
    return f"+1312230{index:04d}"


@dataclass
class Tally:
    """What happened to the intakes, from the database and the fake carrier's own record."""

    intakes: int
    rows: int  # request rows of these intakes
    missing: list[str]  # intakes without a request row
    doubled: list[str]  # intakes with more than one
    undispatched: list[str]  # requests no call was placed for
    offers_dialed_twice: list[str]  # offers the carrier placed more than one call for
    rung_twice: list[tuple[str, str]]  # (request, number) rung more than once
    calls_per_request: dict[str, int]  # calls placed for each request
    open: int
    terminal: int

    def assert_exactly_once(self, *, one_call_each: bool = True) -> None:
        """Every intake one request row, every request rung, no offer dialed twice, no
        number rung twice for one request; ``one_call_each``: nobody declined or missed a
        call, so each request rang exactly one phone."""
        assert self.missing == [] and self.doubled == [], self
        assert self.rows == self.intakes, self
        assert self.undispatched == [], self
        assert self.offers_dialed_twice == [], self
        assert self.rung_twice == [], self
        if one_call_each:
            extra = {rid: n for rid, n in self.calls_per_request.items() if n != 1}
            assert extra == {}, f"requests rung more than once: {extra}"


@dataclass
class Plant:
    settings: object
    env: dict[str, str]
    logs: Path
    redis: PrivateRedis
    proxy: RefusingProxy | None
    carrier: FakeTwilio
    engine: Engine
    web: TwilioDriver
    roster: RosterStore
    cipher: FieldCipher
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)  # one per intake

    # -- processes ------------------------------------------------------------------------
    def start(self, name: str) -> subprocess.Popen[bytes]:
        """``worker``/``worker-2`` … or ``scheduler``, as a child process logging to logs/."""
        args = ["worker"] if name.startswith("worker") else ["scheduler", "--interval", "0.5"]
        self.logs.mkdir(parents=True, exist_ok=True)
        out = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "peerline", *args],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        self.children[name] = proc
        return proc

    def kill(self, name: str) -> None:
        """SIGKILL a child and its work horse (RQ gives each horse its own process group)."""
        proc = self.children[name]
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        horses = [int(c) for c in kids.read_text().split()] if kids.exists() else []
        for pid in horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_children(self) -> None:
        """SIGKILL whatever is left (a test's processes owe nobody a warm shutdown)."""
        for name, proc in self.children.items():
            if proc.poll() is None:
                self.kill(name)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- people -----------------------------------------------------------------------------
    def supporters(self, count: int) -> list[str]:
        numbers = [supporter_number(i) for i in range(count)]
        self.roster.add_supporters(
            [
                NewSupporter(
                    name=f"Peer {i}",
                    phone=number,
                    role="nurse",
                    organization="Tufts Medical Center",
                    languages=("en",),
                    on_shift=True,
                )
                for i, number in enumerate(numbers)
            ]
        )
        return numbers

    def call(self, index: int, keys: list[str] = CALL_BACK) -> str:
        """A caller goes through the voice intake; returns the call's SID."""
        call = self.web.call(caller=caller_number(index))
        call.start()
        for key in keys:
            call.press(key)
        self.numbers.append(call.caller)
        return call.sid

    def text(self, index: int, bodies: list[str] = TEXTS, first: int = 0) -> list[str]:
        """Texts ``bodies[first:]`` from texter ``index``; the replies Peerline gave."""
        sender = texter_number(index)
        if first == 0:
            self.numbers.append(sender)
        replies = []
        for turn, body in enumerate(bodies[first:], start=first):
            response = self.web.signed_post(
                "/twilio/sms",
                {
                    "MessageSid": f"SM{index:016x}{turn:016x}",
                    "From": sender,
                    "To": "+16175550100",
                    "Body": body,
                },
            )
            assert response.status_code == 200, response.text
            replies.append(response.text)
        return replies

    def answer(self, call: PlacedCall, digits: str = "1") -> str:
        """The supporter picks up ``call`` and presses ``digits``; the TwiML they got."""
        offer = call.query("offer")
        params = {
            "CallSid": call.sid,
            "From": call.from_,
            "To": call.to,
            "CallStatus": "in-progress",
            "Direction": "outbound-api",
        }
        whisper = self.web.signed_post(f"/twilio/offer?offer={offer}", params)
        assert whisper.status_code == 200 and "<Gather" in whisper.text, whisper.text
        reply = self.web.signed_post(
            f"/twilio/offer/answer?offer={offer}", {**params, "Digits": digits}
        )
        assert reply.status_code == 200, reply.text
        return str(reply.text)

    # -- what happened ------------------------------------------------------------------------
    def requests(self) -> list[tuple[str, str | None, str]]:
        with self.engine.connect() as db:
            rows = db.execute(select(HelpRequest.id, HelpRequest.caller_index, HelpRequest.status))
            return [(r.id, r.caller_index, r.status) for r in rows]

    def open_requests(self) -> list[tuple[str, str, str, str]]:
        """Requests not ended yet: (id, status, dispatch state, contact mode)."""
        with self.engine.connect() as db:
            rows = db.execute(
                select(
                    HelpRequest.id,
                    HelpRequest.status,
                    HelpRequest.dispatch_state,
                    HelpRequest.contact_mode,
                ).where(HelpRequest.status.in_(OPEN_REQUEST_STATUSES))
            )
            return [(r.id, r.status, r.dispatch_state, r.contact_mode) for r in rows]

    def dispatched(self) -> set[str]:
        """Requests at least one call was placed for."""
        offers = self._offers()
        return {offers[c.query("offer")] for c in self.carrier.placed if c.query("offer") in offers}

    def wait_dispatched(self, timeout: float) -> float:
        return wait_for(
            lambda: len(self.dispatched()) >= len(self.numbers), timeout, "every request rung"
        )

    def wait_quiet(self, seconds: float) -> None:
        """Wait until the carrier has answered everything and had no new call for
        ``seconds``."""
        seen, since = -1, time.monotonic()
        while time.monotonic() - since < seconds:
            if self.carrier.attempts != seen or self.carrier.in_flight:
                seen, since = self.carrier.attempts, time.monotonic()
            time.sleep(0.2)

    def tally(self) -> Tally:
        rows = self.requests()
        by_index = Counter(index for _id, index, _status in rows)
        missing, doubled = [], []
        for number in self.numbers:
            count = by_index[self.cipher.blind_index(number)]
            if count == 0:
                missing.append(number[-4:])
            elif count > 1:
                doubled.append(number[-4:])
        offers = self._offers()
        rung = [c for c in self.carrier.placed if c.query("offer")]  # supporters' calls
        per_offer = Counter(c.query("offer") for c in rung)
        per_request_number = Counter((offers.get(c.query("offer"), "?"), c.to) for c in rung)
        dispatched = self.dispatched()
        return Tally(
            intakes=len(self.numbers),
            rows=sum(by_index[self.cipher.blind_index(n)] for n in self.numbers),
            missing=missing,
            doubled=doubled,
            undispatched=[rid for rid, _index, _status in rows if rid not in dispatched],
            offers_dialed_twice=[o for o, n in per_offer.items() if n > 1],
            rung_twice=[pair for pair, n in per_request_number.items() if n > 1],
            calls_per_request=dict(Counter(rid for rid, _to in per_request_number.elements())),
            open=sum(status in OPEN_REQUEST_STATUSES for *_, status in rows),
            terminal=sum(status not in OPEN_REQUEST_STATUSES for *_, status in rows),
        )

    def called_back(self, offer_id: str) -> str | None:
        """The request behind ``offer_id`` when its caller is to be called back (call back or
        text first): the supporter who took it waits in the conference for that caller."""
        with self.engine.connect() as db:
            row = db.execute(
                select(HelpRequest.id, HelpRequest.contact_mode)
                .join(Offer, Offer.request_id == HelpRequest.id)
                .where(Offer.id == offer_id)
            ).first()
        return None if row is None or row.contact_mode == "hold" else str(row.id)

    def _offers(self) -> dict[str, str]:
        with self.engine.connect() as db:
            return {
                row.id: row.request_id for row in db.execute(select(Offer.id, Offer.request_id))
            }
