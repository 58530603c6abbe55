"""Twilio's errors as Peerline's: which failures a retry can fix, which it can't, and which
are ours to fix rather than the destination's. One table, used by ``TwilioCarrier``.

From Twilio's error dictionary (https://www.twilio.com/docs/api/errors):

- **Retryable** — the request was never processed: HTTP 429 / 20429 ("never processed and
  always safe to retry"), 21611 (the From number's queue of messages is full), and a
  connection that was never made.
- **Ambiguous** — a 5xx, a read timeout, a reset: the request may have been carried out.
  ``usecases.outbound`` looks for it before anything is sent again.
- **Our configuration** (``CarrierConfigError``) — credentials, the From number, a URL:
  nothing about the destination, so no supporter's number is flagged for it; an operator
  must act.
- **The destination, for good** (``PermanentCarrierError``) — invalid, unreachable, not
  SMS-capable, opted out, geo permissions, and every other 4xx: the same request will get
  the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from requests.exceptions import ConnectTimeout
from twilio.base.exceptions import TwilioException, TwilioRestException
from urllib3.exceptions import ConnectTimeoutError

from usecases.errors import (
    AmbiguousCarrierError,
    CarrierConfigError,
    CarrierError,
    PermanentCarrierError,
    RetryableCarrierError,
)

RETRYABLE_CODES = frozenset({20429, 21611})
CONFIG_CODES = frozenset(
    {
        20003,  # authentication failed
        20005,  # account not active
        21205,  # Url is not a valid URL
        21210,  # 'From' phone number not verified
        21212,  # invalid 'From' / caller ID
        21213,  # 'From' is required
        21218,  # invalid ApplicationSid
        21603,  # 'From' is required (messages)
        21606,  # 'From' is not a valid, SMS-capable number for this account
        21659,  # 'From' is not a Twilio phone number
    }
)
PERMANENT_CODES = frozenset(
    {
        20404,  # no such resource (a call that is over)
        21201,  # no 'To' number
        21211,  # invalid 'To' number
        21214,  # 'To' cannot be reached
        21215,  # geo permissions: not authorized to call this number
        21216,  # not allowed to call this number (blocked, high risk)
        21217,  # 'To' is not a valid number
        21219,  # 'To' not verified (trial account)
        21220,  # call not in progress: the leg we tried to change has ended
        21401,  # invalid phone number
        21407,  # country not supported
        21408,  # permission to send to this region not enabled
        21601,  # 'To' is not a valid SMS number
        21608,  # 'To' not verified (trial account)
        21610,  # the recipient texted STOP
        21612,  # 'To' is not reachable for messages
        21614,  # 'To' is not a mobile number
        13223,  # <Dial>: invalid phone number format
        13224,  # <Dial>: invalid phone number
        13225,  # <Dial>: forbidden phone number
        13226,  # <Dial>: invalid country code
    }
)


@contextmanager
def translated() -> Iterator[None]:
    """Run a Twilio request; its failure comes out as a ``usecases.errors`` carrier error."""
    try:
        yield
    except TwilioRestException as exc:
        code = exc.code if isinstance(exc.code, int) else None
        raise _classified(exc.status, code) from exc
    except (TwilioException, OSError) as exc:
        if _never_sent(exc):
            raise RetryableCarrierError(type(exc).__name__) from exc
        raise AmbiguousCarrierError(type(exc).__name__) from exc  # a timeout, a reset


def _classified(status: int, code: int | None) -> Exception:
    what = f"twilio {status} {code}"
    if status == 429 or code in RETRYABLE_CODES:
        return RetryableCarrierError(what, code)
    if status >= 500:  # the request may have been carried out all the same
        return AmbiguousCarrierError(what, code)
    if code in CONFIG_CODES or status in (401, 403):
        return CarrierConfigError(what, code)
    if code in PERMANENT_CODES or 400 <= status < 500:
        return PermanentCarrierError(what, code)
    return CarrierError(what, code)  # anything stranger: the caller's generic handling


def _never_sent(exc: BaseException) -> bool:
    """The connection to Twilio was never made (refused, or timed out connecting)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, ConnectTimeout) or isinstance(reason, ConnectTimeoutError)
