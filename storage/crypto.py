"""Phone numbers at rest: AES-GCM encryption plus an HMAC blind index for lookups."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12


class FieldCipher:
    """Encrypts small fields (phone numbers) and derives a stable blind index for them.

    One master key; two sub-keys derived with HKDF so the index key never encrypts.
    """

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < 32:
            raise ValueError("the secret key must be at least 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"peerline field encryption"))
        self._index_key = _derive(master_key, b"peerline blind index")

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def decrypt(self, token: bytes, *, context: str) -> str:
        return self._aead.decrypt(token[:_NONCE], token[_NONCE:], context.encode()).decode()

    def blind_index(self, value: str) -> str:
        return hmac.new(self._index_key, value.encode(), hashlib.sha256).hexdigest()


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(master)


def decode_key(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))


def load_or_create_key(path: Path) -> bytes:
    """The laptop-mode key: read ``path``, or create it (mode 0600) on first use."""
    if path.exists():
        return decode_key(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.urlsafe_b64encode(key).decode())
    return key
