"""Files that hold personal data are their owner's only (issue 18): the data directory 0700, the
event store and its write-ahead log, the key store, the master key and a backup 0600, set when they
are made; an evidence pack never follows a link planted where it writes, and replaces it instead."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bootstrap import open_records
from configuration.settings import Settings, get_settings
from evidence.files import write_private
from tests.pure_case import PureCase
from tests.conftest import concern

pytestmark = pytest.mark.unit


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_the_keys_and_the_data_directory_are_the_owners_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)  # made before this was the rule: put right when opened
    records = open_records(Settings(data_dir=data))
    records.record("PRIV-1", 1, PureCase(concern("2027-01-12T09:30:00+00:00", case_id="PRIV-1")).facts)
    assert mode(data) == 0o700
    made = [p for p in data.iterdir() if p.is_file()]
    assert {p.name for p in made} >= {"events.sqlite", "keys.sqlite", "master-key"}
    assert {p.name: mode(p) for p in made} == {p.name: 0o600 for p in made}


def test_a_backup_is_the_owners_only(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.main import app
    from operations.backup import keys_path, manifest_path

    settings = Settings(data_dir=tmp_path / "data")
    records = open_records(settings)
    records.record("PRIV-2", 1, PureCase(concern("2027-01-12T09:30:00+00:00", case_id="PRIV-2")).facts)
    os.umask(0o022)  # as a shell leaves it: the command makes its own files private
    out = tmp_path / "backups" / "safeguard.sqlite"
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = [out, manifest_path(out), keys_path(out)]
    assert all(p.exists() and mode(p) == 0o600 for p in files), {str(p): p.exists() and oct(mode(p)) for p in files}
    assert mode(out.parent) == 0o700


def test_a_pack_file_never_follows_a_link_planted_where_it_writes(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "CASE-1.json").symlink_to(victim)
    write_private(out / "CASE-1.json", b"{}")
    assert victim.read_text() == "keep me"
    written = out / "CASE-1.json"
    assert not written.is_symlink() and written.read_bytes() == b"{}" and mode(written) == 0o600
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
    with pytest.raises(FileExistsError):
        write_private(written, b"again", once=True)  # an exported checkpoint is written once
    link = out / "checkpoint.json"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        write_private(link, b"{}", once=True)
    assert victim.read_text() == "keep me"
