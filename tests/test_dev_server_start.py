"""Starting the embedded Temporal server: a start that dies on a port the server chose for itself is
tried again, a refused port of ours is not, and the error names the cause, not a Go stack's tail.
(CI run of stop 24: the server panicked on start and the error showed only stack frames.)"""

import stat
from pathlib import Path

import pytest

import configuration.dev_server as dev_server
from configuration.dev_server import DevServer, ServerExited

pytestmark = pytest.mark.unit

PANIC = """#!/bin/sh
echo "$$" >> "{runs}"
echo 'time=2026-12-07 level=ERROR msg="Failed to start gRPC listener" error="listen tcp 127.0.0.1:41234: bind: address already in use"'
echo 'panic: runtime error: invalid memory address or nil pointer dereference'
for i in 1 2 3 4 5 6 7 8; do echo "	/home/runner/go/pkg/mod/github.com/spf13/cobra@v1.10.2/command.go:1064 +0x$i"; done
exit 2
"""
REFUSED = """#!/bin/sh
echo "$$" >> "{runs}"
echo "Error: can't set frontend port 7233: listen tcp 127.0.0.1:7233: bind: address already in use"
exit 1
"""


def fake_server(tmp_path: Path, script: str, monkeypatch) -> Path:
    runs = tmp_path / "runs"
    exe = tmp_path / "temporal"
    exe.write_text(script.format(runs=runs))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(dev_server, "dev_server_args", lambda **_: [str(exe)])
    return runs


async def start(tmp_path: Path) -> None:
    await DevServer.start(port=1, ui_port=2, namespace="default", db=tmp_path / "t.db",
                          log_path=tmp_path / "server.log", timeout=10)


async def test_a_panic_on_start_is_tried_again_and_named(tmp_path, monkeypatch):
    runs = fake_server(tmp_path, PANIC, monkeypatch)
    with pytest.raises(ServerExited) as raised:
        await start(tmp_path)
    assert len(runs.read_text().split()) == dev_server.START_ATTEMPTS
    message = str(raised.value)
    assert "bind: address already in use" in message and "panic: runtime error" in message
    assert "cobra" not in message
    # every attempt's output is kept in the one log
    assert (tmp_path / "server.log").read_text().count("panic:") == dev_server.START_ATTEMPTS


async def test_a_refused_port_of_ours_is_not_tried_again(tmp_path, monkeypatch):
    runs = fake_server(tmp_path, REFUSED, monkeypatch)
    with pytest.raises(ServerExited, match="can't set frontend port 7233"):
        await start(tmp_path)
    assert len(runs.read_text().split()) == 1


async def test_a_restart_keeps_the_last_servers_log(tmp_path, monkeypatch):
    """`safeguard dev` after a crash: the log that says why is kept beside the new one, not emptied."""
    fake_server(tmp_path, REFUSED, monkeypatch)
    log = tmp_path / "server.log"
    log.write_text("the last run's account\n")
    with pytest.raises(ServerExited):
        await start(tmp_path)
    assert (tmp_path / "server.previous.log").read_text() == "the last run's account\n"
    assert "address already in use" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
