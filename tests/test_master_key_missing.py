"""Keys wrapped under a master-key version this host does not hold (rotated on another host, say):
the worker, the web app and the embedded stack refuse to start, naming the version and where to
configure it; a command meeting such a key says so in plain words, exit 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.dev
from bootstrap import open_records
from cli.main import app
from configuration.settings import get_settings
from operations.keys import KeyStoreError
from tests.test_backup import filled
from tests.test_master_keys import K1, K2, _env
from tests.test_postgres_store import SERVER, pg_settings, use_postgres  # noqa: F401  (a fixture)

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SAFEGUARD = str(Path(sys.executable).parent / "safeguard")
MISSING = ("are wrapped under master-key version 2, which is not configured here: add version 2 (VERSION:BASE64, as "
           "configured where the keys were rotated) to SAFEGUARD_MASTER_KEYS, or to the file SAFEGUARD_MASTER_KEYS_FILE "
           "names, and start again")


def _rotated_elsewhere(monkeypatch) -> None:
    """Keys made under version 2 (listed first), then this host configured with version 1 alone."""
    monkeypatch.setenv("SAFEGUARD_TEMPORAL_ADDRESS", "127.0.0.1:1")  # nothing may get as far as Temporal
    monkeypatch.setenv("SAFEGUARD_METRICS_PORT", "0")
    monkeypatch.setenv("SAFEGUARD_WEB_METRICS_PORT", "0")
    filled(open_records(_env(monkeypatch, Path(os.environ["SAFEGUARD_DATA_DIR"]), f"2:{K2}", K1)))
    monkeypatch.setenv("SAFEGUARD_MASTER_KEYS", "")
    get_settings.cache_clear()


def _refused_to_start(monkeypatch, where: str) -> None:
    monkeypatch.setattr("web.serving.run_production", lambda *a, **k: pytest.fail("serve went on to open its port"))
    for command, what in (["worker"], "the worker"), (["serve"], "the web app"), (["dev", "--port", "1"], "the embedded stack"):
        if command[0] == "dev":
            monkeypatch.setattr(cli.dev, "port_in_use", lambda port: False)
            monkeypatch.setattr(cli.dev.DevServer, "start", lambda *a, **k: pytest.fail("dev went on to start Temporal"))
        refused = runner.invoke(app, command)
        assert refused.exit_code == 2, (command, refused.output, refused.exception)
        assert refused.stderr.startswith(f"error: {what} did not start: keys in {where} {MISSING}"), refused.stderr
        assert "Temporal" not in refused.stderr  # refused before connecting


@pytest.mark.unit
def test_the_worker_the_web_app_and_dev_refuse_to_start_naming_the_master_key_version_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    _rotated_elsewhere(monkeypatch)
    with pytest.raises(KeyStoreError, match="version 2, which is not configured here"):
        open_records(get_settings(), serving=True)
    _refused_to_start(monkeypatch, str(tmp_path / "data" / "keys.sqlite"))

    status = runner.invoke(app, ["keys", "status"])  # the operator's view still opens, and says the same
    assert "version 2: 3 key(s) (not configured here: add it to SAFEGUARD_MASTER_KEYS or SAFEGUARD_MASTER_KEYS_FILE)" \
        in status.stdout, status.output

    (tmp_path / "ring").write_text(f"2:{K2}\n")
    monkeypatch.setenv("SAFEGUARD_MASTER_KEYS_FILE", str(tmp_path / "ring"))  # version 2 configured, in a file
    get_settings.cache_clear()
    assert open_records(get_settings(), serving=True).stored_facts("BK-0")  # starts, and reads


@pytest.mark.unit
def test_a_command_meeting_a_key_under_a_version_not_held_says_which_in_plain_words(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DATA_DIR", str(tmp_path / "data"))
    _rotated_elsewhere(monkeypatch)
    for command in (["chronology", "BK-0"], ["evidence", "pack", "BK-1", "--out", str(tmp_path / "pack")]):
        read = runner.invoke(app, command)
        assert read.exit_code == 2 and isinstance(read.exception, SystemExit), (command, read.output, read.exception)
        assert read.stderr == f"error: keys {MISSING} (docs/operations.md, 'Rotating the master key')\n", read.stderr

    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the console script and `python -m worker`, as installed
    for argv in ([SAFEGUARD, "chronology", "BK-0"], [sys.executable, "-m", "worker"]):
        done = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode != 0 and MISSING in done.stderr, (argv, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr


@pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
def test_on_postgresql_too_the_processes_refuse_to_start_by_version(pg_settings, tmp_path, monkeypatch):
    use_postgres(monkeypatch, pg_settings, tmp_path)
    _rotated_elsewhere(monkeypatch)
    where = f"PostgreSQL {pg_settings.postgres_dbname} at {pg_settings.postgres_host}:{pg_settings.postgres_port}, " \
            "schema safeguard_keys"
    _refused_to_start(monkeypatch, where)


@pytest.mark.unit
async def test_the_web_app_meeting_a_key_rotated_elsewhere_since_it_started_answers_in_words(tmp_path, monkeypatch):
    """Keys rotated on another host after this web app started: a case keyed since then cannot be read
    here. The person is told so in words, never the generic fault; the operator's log names the version."""
    import httpx
    import structlog

    from domain.access import Assignment
    from tests.api_support import BASE, Api
    from web.problems import KEY_NOT_HELD

    here = open_records(_env(monkeypatch, tmp_path / "data", "", K1))  # this host: version 1 alone
    api = Api(type("Env", (), {"client": None})(), get_settings(), here)
    token = api.token(api.user("RM-1", Assignment("registered_manager", "SVC-ELM")))
    filled(open_records(_env(monkeypatch, tmp_path / "data", f"2:{K2}", K1)), 1)  # another host, rotated to 2

    @api.app.get("/a-key-not-held", include_in_schema=False)
    def page_not_held() -> None:
        from eventstore.master_keys import NotHeld

        raise NotHeld(2)

    with structlog.testing.capture_logs() as logs:
        async with api.client(token) as c:
            read = await c.get("/cases/BK-0/chronology")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url=BASE) as c:
            page = await c.get("/a-key-not-held")
    assert read.status_code == 503 and read.json()["detail"] == KEY_NOT_HELD, read.text
    assert page.status_code == 503 and "newer key than this server" in page.text and "fault" not in page.text
    assert [entry["version"] for entry in logs if entry.get("event", "").startswith("a key is wrapped")] == [2, 2]
