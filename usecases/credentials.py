"""Passwords (argon2id), random bearer secrets and their digests, and TOTP codes.

A session id or API token is 32 random bytes, so storing its SHA-256 digest is enough:
nobody can guess a preimage, and lookups stay one indexed query. Passwords are low in
entropy and get argon2id. TOTP codes are checked one step either side of now, and a step
once used is refused (``AccountStore.use_totp_step``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from usecases.errors import Invalid

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
TOTP_ISSUER = "Peerline"

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy() -> str:
    return _hasher.hash("peerline: nobody has this password")


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid([f"password must be at least {MIN_PASSWORD} characters"])
    if len(password) > MAX_PASSWORD:
        raise Invalid([f"password must be at most {MAX_PASSWORD} characters"])


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (``stored`` None checks a dummy)."""
    try:
        return bool(_hasher.verify(stored or _dummy(), password[:MAX_PASSWORD])) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, account_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, or one either side), or None if it is wrong."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None
