"""The codec endpoint: the Temporal UI shows a case's payloads decrypted to those who may read the case.

Temporal's remote codec protocol: the UI POSTs `{"payloads": [...]}` (protobuf JSON) to
`<endpoint>/decode` and shows what comes back. Each payload encrypted under a case's key is
decrypted only if the signed-in user (session cookie, or an API token) may read that case, by the
same rule as the case page; a payload of Safeguard's other workflows (audits, governance actions,
provider-concern processes) only for governance or commissioning readers. Everything else comes
back as it came, still encrypted, so the UI shows it as encoded. Decoding changes nothing, and
only the Temporal UI's origins may read the answer (CORS), so it needs no CSRF token. Who decoded
which case is in the access audit, once per user and case every AUDIT_EVERY.

`/encode` is refused: the UI would use it to send signals and updates with input, which must go
through Safeguard's own rules (pages, API or CLI), never straight to a workflow.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from temporalio.api.common.v1 import Payload, Payloads

from casework.access import case_service
from domain.access import Principal, may_read_case, may_read_organisation_workflows
from encryption.payload_codec import CODEC_PATH, ForeignPayload, UnknownKey, decrypt, encrypted, payload_case, payload_key
from eventstore.keys import Erased
from web.identity import audit, resolve_principal, web
from web.problems import Problem

AUDIT_EVERY = timedelta(minutes=10)  # the UI decodes every event of a history page: audit a user's view of a case once
MAX_BODY = 4 * 1024 * 1024  # Temporal's payloads are at most 2 MB each; the UI sends a few at a time

router = APIRouter(include_in_schema=False)
_audited: dict[tuple[str, str, bool], datetime] = {}  # per process: (user, case, allowed) -> when last audited


class CodecCORS:
    """CORS for the codec endpoint alone: the Temporal UI's origins may call it with the user's cookie."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_credentials=True, allow_methods=["POST"],
                                   allow_headers=["content-type", "x-namespace", "authorization"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CODEC_PATH + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _payloads(request: Request) -> list[Payload]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise Problem(413, f"the body is {len(body)} bytes; at most {MAX_BODY} are taken")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Problem(415, "the body must be JSON (Content-Type: application/json)")
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("payloads", []), list):
            raise ValueError("not an object with a list of payloads")
        parsed = ParseDict(data, Payloads())
    except (ValueError, ParseError, RecursionError) as e:
        raise Problem(400, f"the body must be Temporal Payloads as JSON ({{\"payloads\": [...]}}): {e}") from None
    return list(parsed.payloads)


def _answer(payloads: list[Payload]) -> dict[str, Any]:
    return {"payloads": [MessageToDict(p) for p in payloads]}


@router.post(CODEC_PATH + "/decode")
async def decode(request: Request) -> JSONResponse:
    payloads = await _payloads(request)
    try:
        principal = resolve_principal(request)
    except Problem as e:  # the UI shows whatever comes back: let it be the payloads, still encrypted
        e.extra["payloads"] = _answer(payloads)["payloads"]
        raise
    ctx = web(request)
    readable: dict[str | None, bool] = {}
    out = []
    for p in payloads:
        if not encrypted(p):
            out.append(p)
            continue
        try:
            case_id = payload_case(p)
            payload_key(p)  # the key must be the named case's: who may read it is decided by the case
            if case_id not in readable:
                readable[case_id] = _may_decode(request, principal, case_id)
            out.append(decrypt(ctx.records.keys, p) if readable[case_id] and ctx.records.keys else p)
        except (Erased, UnknownKey, ForeignPayload):  # erased, not this deployment's, or altered: as it came
            out.append(p)
    return JSONResponse(_answer(out))


def _may_decode(request: Request, principal: Principal, case_id: str | None) -> bool:
    ctx = web(request)
    now = ctx.now()
    if case_id is None:
        decision, service = may_read_organisation_workflows(principal), None
    else:
        try:
            service = case_service(ctx.records, case_id)
        except Erased:
            return False
        if service is None:
            return False
        decision = may_read_case(principal, case_id, service, now)
    key = (principal.user_id, case_id or "", bool(decision))
    if key not in _audited or now - _audited[key] >= AUDIT_EVERY:
        audit(request, principal, "read" if decision else "refused", bool(decision),
              case_id=case_id, service=service, reason=None if decision else decision.reason)
        _audited[key] = now
    return bool(decision)


@router.post(CODEC_PATH + "/encode")
async def encode(request: Request) -> JSONResponse:
    raise Problem(403, "Safeguard does not encode payloads for the Temporal UI: steps, developments and "
                       "acknowledgements are sent through Safeguard (its pages, API or CLI), under its rules")
