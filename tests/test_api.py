"""The HTTP API (httpx against the real app) on the time-skipping server with a real worker and store."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
import pytest_asyncio

from bootstrap import build_worker
from domain.access import Assignment
from domain.facts import StepCompleted
from eventstore.accounts import Accounts
from tests.api_support import API, BASE, Api, concern_body
from web.app import create_app
from tests.cases import RECORDS

ELM = "SVC-ELM"


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    async with build_worker(env.client, records, settings):
        yield Api(env, settings, records)


async def raise_case(api: Api, **over) -> str:
    async with api.client(api.token(api.user(f"RAISER-{api.events()}", Assignment("senior_support_worker", ELM)))) as c:
        r = await c.post("/cases", json=concern_body(**over))
        assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    for _ in range(200):  # the service's history is attached just after the raise answers: let it land
        if any(type(e.fact).__name__ == "ServiceHistoryAttached" for e in api.records.stored_facts(case_id)):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError(f"{case_id}: no ServiceHistoryAttached")
    return case_id


def completions(api: Api, case_id: str) -> list[StepCompleted]:
    return [r.fact for r in api.records.stored_facts(case_id) if isinstance(r.fact, StepCompleted)]


# ---- the actor and role come from the identity ---------------------------------------------------


async def test_actor_and_role_recorded_are_the_signed_in_users(api):
    case_id = await raise_case(api)
    async with api.as_user("SSW-14", Assignment("senior_support_worker", ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/record_concern/completions", json={"record": RECORDS["record_concern"]})
    assert r.status_code == 200, r.text
    assert r.json()["step"] == "record_concern"
    [done] = completions(api, case_id)
    assert (done.actor, done.role, done.channel) == ("SSW-14", "senior_support_worker", "api")


async def test_who_raised_a_concern_is_the_signed_in_user(api):
    async with api.as_user("SSW-13", Assignment("team_leader", ELM), Assignment("senior_support_worker", ELM)) as c:
        named = await c.post("/cases", json=concern_body(raised_by={"actor": "DSL-2", "role": "designated_safeguarding_lead"}))
        r = await c.post("/cases", json=concern_body())
    assert named.status_code == 422 and "raised_by comes from who you are signed in as" in named.json()["detail"]
    assert r.status_code == 201
    raised = api.records.stored_facts(r.json()["case_id"])[0].fact
    assert raised.concern.raised_by.model_dump() == {"actor": "SSW-13", "role": "team_leader"}


async def test_a_body_naming_actor_or_role_is_refused_and_records_nothing(api):
    case_id = await raise_case(api)
    before = api.case_events(case_id)
    async with api.as_user("SSW-15", Assignment("senior_support_worker", ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/record_concern/completions",
                         json={"record": RECORDS["record_concern"], "actor": "DSL-2", "role": "designated_safeguarding_lead"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert "come from who you are signed in as" in r.json()["detail"]
    assert api.case_events(case_id) == before


async def test_the_refusal_says_what_is_missing_and_records_nothing_but_the_refusal(api):
    case_id = await raise_case(api)
    before = api.case_events(case_id)
    async with api.as_user("TL-9", Assignment("team_leader", ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/route_decision/completions", json={"record": RECORDS["route_decision"]})
    assert r.status_code == 403
    assert r.json()["detail"] == ("Only a designated safeguarding lead at SVC-ELM can complete this step (Safeguarding "
                                  "route decision). You are a team leader there.")
    assert api.case_events(case_id) == before
    [refusal] = [a for a in api.accounts.access_log(case_id=case_id) if a.user_id == "TL-9"]
    assert (refusal.action, refusal.allowed, refusal.reason) == ("refused", False, r.json()["detail"])


async def test_an_escalated_role_may_complete_the_step(api):
    # identified 20 minutes ago: record_concern (15 minutes) is missed and escalated to team_leader as it is raised
    identified = (datetime.now(timezone.utc) - timedelta(minutes=20)).replace(microsecond=0).isoformat()
    case_id = await raise_case(api, identified_at=identified)
    async with api.as_user("TL-3", Assignment("team_leader", ELM)) as c:
        status = (await c.get(f"/cases/{case_id}")).json()
        [step] = [s for s in status["open_steps"] if s["step"] == "record_concern"]
        assert step["can_complete"] == ["senior_support_worker", "team_leader"]
        url, body = f"/cases/{case_id}/steps/record_concern/completions", {"record": RECORDS["record_concern"]}
        r = await c.post(url, json=body, headers={"Idempotency-Key": "esc-1"})
        # the completion ended the escalation that let them act: sent again they are answered, not refused
        replayed = await c.post(url, json=body, headers={"Idempotency-Key": "esc-1"})
        again = await c.post(url, json=body)
    assert r.status_code == 200, r.text
    assert replayed.status_code == 200 and replayed.json() == r.json() and replayed.headers["Idempotent-Replayed"] == "true"
    assert again.status_code == 409 and "already done" in again.json()["detail"], again.text
    [done] = completions(api, case_id)
    assert (done.actor, done.role) == ("TL-3", "team_leader")


async def test_a_case_at_another_service_is_answered_as_unknown(api):
    case_id = await raise_case(api)
    async with api.as_user("TL-OAK", Assignment("team_leader", "SVC-OAK")) as c:
        theirs = await c.get(f"/cases/{case_id}/chronology")
        unknown = await c.get("/cases/SG-NO-SUCH-1/chronology")
        write = await c.post(f"/cases/{case_id}/developments", json={"kind": "other", "summary": "x"})
    assert theirs.status_code == unknown.status_code == write.status_code == 404
    assert theirs.json()["detail"] == f"no case {case_id}"
    assert unknown.json()["detail"] == "no case SG-NO-SUCH-1"


# ---- errors as problem+json ------------------------------------------------------------------------


async def test_step_already_done_is_409_and_unknown_step_names_the_steps(api):
    case_id = await raise_case(api)
    async with api.as_user("SSW-16", Assignment("senior_support_worker", ELM)) as c:
        url = f"/cases/{case_id}/steps/record_concern/completions"
        assert (await c.post(url, json={"record": RECORDS["record_concern"]})).status_code == 200
        again = await c.post(url, json={"record": RECORDS["record_concern"]})
        unknown = await c.post(f"/cases/{case_id}/steps/make_tea/completions", json={"record": {}})
    assert again.status_code == 409 and "already done" in again.json()["detail"]
    assert unknown.status_code == 422 and "unknown step 'make_tea'" in unknown.json()["detail"]


async def test_a_record_missing_a_field_is_refused_in_the_cases_words(api):
    case_id = await raise_case(api)
    before = api.case_events(case_id)
    async with api.as_user("SSW-17", Assignment("senior_support_worker", ELM)) as c:
        r = await c.post(f"/cases/{case_id}/steps/record_concern/completions", json={"record": {"presentation": "calm"}})
    assert r.status_code == 422 and "behaviour_observed" in r.json()["detail"]
    assert api.case_events(case_id) == before


# ---- bad input leaves no event ---------------------------------------------------------------------

BIG = "x" * 4001


@pytest.mark.parametrize("name, body, headers, status, words", [
    ("malformed", b'{"identified_at": ', {"content-type": "application/json"}, 400, "not valid JSON"),
    ("duplicate key", b'{"summary": "a", "summary": "b"}', {"content-type": "application/json"}, 400, "appears twice"),
    ("wrong content type", b"summary=x", {"content-type": "application/x-www-form-urlencoded"}, 415, "application/json"),
    ("unknown field", "extra", {}, 422, "colour: Extra inputs are not permitted"),
    ("summary too long", "summary", {}, 422, "4,000"),
    ("bad date", "date", {}, 422, "identified_at"),
    ("a name for an adult", "name", {}, 422, "adult_at_risk"),
    ("too large", "large", {"content-type": "application/json"}, 413, "at most 1,024 KB"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
async def test_bad_concerns_are_refused_and_record_nothing(api, name, body, headers, status, words):
    if body == "large":
        body = b'{"summary": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    if isinstance(body, str):
        over = {"extra": {"colour": "red"}, "summary": {"summary": BIG}, "date": {"identified_at": "23/11/2026"},
                "name": {"adult_at_risk": {"id": "A-1", "name": "Jane Doe"}}}[body]
        body, headers = json.dumps(concern_body(**over)).encode(), {"content-type": "application/json"}
    api.user(f"SSW-B-{abs(hash(name)) % 10**6}", Assignment("senior_support_worker", ELM))
    token = api.token(f"SSW-B-{abs(hash(name)) % 10**6}")
    before = api.events()
    async with api.client(token) as c:
        r = await c.post("/cases", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]
    # the token's first use is the only thing recorded: no case, no audit line of a write
    assert [type(e.fact).__name__ for e in _since(api, before)] in ([], ["TokenUsed"])


def _since(api: Api, position: int):
    from projections.feed import decode

    return decode(api.records, api.records.recorder.select_notifications(start=position + 1, limit=100))


async def test_an_oversized_record_is_refused(api):
    case_id = await raise_case(api)
    before = api.case_events(case_id)
    async with api.as_user("SSW-18", Assignment("senior_support_worker", ELM)) as c:
        record = {**RECORDS["record_concern"], "notes": "x" * (65 * 1024)}
        r = await c.post(f"/cases/{case_id}/steps/record_concern/completions", json={"record": record})
    assert r.status_code == 422 and "at most 64 KB" in r.json()["detail"]
    assert api.case_events(case_id) == before


# ---- idempotency ------------------------------------------------------------------------------------


async def test_two_concurrent_identical_requests_with_one_key_record_once(api):
    case_id = await raise_case(api)
    async with api.as_user("SSW-19", Assignment("senior_support_worker", ELM)) as c:
        url = f"/cases/{case_id}/developments"
        body = {"kind": "agency_contact", "summary": "LA hub called back"}
        a, b = await asyncio.gather(*(c.post(url, json=body, headers={"Idempotency-Key": "dev-1"}) for _ in range(2)))
        later = await c.post(url, json=body, headers={"Idempotency-Key": "dev-1"})
        other = await c.post(url, json={**body, "summary": "something else"}, headers={"Idempotency-Key": "dev-1"})
    assert a.status_code == b.status_code == later.status_code == 200
    assert a.json() == b.json() == later.json() == {"case_id": case_id, "development": 1}
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in (a, b)) == ["", "true"]
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    developments = [r for r in api.records.stored_facts(case_id) if type(r.fact).__name__ == "DevelopmentRecorded"]
    assert len(developments) == 1


async def test_a_development_recorded_before_its_answer_was_lost_is_not_recorded_again(api):
    """The server recorded the development, then died before keeping the key's answer (or answered
    503 "accepted, not yet recorded"): the retry with the same key records nothing more and answers
    with the same development."""
    from casework.temporal.cases import record_development
    from domain.concern import Development

    case_id = await raise_case(api)
    lost = Development(kind="agency_contact", summary="LA hub called back", actor="SSW-21", role="senior_support_worker",
                       request_id="SSW-21:dev-lost")
    assert await record_development(api.env.client, case_id, lost) == 1  # recorded; its answer never kept
    async with api.as_user("SSW-21", Assignment("senior_support_worker", ELM)) as c:
        retry = await c.post(f"/cases/{case_id}/developments", json={"kind": "agency_contact", "summary": "LA hub called back"},
                             headers={"Idempotency-Key": "dev-lost"})
        fresh = await c.post(f"/cases/{case_id}/developments", json={"kind": "other", "summary": "a new one"},
                             headers={"Idempotency-Key": "dev-new"})
    assert retry.status_code == 200 and retry.json() == {"case_id": case_id, "development": 1}
    assert fresh.json()["development"] == 2
    developments = [r.fact for r in api.records.stored_facts(case_id) if type(r.fact).__name__ == "DevelopmentRecorded"]
    assert [(d.development, d.request_id) for d in developments] == [(1, "SSW-21:dev-lost"), (2, "SSW-21:dev-new")]


async def test_two_tabs_completing_the_same_step_record_it_once(api):
    case_id = await raise_case(api)
    async with api.as_user("SSW-20", Assignment("senior_support_worker", ELM)) as c:
        url = f"/cases/{case_id}/steps/record_concern/completions"
        a, b = await asyncio.gather(*(c.post(url, json={"record": RECORDS["record_concern"]}) for _ in range(2)))
    assert sorted((a.status_code, b.status_code)) == [200, 409]
    assert "already done" in (a if a.status_code == 409 else b).json()["detail"]
    assert len(completions(api, case_id)) == 1


# ---- tokens -----------------------------------------------------------------------------------------


async def test_token_scope_expiry_and_revocation(api):
    case_id = await raise_case(api)
    api.user("MIX-1", Assignment("senior_support_worker", ELM), Assignment("team_leader", ELM))
    scoped = api.token("MIX-1", (Assignment("team_leader", ELM),))
    async with api.client(scoped) as c:
        r = await c.post(f"/cases/{case_id}/steps/record_concern/completions", json={"record": RECORDS["record_concern"]})
        assert r.status_code == 403
        assert r.json()["detail"].endswith("You are a team leader there.")  # the token's scope, not all the user's roles
    expired = api.token("MIX-1", days=-1)
    async with api.client(expired) as c:
        r = await c.get("/pathway")
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    live = api.token("MIX-1")
    async with api.client(live) as c:
        assert (await c.get("/pathway")).status_code == 200
        token_id = live.split(".")[0].removeprefix("sgt_")
        api.accounts.revoke_token(token_id, by="test")
        r = await c.get("/pathway")
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert api.accounts.token(token_id).last_used_at is not None
    async with api.client("sgt_0000.forged") as c:
        assert (await c.get("/pathway")).status_code == 401
    async with api.client() as c:
        r = await c.get("/pathway")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")


async def test_revoking_the_users_role_revokes_the_tokens(api):
    api.user("GOV-1", Assignment("quality_safeguarding_lead"))
    token = api.token("GOV-1")
    async with api.client(token) as c:
        assert (await c.get("/governance")).status_code == 200
        api.accounts.revoke("GOV-1", "quality_safeguarding_lead", None, by="test")
        r = await c.get("/governance")
    assert r.status_code == 403 and r.json()["detail"].endswith("You have no role.")


# ---- sessions ---------------------------------------------------------------------------------------


async def test_session_sign_in_csrf_and_sign_out(api):
    case_id = await raise_case(api)
    api.user("SSW-30", Assignment("senior_support_worker", ELM), password="correct horse battery")
    async with api.client() as c:
        bad = await c.post("/session", json={"user_id": "SSW-30", "password": "wrong password"})
        assert bad.status_code == 401
        r = await c.post("/session", json={"user_id": "SSW-30", "password": "correct horse battery"})
        assert r.status_code == 200, r.text
        csrf = r.json()["csrf_token"]
        cookie = c.cookies.jar
        set_cookie = r.headers["set-cookie"].lower()
        assert "httponly" in set_cookie and "secure" in set_cookie and "samesite=lax" in set_cookie
        url = f"/cases/{case_id}/developments"
        body = {"kind": "other", "summary": "called the GP"}
        before = api.case_events(case_id)
        assert (await c.post(url, json=body)).status_code == 403  # no CSRF token
        forged = await c.post(url, json=body, headers={"X-CSRF-Token": "forged"})
        assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
        assert api.case_events(case_id) == before
        assert (await c.post(url, json=body, headers={"X-CSRF-Token": csrf})).status_code == 200
        assert (await c.get(f"/cases/{case_id}/chronology")).status_code == 200
        stolen = dict(c.cookies)
        assert (await c.delete("/session", headers={"X-CSRF-Token": csrf})).status_code == 204
        assert (await c.get("/session")).status_code == 401
    async with api.client() as replay:  # the cookie copied before signing out is refused too
        replay.cookies.update(stolen)
        r = await replay.get("/session")
    assert r.status_code == 401 and "ended" in r.json()["detail"]
    actions = [(a.action, a.allowed) for a in api.accounts.access_log(user_id="SSW-30") if a.action in ("login", "logout")]
    assert actions == [("login", False), ("login", True), ("logout", True)]
    assert cookie is not None


async def test_session_expires_after_inactivity(api):
    api.user("SSW-31", Assignment("senior_support_worker", ELM), password="correct horse battery")
    clock = [datetime(2027, 3, 1, 9, tzinfo=timezone.utc)]
    api.app.state.web.now = lambda: clock[0]
    async with api.client() as c:
        assert (await c.post("/session", json={"user_id": "SSW-31", "password": "correct horse battery"})).status_code == 200
        clock[0] += timedelta(minutes=29)
        assert (await c.get("/session")).status_code == 200  # used: the idle time starts again
        clock[0] += timedelta(minutes=29)
        assert (await c.get("/session")).status_code == 200
        clock[0] += timedelta(minutes=31)
        r = await c.get("/session")
    assert r.status_code == 401 and "30 minutes without use" in r.json()["detail"]


async def test_a_session_in_use_still_ends_after_its_maximum_life(api):
    api.user("SSW-33", Assignment("senior_support_worker", ELM), password="correct horse battery")
    clock = [datetime(2027, 3, 1, 9, tzinfo=timezone.utc)]
    api.app.state.web.now = lambda: clock[0]
    async with api.client() as c:
        assert (await c.post("/session", json={"user_id": "SSW-33", "password": "correct horse battery"})).status_code == 200
        for _ in range(api.settings.session_max_hours * 3 + 2):
            clock[0] += timedelta(minutes=20)
            r = await c.get("/session")
            if r.status_code != 200:
                break
    assert r.status_code == 401 and clock[0] - datetime(2027, 3, 1, 9, tzinfo=timezone.utc) > timedelta(hours=11)


async def test_failed_sign_ins_are_throttled(api):
    api.user("SSW-32", Assignment("senior_support_worker", ELM), password="correct horse battery")
    async with api.client() as c:
        for _ in range(api.settings.login_attempts):
            assert (await c.post("/session", json={"user_id": "SSW-32", "password": "nope"})).status_code == 401
        r = await c.post("/session", json={"user_id": "SSW-32", "password": "correct horse battery"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    async with api.client() as c:  # a password typed into the user id field is never kept in the audit
        await c.post("/session", json={"user_id": "my secret passphrase", "password": "x"})
    assert "my secret passphrase" not in str([a.model_dump() for a in api.accounts.access_log()])


# ---- the access audit -------------------------------------------------------------------------------


async def test_reads_and_refusals_are_audited_without_record_text(api):
    case_id = await raise_case(api)
    async with api.as_user("RM-40", Assignment("registered_manager", ELM)) as c:
        assert (await c.get(f"/cases/{case_id}/chronology")).status_code == 200
        assert (await c.get(f"/cases/{case_id}")).status_code == 200
    async with api.as_user("RM-41", Assignment("registered_manager", "SVC-OAK")) as c:
        assert (await c.get(f"/cases/{case_id}/chronology")).status_code == 404
    log = api.accounts.access_log(case_id=case_id)
    reads = [(a.user_id, a.action, a.allowed) for a in log if a.user_id in ("RM-40", "RM-41")]
    assert reads == [("RM-40", "read", True), ("RM-40", "read", True), ("RM-41", "refused", False)]
    refused = [a for a in log if a.user_id == "RM-41"][0]
    assert refused.what == "GET /api/v1/cases/{case_id}/chronology" and refused.address == "10.0.0.7"
    assert "SVC-ELM" in refused.reason
    text = json.dumps([a.model_dump(mode="json") for a in api.accounts.access_log()])
    assert "blocked A-117 from the lounge" not in text and "blocked the lounge door" not in text


# ---- the rest of what the CLI does --------------------------------------------------------------------


async def test_lists_read_models_and_policy(api):
    case_id = await raise_case(api)
    async with api.as_user("DSL-50", Assignment("designated_safeguarding_lead", ELM)) as c:
        deadlines = (await c.get("/deadlines")).json()
        assert any(d["case_id"] == case_id for d in deadlines)
        dash = (await c.get("/dashboard")).json()
        assert any(x["case_id"] == case_id for x in dash["live_cases"])
        assert (await c.get("/dashboard", params={"as_at": "2020-01-01"})).json()["live_cases"] == []
        bad = await c.get("/dashboard", params={"as_at": "yesterday"})
        assert bad.status_code == 422 and "is not an ISO date" in bad.json()["detail"]
        chron = (await c.get(f"/cases/{case_id}/chronology", params={"as_at": "2020-01-01"})).json()
        assert chron == []
        assert (await c.get("/pathway")).json()["version"]
        assert (await c.get("/threshold/profiles", params={"profile": "sussex"})).json()[0]["name"] == "sussex"
    async with api.as_user("DSL-51", Assignment("designated_safeguarding_lead", "SVC-OAK")) as c:
        assert not any(d["case_id"] == case_id for d in (await c.get("/deadlines")).json())
    async with api.as_user("QSL-52", Assignment("quality_safeguarding_lead")) as c:
        assert "audits" in (await c.get("/governance")).json()
        records = (await c.get("/commissioner/records")).json()
        assert any(r["service_id"] == ELM for r in records)
        assert "A-117" not in json.dumps(records)
        history = await c.get(f"/commissioner/services/{ELM}/history")
        assert history.status_code == 200 and history.json()["service_id"] == ELM
        audit = await c.post("/governance/audits/weekly_recognition")
        assert audit.status_code in (200, 422), audit.text


async def test_threshold_assessment(api):
    async with api.as_user("DSL-60", Assignment("designated_safeguarding_lead", ELM)) as c:
        profiles = (await c.get("/threshold/profiles", params={"profile": "sussex"})).json()
        category = profiles[0]["categories"][0]["key"]
        r = await c.post("/threshold/assessments", params={"profile": "sussex"}, json={"category": category, "facts": {}})
        unknown = await c.post("/threshold/assessments", params={"profile": "sussex"}, json={"category": "nope", "facts": {}})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert r.json()["level"]
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]


async def test_openapi_and_docs(api):
    async with api.client() as c:
        spec = (await c.get("/openapi.json")).json()
        page = await c.get(BASE + "/api/docs")
        script = await c.get(BASE + "/api/docs/assets/swagger-ui-bundle.js")
    assert "/api/v1/cases/{case_id}/steps/{step}/completions" in spec["paths"]
    assert page.status_code == 200 and "/api/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower() and script.status_code == 200


@pytest.mark.unit
async def test_temporal_unreachable_is_503_and_records_nothing(settings, records):
    unreachable = settings.model_copy(update={"temporal_address": "127.0.0.1:1"})
    app = create_app(unreachable, records=records)
    accounts = Accounts(records)
    accounts.add_user("SSW-90", "Sam", None, by="test")
    accounts.grant("SSW-90", Assignment("senior_support_worker", ELM), by="test")
    token = accounts.issue_token("SSW-90", "t", None, timedelta(days=1), by="test").secret
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE + API,
                                 headers={"Authorization": f"Bearer {token}"}) as c:
        r = await c.post("/cases", json=concern_body())
    assert r.status_code == 503 and "cannot reach Temporal at 127.0.0.1:1" in r.json()["detail"]
    assert r.headers["content-type"] == "application/problem+json"


async def test_your_own_tokens_issued_from_a_session_listed_and_revoked(api):
    api.user("SSW-70", Assignment("senior_support_worker", ELM), password="correct horse battery")
    async with api.client() as c:
        csrf = (await c.post("/session", json={"user_id": "SSW-70", "password": "correct horse battery"})).json()["csrf_token"]
        h = {"X-CSRF-Token": csrf}
        wider = await c.post("/tokens", json={"name": "rota", "scope": ["designated_safeguarding_lead@SVC-ELM"]}, headers=h)
        assert wider.status_code == 422 and "does not hold" in wider.json()["detail"]
        issued = await c.post("/tokens", json={"name": "rota", "days": 7}, headers=h)
        assert issued.status_code == 201
        secret, token_id = issued.json()["token"], issued.json()["token_id"]
    async with api.client(secret) as t:
        assert (await t.get("/tokens")).json()[0]["token_id"] == token_id
        minted = await t.post("/tokens", json={"name": "more"})
        assert minted.status_code == 403  # a token never mints another
    async with api.client() as c:
        csrf = (await c.post("/session", json={"user_id": "SSW-70", "password": "correct horse battery"})).json()["csrf_token"]
        assert (await c.delete(f"/tokens/{token_id}", headers={"X-CSRF-Token": csrf})).status_code == 204
        [listed] = (await c.get("/tokens")).json()
        assert listed["revoked_at"] and listed["last_used_at"]
    async with api.client(secret) as t:
        assert (await t.get("/tokens")).status_code == 401


async def test_an_evidence_pack_is_an_audited_export_of_a_case_you_may_read(api):
    case_id = await raise_case(api)
    async with api.as_user("RM-80", Assignment("registered_manager", ELM)) as c:
        pdf = await c.get(f"/cases/{case_id}/evidence-pack")
        data = await c.get(f"/cases/{case_id}/evidence-pack", params={"format": "json"})
    async with api.as_user("RM-81", Assignment("registered_manager", "SVC-OAK")) as other:
        hidden = await other.get(f"/cases/{case_id}/evidence-pack")
    async with api.as_user("SSW-82", Assignment("senior_support_worker", ELM)) as staff:  # reads it, may not export it
        refused = await staff.get(f"/cases/{case_id}/evidence-pack")
    async with api.as_user("CQC-1", Assignment("inspector", cases=(case_id,), until=datetime.now(timezone.utc) + timedelta(days=7))) as inspector:
        inspected = await inspector.get(f"/cases/{case_id}/evidence-pack", params={"format": "json"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["x-evidence-intact"] == "true"
    assert data.status_code == 200 and data.json()["case_id"] == case_id
    assert hidden.status_code == 404
    assert refused.status_code == 403 and "Only a designated safeguarding lead, nominated individual" in refused.json()["detail"]
    assert "You are a senior support worker there." in refused.json()["detail"]
    assert inspected.status_code == 200
    log = api.accounts.access_log(case_id=case_id)
    exports = [a for a in log if a.action == "export"]
    assert [(a.user_id, a.allowed) for a in exports] == [("RM-80", True), ("RM-80", True), ("CQC-1", True)]
    assert any(a.user_id == "SSW-82" and a.action == "refused" and "evidence pack" in (a.reason or "") for a in log)
    async with api.as_user("RM-83", Assignment("registered_manager", ELM)) as c:
        for bad in ("2999-01-01T00:00:00+00:00", "2027-01-12T09:30:00", "garbage"):
            assert (await c.get(f"/cases/{case_id}/evidence-pack", params={"as_at": bad})).status_code == 422
    assert not [a for a in api.accounts.access_log(case_id=case_id) if a.user_id == "RM-83" and a.action == "export"]
