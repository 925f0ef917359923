"""Keys for encryption at rest, and their destruction (crypto-shredding).

Each case's events are encrypted with a key of its own; every other stream (audits, exports,
governance actions, processes) shares one store key. The keys are kept wrapped (AES-GCM) under a
versioned master key from configuration (eventstore/master_keys.py), each row recording the
version it is wrapped under, in a key store apart from the events: a SQLite file
(`<data_dir>/keys.sqlite`, eventstore/keys_sqlite.py; the embedded default) or, when the event
store is PostgreSQL, a schema of its own there under a role of its own (eventstore/keys_postgres.py).

Shredding a case's key removes it from its row; the row keeps the date it was shredded on, so the
case reads as "erased under retention on DATE". SQLite overwrites the freed bytes; PostgreSQL
does not (old row versions, WAL, backups), so there the remaining keys are rewrapped under a new
master-key version (`rotate`) and the old version is retired and destroyed: what is left of a
shredded key is then wrapped under a master key nobody holds.
"""

from __future__ import annotations

import threading
import time
from base64 import b64encode
from datetime import date
from typing import Callable, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import OperationalError
from eventsourcing.utils import Environment

from eventstore.master_keys import MasterKeyError, MasterKeys, NotHeld

STORE_KEY = UUID(int=0)  # the row of the key shared by every stream that is not a case's
RECHECK = 0.5  # seconds: how stale a process's view of the key store may be (a key shredded elsewhere)

Row = tuple[bytes | None, int, str | None]  # wrapped (None once shredded), master-key version, shredded on
Stored = tuple[UUID, bytes | None, int, str | None]  # a row with its stream, as copied by a migration
Rewrap = Callable[[UUID, bytes, int], tuple[bytes, int]]  # (stream, wrapped, version) -> (wrapped, version)


class Erased(Exception):
    """The stream's key was destroyed under retention: its events can no longer be read."""

    def __init__(self, stream: UUID, on: str) -> None:
        super().__init__(f"stream {stream} was erased under retention on {on}")
        self.stream, self.on = stream, on


class KeyRows(Protocol):
    """Where the wrapped keys are kept: one row per stream. Every call is one transaction."""

    kind: str  # "sqlite" | "postgres"
    where: str  # as a person would look for it

    def row(self, stream: UUID) -> Row | None: ...
    def add(self, stream: UUID, wrapped: bytes, version: int) -> None: ...  # unless the stream has a row
    def shred(self, stream: UUID, on: str) -> None: ...
    def changed(self) -> object: ...  # a token that changes when another process shreds a key
    def sample(self) -> tuple[UUID, bytes, int] | None: ...  # one live key
    def counts(self) -> dict[int, int]: ...  # live keys by master-key version
    def shredded(self) -> int: ...
    # up to `limit` live keys not under `current`, after `after` in stream order: how many, and the last
    def rewrap(self, current: int, limit: int, rewrap: Rewrap, after: UUID | None) -> tuple[int, UUID | None]: ...
    def retired(self) -> dict[int, str]: ...
    def retire(self, version: int, on: str) -> None: ...
    def rows(self, after: UUID | None, limit: int) -> list[Stored]: ...  # in stream order
    def put(self, rows: list[Stored]) -> None: ...  # rows absent, all or none
    def close(self) -> None: ...


class KeyStore:
    def __init__(self, rows: KeyRows, ring: MasterKeys) -> None:
        self.rows, self.ring = rows, ring
        self._lock = threading.Lock()  # one connection, shared by the threads of a worker or the web app
        self._ciphers: dict[UUID, AESCipher] = {}
        self._seen: object = None
        self._checked = -RECHECK
        if self.ring.current in self.retired():
            raise MasterKeyError(f"master-key version {self.ring.current} was retired: it cannot be the current one again "
                                 "(list a newer version first in SAFEGUARD_MASTER_KEYS)")

    @property
    def where(self) -> str:
        return self.rows.where

    @staticmethod
    def _cipher(key: bytes) -> AESCipher:
        return AESCipher(Environment(env={AESCipher.CIPHER_KEY: b64encode(key).decode()}))

    def _current(self) -> None:
        """Forget the keys held if another process shredded one since (so a key shredded by `retention
        apply` is refused here within RECHECK, not after a restart)."""
        now = time.monotonic()
        if now - self._checked < RECHECK:
            return
        self._checked = now
        try:
            seen = self.rows.changed()
        except OperationalError:  # the key store unreachable (a PostgreSQL restart): no key can be shredded
            return                # meanwhile, so the keys held serve on, and are checked again once it answers
        if seen != self._seen:
            self._ciphers.clear()
            self._seen = seen

    def cipher(self, stream: UUID, create: bool = False) -> AESCipher | None:
        """The stream's cipher; a new key if `create` and it has none; None if it has none.
        Raises `Erased` if its key was shredded (by this process or another)."""
        with self._lock:
            self._current()
            if (c := self._ciphers.get(stream)) is not None:
                return c
            row = self.rows.row(stream)
            if row is None and create:
                self.rows.add(stream, *self.ring.wrap(stream, AESGCM.generate_key(256)))
                row = self.rows.row(stream)
            if row is None:
                return None
            wrapped, version, shredded_on = row
            if shredded_on is not None or wrapped is None:
                raise Erased(stream, shredded_on or "an unknown date")
            c = self._ciphers[stream] = self._cipher(self.ring.unwrap(stream, wrapped, version))
            return c

    def store_cipher(self) -> AESCipher:
        return self.cipher(STORE_KEY, create=True)  # type: ignore[return-value]

    def opens(self) -> bool:
        """Whether the master keys unwrap the keys held (True if none is held yet)."""
        with self._lock:
            found = self.rows.sample()
        if found is None:
            return True
        try:
            self.ring.unwrap(*found)
            return True
        except (InvalidTag, NotHeld):
            return False

    def close(self) -> None:
        self.rows.close()

    def erased_on(self, stream: UUID) -> str | None:
        with self._lock:
            row = self.rows.row(stream)
        return row[2] if row else None

    def shred(self, stream: UUID, on: date) -> None:
        """Destroy the stream's key for good (idempotent: the first date stands)."""
        with self._lock:
            self._ciphers.pop(stream, None)
            self.rows.shred(stream, on.isoformat())

    # ---- the master-key versions: what rotation and retirement read and do (operations/keys.py) --------

    def counts(self) -> dict[int, int]:
        with self._lock:
            return self.rows.counts()

    def retired(self) -> dict[int, str]:
        with self._lock:
            return self.rows.retired()

    def rewrap(self, limit: int, after: UUID | None = None) -> tuple[int, UUID | None]:
        """Rewrap up to `limit` keys not under the current master-key version, after stream `after`, in
        one transaction, each unwrapped first under its own version; how many, and the last (None: no more)."""
        def again(stream: UUID, wrapped: bytes, version: int) -> tuple[bytes, int]:
            return self.ring.wrap(stream, self.ring.unwrap(stream, wrapped, version))
        with self._lock:
            return self.rows.rewrap(self.ring.current, limit, again, after)

    def retire(self, version: int, on: str) -> None:
        with self._lock:
            self.rows.retire(version, on)
