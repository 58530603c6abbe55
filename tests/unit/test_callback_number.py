"""The voice edge's side of a keyed call-back number: the verdict the flow gets, the caller ID
test, and the read-back slot in saved TwiML."""

from __future__ import annotations

import pytest

from ivr.model import NumberCheck
from telephony.readback import SLOT, fill
from usecases.callback_number import callable_caller, check_keyed
from usecases.outbound_policy import OutboundPolicy, Refusal

US = OutboundPolicy.build(hotline="+16175550100", crisis_number="+18002738255")
NORTH_AMERICA = OutboundPolicy.build(
    hotline="+16175550100", crisis_number="+18002738255", countries=["US", "CA"]
)


@pytest.mark.parametrize(
    ("policy", "keys", "check", "number", "reason"),
    [
        (US, "6175550150#", NumberCheck.OK, "+16175550150", None),
        (US, "16175550150", NumberCheck.OK, "+16175550150", None),
        (US, "555#", NumberCheck.INVALID, None, Refusal.INVALID),
        (US, "9005550123#", NumberCheck.REFUSED, None, Refusal.PREFIX),
        (US, "011447400123456#", NumberCheck.US_ONLY, None, Refusal.COUNTRY),
        (US, "8095550123#", NumberCheck.US_ONLY, None, Refusal.COUNTRY),
        (NORTH_AMERICA, "8095550123#", NumberCheck.COUNTRY, None, Refusal.COUNTRY),
        (NORTH_AMERICA, "6135550123#", NumberCheck.OK, "+16135550123", None),
        (US, "6175550100#", NumberCheck.REFUSED, None, Refusal.OWN_NUMBER),
        (US, "8002738255#", NumberCheck.REFUSED, None, Refusal.CRISIS_LINE),
    ],
)
def test_keyed_numbers_get_the_verdict_the_flow_speaks(
    policy: OutboundPolicy,
    keys: str,
    check: NumberCheck,
    number: str | None,
    reason: Refusal | None,
) -> None:
    assert check_keyed(policy, keys) == (check, number, reason)


def test_a_caller_id_is_kept_only_when_we_may_call_it_back() -> None:
    assert callable_caller(US, "+16175551234") == "+16175551234"
    assert callable_caller(US, "+19005550123") is None
    assert callable_caller(US, "+447400123456") is None
    assert callable_caller(US, None) is None


def test_the_slot_is_filled_with_spoken_digits_or_left_alone() -> None:
    saved = f"<Response><Say>You entered {SLOT}.</Say></Response>"
    assert fill(saved, "+16175550150") == (
        "<Response><Say>You entered 6 1 7, 5 5 5, 0 1 5 0.</Say></Response>"
    )
    assert fill(saved, None) == "<Response><Say>You entered .</Say></Response>"
    assert fill("<Response/>", "+16175550150") == "<Response/>"
