"""Webhooks as Twilio sends them: form-encoded, signed with ``X-Twilio-Signature``.

The signature is computed with twilio's own ``RequestValidator`` over the URL Twilio
would request (the public URL); the request itself may travel elsewhere (``route``),
e.g. to Peerline's loopback port or into an in-process app.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)
Params = Sequence[tuple[str, str]]


class HttpResponse(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


class HttpClient(Protocol):
    """What webhooks travel on: an ``httpx.Client``, or Starlette's ``TestClient``."""

    def post(self, url: str, *, content: str, headers: dict[str, str]) -> HttpResponse: ...

    def get(self, url: str, *, headers: dict[str, str]) -> HttpResponse: ...


@dataclass(frozen=True)
class Delivery:
    """One webhook request and what came back. ``error`` is set when none came back."""

    url: str  # as signed: the URL Twilio would request
    method: str
    params: tuple[tuple[str, str], ...]
    signature: str
    status_code: int | None = None
    body: str = ""
    content_type: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and self.status_code < 300

    @property
    def form(self) -> dict[str, str]:
        return dict(self.params)


class WebhookSender:
    """Signs and sends webhooks; keeps the most recent deliveries for inspection."""

    def __init__(
        self,
        http: HttpClient,
        auth_token: str,
        route: Callable[[str], str] = lambda url: url,
        keep: int = 2000,
    ) -> None:
        self._http = http
        self._validator = RequestValidator(auth_token)
        self._route = route
        self.deliveries: deque[Delivery] = deque(maxlen=keep)

    def send(self, url: str, params: Params, method: str = "POST") -> Delivery:
        """Send one webhook; never raises (a failure is a :class:`Delivery` with ``error``)."""
        pairs = tuple(params)
        if method == "GET":
            signed_url = url + ("&" if "?" in url else "?") + urlencode(pairs)
            signature = self._validator.compute_signature(signed_url, {})
        else:
            signed_url = url
            signature = self._validator.compute_signature(url, _Form(pairs))
        headers = {
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
        }
        target = self._route(signed_url)
        try:
            if method == "GET":
                response = self._http.get(target, headers=headers)
            else:
                headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
                response = self._http.post(target, content=urlencode(pairs), headers=headers)
        except Exception as exc:  # a crash inside an in-process app lands here too
            logger.warning("webhook %s %s failed: %s", method, url, type(exc).__name__)
            delivery = Delivery(signed_url, method, pairs, signature, error=repr(exc))
        else:
            delivery = Delivery(
                signed_url,
                method,
                pairs,
                signature,
                status_code=response.status_code,
                body=response.text,
                content_type=response.headers.get("content-type", ""),
            )
        self.deliveries.append(delivery)
        return delivery


class _Form:
    """Params in the shape RequestValidator signs, repeated keys included (``getlist``)."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]) -> None:
        self._pairs = pairs

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._pairs))

    def __len__(self) -> int:
        return len(self._pairs)

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self._pairs if k == key]
