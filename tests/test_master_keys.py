"""Keys wrapped under a versioned master key (eventstore/master_keys.py), rotated and retired
(`safeguard keys ...`, operations/keys.py), on the embedded SQLite key store. The PostgreSQL key
store, migration into it and the scan of its files after a rotation: tests/test_keys_postgres.py."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from base64 import b64encode
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from typer.testing import CliRunner

from bootstrap import open_records
from cli.main import app
from configuration.settings import Settings, get_settings
from domain.seal import command_key
from encryption.seal import START, sealing_key, sealing_keys, seal_of, start_seal_holds
from eventstore.events import case_stream
from eventstore.keys import KeyStore
from eventstore.keys_sqlite import SqliteKeys
from eventstore.master_keys import MasterKeyError, MasterKeys, load_ring
from operations.keys import KeyStoreError, open_key_store, rotate
from tests.test_backup import filled

pytestmark = pytest.mark.unit
runner = CliRunner()
K1, K2, K3 = (b64encode(bytes([n]) * 32).decode() for n in (1, 2, 3))


def test_the_ring_lists_its_current_version_first_and_keeps_the_single_master_key_as_version_1(tmp_path):
    ring = load_ring(f"3:{K3},2:{K2}", None, K1, tmp_path)
    assert (ring.current, ring.versions) == (3, (3, 2, 1))
    assert ring.sources == {3: "SAFEGUARD_MASTER_KEYS", 2: "SAFEGUARD_MASTER_KEYS", 1: "SAFEGUARD_MASTER_KEY"}
    staged = load_ring(f"2:{K2}\n# the next one, held before it is current\n3:{K3}\n", None, "", tmp_path)
    assert (staged.current, staged.versions) == (2, (2, 3))
    assert not (tmp_path / "master-key").exists()  # configured: nothing generated
    (tmp_path / "ring").write_text(f"4:{K1}\n")
    assert load_ring("", tmp_path / "ring", "", tmp_path).versions == (4,)

    embedded = load_ring("", None, "", tmp_path)  # the embedded default: generated once, version 1
    assert embedded.versions == (1,) and embedded.sources[1] == str(tmp_path / "master-key")
    with_file = load_ring(f"2:{K2}", None, "", tmp_path)  # the generated key stays version 1 while it exists
    assert with_file.versions == (2, 1) and with_file.key(1) == embedded.key(1)


@pytest.mark.parametrize("ring, master_key, refused", [
    (f"1:{K2}", K1, "master-key version 1 is given twice, differently (SAFEGUARD_MASTER_KEYS and SAFEGUARD_MASTER_KEY)"),
    (f"two:{K2}", "", "SAFEGUARD_MASTER_KEYS: each entry is VERSION:BASE64 with a version from 1 to 2147483647 (entry 1 is not)"),
    (f"0:{K2}", "", "entry 1 is not"),
    (f"2:{K2},2147483648:{K1}", "", "entry 2 is not"),  # PostgreSQL's key store records it as an integer
    ("2:bm90IDMyIGJ5dGVz", "", "SAFEGUARD_MASTER_KEYS, version 2 must be 32 bytes in base64, not 12 bytes"),
    ("2:!!!", "", "SAFEGUARD_MASTER_KEYS, version 2 is not base64"),
])
def test_a_ring_that_cannot_be_used_is_refused_by_where_it_is_never_by_its_key(tmp_path, ring, master_key, refused):
    with pytest.raises(MasterKeyError) as e:
        load_ring(ring, None, master_key, tmp_path)
    assert refused in str(e.value) and K2 not in str(e.value)


def test_a_key_store_from_before_versions_reads_as_version_1(tmp_path):
    """A keys.sqlite written before master-key versions: its keys were wrapped under the one master key."""
    master, key, stream = bytes(32), AESGCM.generate_key(256), uuid.uuid4()
    nonce = os.urandom(12)
    with sqlite3.connect(tmp_path / "keys.sqlite") as db:
        db.execute("CREATE TABLE stream_keys (stream TEXT PRIMARY KEY, wrapped BLOB, shredded_on TEXT)")
        db.execute("INSERT INTO stream_keys VALUES (?, ?, NULL)", [stream.hex, nonce + AESGCM(master).encrypt(nonce, key, stream.bytes)])
    store = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), load_ring("", None, b64encode(master).decode(), tmp_path))
    assert store.cipher(stream).key == key and store.counts() == {1: 1}


def _env(monkeypatch, data: Path, ring: str, master_key: str = "") -> Settings:
    for name, value in {"SAFEGUARD_DATA_DIR": str(data), "SAFEGUARD_MASTER_KEYS": ring, "SAFEGUARD_MASTER_KEY": master_key}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def _keys(store: KeyStore) -> dict[uuid.UUID, bytes]:
    """Every live key, unwrapped: what a rotation must leave exactly as it was."""
    return {s: store.ring.unwrap(s, w, v) for s, w, v, _ in store.rows.rows(None, 10_000) if w is not None}


def test_rotate_then_retire_then_the_old_master_key_is_not_needed(tmp_path, monkeypatch):
    data = tmp_path / "data"
    events = filled(open_records(_env(monkeypatch, data, "", K1)))
    before = _keys(open_key_store(get_settings()))
    _env(monkeypatch, data, f"2:{K2}", K1)  # a new version, listed first: new keys are wrapped under it

    status = runner.invoke(app, ["keys", "status"])
    assert status.exit_code == 0, status.output
    assert "current master-key version: 2; versions configured: 2, 1" in status.stdout
    assert f"version 1: {len(before)} key(s)" in status.stdout
    refused = runner.invoke(app, ["keys", "retire", "1"])
    assert refused.exit_code == 2 and f"{len(before)} key(s) are still wrapped under master-key version 1: run " \
        "`safeguard keys rotate` first" in refused.stderr
    current = runner.invoke(app, ["keys", "retire", "2"])
    assert current.exit_code == 2 and "version 2 is the current master key" in current.stderr

    rotated = runner.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    assert f"{len(before)} key(s) rewrapped under master-key version 2" in rotated.stdout
    assert "version(s) 1 wrap no key now and can be retired: take a new backup first" in rotated.stdout
    again = runner.invoke(app, ["keys", "rotate", "--json"])  # idempotent: nothing left to do
    assert json.loads(again.stdout)["rewrapped"] == 0 and json.loads(again.stdout)["retirable"] == [1]

    retired = runner.invoke(app, ["keys", "retire", "1"])
    assert retired.exit_code == 0, retired.output
    assert "master-key version 1 retired. Now remove it from SAFEGUARD_MASTER_KEY on every host" in retired.stdout
    assert "was retired already" in runner.invoke(app, ["keys", "retire", "1"]).stdout

    settings = _env(monkeypatch, data, f"2:{K2}")  # version 1 removed, destroyed
    assert _keys(open_key_store(settings)) == before  # every key the same, unwrapped under version 2 alone
    records = open_records(settings)
    assert sum(len(records.stored_facts(f"BK-{i}")) for i in range(3)) == events
    assert not (data / "master-key").exists()
    with pytest.raises(KeyStoreError, match="master-key version 1 was retired: it cannot be the current one again"):
        open_key_store(_env(monkeypatch, data, f"1:{K1},2:{K2}"))


def test_a_rotation_stopped_mid_way_carries_on_where_it_stopped(tmp_path):
    store = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), load_ring("", None, K1, tmp_path))
    for _ in range(1000):
        store.cipher(uuid.uuid4(), create=True)
    before = _keys(store)
    store = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), load_ring(f"2:{K2}", None, K1, tmp_path))

    def killed(done: int, total: int) -> None:
        if done >= 300:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate(store, batch=100, progress=killed)
    assert store.counts() == {1: 700, 2: 300}  # each batch its own transaction: three done, none half-done
    assert rotate(store, batch=100).rewrapped == 700 and store.counts() == {2: 1000}
    assert _keys(store) == before


def test_a_shredded_key_is_not_brought_back_by_a_rotation(tmp_path):
    store = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), load_ring("", None, K1, tmp_path))
    store.cipher(case_stream("GONE"), create=True)
    from datetime import date

    store.shred(case_stream("GONE"), date(2035, 1, 20))
    store = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), load_ring(f"2:{K2}", None, K1, tmp_path))
    rotate(store)
    assert store.rows.row(case_stream("GONE")) == (None, 1, "2035-01-20") and store.rows.shredded() == 1


def test_seals_are_made_under_the_current_version_and_checked_under_every_version_held(tmp_path):
    old = Settings(data_dir=tmp_path, master_key=K1)
    new = Settings(data_dir=tmp_path, master_key=K1, master_keys=f"2:{K2}")
    concern = {"summary": "x"}
    sealed_by_new = seal_of(sealing_key(new), "CASE-1", START, concern)
    assert sealing_key(new) == command_key(bytes([2]) * 32) and sealing_key(old) == command_key(bytes([1]) * 32)
    assert start_seal_holds(sealing_keys(new), "CASE-1", concern, seal_of(sealing_key(old), "CASE-1", START, concern))
    assert start_seal_holds(sealing_keys(new), "CASE-1", concern, sealed_by_new)
    assert not start_seal_holds(sealing_keys(old), "CASE-1", concern, sealed_by_new)  # hence: hold it before it is current


def test_migrate_needs_the_postgresql_event_store_and_a_new_master_key_comes_after_every_version_seen(tmp_path, monkeypatch):
    _env(monkeypatch, tmp_path, f"3:{K3}", K1)
    refused = runner.invoke(app, ["keys", "migrate"])
    assert refused.exit_code == 2 and "the key store moves into PostgreSQL with the PostgreSQL event store" in refused.stderr
    made = runner.invoke(app, ["keys", "new-master-key"])
    version, _, key = made.stdout.strip().partition(":")
    assert made.exit_code == 0 and version == "4" and MasterKeys({4: __import__("base64").b64decode(key)}, 4, {}).versions == (4,)
    assert "add it to SAFEGUARD_MASTER_KEYS after the current version on every host" in made.stderr


def test_keys_held_serve_on_while_the_key_store_cannot_be_asked_whether_one_was_shredded(tmp_path, monkeypatch):
    """A PostgreSQL restart (tests/test_faults.py): nobody can shred a key while the store is down, so the
    keys a process holds still encode and decode its payloads; a key it does not hold waits for the store."""
    import time as clock

    from eventsourcing.persistence import OperationalError

    store = KeyStore(SqliteKeys(tmp_path / "keys.sqlite"), load_ring("", None, K1, tmp_path))
    held = store.cipher(case_stream("HELD"), create=True)

    def down(*_):
        raise OperationalError("the key store failed: connection refused")

    monkeypatch.setattr(store.rows, "changed", down)
    monkeypatch.setattr(store.rows, "row", down)
    clock.sleep(0.6)  # past RECHECK: the process asks again
    assert store.cipher(case_stream("HELD")) is held
    with pytest.raises(OperationalError):
        store.cipher(case_stream("NOT-HELD"))


def test_retiring_a_version_never_seen_is_refused_but_one_removed_from_this_host_may_be_retired(tmp_path, monkeypatch):
    """A typo (`retire 7` for 2) would otherwise be recorded, and the version meant left unretired;
    a version too big for the store's integer was a traceback."""
    data = tmp_path / "data"
    filled(open_records(_env(monkeypatch, data, "", K1)))
    _env(monkeypatch, data, f"2:{K2}", K1)
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    for version in ("7", "3", "99999999999999999999999"):
        refused = runner.invoke(app, ["keys", "retire", version])
        assert refused.exit_code == 2 and f"there is no master-key version {version}: the newest this key store " \
            "has seen is 2. Check the version with `safeguard keys status`" in refused.stderr, refused.output
    assert json.loads(runner.invoke(app, ["keys", "status", "--json"]).stdout)["retired"] == {}
    _env(monkeypatch, data, f"2:{K2}")  # version 1 removed from this host before it was retired
    retired = runner.invoke(app, ["keys", "retire", "1"])
    assert retired.exit_code == 0 and "master-key version 1 retired. Now make sure no host still lists it" in retired.stdout
