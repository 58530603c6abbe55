"""The soak's people on the far end of Peerline's calls: supporters who accept, decline or
miss an offer, and callers who pick up the call back. Runs in a thread, answering every
call the fake carrier placed, and keeps when each call rang and when it ended.

A supporter who takes a call-back request stays on the line until the caller has joined
(then they talk), until Peerline ends or moves their call, or for ``PATIENCE`` seconds; a
supporter who leaves before the caller joined sends the request back to waiting."""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from tests.faults.plant import Plant
from tests.faults.services import PlacedCall

PATIENCE = 60.0  # seconds a supporter waits in the conference for a called-back caller


@dataclass
class Switchboard:
    plant: Plant
    rng: random.Random
    ended: dict[str, float] = field(default_factory=dict)  # call SID -> when it ended
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    busiest: str = ""  # last digits of the number that had most_at_once calls
    waiting: dict[str, tuple[PlacedCall, float]] = field(default_factory=dict)  # by request
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        handled = 0  # calls are answered in the order they were placed
        while not self._stop.is_set():
            calls = list(self.plant.carrier.placed)
            for call in calls[handled:]:
                try:
                    self._handle(call)
                except Exception as exc:  # reported by the test, never a silent hang
                    self.errors.append(f"{call.url}: {exc!r}")
                    self.ended[call.sid] = time.time()
            handled = len(calls)
            self._end_waits()
            self._stop.wait(0.05)

    def _handle(self, call: PlacedCall) -> None:
        if call.sid in self._canceled():
            self.ended[call.sid] = time.time()  # (canceled earlier: most_at_once uses that)
            self.outcomes["canceled before answer"] += 1
            return
        if "/twilio/callback" in call.url:
            self._caller_picks_up(call)
            return
        # A call is over, for the phone, the moment the press or hang-up that ends it is
        # sent: Peerline may ring the same phone again as soon as it hears of it.
        roll = self.rng.random()
        offer = call.query("offer")
        if roll < 0.25:
            self._post(call, "/twilio/offer", offer)
            self.ended[call.sid] = time.time()
            self._post(call, "/twilio/offer/answer", offer, Digits="2")
            self._status(call, "completed", "5")
            self.outcomes["declined"] += 1
        elif roll < 0.35:
            self.ended[call.sid] = time.time()
            self._status(call, "no-answer", "0")
            self.outcomes["no answer"] += 1
        else:
            self._post(call, "/twilio/offer", offer)
            self._post(call, "/twilio/offer/answer", offer, Digits="1")
            self.outcomes["accepted"] += 1
            if (request := self.plant.called_back(offer)) is not None:
                self.waiting[request] = (call, time.time())  # until the caller joins
                return
            self.ended[call.sid] = time.time()
            self._status(call, "completed", "120")  # a two-minute conversation

    def _caller_picks_up(self, call: PlacedCall) -> None:
        request = call.query("request")
        self._post(call, "/twilio/callback", request, key="request")
        self._post(call, "/twilio/callback/answer", request, key="request", Digits="1")
        self._post(call, "/twilio/callback/status", request, key="request", CallStatus="completed")
        self.ended[call.sid] = time.time()
        self.outcomes["call back answered"] += 1
        if (waited := self.waiting.pop(request, None)) is not None:
            self._leave(waited[0], "120")  # they talked, then the supporter hung up too

    def _end_waits(self) -> None:
        """Supporters whose call Peerline ended or moved, or who gave up waiting."""
        touched = self._touched()
        for request, (call, since) in list(self.waiting.items()):
            if call.sid in touched or time.time() - since > PATIENCE:
                del self.waiting[request]
                self._leave(call, "30")
                self.outcomes["left before the caller joined"] += call.sid not in touched

    def _leave(self, call: PlacedCall, duration: str) -> None:
        self.ended[call.sid] = time.time()
        self._status(call, "completed", duration)

    def _status(self, call: PlacedCall, status: str, duration: str) -> None:
        self._post(
            call,
            "/twilio/offer/status",
            call.query("offer"),
            CallStatus=status,
            CallDuration=duration,
        )

    def _post(
        self, call: PlacedCall, path: str, ident: str, key: str = "offer", **extra: str
    ) -> None:
        params = {
            "CallSid": call.sid,
            "From": call.from_,
            "To": call.to,
            "CallStatus": "in-progress",
            "Direction": "outbound-api",
            **extra,
        }
        response = self.plant.web.signed_post(f"{path}?{key}={ident}", params)
        assert response.status_code == 200, (path, response.status_code)

    def _touched(self) -> set[str]:
        with contextlib.suppress(Exception):
            return {u["sid"] for u in self.plant.carrier.updates}
        return set()

    def _canceled(self) -> set[str]:
        with contextlib.suppress(Exception):
            return {u["sid"] for u in self.plant.carrier.updates if u.get("Status") == "canceled"}
        return set()

    def most_at_once(self) -> int:
        """The largest number of calls ringing or live to one number at the same moment
        (a call the switchboard never ended counts until now, or until it was canceled)."""
        canceled_at = {
            u["sid"]: float(u["at"]) for u in self.plant.carrier.updates if u.get("Status")
        }
        by_number: dict[str, list[tuple[float, int]]] = defaultdict(list)
        now = time.time()
        for call in self.plant.carrier.placed:
            ends = [t for t in (self.ended.get(call.sid), canceled_at.get(call.sid)) if t]
            end = min(ends) if ends else now
            by_number[call.to] += [(call.at, 1), (end, -1)]
        most = 0
        for number, edges in by_number.items():
            current = 0
            for _at, step in sorted(edges, key=lambda e: (e[0], e[1])):
                current += step
                if current > most:
                    most, self.busiest = current, number[-4:]
        return most
