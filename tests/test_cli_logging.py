"""A command's log lines go to standard error: a script reading its `--json` output must never meet
one (a read model rebuilt after a deploy logs as the first command opens the store)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.unit
def test_what_a_command_logs_never_reaches_its_standard_output():
    code = ("import structlog; from cli import main; main._private_files(); "
            "structlog.get_logger('safeguard.projections').info('read model code changed: rebuilding it from zero'); "
            "print('{}')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "{}\n"
    assert "rebuilding it from zero" in done.stderr
