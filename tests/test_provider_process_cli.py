"""The provider-concern process (004) from the command line, on the real local dev server with a
worker and the SQLite event store: open, steps, a refused and then a made suspension, the
commissioner record showing the process, and clear errors with exit codes."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from configuration.settings import Settings
from tests.conftest import concern
from tests.test_dev_stack import SAFEGUARD, stack  # noqa: F401  (the fixture)
from tests.test_provider_decider import NOTICE, SUSPENSION_EVIDENCE

ROOT = Path(__file__).resolve().parents[1]


async def safeguard(settings: Settings, *args: str) -> tuple[int, str, str]:
    """The command, running this checkout's code (the venv's editable install may point at another)."""
    environ = {**os.environ, "SAFEGUARD_TEMPORAL_ADDRESS": settings.temporal_address, "PYTHONPATH": str(ROOT),
               "SAFEGUARD_DATA_DIR": str(settings.data_dir), "SAFEGUARD_TASK_QUEUE": settings.task_queue}
    proc = await asyncio.create_subprocess_exec(SAFEGUARD, *args, env=environ,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    return proc.returncode, out.decode(), err.decode()


async def test_a_commissioner_runs_the_process_from_the_command_line(stack):  # noqa: F811
    settings, tmp = stack
    svc = f"SVC-CLI-{uuid.uuid4().hex[:6]}"
    now = datetime.now(timezone.utc).replace(microsecond=0)
    case_id = f"CLI-1{uuid.uuid4().hex[:6]}"
    body = concern((now - timedelta(minutes=5)).isoformat(), case_id=case_id,
                   service={"id": svc, "name": "Elm House", "provider": "Northgate Care", "client_group": "older people"})
    # on the real clock the provider's timescale cannot run out: the immediate route of 004 line 123
    evidence = {**SUSPENSION_EVIDENCE, "period_from": (now - timedelta(days=40)).isoformat(),
                "period_to": (now - timedelta(days=1)).isoformat(), "cases": [case_id],
                "serious_risk_justification": "serious injury; the alleged source still works on the unit"}
    files = {
        "concern": body,
        "verbal": {"told_at": now.isoformat(), "told": "RM-9", **NOTICE},
        "written": {"sent_at": now.isoformat(), "recorded_delivery_ref": "RD-1", **NOTICE,
                    "rectify_by": (now + timedelta(days=7)).isoformat()},
        "immediate": {"serious_risk": "serious injury", "action": "remove_alleged_perpetrator"},
        "s42": {"case_id": case_id, "invoked_at": now.isoformat(), "la_reference": "LA-S42-1"},
        "partial": {k: v for k, v in evidence.items() if k not in ("risk_assessment_all_service_users", "contract_assessment")},
        "evidence": evidence,
    }
    for name, content in files.items():
        (tmp / f"{name}.json").write_text(json.dumps(content))
    code, out, err = await safeguard(settings, "concern", "raise", "--file", str(tmp / "concern.json"))
    assert code == 0, err

    code, out, err = await safeguard(settings, "commissioner", "process", "status", svc)
    assert code == 2 and f"no provider-concern process for service {svc}" in err
    code, out, err = await safeguard(settings, "commissioner", "process", "open", svc, "--as", "cleaner", "--actor", "C-1",
                                     "--reason", "x")
    assert code == 2 and "role: Input should be 'commissioner' or 'contract_manager'" in err
    code, out, err = await safeguard(settings, "commissioner", "process", "open", svc, "--as", "commissioner",
                                     "--actor", "COM-1", "--reason", "serious harm alleged", "--json")
    assert code == 0, err
    opened = json.loads(out)
    assert opened["status"] == "open" and opened["open_steps"][0]["step"] == "verbal_notice"

    for step, file in (("verbal_notice", "verbal"), ("written_notice", "written"), ("immediate_action", "immediate"),
                       ("section_42_enquiry", "s42")):
        code, out, err = await safeguard(settings, "commissioner", "process", "step", svc, step, "--as", "contract_manager",
                                         "--actor", "CM-1", "--file", str(tmp / f"{file}.json"))
        assert code == 0, err

    code, out, err = await safeguard(settings, "commissioner", "process", "decide", svc, "suspend", "--as", "commissioner",
                                     "--actor", "COM-1", "--file", str(tmp / "partial.json"))
    assert code == 2
    assert "cannot suspend placements: the evidence trail lacks" in err
    assert "against the contract (004 line 130): give contract_assessment" in err
    assert "give risk_assessment_all_service_users" in err
    code, out, err = await safeguard(settings, "commissioner", "process", "decide", svc, "suspend", "--as", "commissioner",
                                     "--actor", "COM-1", "--file", str(tmp / "evidence.json"))
    assert code == 0, err
    assert "SUSPEND" not in out and "decision: suspend" in out and "inform_neighbouring_commissioners" in out

    code, out, err = await safeguard(settings, "commissioner", "records", "--json")
    (record,) = [r for r in json.loads(out) if r["service_id"] == svc]
    assert (record["process"]["status"], record["process"]["decision"]) == ("decided", "suspend")
    code, out, err = await safeguard(settings, "commissioner", "records")
    assert f"provider-concern process (004) {opened['process_id']}: decided, decided suspend" in out

    code, out, err = await safeguard(settings, "commissioner", "process", "chronology", svc, "--json")
    assert code == 0, err
    entries = json.loads(out)
    assert [e["type"] for e in entries] == ["ProcessOpened", "ProcessStepOpened", "ProcessStepRecorded", "ProcessStepOpened",
                                            "ProcessStepRecorded", "ProcessStepRecorded", "ProcessStepOpened",
                                            "ProcessStepRecorded", "ProcessDecided", "ProcessStepOpened", "ProcessStepOpened"]
    assert entries[0]["details"]["policy_version"] and entries[2]["deadline_met"] is True
    assert entries[8]["details"]["history"]["concerns"] == 1
    assert entries[8]["details"]["conditions"]["section_42_invoked"] == {"on_cases": [], "on_process": [case_id]}
    code, out, err = await safeguard(settings, "commissioner", "process", "chronology", svc)
    assert code == 0 and "ProcessDecided suspend COM-1 (commissioner)" in out, err
