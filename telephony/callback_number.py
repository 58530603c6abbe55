"""A call-back number keyed in at the voice intake: checked against the outbound policy, read
back for the caller to confirm, and never kept in the clear.

The read-back turn's TwiML holds the digits. Every turn's document is saved to answer
Twilio's re-deliveries, so that one is saved with ``SLOT`` where the digits go, and the
digits are put in when it is served, from the number kept encrypted on the session.
"""

from __future__ import annotations

from ivr.digits import spoken_digits
from ivr.model import NumberCheck
from telephony.numbers import readback_digits, to_e164
from usecases.outbound_policy import OutboundPolicy, Purpose, Refusal

SLOT = "PEERLINE-READBACK-DIGITS"  # letters and hyphens: survives XML escaping unchanged


def check_keyed(
    policy: OutboundPolicy, digits: str
) -> tuple[NumberCheck, str | None, Refusal | None]:
    """The caller's keys as the flow's verdict, the E.164 number when it passed, and the
    policy's reason when it did not (``INVALID`` for keys that are no number at all)."""
    number = to_e164(digits.rstrip("#"))
    if number is None:
        return NumberCheck.INVALID, None, Refusal.INVALID
    verdict = policy.check(number, Purpose.CALL_BACK)
    if verdict.reason is None:
        return NumberCheck.OK, number, None
    return for_caller(policy, verdict.reason), None, verdict.reason


def for_caller(policy: OutboundPolicy, reason: Refusal) -> NumberCheck:
    """Which sentence a refusal earns: the caller is told the country rule plainly."""
    if reason is Refusal.INVALID:
        return NumberCheck.INVALID
    if reason is Refusal.COUNTRY:
        return NumberCheck.US_ONLY if policy.us_only else NumberCheck.COUNTRY
    return NumberCheck.REFUSED


def callable_caller(policy: OutboundPolicy, caller: str | None) -> str | None:
    """The caller ID if we may call it back; None when withheld or refused by the policy."""
    return caller if caller is not None and caller_refusal(policy, caller) is None else None


def caller_refusal(policy: OutboundPolicy, caller: str | None) -> Refusal | None:
    """Why a caller ID can't be called back (None: it can, or there is none)."""
    return None if caller is None else policy.check(caller, Purpose.CALL_BACK).reason


def fill(document: str, number: str | None) -> str:
    """``document`` with the read-back digits in place of ``SLOT`` (a no-op without it)."""
    if SLOT not in document:
        return document
    return document.replace(SLOT, spoken_digits(readback_digits(number)) if number else "")
