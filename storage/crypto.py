"""Phone numbers at rest: AES-GCM encryption plus an HMAC blind index for lookups, under a
current key and, while a rotation runs, older ones."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE = 12
_TAG = 16
# Versioned format 1: magic and version, the key's id, the nonce, the sealed text. Before
# key ids, a ciphertext was the nonce and the sealed text alone ("legacy"); both are read.
_MAGIC = b"\xa7\x01"
_KEY_ID = 4
_HEADER = len(_MAGIC) + _KEY_ID


class _Key:
    """One master key: its id, its AEAD and its blind-index key (both derived with HKDF)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < 32:
            raise ValueError("the secret key must be at least 32 bytes")
        self.id = _derive(master_key, b"peerline key id", _KEY_ID)
        self.aead = AESGCM(_derive(master_key, b"peerline field encryption"))
        self.index_key = _derive(master_key, b"peerline blind index")

    def open(self, sealed: bytes, context: str) -> str:
        return self.aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], context.encode()).decode()

    def index(self, value: str) -> str:
        return hmac.new(self.index_key, value.encode(), hashlib.sha256).hexdigest()


class FieldCipher:
    """Encrypts small fields (phone numbers) and derives a stable blind index for them.

    Writes use the current key only; ciphertexts name it by id. Older keys (during a
    rotation, ``peerline keys rotate``) are read and looked up, never written: a stored
    value is found under whichever key wrote it. The column name is the associated data,
    so a ciphertext can't be moved to another column.
    """

    def __init__(self, master_key: bytes, old_keys: Sequence[bytes] = ()) -> None:
        current = _Key(master_key)
        keys = {current.id: current}
        for key in map(_Key, old_keys):
            keys.setdefault(key.id, key)
        self._current = current
        self._keys = list(keys.values())  # the current key first
        self._by_id = keys

    @property
    def key_id(self) -> str:
        """The current key's id (hex): what every new ciphertext carries."""
        return self._current.id.hex()

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        nonce = os.urandom(_NONCE)
        sealed = self._current.aead.encrypt(nonce, plaintext.encode(), context.encode())
        return _MAGIC + self._current.id + nonce + sealed

    def decrypt(self, token: bytes, *, context: str) -> str:
        """Under the key the token names, or (a legacy token) whichever key opens it."""
        key = self._by_id.get(token[len(_MAGIC) : _HEADER]) if _versioned(token) else None
        if key is not None:
            try:
                return key.open(token[_HEADER:], context)
            except InvalidTag:
                pass  # a legacy token whose random nonce began like a header
        for key in self._keys:
            try:
                return key.open(token, context)
            except InvalidTag:
                continue
        raise InvalidTag()

    def is_current(self, token: bytes, *, context: str) -> bool:
        """Written under the current key, in the current format (nothing to rotate)."""
        if not (_versioned(token) and token[len(_MAGIC) : _HEADER] == self._current.id):
            return False
        try:
            self._current.open(token[_HEADER:], context)
        except InvalidTag:
            return False
        return True

    def blind_index(self, value: str) -> str:
        """The index under the current key: what is written."""
        return self._current.index(value)

    def blind_indexes(self, value: str) -> tuple[str, ...]:
        """The index under every key, the current first: what a lookup must match."""
        return tuple(key.index(value) for key in self._keys)


def _versioned(token: bytes) -> bool:
    return token.startswith(_MAGIC) and len(token) >= _HEADER + _NONCE + _TAG


def _derive(master: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=SHA256(), length=length, salt=None, info=info).derive(master)


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
