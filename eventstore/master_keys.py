"""The master-key ring: the versioned keys the stream keys are wrapped under (eventstore/keys.py).

Configured as `SAFEGUARD_MASTER_KEYS="3:BASE64,2:BASE64"` and/or a file (`SAFEGUARD_MASTER_KEYS_FILE`,
one `VERSION:BASE64` a line or comma-separated), each key base64 of 32 bytes. The first version
listed is the current one: new keys are wrapped under it, and `safeguard keys rotate` rewraps every
other key under it. `SAFEGUARD_MASTER_KEY` (one key, as before versions) is version 1; unset, the
key generated once into `<data_dir>/master-key` is. That file is made only when nothing is
configured (the embedded default), and is version 1 of the ring while it exists.

A wrapped key is `nonce (12 bytes) + AES-GCM(master, key) (32 + 16 bytes)`, with the stream's id
as associated data, so a wrapped key copied onto another stream's row does not unwrap.
"""

from __future__ import annotations

import os
from base64 import b64decode
from binascii import Error as Base64Error
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher

WRAPPED_BYTES = 12 + 32 + 16  # nonce, key, tag: the shape of every wrapped key
MAX_VERSION = 2**31 - 1  # the largest PostgreSQL integer: the key store records each key's version as one


class MasterKeyError(ValueError):
    """The master keys configured cannot be used; the message says which and why (never a key)."""


class NotHeld(Exception):
    """A key is wrapped under a master-key version this process's ring does not hold."""

    def __init__(self, version: int) -> None:
        super().__init__(not_held([version]))
        self.version = version


def not_held(versions: list[int], where: str = "") -> str:
    """What to do about keys (in the key store `where`) wrapped under master-key versions this process does not hold."""
    named = f"version {versions[0]}" if len(versions) == 1 else f"versions {', '.join(map(str, versions))}"
    return (f"keys {f'in {where} ' if where else ''}are wrapped under master-key {named}, which is not configured here: add {named} "
            "(VERSION:BASE64, as configured where the keys were rotated) to SAFEGUARD_MASTER_KEYS, or to the file "
            "SAFEGUARD_MASTER_KEYS_FILE names, and start again (docs/operations.md, 'Rotating the master key')")


class MasterKeys:
    def __init__(self, keys: dict[int, bytes], current: int, sources: dict[int, str]) -> None:
        self._aead = {v: AESGCM(k) for v, k in keys.items()}
        self._raw = dict(keys)
        self.current, self.sources = current, sources

    @property
    def versions(self) -> tuple[int, ...]:
        """The versions held, the current first."""
        return (self.current, *sorted((v for v in self._aead if v != self.current), reverse=True))

    def key(self, version: int) -> bytes:
        if version not in self._raw:
            raise NotHeld(version)
        return self._raw[version]

    def wrap(self, stream: UUID, key: bytes) -> tuple[bytes, int]:
        nonce = os.urandom(12)
        return nonce + self._aead[self.current].encrypt(nonce, key, stream.bytes), self.current

    def unwrap(self, stream: UUID, wrapped: bytes, version: int) -> bytes:
        """The key; NotHeld if the ring lacks `version`; InvalidTag if it does not unwrap under it."""
        if version not in self._aead:
            raise NotHeld(version)
        return self._aead[version].decrypt(wrapped[:12], wrapped[12:], stream.bytes)


def _decoded(text: str, where: str) -> bytes:
    try:
        key = b64decode(text.strip(), validate=True)
    except (Base64Error, ValueError):
        raise MasterKeyError(f"the master key from {where} is not base64") from None
    if len(key) != 32:
        raise MasterKeyError(f"the master key from {where} must be 32 bytes in base64, not {len(key)} bytes")
    return key


def parse_ring(text: str, where: str) -> list[tuple[int, bytes]]:
    """`VERSION:BASE64` entries, separated by commas or lines, in the order given (# starts a comment)."""
    out = []
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    for entry in (e.strip() for e in text.replace("\n", ",").split(",")):
        if not entry:
            continue
        version, sep, key = entry.partition(":")
        if not sep or not version.strip().isdigit() or not 1 <= int(version) <= MAX_VERSION:
            raise MasterKeyError(f"{where}: each entry is VERSION:BASE64 with a version from 1 to {MAX_VERSION} "
                                 f"(entry {len(out) + 1} is not)")
        out.append((int(version), _decoded(key, f"{where}, version {int(version)}")))
    return out


def generated_key(data_dir: Path, create: bool) -> bytes | None:
    """The embedded default's master key in `<data_dir>/master-key` (owner-only), made once if `create`."""
    path = data_dir / "master-key"
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(AESCipher.create_key(32) + "\n")
    return _decoded(path.read_text(), str(path))


def load_ring(master_keys: str, keys_file: Path | None, master_key: str, data_dir: Path) -> MasterKeys:
    entries: list[tuple[int, bytes, str]] = [(v, k, "SAFEGUARD_MASTER_KEYS") for v, k in parse_ring(master_keys, "SAFEGUARD_MASTER_KEYS")]
    if keys_file is not None:
        try:
            text = keys_file.read_text()
        except OSError as e:
            raise MasterKeyError(f"cannot read the master keys in {keys_file}: {e.strerror}") from None
        entries += [(v, k, str(keys_file)) for v, k in parse_ring(text, str(keys_file))]
    if master_key:
        entries.append((1, _decoded(master_key, "SAFEGUARD_MASTER_KEY"), "SAFEGUARD_MASTER_KEY"))
    elif (generated := generated_key(data_dir, create=not entries)) is not None:
        entries.append((1, generated, str(data_dir / "master-key")))
    keys: dict[int, bytes] = {}
    sources: dict[int, str] = {}
    for version, key, where in entries:
        if version in keys and keys[version] != key:
            raise MasterKeyError(f"master-key version {version} is given twice, differently ({sources[version]} and {where})")
        keys.setdefault(version, key)
        sources.setdefault(version, where)
    return MasterKeys(keys, entries[0][0], sources)


def ring_for(settings: Any) -> MasterKeys:
    """The ring configured in `settings` (configuration/settings.py's: master_keys, master_keys_file,
    master_key, data_dir)."""
    return load_ring(settings.master_keys, settings.master_keys_file, settings.master_key, settings.data_dir)
