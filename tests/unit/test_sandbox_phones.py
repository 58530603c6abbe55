"""The network model: numbers, segments, and what each leg's phone shows."""

import pytest

from sandbox.phones import Call, Direction, formatted, is_phone_number, segments


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("+16175550123", True),
        ("+18002738255", True),
        ("+447911123456", True),
        ("6175550123", False),
        ("+1617555", False),
        ("+1 617 555 0123", False),
        ("client:alice", False),
        ("anonymous", False),
    ],
)
def test_phone_numbers_are_valid_e164(number: str, valid: bool) -> None:
    assert is_phone_number(number) is valid


def test_formatting_matches_twilio() -> None:
    assert formatted("+16175550123") == "(617) 555-0123"
    assert formatted("+447911123456") == "+44 7911 123456"


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("", 1),
        ("x" * 160, 1),
        ("x" * 161, 2),
        ("x" * 306, 2),
        ("x" * 307, 3),
        ("[" * 80, 1),  # extension characters count twice
        ("[" * 81, 2),
        ("💊" * 35, 1),  # one emoji switches the whole message to UCS-2
        ("é" + "💊" * 35, 2),
    ],
)
def test_segments(body: str, count: int) -> None:
    assert segments(body) == count


@pytest.mark.parametrize(
    ("direction", "phone", "shown"),
    [
        (Direction.INBOUND, "+16175550123", "+16175550100"),
        (Direction.OUTBOUND_API, "+16175550102", "+16175550100"),
        (Direction.OUTBOUND_DIAL, "+16175550102", "+16175550100"),
    ],
)
def test_each_leg_knows_its_phone_and_the_caller_id_it_shows(
    direction: Direction, phone: str, shown: str
) -> None:
    if direction is Direction.INBOUND:
        call = Call("CA1", "AC1", "+16175550123", "+16175550100", direction, 0.0)
    else:
        call = Call("CA1", "AC1", "+16175550100", "+16175550102", direction, 0.0)
    assert call.phone == phone
    assert call.caller_id == shown
