"""The fake Twilio REST API the worker rig runs as a child (``worker_rig.py twilio ...``)."""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from answering import Answering
from calls import HOST
from children import ACCOUNT_SID

HANG_SECONDS = 900  # a "hung" Twilio request: longer than any bench runs


class FakeTwilio(ThreadingHTTPServer):
    """Answers Calls.json, Calls/{sid}.json and Messages.json the way Twilio does.

    Every request is one JSON line in ``log``: monotonic arrival time (CLOCK_MONOTONIC,
    comparable across processes on this host), kind, HTTP status and the offer id in the
    call's Url. With ``min_gap`` > 0 a Calls.json arriving less than ``min_gap`` seconds
    after the last accepted one is refused with 429 / 20429, as Twilio refuses excess
    concurrency ("never processed and always safe to retry").
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, log: Path, min_gap: float, answer_port: int = 0) -> None:
        super().__init__((HOST, port), _Handler)
        self.log = log.open("a", buffering=1)
        self.min_gap = min_gap
        self.lock = threading.Lock()
        self.last_accepted: float | None = None
        self.hang = 0
        self.sids = 0
        # B11: supporters answer and press 1 at once, redirected callers follow at once
        self.answering = Answering(answer_port, ACCOUNT_SID, self.write) if answer_port else None

    def write(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response, sent at once: unbuffered, the header and body went out as two
    # segments and the second waited for the client's delayed ACK (Nagle), ~20 ms a call.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: FakeTwilio

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._send(200, {"ok": True})

    def do_POST(self) -> None:
        arrived = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        path = urlsplit(self.path)
        srv = self.server
        if path.path == "/bench/hang":
            with srv.lock:
                srv.hang += int(parse_qs(path.query)["n"][0])
            self._send(200, {"ok": True})
            return
        if path.path.endswith("/Calls.json"):
            kind = "call"
        elif path.path.endswith("/Messages.json"):
            kind = "sms"
        elif "/Calls/" in path.path:
            kind = "update"
        else:
            self._send(404, {"code": 20404, "message": "not found", "status": 404})
            return
        with srv.lock:
            srv.sids += 1
            sid = ("CA" if kind != "sms" else "SM") + f"{srv.sids:032x}"
            status = 200 if kind == "update" else 201
            if kind == "call" and srv.hang > 0:
                srv.hang -= 1
                status = 0  # never answered
            elif kind == "call" and srv.min_gap > 0:
                last = srv.last_accepted
                if last is not None and arrived - last < srv.min_gap:
                    status = 429
            if kind == "call" and status == 201:
                srv.last_accepted = arrived
            offer = parse_qs(urlsplit(form.get("Url", "")).query).get("offer", [""])[0]
            entry = {"t": arrived, "kind": kind, "status": status, "offer": offer, "sid": sid}
            entry.update(to=form.get("To", ""), pid=os.getpid(), path=path.path)
            srv.log.write(json.dumps(entry) + "\n")
        if srv.answering is not None and status in (200, 201):
            if kind == "call":
                srv.answering.call_placed(sid, form)
            elif kind == "update":
                srv.answering.call_updated(path.path.rsplit("/", 1)[-1].removesuffix(".json"), form)
        if status == 0:
            time.sleep(HANG_SECONDS)
            return
        if status == 429:
            self._send(429, {"code": 20429, "message": "Too Many Requests", "status": 429})
            return
        resource = {
            "sid": sid,
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "status": form.get("Status") or "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "direction": "outbound-api",
            "date_created": None,
            "date_updated": None,
            "start_time": None,
            "end_time": None,
            "uri": path.path,
        }
        if kind == "sms":
            resource.update(body=form.get("Body"), num_segments="1")
        self._send(status, resource)

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
