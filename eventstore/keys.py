"""Keys for encryption at rest, and their destruction (crypto-shredding).

Each case's events are encrypted with a key of its own; every other stream (audits, exports,
governance actions, processes) shares one store key. The keys are kept wrapped (AES-GCM) under
a master key from configuration (`SAFEGUARD_MASTER_KEY`, base64 of 32 bytes), in a key store
apart from the events: a SQLite file (`<data_dir>/keys.sqlite` by default).

Shredding a case's key overwrites it (SQLite `secure_delete`, then VACUUM), so neither the
key nor, with it, the case's encrypted events can be read back; the row keeps the date it was
shredded on, so the case reads as "erased under retention on DATE".
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from base64 import b64decode, b64encode
from datetime import date
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

STORE_KEY = UUID(int=0)  # the row of the key shared by every stream that is not a case's
RECHECK = 0.5  # seconds: how stale a process's view of the key store may be (a key shredded elsewhere)


class Erased(Exception):
    """The stream's key was destroyed under retention: its events can no longer be read."""

    def __init__(self, stream: UUID, on: str) -> None:
        super().__init__(f"stream {stream} was erased under retention on {on}")
        self.stream, self.on = stream, on


def load_master_key(configured: str, data_dir: Path) -> tuple[bytes, str]:
    """The master key and where it came from: the configured one, or one generated once into the
    data directory (the embedded default) and kept there, readable by its owner only."""
    if configured:
        key = b64decode(configured)
        where = "SAFEGUARD_MASTER_KEY"
    else:
        path = data_dir / "master-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(AESCipher.create_key(32) + "\n")
        key = b64decode(path.read_text().strip())
        where = str(path)
    if len(key) != 32:
        raise ValueError(f"the master key from {where} must be 32 bytes in base64, not {len(key)} bytes")
    return key, where


class KeyStore:
    def __init__(self, path: Path, master: bytes) -> None:
        self.path = path
        self._master = AESGCM(master)
        self._lock = threading.Lock()
        self._ciphers: dict[UUID, AESCipher] = {}
        self._version: int | None = None
        self._checked = -RECHECK
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA secure_delete=ON")  # a shredded key's bytes are overwritten, not left in a free page
        self._db.execute("CREATE TABLE IF NOT EXISTS stream_keys (stream TEXT PRIMARY KEY, wrapped BLOB, shredded_on TEXT)")

    def _wrap(self, stream: UUID, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._master.encrypt(nonce, key, stream.bytes)

    def _unwrap(self, stream: UUID, wrapped: bytes) -> bytes:
        return self._master.decrypt(wrapped[:12], wrapped[12:], stream.bytes)

    @staticmethod
    def _cipher(key: bytes) -> AESCipher:
        return AESCipher(Environment(env={AESCipher.CIPHER_KEY: b64encode(key).decode()}))

    def _row(self, stream: UUID) -> tuple[bytes | None, str | None] | None:
        return self._db.execute("SELECT wrapped, shredded_on FROM stream_keys WHERE stream=?", [stream.hex]).fetchone()

    def _current(self) -> None:
        """Forget the keys held if another process has written to the key store since (so a key shredded
        by `retention apply` is refused here within RECHECK, not after a restart). SQLite's data_version
        changes with every commit made by another connection; reading it reads no table."""
        now = time.monotonic()
        if now - self._checked < RECHECK:
            return
        self._checked = now
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self._ciphers.clear()
            self._version = version

    def cipher(self, stream: UUID, create: bool = False) -> AESCipher | None:
        """The stream's cipher; a new key if `create` and it has none; None if it has none.
        Raises `Erased` if its key was shredded (by this process or another)."""
        with self._lock:
            self._current()
            if (c := self._ciphers.get(stream)) is not None:
                return c
            row = self._row(stream)
            if row is None and create:
                self._db.execute("INSERT OR IGNORE INTO stream_keys (stream, wrapped) VALUES (?, ?)",
                                 [stream.hex, self._wrap(stream, AESGCM.generate_key(256))])
                row = self._row(stream)
            if row is None:
                return None
            wrapped, shredded_on = row
            if shredded_on is not None:
                raise Erased(stream, shredded_on)
            c = self._ciphers[stream] = self._cipher(self._unwrap(stream, wrapped))
            return c

    def store_cipher(self) -> AESCipher:
        return self.cipher(STORE_KEY, create=True)  # type: ignore[return-value]

    def opens(self) -> bool:
        """Whether the master key unwraps the keys held (True if none is held yet)."""
        with self._lock:
            row = self._db.execute("SELECT stream, wrapped FROM stream_keys WHERE wrapped IS NOT NULL LIMIT 1").fetchone()
        if row is None:
            return True
        try:
            self._unwrap(UUID(hex=row[0]), row[1])
            return True
        except InvalidTag:
            return False

    def close(self) -> None:
        self._db.close()

    def erased_on(self, stream: UUID) -> str | None:
        with self._lock:  # one connection, shared by the threads of a worker or the web app
            row = self._row(stream)
        return row[1] if row else None

    def shred(self, stream: UUID, on: date) -> None:
        """Destroy the stream's key for good (idempotent: the first date stands)."""
        with self._lock:
            self._ciphers.pop(stream, None)
            self._db.execute("INSERT INTO stream_keys (stream, wrapped, shredded_on) VALUES (?, NULL, ?) "
                             "ON CONFLICT (stream) DO UPDATE SET wrapped=NULL, "
                             "shredded_on=COALESCE(stream_keys.shredded_on, excluded.shredded_on)",
                             [stream.hex, on.isoformat()])
            self._db.execute("VACUUM")
