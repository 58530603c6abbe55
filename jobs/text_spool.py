"""Where an inbound text waits while the database is away (``usecases.ports.TextSpool``).

Redis first (a hash keyed by MessageSid, so Twilio's re-deliveries are one entry); when
Redis is away too, one file per message under ``var_dir/spool/sms`` (mode 0600, written to
a temporary name and renamed, so a crash never leaves half a file). Either way the entry
is sealed with the field cipher: the sender's number and the body are never stored in the
clear, and a key rotation leaves old entries readable (``PEERLINE_OLD_SECRET_KEYS``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from storage.crypto import FieldCipher
from usecases.inbound import Text

logger = logging.getLogger(__name__)

KEY = "peerline:sms:spool"
CONTEXT = "sms_spool"  # AEAD associated data: an entry can't pass for another field
REDIS_PREFIX = "redis:"
FILE_PREFIX = "file:"


class TextSpool:
    def __init__(self, redis: Redis, directory: Path, cipher: FieldCipher) -> None:
        self.redis, self.directory, self.cipher = redis, directory, cipher

    def keep(self, text: Text) -> None:
        entry = {"sid": text.message_sid, "from": text.sender, "body": text.body}
        sealed = self.cipher.encrypt(json.dumps({**entry, "at": time.time()}), context=CONTEXT)
        try:
            self.redis.hsetnx(KEY, text.message_sid, sealed)
            return
        except RedisError:
            pass  # Redis is away as well: the disk will do
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.directory / f"{_file_name(text.message_sid)}.sms"
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)

    def pending(self, limit: int) -> list[tuple[str, Text]]:
        found: list[tuple[float, str, Text]] = []
        if self.directory.is_dir():
            for path in sorted(self.directory.glob("*.sms"))[:limit]:
                if opened := self._open(path.read_bytes()):
                    found.append((opened[0], FILE_PREFIX + path.name, opened[1]))
        with contextlib.suppress(RedisError):  # Redis away: the files still replay
            for sid, sealed in list(self.redis.hscan_iter(KEY, count=limit))[:limit]:
                if opened := self._open(sealed):
                    found.append((opened[0], REDIS_PREFIX + sid.decode(), opened[1]))
        found.sort(key=lambda item: item[0])
        return [(key, text) for _at, key, text in found[:limit]]

    def done(self, key: str) -> None:
        if key.startswith(REDIS_PREFIX):
            self.redis.hdel(KEY, key.removeprefix(REDIS_PREFIX))
        elif key.startswith(FILE_PREFIX):
            (self.directory / key.removeprefix(FILE_PREFIX)).unlink(missing_ok=True)

    def _open(self, sealed: bytes) -> tuple[float, Text] | None:
        try:
            entry = json.loads(self.cipher.decrypt(sealed, context=CONTEXT))
        except Exception:  # sealed under a key we no longer hold: nobody can read it
            logger.error("a spooled text can't be opened with the current keys; left in place")
            return None
        return float(entry["at"]), Text(entry["sid"], entry["from"], entry["body"])


def _file_name(message_sid: str) -> str:
    """A name safe on any file system, whatever the MessageSid holds."""
    return hashlib.sha256(message_sid.encode()).hexdigest()[:32]
