"""Moving keys between key stores (eventstore/keys.py): `safeguard keys migrate` (an existing
keys.sqlite into PostgreSQL), and a backup's keys taken out of PostgreSQL and put back on restore.

The wrapped keys are copied as they are, with their master-key versions and the dates keys were
shredded on; nothing is unwrapped into the target. Every key is first checked to unwrap under the
master keys configured (so nothing is moved that nobody can open), and every stream the target
already holds is compared: the same key (however wrapped), or both shredded, or shredded in the
target since (an erasure stands) is already there; anything else is refused before anything is
written. Then every missing row is written in one transaction: run again, it copies nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from uuid import UUID

from cryptography.exceptions import InvalidTag

from eventstore.keys import KeyRows, KeyStore, Stored
from eventstore.master_keys import MasterKeys, NotHeld
from configuration.settings import Settings
from eventstore.keys_sqlite import SqliteKeys
from operations.keys import KeyStoreError, open_key_store

PAGE = 2000


@dataclass(frozen=True)
class Migrated:
    read: int  # rows in the source
    copied: int
    present: int  # already in the target (the same key, or an erasure)
    shredded: int  # of those copied, erasures (no key, the date it was shredded on)

    def as_json(self) -> dict[str, int]:
        return {"read": self.read, "copied": self.copied, "already_there": self.present, "erasures_copied": self.shredded}


def _key(ring: MasterKeys, stream: UUID, wrapped: bytes, version: int, where: str) -> bytes:
    try:
        return ring.unwrap(stream, wrapped, version)
    except NotHeld:
        raise KeyStoreError(f"keys in {where} are wrapped under master-key version {version}, which is not configured: "
                            "add it to SAFEGUARD_MASTER_KEYS (or set SAFEGUARD_MASTER_KEY to the master key they were "
                            "made under)") from None
    except InvalidTag:
        raise KeyStoreError(f"the keys in {where} were wrapped under another master key than the one from "
                            f"{ring.sources.get(version, 'the configuration')} (version {version}): configure the master "
                            "key of the store they came from") from None


def _same(ring: MasterKeys, source: Stored, target: tuple[bytes | None, int, str | None], where: str, there: str) -> bool:
    stream, wrapped, version, _ = source
    if target[0] is None:
        return True  # shredded in the target: an erasure stands, whatever the source holds
    if wrapped is None:
        return False  # shredded in the source, still held in the target
    return (wrapped, version) == target[:2] or _key(ring, stream, wrapped, version, where) == _key(
        ring, stream, target[0], target[1], there)


def copy_keys(source: KeyRows, target: KeyStore, progress: Callable[[int], None] | None = None) -> Migrated:
    """Every key of `source` into `target` (see the module's docstring); refused as a whole if the
    target holds a different key for any stream."""
    ring, missing, read, present, differ = target.ring, [], 0, 0, []
    after: UUID | None = None
    while page := source.rows(after, PAGE):
        for row in page:
            stream, wrapped, version, _ = row
            if wrapped is not None:
                _key(ring, stream, wrapped, version, source.where)
            there = target.rows.row(stream)
            if there is None:
                missing.append(row)
            elif _same(ring, row, there, source.where, target.where):
                present += 1
            else:
                differ.append(stream)
        read += len(page)
        after = page[-1][0]
        if progress:
            progress(read)
    if differ:
        raise KeyStoreError(f"{target.where} already holds different keys for {len(differ):,} of the streams in "
                            f"{source.where} (the first: {', '.join(str(s) for s in differ[:3])}): nothing was copied. "
                            "Is it another installation's key store?")
    if missing:
        target.rows.put(missing)
    return Migrated(read, len(missing), present, sum(1 for r in missing if r[1] is None))


def export_keys(settings: Settings, out: Path) -> Migrated:
    """The configured key store's rows, as they are wrapped, into a SQLite key store at `out` (a backup's)."""
    source = open_key_store(settings, guard=False)
    target = KeyStore(SqliteKeys(out), source.ring)
    try:
        return copy_keys(source.rows, target)
    finally:
        source.close()
        target.close()


def import_keys(settings: Settings, keys: Path, progress: Callable[[int], None] | None = None) -> Migrated:
    """A SQLite key store's rows (a keys.sqlite, a backup's) into the configured key store."""
    target = open_key_store(settings, guard=False)
    source = SqliteKeys(keys)
    try:
        return copy_keys(source, target, progress)
    finally:
        source.close()
        target.close()
