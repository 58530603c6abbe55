"""The public request form's protections, decided here and applied by the edge.

A form is issued with a token ``issued.nonce.mac`` (HMAC-SHA256 under a key derived from
the program's secret); the page also sets the nonce in a cookie. A submission passes when,
in this order:

1. the **honeypot** field (hidden from people, filled in by bots) is empty;
2. the token's MAC is ours and the cookie holds the same nonce (**CSRF**: another site can
   neither read our token nor set our cookie), and the form is younger than ``max_age``;
3. at least ``min_seconds`` passed since the form was issued (**time to submit**: a person
   reads the safety notice; a script posts at once);
4. the submitting **address** is under ``per_address_per_hour`` submissions (the shared
   Redis rate limiter, keyed by an HMAC of the address, never the address itself; the
   nonce is the event, so sending the same form twice counts once).

The nonce also names the intake session, so a form sent twice makes one request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from usecases.ports import RateLimiter

HOUR = 3600.0


class FormRefusal(StrEnum):
    HONEYPOT = "honeypot"  # a bot: answered as if it worked, and nothing is kept
    EXPIRED = "expired"  # bad or stale token, or the cookie missing: send it again
    TOO_FAST = "too_fast"
    LIMITED = "limited"


@dataclass(frozen=True)
class FormLimits:
    min_seconds: float = 3.0
    max_age_seconds: float = 2 * HOUR
    per_address_per_hour: int = 5  # 0 = no limit


@dataclass(frozen=True)
class Issued:
    token: str  # the form's hidden field
    nonce: str  # the cookie's value, and the intake session's name


class FormGuard:
    def __init__(self, key: bytes, limiter: RateLimiter, limits: FormLimits) -> None:
        self._key, self.limiter, self.limits = key, limiter, limits

    def issue(self, now: float) -> Issued:
        nonce = secrets.token_urlsafe(18)
        issued = f"{int(now)}.{nonce}"
        return Issued(f"{issued}.{self._mac(issued)}", nonce)

    def check(
        self, token: str, cookie_nonce: str, honeypot: str, address: str, now: float
    ) -> FormRefusal | None:
        """Why this submission is refused, or None when it may go to the intake."""
        if honeypot.strip():
            return FormRefusal.HONEYPOT
        issued_at = self.verified(token, cookie_nonce)
        if issued_at is None or now - issued_at > self.limits.max_age_seconds:
            return FormRefusal.EXPIRED
        if now - issued_at < self.limits.min_seconds:
            return FormRefusal.TOO_FAST
        limit = self.limits.per_address_per_hour
        key = "web:" + self._mac(f"address:{address}")[:32]
        if limit and not self.limiter.admit(key, cookie_nonce, limit, HOUR):
            return FormRefusal.LIMITED
        return None

    def verified(self, token: str, cookie_nonce: str) -> float | None:
        """When the form was issued, if ``token`` is ours and matches the cookie."""
        issued, nonce, mac = [*token.split("."), "", "", ""][:3]
        if not (issued.isdigit() and nonce and cookie_nonce):
            return None
        good = hmac.compare_digest(mac.encode(), self._mac(f"{issued}.{nonce}").encode())
        if not good or not hmac.compare_digest(nonce.encode(), cookie_nonce.encode()):
            return None
        return float(issued)

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()


def form_key(master: bytes) -> bytes:
    """The form's MAC key, derived from the program's secret (never the secret itself)."""
    return hmac.new(master, b"peerline web form v1", hashlib.sha256).digest()
