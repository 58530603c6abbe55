"""Settings that are only safe on a laptop, refused before a process starts (deployment checks).

A Peerline whose public URL is not a loopback address faces the world: the sandbox's
placeholder Twilio credentials (published in this repository, so anyone could sign a
webhook) and a secret key generated into ``var/`` (lost with the disk, so every stored
number with it) are refused there, with one line saying what to set. The sandbox carrier
has no authentication of its own and listens on loopback only; ``peerline run`` will not
start it beside a web process listening anywhere else.
"""

from __future__ import annotations

import binascii
import ipaddress
from urllib.parse import urlsplit

from peerline.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Settings
from storage.crypto import decode_key

MIN_KEY_BYTES = 32


def is_loopback_host(host: str) -> bool:
    """``localhost`` (and ``*.localhost``), 127.0.0.0/8 or ``::1``; anything else is not."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_local(settings: Settings) -> bool:
    """True when the public URL (``http://host:port`` if unset) names this machine only."""
    return is_loopback_host(urlsplit(settings.public_base).hostname or "")


def deployment_refusal(settings: Settings) -> str | None:
    """The one line to exit with, or None when the settings are safe to start with."""
    problems = _key_problems(settings)
    exposed = [] if is_local(settings) else _laptop_only(settings)
    if exposed:
        where = f"PEERLINE_PUBLIC_URL {settings.public_base} is not loopback"
        problems.append(f"{where}, and " + " and ".join(exposed))
    return "peerline: refusing to start: " + "; ".join(problems) if problems else None


def _laptop_only(settings: Settings) -> list[str]:
    found = []
    if (
        settings.twilio_account_sid == SANDBOX_ACCOUNT_SID
        or settings.twilio_auth_token.get_secret_value() == SANDBOX_AUTH_TOKEN
    ):
        found.append(
            "TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN are the sandbox's placeholders "
            "(set your Twilio account's)"
        )
    if settings.secret_key is None:
        found.append("PEERLINE_SECRET_KEY is not set (a key generated into var/ is for a laptop)")
    return found


def sandbox_refusal(settings: Settings) -> str | None:
    """Why the sandbox carrier must not start beside this web process, or None."""
    if is_loopback_host(settings.host):
        return None
    return (
        f"peerline: refusing to start the sandbox carrier with PEERLINE_HOST={settings.host}: "
        "the sandbox and its placeholder credentials are for loopback only "
        "(use --no-sandbox, or PEERLINE_HOST=127.0.0.1)"
    )


def _key_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.secret_key is not None and not _usable(settings.secret_key.get_secret_value()):
        problems.append(f"PEERLINE_SECRET_KEY is not urlsafe base64 of {MIN_KEY_BYTES}+ bytes")
    if not all(_usable(key) for key in settings.old_keys()):
        problems.append(
            f"PEERLINE_OLD_SECRET_KEYS holds a key that is not urlsafe base64 of "
            f"{MIN_KEY_BYTES}+ bytes"
        )
    return problems


def _usable(text: str) -> bool:
    try:
        return len(decode_key(text)) >= MIN_KEY_BYTES
    except (binascii.Error, ValueError):
        return False
