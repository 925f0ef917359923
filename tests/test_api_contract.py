"""The API keeps its contract (issue 18 §7): Schemathesis reads the OpenAPI document Safeguard
serves and sends requests made from it, valid and not, to the real app over the test's Temporal
server, worker and store, with a token of one who may do nearly everything. Every check runs
(tests/contract/schemathesis.toml says what is Safeguard's own): no server error, every status and
content type declared, every answer as its schema says, invalid requests refused and valid ones
accepted. The run's user administers too, so administration (/admin/...) answers as it does for an
administrator. Only signing out, revoking a token and revoking a role are left out: they would end
the run's own credential, or take away the roles the run acts in.

The run is bounded by examples per operation, not by time, so a busy machine makes it slower, not
different, and by one seed, so CI runs the same run each time. SAFEGUARD_CONTRACT_EXAMPLES and
SAFEGUARD_CONTRACT_SEED explore further; the report is kept in the test's directory when it fails."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
import uvicorn

from bootstrap import build_worker
from domain.access import Assignment
from tests.api_support import Api, concern_body
from tests.processes import free_port

CONFIG = Path(__file__).parent / "contract" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


async def _seed(api: Api, token: str) -> str:
    """A case and a provider-concern process for the run to find."""
    async with api.client(token) as c:
        raised = await c.post("/cases", json=concern_body())
        assert raised.status_code == 201, raised.text
        opened = await c.post("/provider-processes/SVC-ELM", json={"reason": "contract run"})
        assert opened.status_code == 200, opened.text
        audit = await c.post("/governance/audits/weekly")
        assert audit.status_code == 200, audit.text
    return raised.json()["case_id"]


async def test_the_served_openapi_document_holds_against_the_api(env, settings, records, tmp_path):
    async with build_worker(env.client, records, settings):
        api = Api(env, settings, records)
        api.user("QSL-90", Assignment("quality_safeguarding_lead", None), Assignment("commissioner", None),
                 Assignment("contract_manager", None), Assignment("operations_director", None),
                 Assignment("administrator", None))
        token = api.token("QSL-90", days=1)
        case_id = await _seed(api, token)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(api.app, host="127.0.0.1", port=port, log_level="warning",
                                               proxy_headers=False))
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                await asyncio.sleep(0.05)
            examples, seed = os.environ.get("SAFEGUARD_CONTRACT_EXAMPLES"), os.environ.get("SAFEGUARD_CONTRACT_SEED")
            run = await asyncio.create_subprocess_exec(
                str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"http://127.0.0.1:{port}/api/v1/openapi.json",
                "--exclude-method", "DELETE",  # signing out, revoking a token: they would end the run's own
                "--exclude-path-regex", "/revocations?$",  # an administrator's revoking: the run's token, its roles
                *(["--max-examples", examples] if examples else []), *(["--seed", seed] if seed else []),
                "--report", "ndjson", "--report-dir", str(tmp_path / "report"), "--no-color",
                cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, "SAFEGUARD_CONTRACT_TOKEN": token, "SAFEGUARD_CONTRACT_CASE": case_id})
            output, _ = await run.communicate()
        finally:
            server.should_exit = True
            await serving
    text = output.decode("utf-8", "replace")
    (tmp_path / "schemathesis.txt").write_text(text)
    summary = text[text.rfind("SUMMARY"):] if "SUMMARY" in text else text[-3000:]
    print(summary)  # the figures: operations, test cases, failures
    assert run.returncode == 0, text[-20000:]

