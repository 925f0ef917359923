"""The codec endpoint the Temporal UI decodes payloads with (web/codec.py): a case's payloads
come back decrypted only to a signed-in user who may read that case, as the case page decides;
anyone else gets them back still encrypted. Only the Temporal UI's origins may call it with the
user's cookie, and nothing can be encoded through it."""

from __future__ import annotations

import base64
import json

import pytest_asyncio
from google.protobuf.json_format import MessageToDict
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import WorkflowSerializationContext

from domain.access import Assignment
from encryption.payload_codec import CaseKeyCodec
from tests.api_support import BASE, Api
from tests.conftest import concern
from tests.pure_case import PureCase

SUMMARY = "Percival hid Araminta's walking frame"
UI = "http://127.0.0.1:8233"
CODEC = BASE + "/codec"


@pytest_asyncio.fixture(loop_scope="session")
async def api(env, settings, records):
    yield Api(env, settings, records)


async def sealed(records, case_id: str | None, value: object) -> dict:
    codec = CaseKeyCodec(records.keys)
    if case_id:
        codec = codec.with_context(WorkflowSerializationContext("default", case_id))
    payloads = await codec.encode([pydantic_data_converter.payload_converter.to_payload(value)])
    return MessageToDict(Payloads(payloads=payloads))


def texts(answer: dict) -> list[str]:
    return [base64.b64decode(p.get("data", "")).decode(errors="replace") for p in answer["payloads"]]


async def decode(c, body) -> tuple[int, dict]:
    r = await c.post(CODEC + "/decode", content=json.dumps(body), headers={"content-type": "application/json"})
    return r.status_code, r.json()


async def test_a_case_decodes_for_those_who_may_read_it_and_for_no_one_else(api):
    case = PureCase(concern("2027-01-12T09:30:00+00:00", case_id="CD-1", summary=SUMMARY))
    api.records.record("CD-1", 1, case.facts)
    body = await sealed(api.records, "CD-1", {"summary": SUMMARY})
    assert SUMMARY not in json.dumps(body)

    async with api.as_user("SSW-ELM", Assignment("senior_support_worker", "SVC-ELM")) as elm:
        status, answer = await decode(elm, body)
        assert status == 200 and SUMMARY in texts(answer)[0]
        assert (await decode(elm, body))[0] == 200
    async with api.as_user("SSW-OAK", Assignment("senior_support_worker", "SVC-OAK")) as oak:
        status, answer = await decode(oak, body)
        assert status == 200 and answer == body  # as it came: still encrypted
    async with api.client() as nobody:
        status, answer = await decode(nobody, body)
        assert status == 401 and answer["payloads"] == body["payloads"] and "sign in" in answer["detail"]

    log = api.accounts.access_log(case_id="CD-1")
    seen = [(f.user_id, f.action, f.allowed) for f in log if "codec" in f.what]
    assert seen == [("SSW-ELM", "read", True), ("SSW-OAK", "refused", False)]  # the second view is within AUDIT_EVERY


async def test_other_workflows_payloads_decode_for_governance_readers_only(api):
    body = await sealed(api.records, "governance-action-GA-1", {"ref": "GA-1"})
    async with api.as_user("QSL-1", Assignment("quality_safeguarding_lead")) as qsl:
        assert '"GA-1"' in texts((await decode(qsl, body))[1])[0]
    async with api.as_user("SSW-2", Assignment("senior_support_worker", "SVC-ELM")) as ssw:
        assert (await decode(ssw, body))[1] == body


async def test_bad_bodies_are_refused_by_what_is_wrong_and_encode_is_not_served(api):
    async with api.as_user("SSW-3", Assignment("senior_support_worker", "SVC-ELM")) as c:
        r = await c.post(CODEC + "/decode", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400 and "Temporal Payloads as JSON" in r.json()["detail"]
        r = await c.post(CODEC + "/decode", json={"payload": []})  # a misspelt field
        assert r.status_code == 400 and "payload" in r.json()["detail"]
        assert (await decode(c, {"payloads": []})) == (200, {"payloads": []})
        for bad in (b"[]", b"[" * 100_000 + b"]" * 100_000, b'{"payloads": 5}'):
            r = await c.post(CODEC + "/decode", content=bad, headers={"content-type": "application/json"})
            assert r.status_code == 400 and "Temporal Payloads as JSON" in r.json()["detail"], bad[:20]
        r = await c.post(CODEC + "/decode", content=b'{"payloads": []}', headers={"content-type": "text/plain"})
        assert r.status_code == 415
        r = await c.post(CODEC + "/encode", json={"payloads": []})
        assert r.status_code == 403 and "through Safeguard" in r.json()["detail"]


async def test_only_the_temporal_ui_may_call_it_with_the_users_cookie(api):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"}
    async with api.client() as c:
        ok = await c.options(CODEC + "/decode", headers={"Origin": UI, **preflight})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == UI and ok.headers["access-control-allow-credentials"] == "true"
        evil = await c.options(CODEC + "/decode", headers={"Origin": "https://evil.example", **preflight})
        assert evil.status_code == 400 and "access-control-allow-origin" not in evil.headers
        api_route = await c.options("/cases", headers={"Origin": UI, **preflight})
        assert "access-control-allow-origin" not in api_route.headers  # the API itself allows no other origin


async def test_a_payload_cannot_be_relabelled_to_another_case_or_left_unnamed(api):
    """Who may read a payload is decided by the case it names, so the key must be that case's:
    a payload of CD-A relabelled as CD-B (readable by the caller), or stripped of its case, stays encrypted;
    a damaged or malformed one too, without failing the others."""
    for case_id, service in (("CD-A", "SVC-ELM"), ("CD-B", "SVC-OAK")):
        api.records.record(case_id, 1, PureCase(concern("2027-01-12T09:30:00+00:00", case_id=case_id,
                                                        service={**concern("2027-01-12T09:30:00+00:00")["service"], "id": service})).facts)
    body = await sealed(api.records, "CD-A", {"summary": SUMMARY})
    relabelled = json.loads(json.dumps(body))
    relabelled["payloads"][0]["metadata"]["safeguard-case"] = base64.b64encode(b"CD-B").decode()
    unnamed = json.loads(json.dumps(body))
    del unnamed["payloads"][0]["metadata"]["safeguard-case"]
    damaged = json.loads(json.dumps(body))
    damaged["payloads"][0]["data"] = base64.b64encode(b"not a ciphertext").decode()
    bad_key = json.loads(json.dumps(body))
    bad_key["payloads"][0]["metadata"]["safeguard-key"] = base64.b64encode(b"zz").decode()
    good = await sealed(api.records, "CD-B", {"summary": "kept"})
    async with api.as_user("RM-OAK", Assignment("registered_manager", "SVC-OAK")) as oak, \
            api.as_user("QSL-9", Assignment("quality_safeguarding_lead")) as qsl:
        for forged in (relabelled, unnamed, damaged, bad_key):
            for c in (oak, qsl):
                status, answer = await decode(c, {"payloads": forged["payloads"] + good["payloads"]})
                assert status == 200 and answer["payloads"][0] == forged["payloads"][0]  # as it came
                assert "kept" in texts(answer)[1]  # the other payload is still decoded
    reads = [a for a in api.accounts.access_log() if a.user_id == "RM-OAK" and "codec" in a.what]
    assert ("CD-B", "read") in [(a.case_id, a.action) for a in reads]
    assert ("CD-A", "read") not in [(a.case_id, a.action) for a in reads]  # its own refusals, logged as such
