"""Webhook verification: size and type limits, then Twilio's own ``RequestValidator``."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from twilio.request_validator import RequestValidator

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class WebhookGuard:
    """Everything needed to check a webhook; one per app, built in the composition root."""

    validator: RequestValidator
    public_base: str  # PEERLINE_PUBLIC_URL without the trailing slash
    max_body_bytes: int

    def genuine(self, url: str, form: dict[str, list[str]], signature: str) -> bool:
        """Twilio signed ``form`` posted to ``url``.

        ``RequestValidator.validate`` computes two signatures, for the URL with and without
        its port; Twilio signs the URL as we configured it, so that one is tried alone
        first. The full check decides whenever it does not match.
        """
        ours = self.validator.compute_signature(url, form)
        if hmac.compare_digest(ours.encode(), signature.encode()):
            return True
        return bool(self.validator.validate(url, form, signature))

    def url_of(self, request: Request) -> str:
        """The URL Twilio signed: our public base plus the raw path and query, untouched."""
        query = request.url.query
        return self.public_base + request.url.path + (f"?{query}" if query else "")


async def verified_form(request: Request) -> FormData:
    """The form fields of a genuine Twilio webhook; else 403, 413 or 415."""
    guard: WebhookGuard = request.app.state.guard
    signature = request.headers.get("x-twilio-signature", "")
    if not signature:
        raise HTTPException(403, "missing X-Twilio-Signature")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > guard.max_body_bytes:
        raise HTTPException(413, "body too large")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        raise HTTPException(415, "Twilio webhooks are form-encoded")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > guard.max_body_bytes:
            raise HTTPException(413, "body too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(400, "malformed form body") from exc
    fields: list[tuple[str, str | UploadFile]] = list(pairs)
    if not guard.genuine(guard.url_of(request), _Signed(pairs), signature):
        raise HTTPException(403, "bad X-Twilio-Signature")
    return FormData(fields)


class _Signed(dict[str, list[str]]):
    """The form as ``RequestValidator`` reads it: each name with all its values. Starlette's
    ``FormData.getlist`` scans every field for each name, which made the check quadratic."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getlist(self, name: str) -> list[str]:
        return self[name]
