"""``peerline twilio configure``: point the hotline number at Peerline, or say in one line
why not (exit 1), never with a traceback.

What can be known without asking Twilio is checked first: the sandbox's placeholder
credentials or a loopback public URL would only ever fail, or worse, succeed, against
the real API.
"""

from __future__ import annotations

import re
import sys
from urllib.parse import urlsplit

from twilio.base.exceptions import TwilioException, TwilioRestException

from peerline.settings import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, Settings
from telephony.carrier import configure_number, twilio_client

TWILIO_API = "https://api.twilio.com"
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def configure(settings: Settings) -> int:
    """Set the hotline number's voice, fallback, status and SMS URLs; the exit status."""
    if problem := _before_trying(settings):
        return _fail(problem)
    api = (settings.twilio_api_url or TWILIO_API).rstrip("/")
    client = twilio_client(
        settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(), api
    )
    try:
        sid = configure_number(client, settings.hotline_number, settings.public_base)
    except LookupError:
        return _fail(
            f"{settings.hotline_number} is not a number on Twilio account"
            f" {settings.twilio_account_sid}: set PEERLINE_HOTLINE_NUMBER to one it owns"
        )
    except TwilioRestException as exc:
        return _fail(_refused(exc.status, exc.code, exc.msg))
    except TwilioException as exc:  # a page that failed: the SDK keeps the response
        response = exc.args[1] if len(exc.args) > 1 else None
        status = getattr(response, "status_code", None)
        if status is None:
            return _fail(f"the Twilio API at {api} failed: {exc.args[0] if exc.args else exc}")
        return _fail(_refused(int(status), None, None))
    except OSError as exc:  # requests' connection errors and timeouts are OSErrors
        return _fail(f"could not reach the Twilio API at {api}: {_reason(exc)}")
    print(f"configured {sid}: voice, fallback, status and SMS URLs under {settings.public_base}")
    return 0


def _before_trying(settings: Settings) -> str | None:
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()
    if not sid or not token:
        return "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio console, Account info)"
    if settings.twilio_api_url:
        return None  # the sandbox or a test double: it decides what it accepts
    if sid == SANDBOX_ACCOUNT_SID or token == SANDBOX_AUTH_TOKEN:
        return (
            "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are the sandbox's placeholders, which"
            " Twilio refuses: set your account's (Twilio console, Account info)"
        )
    if not ACCOUNT_SID.fullmatch(sid):
        return "TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 hex digits)"
    host = urlsplit(settings.public_base).hostname or ""
    if host in ("localhost", "::1") or host.startswith("127.") or not host:
        return (
            f"PEERLINE_PUBLIC_URL is {settings.public_base}, which Twilio cannot reach:"
            " set it to this server's public https URL"
        )
    return None


def _refused(status: int, code: int | None, message: str | None) -> str:
    if status == 401:
        return (
            "Twilio refused the credentials (HTTP 401): check TWILIO_ACCOUNT_SID and"
            " TWILIO_AUTH_TOKEN (Twilio console, Account info)"
        )
    detail = f"HTTP {status}" + (f", error {code}" if code else "")
    first_line = (message or "").strip().splitlines()[:1]
    return f"Twilio answered {detail}" + (f": {first_line[0]}" if first_line else "")


def _reason(exc: BaseException) -> str:
    """The last ``[Errno n] reason`` in the chain ("Connection refused"), else its kind."""
    if found := _ERRNO.findall(str(exc)):
        return str(found[-1]).strip()
    if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
        return "no answer in time"
    return type(exc).__name__


def _fail(message: str) -> int:
    print(f"peerline: {message}", file=sys.stderr)
    return 1
