"""`safeguard_commands_refused_total` has a series at 0 for every command from a process's start
(issue 23): a fresh web app or worker has data for the dashboard's panel before any refusal, one
series per update of the workflows commands are sent to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from casework.temporal.failures import command_names

ROOT = Path(__file__).resolve().parents[1]
FRESH = ("import sys, bootstrap, worker, web.app; from prometheus_client import generate_latest; "
         "from telemetry.instruments import REGISTRY; sys.stdout.write(generate_latest(REGISTRY).decode())")


def test_every_command_is_counted_from_zero_in_a_fresh_process():
    answer = subprocess.run([sys.executable, "-c", FRESH], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr[-3000:]
    refused = {s.labels["command"]: s.value for f in text_string_to_metric_families(answer.stdout)
               for s in f.samples if s.name == "safeguard_commands_refused_total"}
    assert {"complete_step", "amend_step", "acknowledge_escalation", "add_note", "record_development",
            "concern_raised", "complete", "open_process", "propose", "decide", "dismiss", "record_step",
            "other"} <= set(refused)
    assert set(refused) == set(command_names()) and set(refused.values()) == {0.0}
