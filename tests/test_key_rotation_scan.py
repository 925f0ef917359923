"""Crypto-shredding holds on PostgreSQL (issue 23): after `retention apply` destroys a case's key and
the master key is rotated and the old version retired and removed, PostgreSQL's own files (the
test database's data files and the cluster's WAL, after a CHECKPOINT) hold neither the shredded
key in clear nor anything that unwraps to it under a master-key version still held.

PostgreSQL does keep the old wrapped copy (a dead row version, the WAL): the test first finds it
there and unwraps it with the old version, so the scan is seen to read what PostgreSQL wrote."""

from __future__ import annotations

import re
from base64 import b64decode, b64encode
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bootstrap import open_records
from configuration.settings import get_settings
from eventstore.events import case_stream
from eventstore.master_keys import WRAPPED_BYTES
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_evidence_pack import closed_case
from tests.test_keys_postgres import safeguard, superuser
from tests.test_master_keys import K1, K2
from tests.test_postgres_store import SERVER, pg_settings, use_postgres  # noqa: F401  (a fixture)
from tests.test_retention import clock_at

pytestmark = pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
WAL_PAGE, LONG_HEADER, SHORT_HEADER = 8192, 40, 24  # XLOG_BLCKSZ; a segment's first page header, every other's
# how a 60-byte bytea is stored in a row (and so in the WAL): a 1-byte varlena header ((1 + 60) << 1 | 1),
# or, uncompressed with a 4-byte header, (4 + 60) << 2, little-endian
HEADERS = (bytes([(1 + WRAPPED_BYTES) << 1 | 1]), ((4 + WRAPPED_BYTES) << 2).to_bytes(4, "little"))


def pg_files(db) -> dict[str, list[Path]]:
    """The test database's data files (and the cluster's shared ones), and every WAL file, recycled ones too."""
    data = Path(db.execute("SHOW data_directory").fetchone()[0])
    oid = db.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]
    files = lambda d: sorted(p for p in d.rglob("*") if p.is_file())  # noqa: E731
    return {"data": files(data / "base" / str(oid)) + files(data / "global"),
            "wal": [p for p in files(data / "pg_wal") if re.fullmatch(r"[0-9A-F]{24}", p.name)]}


def depaged(segment: bytes) -> bytes:
    """A WAL segment without its page headers, so a row split across two WAL pages reads whole."""
    return b"".join(segment[i + (LONG_HEADER if i == 0 else SHORT_HEADER):i + WAL_PAGE]
                    for i in range(0, len(segment), WAL_PAGE))


def raw(db) -> list[bytes]:
    files = pg_files(db)
    wal = [p.read_bytes() for p in files["wal"]]
    return [p.read_bytes() for p in files["data"]] + wal + [depaged(w) for w in wal]


def candidates(blobs: list[bytes]) -> set[bytes]:
    """Every run of bytes shaped as a stored wrapped key: a bytea header of the right length, then 60 bytes."""
    found: set[bytes] = set()
    for blob in blobs:
        for header in HEADERS:
            for m in re.finditer(re.escape(header), blob):
                if len(chunk := blob[m.end():m.end() + WRAPPED_BYTES]) == WRAPPED_BYTES:
                    found.add(chunk)
    return found


def unwrapped(found: set[bytes], masters: list[bytes], streams: list[UUID]) -> set[bytes]:
    """Whatever any candidate unwraps to, under any of `masters`, bound to any of `streams`."""
    out = set()
    for master in map(AESGCM, masters):
        for chunk in found:
            for stream in streams:
                try:
                    out.add(master.decrypt(chunk[:12], chunk[12:], stream.bytes))
                except InvalidTag:
                    pass
    return out


def test_after_a_shred_and_a_rotation_nothing_on_disk_unwraps_to_the_shredded_key(pg_settings, tmp_path, monkeypatch):
    use_postgres(monkeypatch, pg_settings, tmp_path)
    clock_at(monkeypatch)
    monkeypatch.setenv("SAFEGUARD_MASTER_KEY", K1)
    get_settings.cache_clear()
    records = open_records(get_settings())
    closed_case(records, "KR-GONE")
    kept = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="KR-KEPT"))
    kept.at("2027-01-12T09:40:00+00:00").complete("record_concern")
    records.record("KR-KEPT", 1, kept.facts)
    gone, kept_key = (records.keys.cipher(case_stream(c)).key for c in ("KR-GONE", "KR-KEPT"))
    with superuser(pg_settings.postgres_dbname) as db:
        streams = [r[0] for r in db.execute("SELECT stream FROM safeguard_keys.stream_keys")]

    erased = safeguard(monkeypatch, "retention", "apply", "--today", "2035-01-20", "--by", "DPO-1")
    assert erased.exit_code == 0 and "KR-GONE: erased under retention on 2035-01-20" in erased.stdout, erased.output
    assert "Rotate the master key now" in erased.stdout  # what retention on PostgreSQL asks next
    with superuser(pg_settings.postgres_dbname) as db:
        db.execute("CHECKPOINT")
        before = candidates(raw(db))
    assert gone in unwrapped(before, [b64decode(K1)], streams)  # PostgreSQL kept the old copy: the scan reads it

    rotated = safeguard(monkeypatch, "keys", "rotate", SAFEGUARD_MASTER_KEYS=f"2:{K2}")  # version 2 listed first
    assert rotated.exit_code == 0 and "version(s) 1 wrap no key now and can be retired" in rotated.stdout, rotated.output
    assert safeguard(monkeypatch, "keys", "retire", "1").exit_code == 0
    monkeypatch.setenv("SAFEGUARD_MASTER_KEY", "")  # version 1 removed from the configuration, and destroyed
    get_settings.cache_clear()
    still = open_records(get_settings())
    assert len(still.stored_facts("KR-KEPT")) == len(kept.facts)  # the case kept reads under version 2 alone
    assert still.keys.ring.versions == (2,)

    with superuser(pg_settings.postgres_dbname) as db:
        db.execute("CHECKPOINT")
        blobs = raw(db)
    assert not [form for form in (gone, b64encode(gone), gone.hex().encode()) if any(form in b for b in blobs)]
    found = candidates(blobs)
    held = unwrapped(found, [b64decode(K2)], streams)
    assert gone not in held  # nothing on disk unwraps to the shredded key under any version still held
    assert kept_key in held  # while the kept case's key, rewrapped under version 2, is found and unwraps
    assert gone in unwrapped(found, [b64decode(K1)], streams)  # the old copy is still on disk: only version 1 opened it
