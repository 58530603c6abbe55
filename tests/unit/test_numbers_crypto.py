from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from ivr.numbers import to_e164
from storage.crypto import FieldCipher, load_or_create_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+16175551234", "+16175551234"),
        ("(617) 555-1234", "+16175551234"),
        ("+442071838750", "+442071838750"),
        ("anonymous", None),
        ("Restricted", None),
        ("+266696687", None),
        ("+86282452253", None),
        ("client:alice", None),
        ("", None),
        (None, None),
        ("1" * 60, None),
        ("+1555", None),
    ],
)
def test_to_e164(raw: str | None, expected: str | None) -> None:
    assert to_e164(raw) == expected


def test_cipher_round_trip_with_random_nonces() -> None:
    cipher = FieldCipher(b"k" * 32)
    a = cipher.encrypt("+16175551234", context="caller")
    b = cipher.encrypt("+16175551234", context="caller")
    assert a != b and b"6175551234" not in a
    assert cipher.decrypt(a, context="caller") == "+16175551234"


def test_ciphertext_is_bound_to_its_column() -> None:
    cipher = FieldCipher(b"k" * 32)
    token = cipher.encrypt("+16175551234", context="caller")
    with pytest.raises(InvalidTag):
        cipher.decrypt(token, context="supporter")


def test_blind_index_is_stable_keyed_and_not_the_number() -> None:
    one, two = FieldCipher(b"k" * 32), FieldCipher(b"j" * 32)
    assert one.blind_index("+16175551234") == one.blind_index("+16175551234")
    assert one.blind_index("+16175551234") != two.blind_index("+16175551234")
    assert "6175551234" not in one.blind_index("+16175551234")


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        FieldCipher(b"short")


def test_laptop_key_is_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    first = load_or_create_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(path) == first
    assert len(first) == 32
