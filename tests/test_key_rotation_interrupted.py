"""`safeguard keys rotate` stopped by Ctrl-C: a plain message and exit 130, never a traceback, and
the batches already committed stay rewrapped (a rerun carries on: tests/test_master_keys.py)."""

from __future__ import annotations

import uuid
from base64 import b64encode

import pytest
from typer.testing import CliRunner

import cli.keys
from cli.main import app
from configuration.settings import get_settings
from eventstore.keys_sqlite import SqliteKeys
from eventstore.master_keys import MasterKeys

pytestmark = pytest.mark.unit
K1, K2 = bytes([1]) * 32, bytes([2]) * 32


class CtrlCAfterCommit:
    """A connection whose COMMIT succeeds, then Ctrl-C lands before the statement after it."""

    def __init__(self, db) -> None:
        self.db = db

    def __getattr__(self, name):
        return getattr(self.db, name)

    def execute(self, sql, *args):
        done = self.db.execute(sql, *args)
        if sql == "COMMIT":
            raise KeyboardInterrupt
        return done


def test_ctrl_c_just_after_a_batch_commits_is_a_keyboard_interrupt_and_the_batch_stays_rewrapped(tmp_path):
    old, new = MasterKeys({1: K1}, 1, {}), MasterKeys({2: K2, 1: K1}, 2, {})
    rows = SqliteKeys(tmp_path / "keys.sqlite")
    keys = {uuid.uuid4(): bytes([n]) * 32 for n in range(3)}
    rows.put([(s, *old.wrap(s, k), None) for s, k in keys.items()])  # put too, under the same guard
    rows._db = CtrlCAfterCommit(rows._db)
    with pytest.raises(KeyboardInterrupt):  # was: sqlite3.OperationalError, cannot rollback - no transaction is active
        rows.rewrap(2, 10, lambda s, w, v: new.wrap(s, new.unwrap(s, w, v)), None)
    assert rows.counts() == {2: 3}
    with pytest.raises(KeyboardInterrupt):
        rows.put([(stream := uuid.uuid4(), *new.wrap(stream, K1), None)])
    assert rows.counts() == {2: 4}


def test_keys_rotate_interrupted_says_how_far_it_got_and_to_run_it_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAFEGUARD_MASTER_KEYS", f"2:{b64encode(K2).decode()},1:{b64encode(K1).decode()}")
    get_settings.cache_clear()

    def stopped(store, batch, progress):
        progress(500, 1_200)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.keys, "rotate_keys", stopped)
    out = CliRunner().invoke(app, ["keys", "rotate"])
    assert out.exit_code == 130, out.output
    assert "error: interrupted after 500 key(s) rewrapped: run `safeguard keys rotate` again to carry on" in out.stderr
    assert "Traceback" not in out.output
