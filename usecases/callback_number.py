"""A call-back number keyed in at the voice intake, or a caller ID: may Peerline call it
back? The outbound policy decides; the caller is told which sentence fits the refusal."""

from __future__ import annotations

from ivr.model import NumberCheck
from ivr.numbers import to_e164
from usecases.outbound_policy import OutboundPolicy, Purpose, Refusal


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
