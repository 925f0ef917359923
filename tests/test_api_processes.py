"""The provider-concern process of 004 over the API: commissioners and contract managers act as
the roles they hold, others are refused, readers read; the same casework as the CLI."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from tests.api_support import Api
from tests.test_provider_decider import NOTICE

SVC = "SVC-ELM"


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Api(env, settings, records)


async def test_the_process_through_the_api(api):
    commissioner = api.client(api.token(api.user("COM-1", Assignment("commissioner"))))
    manager = api.client(api.token(api.user("CM-1", Assignment("contract_manager"))))
    staff = api.client(api.token(api.user("TL-1", Assignment("team_leader", SVC))))
    async with commissioner as com, manager as cm, staff as tl:
        assert (await tl.get("/provider-processes/steps")).status_code == 200
        refused = await cm.post(f"/provider-processes/{SVC}", json={"reason": "peer targeting"})
        assert refused.status_code == 403
        assert refused.json()["detail"] == ("Only a commissioner can open a provider-concern process. "
                                            "You are a contract manager for the whole organisation.")
        named = await com.post(f"/provider-processes/{SVC}", json={"reason": "peer targeting", "actor": "COM-9"})
        assert named.status_code == 422
        opened = await com.post(f"/provider-processes/{SVC}", json={"reason": "peer targeting"})
        assert opened.status_code == 200, opened.text
        assert opened.json()["status"] == "open"
        assert any(o["step"] == "verbal_notice" for o in opened.json()["open_steps"])

        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        step = {"record": {"told_at": now, "told": "RM-9", **NOTICE}}
        assert (await tl.post(f"/provider-processes/{SVC}/steps/verbal_notice", json=step)).status_code == 403
        done = await cm.post(f"/provider-processes/{SVC}/steps/verbal_notice", json=step)
        assert done.status_code == 200, done.text
        assert "verbal_notice" in done.json()["recorded_steps"]
        again = await cm.post(f"/provider-processes/{SVC}/steps/verbal_notice", json=step)
        assert again.status_code == 409 and "already recorded" in again.json()["detail"]

        unevidenced = await com.post(f"/provider-processes/{SVC}/decision", json={"outcome": "suspend"})
        assert unevidenced.status_code == 422

        assert (await tl.get(f"/provider-processes/{SVC}")).status_code == 403
        status = await com.get(f"/provider-processes/{SVC}")
        assert status.status_code == 200 and status.json()["service_id"] == SVC
        trail = (await cm.get(f"/provider-processes/{SVC}/chronology")).json()
    recorded = [e for e in trail if e["type"] == "ProcessStepRecorded"]
    assert [(e["actor"], e["role"]) for e in recorded] == [("CM-1", "contract_manager")]
