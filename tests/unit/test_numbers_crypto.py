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


def legacy_token(master: bytes, plaintext: str, context: str, nonce: bytes = b"") -> bytes:
    """A ciphertext exactly as Peerline wrote them before key ids: nonce + sealed text."""
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(SHA256(), 32, None, b"peerline field encryption").derive(master)
    nonce = nonce or os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())


A, B = b"a" * 32, b"b" * 32


def test_ciphertexts_name_their_key_and_older_ones_are_still_read() -> None:
    old = FieldCipher(A)
    token = old.encrypt("+16175551234", context="caller")
    assert token[2:6] == bytes.fromhex(old.key_id)
    rotating = FieldCipher(B, [A])
    assert rotating.key_id != old.key_id
    assert rotating.decrypt(token, context="caller") == "+16175551234"
    assert not rotating.is_current(token, context="caller")
    fresh = rotating.encrypt("+16175551234", context="caller")
    assert rotating.is_current(fresh, context="caller")
    with pytest.raises(InvalidTag):
        FieldCipher(B).decrypt(token, context="caller")  # A dropped: A's tokens are gone
    with pytest.raises(InvalidTag):
        old.decrypt(fresh, context="caller")


def test_legacy_ciphertexts_without_a_key_id_are_read_under_any_key() -> None:
    token = legacy_token(A, "+16175551234", "phone")
    assert FieldCipher(A).decrypt(token, context="phone") == "+16175551234"
    assert FieldCipher(B, [A]).decrypt(token, context="phone") == "+16175551234"
    assert not FieldCipher(A).is_current(token, context="phone")  # rotated to the new format
    with pytest.raises(InvalidTag):
        FieldCipher(A).decrypt(token, context="caller")


def test_a_legacy_nonce_that_happens_to_look_like_a_header_still_reads() -> None:
    cipher = FieldCipher(A)
    unlucky = b"\xa7\x01" + bytes.fromhex(cipher.key_id) + b"123456"  # 1 in 2**48
    token = legacy_token(A, "+16175551234", "caller", nonce=unlucky)
    assert cipher.decrypt(token, context="caller") == "+16175551234"
    assert not cipher.is_current(token, context="caller")
    tampered = token[:-1] + bytes([token[-1] ^ 1])
    with pytest.raises(InvalidTag):
        cipher.decrypt(tampered, context="caller")


def test_lookups_match_every_key_and_writes_use_the_current_one() -> None:
    rotating = FieldCipher(B, [A, A])
    indexes = rotating.blind_indexes("+16175551234")
    assert indexes == (
        FieldCipher(B).blind_index("+16175551234"),
        FieldCipher(A).blind_index("+16175551234"),
    )  # current first, a repeated old key once
    assert rotating.blind_index("+16175551234") == indexes[0]
    assert FieldCipher(A).blind_indexes("+16175551234") == (
        FieldCipher(A).blind_index("+16175551234"),
    )
