"""Authorisation as a table: every endpoint x every role x in-service / out-of-service /
organisation-wide (and an inspector's grant: current, ended, for another case), including a
step escalated to a role above its own. The expected status is written out here, from the issue's
rules, not computed by the code under test."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest_asyncio

from bootstrap import build_worker
from casework.temporal.cases import raise_concern
from domain.access import STAFF_ROLES, Assignment
from domain.concern import ConcernBody
from tests.api_support import Api, concern_body
from tests.cases import RECORDS

ELM, OAK = "SVC-ELM", "SVC-OAK"
GOVERNANCE = {"quality_safeguarding_lead", "nominated_individual", "operations_director"}
COMMISSIONING = {"commissioner", "contract_manager", "quality_safeguarding_lead", "nominated_individual"}


def principals() -> list[tuple[str, str]]:
    out = []
    for role in STAFF_ROLES:
        scopes = ["org"] if role == "quality_safeguarding_lead" else ["in", "out", "org"]
        out += [(role, s) for s in scopes]
    return out + [("commissioner", "org"), ("contract_manager", "org"), ("inspector", "granted"), ("inspector", "ended"),
                  ("inspector", "other case")]


def expected(endpoint: str, role: str, scope: str) -> int:
    at_elm = role in STAFF_ROLES and scope in ("in", "org")  # holds a staff role at the case's service
    sees = at_elm or (role == "inspector" and scope == "granted")
    hidden = 404  # a case they may not see is answered as an unknown one
    match endpoint:
        case "status" | "chronology":
            return 200 if sees else hidden
        case "complete record_concern":  # the step's own role
            return 200 if at_elm and role == "senior_support_worker" else 403 if sees else hidden
        case "complete escalated record_concern":  # escalated to team_leader: either may complete
            return 200 if at_elm and role in ("senior_support_worker", "team_leader") else 403 if sees else hidden
        case "development":
            return 200 if at_elm else 403 if sees else hidden
        case "acknowledge":  # allowed through to the case, which has no escalation E9
            return 409 if at_elm else 403 if sees else hidden
        case "raise":
            return 201 if at_elm else 403
        case "deadlines" | "dashboard":
            return 200 if role in STAFF_ROLES else 403
        case "governance":  # the organisation's figures: a reader held organisation-wide
            return 200 if role in GOVERNANCE and scope == "org" else 403
        case "national return":  # and the local authority's commissioners (issue 19)
            return 200 if role in GOVERNANCE | {"commissioner"} and scope == "org" else 403
        case "commissioner records":
            return 200 if role in COMMISSIONING and scope == "org" else 403
        case "provider process status":  # no process for the service yet: readers are told so
            return 404 if role in COMMISSIONING and scope == "org" else 403
        case "provider process open":  # a commissioner only: the open is refused for want of a reason
            return 422 if role == "commissioner" else 403
        case "pathway" | "threshold profiles" | "provider process steps":
            return 200
    raise AssertionError(endpoint)


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Api(env, settings, records)


async def new_case(api: Api, minutes_ago: int = 0) -> str:
    identified = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()
    body = ConcernBody.model_validate(concern_body(identified_at=identified))
    return (await raise_concern(api.env.client, api.settings.task_queue, body)).case_id


async def test_every_endpoint_by_every_role_and_scope(api):
    shared, elsewhere = await new_case(api), await new_case(api)  # an inspector may be granted another case
    now = datetime.now(timezone.utc)
    results, wrong = [], []
    for n, (role, scope) in enumerate(principals()):
        own, escalated = await new_case(api), await new_case(api, minutes_ago=20)
        user = f"U-{n}"
        if role == "inspector":
            cases = (elsewhere,) if scope == "other case" else (shared, own, escalated)
            until = now - timedelta(hours=1) if scope == "ended" else now + timedelta(days=1)
            assignment = Assignment(role, None, cases, until)
        else:
            assignment = Assignment(role, {"in": ELM, "out": OAK, "org": None}[scope])
        api.user(user, assignment)
        async with api.client(api.token(user)) as c:
            calls = {
                "status": c.get(f"/cases/{shared}"),
                "chronology": c.get(f"/cases/{shared}/chronology"),
                "complete record_concern": c.post(f"/cases/{own}/steps/record_concern/completions",
                                                  json={"record": RECORDS["record_concern"]}),
                "complete escalated record_concern": c.post(f"/cases/{escalated}/steps/record_concern/completions",
                                                            json={"record": RECORDS["record_concern"]}),
                "development": c.post(f"/cases/{shared}/developments", json={"kind": "other", "summary": "a call"}),
                "acknowledge": c.post(f"/cases/{shared}/escalations/E9/acknowledgement", json={"note": "called the home"}),
                "raise": c.post("/cases", json=concern_body()),
                "deadlines": c.get("/deadlines"),
                "dashboard": c.get("/dashboard"),
                "governance": c.get("/governance"),
                "national return": c.get("/reports/national", params={"year": 2026}),
                "commissioner records": c.get("/commissioner/records"),
                "pathway": c.get("/pathway"),
                "threshold profiles": c.get("/threshold/profiles"),
                "provider process steps": c.get("/provider-processes/steps"),
                "provider process status": c.get(f"/provider-processes/SVC-NONE-{n}"),
                "provider process open": c.post(f"/provider-processes/SVC-NONE-{n}", json={"reason": ""}),
            }
            for endpoint, call in calls.items():
                r = await call
                want = expected(endpoint, role, scope)
                results.append((endpoint, role, scope, r.status_code))
                if r.status_code != want:
                    wrong.append(f"{endpoint} as {role} ({scope}): {r.status_code}, expected {want}: {r.text[:200]}")
    assert not wrong, "\n".join(wrong)
    assert len(results) == len(principals()) * 17
    # every refusal was audited, with its reason
    refusals = [a for a in api.accounts.access_log() if a.action == "refused"]
    # (a 404 for a service with no process is the process's answer to a reader, not a refusal)
    refused = [r for r in results if r[3] == 403 or (r[3] == 404 and not r[0].startswith("provider process"))]
    assert len(refusals) == len(refused)
    assert all(a.reason for a in refusals)
