"""The national return "as at" an instant (issue 22: "as at" an earlier instant shows the record as it
stood then), by the use case, the API and the CLI, as the commissioner records take it: a fresh-clone
trial found `GET /reports/national?as_at=` silently ignored, so nobody could see the return as it stood
before a correction. AM-1 (tests/test_amended_read_models.py): its local authority's decision and the
enquiry's conclusion, in 2027's collection year as recorded, were corrected on 3 April 2028 into 2028's."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from typer.testing import CliRunner

import bootstrap
import cli.report as report_cli
from casework import oversight
from cli.main import app as main_app
from domain.access import Assignment
from eventstore.accounts import Accounts
from tests.api_support import API, BASE
from tests.test_amended_read_models import BEFORE, amended_am1
from web.app import create_app

pytestmark = pytest.mark.unit
NOW = datetime(2028, 5, 1, 9, 0, tzinfo=timezone.utc)  # after the corrections


def started(report: dict) -> int:
    return report["sg1f"]["section_42_enquiries"]


@pytest.fixture
def seeded(settings, records):
    amended_am1(records)
    accounts = Accounts(records)
    accounts.add_user("QSL-1", "Quinn Quality", None, by="test")
    accounts.grant("QSL-1", Assignment("quality_safeguarding_lead"), by="test")
    return records


def test_the_use_case_reads_the_return_as_it_stood(seeded, settings):
    ports = bootstrap.ports(settings, seeded)
    qsl = ports.accounts.account("QSL-1").principal("api")
    assert started(oversight.national(ports, qsl, 2027)) == 0  # corrected into 2028's year
    assert started(oversight.national(ports, qsl, 2027, as_at=BEFORE)) == 1  # as it stood before the correction
    assert started(oversight.national(ports, qsl, 2028, as_at=BEFORE)) == 0
    reasons = [a.reason for a in ports.accounts.access_log(user_id="QSL-1") if a.action == "export"]
    assert reasons == ["national return 2027", f"national return 2027 as at {BEFORE.astimezone(timezone.utc).isoformat()}",
                       f"national return 2028 as at {BEFORE.astimezone(timezone.utc).isoformat()}"]


async def test_the_api_takes_as_at_and_refuses_one_that_is_not_an_instant(seeded, settings):
    secret = Accounts(seeded).issue_token("QSL-1", "test", None, timedelta(days=1000), by="test").secret  # the app runs on NOW
    app = create_app(settings, records=seeded, now=lambda: NOW)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE + API,
                                 headers={"Authorization": f"Bearer {secret}"}) as c:
        now = await c.get("/reports/national", params={"year": 2027})
        then = await c.get("/reports/national", params={"year": 2027, "as_at": BEFORE.isoformat()})
        day = await c.get("/reports/national", params={"year": 2027, "as_at": "2028-04-02"})  # its end, London
        bad = await c.get("/reports/national", params={"year": 2027, "as_at": "before the correction"})
        later = await c.get("/reports/national", params={"year": 2027, "as_at": "2029-01-01"})
    assert (now.status_code, then.status_code, day.status_code) == (200, 200, 200), then.text
    assert (started(now.json()), started(then.json()), started(day.json())) == (0, 1, 1)
    assert bad.status_code == 422 and "as_at" in bad.json()["detail"]
    assert later.status_code == 422


def test_the_cli_takes_as_at(seeded, monkeypatch):
    monkeypatch.setattr(report_cli.runtime, "records", lambda: seeded)
    monkeypatch.setattr("cli.common.now", lambda: NOW)
    run = CliRunner().invoke
    now = run(main_app, ["report", "national", "--year", "2027", "--json"])
    then = run(main_app, ["report", "national", "--year", "2027", "--json", "--as-at", BEFORE.isoformat()])
    assert (now.exit_code, then.exit_code) == (0, 0), then.output
    assert (started(json.loads(now.stdout)), started(json.loads(then.stdout))) == (0, 1)
    printed = run(main_app, ["report", "national", "--year", "2027", "--as-at", "2028-04-02"])
    assert printed.exit_code == 0 and "as at 2028-04-02T22:59:59+00:00" in printed.output.splitlines()[0], printed.output
    bad = run(main_app, ["report", "national", "--year", "2027", "--as-at", "02/04/2028"])
    assert bad.exit_code == 2 and "is not an ISO date" in bad.output
