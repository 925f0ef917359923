"""The key store an operator looks after (eventstore/keys.py): where it is, the master-key versions
its keys are wrapped under, rotation to a new version and retirement of an old one.

A rotation rewraps every remaining key under the current master-key version, a batch per
transaction, each key checked to unwrap to the same key first: killed mid-way, it is run again and
carries on where it stopped (a key already under the current version is not touched). A version is
retired only once no key is wrapped under it; then it can be destroyed, and whatever copies of a
shredded key it wrapped (PostgreSQL's freed pages and WAL, older backups, an old keys.sqlite)
can no longer be unwrapped. docs/operations.md, "Rotating the master key", gives the order of steps.
"""

from __future__ import annotations

import time
from base64 import b64encode
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from configuration.settings import Settings
from eventstore.keys import KeyRows, KeyStore
from eventstore.keys_sqlite import SqliteKeys
from eventstore.master_keys import MasterKeyError, not_held, ring_for

BATCH = 500  # keys rewrapped per transaction


class KeyStoreError(Exception):
    """A key-store operation that cannot go ahead; the message says why and what to do."""


def sqlite_keys_path(settings: Settings) -> Path:
    return settings.key_store_path or settings.data_dir / "keys.sqlite"


def key_rows(settings: Settings) -> KeyRows:
    """The configured key store's rows: in PostgreSQL with the PostgreSQL event store, else a SQLite file."""
    if settings.event_store == "postgres":
        from eventstore.keys_postgres import PostgresKeys

        return PostgresKeys(settings.key_store_connection(), settings.key_store_schema)
    return SqliteKeys(sqlite_keys_path(settings))


def open_key_store(settings: Settings, guard: bool = True, serving: bool = False) -> KeyStore:
    """The configured key store under the configured master keys. With `guard`, a PostgreSQL key store
    holding no key while a keys.sqlite holds some is refused: its events need those keys moved first.
    `serving` (a worker or web process starting) refuses keys wrapped under a version not configured
    here, by version, rather than fail on the first read of such a key."""
    try:
        ring = ring_for(settings)
    except MasterKeyError as e:
        raise KeyStoreError(str(e)) from None
    rows = key_rows(settings)
    if guard and rows.kind == "postgres" and rows.sample() is None and not rows.shredded():
        old = sqlite_keys_path(settings)
        if old.exists() and SqliteKeys(old).sample() is not None:
            rows.close()
            raise KeyStoreError(f"the key store in PostgreSQL is empty but {old} holds keys: move them first with "
                                "`safeguard keys migrate` (docs/operations.md, 'Keys in PostgreSQL')")
    try:
        store = KeyStore(rows, ring)
    except MasterKeyError as e:
        rows.close()
        raise KeyStoreError(str(e)) from None
    if serving and (missing := unheld(store)):
        store.close()
        raise KeyStoreError(not_held(missing, store.where))
    return store


def unheld(store: KeyStore) -> list[int]:
    """The master-key versions live keys are wrapped under that this process does not hold."""
    return sorted(v for v in store.counts() if v not in store.ring.versions)


def after_shredding(settings: Settings) -> str | None:
    """What a retention run that destroyed keys asks of the operator next, where it asks anything."""
    if settings.event_store != "postgres" or not settings.encrypt_at_rest:
        return None  # SQLite overwrites a shredded key in place (its backups still hold it: docs/operations.md)
    return ("On PostgreSQL the destroyed keys stay on disk for a while, wrapped under the current master key (freed "
            "pages, the WAL, backups). Rotate the master key now so they can never be unwrapped: "
            "`safeguard keys new-master-key`, then docs/operations.md, 'Rotating the master key'.")


@dataclass(frozen=True)
class Status:
    where: str
    current: int
    held: tuple[int, ...]  # the versions configured, the current first
    keys: dict[int, int]  # live keys by master-key version
    shredded: int
    retired: dict[int, str]  # version -> the date it was retired

    def retirable(self) -> list[int]:
        """Versions configured that wrap no key and are not retired yet (or are, but still configured)."""
        return [v for v in self.held if v != self.current and not self.keys.get(v)]

    def as_json(self) -> dict[str, Any]:
        return {"key_store": self.where, "current_version": self.current, "versions_held": list(self.held),
                "keys_by_version": {str(v): n for v, n in sorted(self.keys.items())}, "shredded": self.shredded,
                "retired": {str(v): on for v, on in sorted(self.retired.items())}}


def status(store: KeyStore) -> Status:
    return Status(store.where, store.ring.current, store.ring.versions, store.counts(), store.rows.shredded(),
                  store.retired())


Progress = Callable[[int, int], None]  # keys rewrapped so far, of how many


@dataclass(frozen=True)
class Rotation:
    rewrapped: int
    seconds: float
    current: int
    retirable: list[int]

    def rate(self) -> float:
        return self.rewrapped / self.seconds if self.seconds else 0.0


def rotate(store: KeyStore, batch: int = BATCH, progress: Progress | None = None) -> Rotation:
    """Rewrap every key not under the current version (idempotent, resumable)."""
    if missing := unheld(store):
        raise KeyStoreError(f"keys are wrapped under master-key version(s) {', '.join(map(str, missing))}, which "
                            "this process does not hold: add them to SAFEGUARD_MASTER_KEYS to rotate those keys")
    total = sum(n for v, n in store.counts().items() if v != store.ring.current)
    done, started, passed = 0, time.monotonic(), -1
    while passed:  # a pass in stream order; another if keys were made under an older version meanwhile
        passed, after = 0, None
        while True:
            n, after = store.rewrap(batch, after)
            if after is None:
                break
            done, passed = done + n, passed + n
            if progress:
                progress(done, max(total, done))
    return Rotation(done, time.monotonic() - started, store.ring.current, status(store).retirable())


def retire(store: KeyStore, version: int, today: date) -> str | None:
    """Record `version` as retired, refusing while a key is wrapped under it; where it is configured
    (what to remove and destroy; "" if not here), or None if it was retired already."""
    if version == store.ring.current:
        raise KeyStoreError(f"version {version} is the current master key: list a newer one first in "
                            "SAFEGUARD_MASTER_KEYS, restart every Safeguard process, and run `safeguard keys rotate`")
    left = store.counts().get(version, 0)
    if left:
        raise KeyStoreError(f"{left:,} key(s) are still wrapped under master-key version {version}: run "
                            "`safeguard keys rotate` first (every Safeguard process must hold the newer version)")
    if version in store.retired():
        return None
    if version > (newest := newest_seen(store)):  # a typo: retired, it could never be made current
        raise KeyStoreError(f"there is no master-key version {version}: the newest this key store has seen is "
                            f"{newest}. Check the version with `safeguard keys status`")
    store.retire(version, today.isoformat())
    return store.ring.sources.get(version, "")  # "": removed from this host's configuration already


def new_master_key(store: KeyStore) -> str:
    """A new master key, as a ring entry `VERSION:BASE64`, its version after every one seen."""
    return f"{newest_seen(store) + 1}:{b64encode(AESGCM.generate_key(256)).decode()}"


def newest_seen(store: KeyStore) -> int:
    """The newest master-key version configured here, wrapping a key, or retired."""
    return max({*store.ring.versions, *store.counts(), *store.retired()}, default=0)
