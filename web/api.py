"""The HTTP API under /api/v1: what the CLI does, over the same casework service layer.

Each route: who is asking (`current_principal`), may they (`domain/access.py`, refusals audited),
then the casework call the CLI makes. The actor and role recorded come from the identity; a body
naming either is refused. A case the principal may not see is answered as an unknown case.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import tempfile
from pathlib import Path
from datetime import datetime
from typing import Any, Awaitable, Callable

from fastapi import APIRouter, Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from activities.audit_activities import raise_actions, run_audit
from casework import commands, queries
from casework.authorised import (
    IdentityInBody,
    acknowledgement_decision,
    action_decision,
    case_service,
    completion_decision,
    raised_by,
)
from casework.availability import ANSWER_WITHIN
from cli.common import CommandError, parse_as_at, parse_json, validate
from cli.governance import _date as audit_date
from cli.threshold import _profile_json, request_parts
from domain.access import (
    Decision,
    Principal,
    may_act_at,
    may_export_case,
    may_read_case,
    may_read_commissioning,
    may_read_governance,
    may_read_lists,
    sees_service,
)
from domain.concern import Acknowledgement, ConcernBody, Development, StepCompletion
from domain.governance import AuditRequest, audit_definition
from domain.governance_actions import ActionCompletion
from domain.identity import IdempotentAnswer
from domain.pathway import current_pathway
from domain.threshold import assess, load_profile, profile_names
from projections.case_history import chronology
from projections.commissioner import CommissionerRecords, commissioner_records, service_history
from projections.dashboard import LiveCases, dashboard as dashboard_view
from projections.feed import ProjectionFeed, as_at
from projections.governance import GovernanceActions, GovernanceAudits, governance_view, tracked_actions
from projections.national import NationalReturnCases, national_report
from projections.provider_processes import ProviderProcesses
from projections.registry import open_documents, open_feed
from web.context import WebContext
from web.identity import audit, current_principal, require_csrf, web
from web.problems import Problem

router = APIRouter()
IDEMPOTENCY_HEADER = "Idempotency-Key"
JSON_TYPES = ("application/json", "application/problem+json")
IDENTITY_FIELDS = ("actor", "role")


# ---- reading a request ----------------------------------------------------------------------


async def json_body(request: Request, what: str) -> Any:
    """The body as JSON, or a refusal: not JSON content (415), over the request limit (413), not
    UTF-8 or not valid JSON (400, the CLI's words)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in JSON_TYPES:
        raise Problem(415, f"send {what} as application/json (got {ctype or 'no content type'})")
    limit = web(request).settings.max_request_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Problem(413, f"the request is {int(declared) / 1024:,.0f} KB: at most {limit // 1024:,} KB")
    raw = await request.body()
    if len(raw) > limit:
        raise Problem(413, f"the request is {len(raw) / 1024:,.0f} KB: at most {limit // 1024:,} KB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Problem(400, f"{what} is not UTF-8 text (byte {e.start + 1} is not UTF-8)") from None
    try:
        return parse_json(text, what)
    except CommandError as e:
        raise Problem(400, str(e)) from None


def no_identity_in(data: Any, what: str) -> None:
    if isinstance(data, dict):
        given = [k for k in IDENTITY_FIELDS if k in data]
        if given:
            verb = "comes" if len(given) == 1 else "come"
            raise Problem(422, f"{what}: {' and '.join(given)} {verb} from who you are signed in as; remove "
                               f"{', '.join(given)} from the body")


def rules_context(ctx: WebContext, now: datetime | None = None) -> dict[str, Any]:
    try:
        return ctx.settings.input_rules().context(now)
    except Exception as e:  # settings refused: not the caller's fault
        raise Problem(503, f"the input rules in the settings are not usable: {e}") from None


def answer(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data), status_code=status)


# ---- may they? --------------------------------------------------------------------------------


def visible_case(request: Request, principal: Principal, case_id: str, action: str = "read",
                 facts: list | None = None) -> tuple[str, Decision]:
    """The case's service if the principal may read the case (audited as `action`); else 404, as an
    unknown case would be (the refusal, with its reason, is audited). `facts`: the case's, if read."""
    ctx = web(request)
    service = case_service(ctx.records, case_id, facts)
    if service is None:
        audit(request, principal, "refused", False, case_id=case_id, reason=f"no case {case_id}")
        raise Problem(404, f"no case {case_id}")
    decision = may_read_case(principal, case_id, service, ctx.now())
    if not decision:
        audit(request, principal, "refused", False, case_id=case_id, service=service, reason=decision.reason)
        raise Problem(404, f"no case {case_id}")
    if action:
        audit(request, principal, action, True, case_id=case_id, service=service)
    return service, decision


def refuse(request: Request, principal: Principal, decision: Decision, case_id: str | None = None,
           service: str | None = None) -> None:
    if not decision:
        audit(request, principal, "refused", False, case_id=case_id, service=service, reason=decision.reason)
        raise Problem(403, decision.reason)


# ---- idempotency ------------------------------------------------------------------------------

_locks: dict[tuple[str, str], asyncio.Lock] = {}


async def idempotent(request: Request, principal: Principal, work: Callable[[], Awaitable[tuple[int, Any]]]) -> JSONResponse:
    """Run `work` once per Idempotency-Key (per user): a retry, or a concurrent twin, gets the first
    answer again (header Idempotent-Replayed: true); the key reused for another request is refused."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        status, body = await work()
        return answer(body, status)
    if not (0 < len(key) <= 200 and key.isprintable()):
        raise Problem(400, f"the {IDEMPOTENCY_HEADER} header must be 1 to 200 printable characters")
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode() + await request.body()).hexdigest()
    lock = _locks.setdefault((principal.user_id, key), asyncio.Lock())
    try:
        async with lock:
            return await _once(request, principal, key, digest, work)
    finally:
        if not lock.locked() and _locks.get((principal.user_id, key)) is lock:
            del _locks[(principal.user_id, key)]  # a later retry reads the kept answer from the store


async def _once(request: Request, principal: Principal, key: str, digest: str,
                work: Callable[[], Awaitable[tuple[int, Any]]]) -> JSONResponse:
    ctx = web(request)
    kept = await run_in_threadpool(ctx.accounts.answer, principal.user_id, key)
    if kept is None:
        status, body = await work()
        if status >= 500:
            return answer(body, status)
        kept = await run_in_threadpool(ctx.accounts.keep_answer, IdempotentAnswer(
            at=ctx.now(), user_id=principal.user_id, key=key, request_sha256=digest, status=status,
            body=json.dumps(jsonable_encoder(body))))
        if kept.request_sha256 == digest and kept.body == json.dumps(jsonable_encoder(body)):
            return answer(body, status)
    if kept.request_sha256 != digest:
        raise Problem(422, f"{IDEMPOTENCY_HEADER} {key!r} was used for a different request: use a new key")
    response = JSONResponse(json.loads(kept.body), status_code=kept.status)
    response.headers["Idempotent-Replayed"] = "true"
    return response


async def _casework(work: Awaitable[Any]) -> tuple[int, Any]:
    return 200, await work


# ---- cases --------------------------------------------------------------------------------------


def _schema(model: type) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


COMPLETION_BODY = {"type": "object", "additionalProperties": False, "required": ["record"],
                   "properties": {"record": {"type": "object"}, "occurrence": {"type": "integer", "minimum": 1}}}
DEVELOPMENT_BODY = {"type": "object", "additionalProperties": False, "required": ["kind", "summary"],
                    "properties": {"kind": {"enum": ["new_incident", "agency_contact", "other"]},
                                   "summary": {"type": "string", "maxLength": 4000}}}
NOTE_BODY = {"type": "object", "additionalProperties": False, "properties": {"note": {"type": "string"}}}


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}


@router.post("/cases", status_code=201, summary="Raise a concern", openapi_extra=_schema(ConcernBody), tags=["cases"])
async def raise_concern(request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    ctx = web(request)
    data = await json_body(request, "the concern")
    now = ctx.now().replace(microsecond=0)
    if isinstance(data, dict):  # who raised it is who is signed in, in a role they hold at its service
        try:
            data, decision = raised_by(principal, data)
        except IdentityInBody as e:
            raise Problem(422, str(e)) from None
        if decision is not None:
            refuse(request, principal, decision, data.get("case_id") if isinstance(data.get("case_id"), str) else None,
                   data["service"]["id"])
    concern = validate(data, ConcernBody, "concern", rules_context(ctx, now))
    service = concern.service.id

    async def work() -> tuple[int, Any]:
        client = await ctx.temporal()
        status = await commands.raise_concern(client, ctx.settings.task_queue, concern, now=now, within=ANSWER_WITHIN)
        await run_in_threadpool(audit, request, principal, "write", True, case_id=status.case_id, service=service)
        return 201, status

    return await idempotent(request, principal, work)


@router.get("/cases/{case_id}", summary="A case's status: open steps, due instants, escalations", tags=["cases"])
async def case_status(case_id: str, request: Request, principal: Principal = Depends(current_principal)) -> JSONResponse:
    ctx = web(request)
    await run_in_threadpool(visible_case, request, principal, case_id)
    status = await queries.case_status(await ctx.temporal(), case_id, ANSWER_WITHIN, ctx.settings.task_queue)
    return answer(status)


@router.get("/cases/{case_id}/chronology", summary="The case's chronology from the event store", tags=["cases"])
def case_chronology(case_id: str, request: Request, principal: Principal = Depends(current_principal),
                    as_at_: str | None = Query(None, alias="as_at", description="as it stood then: ISO date or instant")) -> JSONResponse:
    visible_case(request, principal, case_id)
    instant = parse_as_at(as_at_, option="as_at") if as_at_ else None
    facts = web(request).records.stored_facts(case_id)
    return answer(chronology([r for r in facts if instant is None or r.at <= instant]))


@router.post("/cases/{case_id}/steps/{step}/completions", summary="Complete a step with its record",
             openapi_extra=_body(COMPLETION_BODY), tags=["cases"])
async def complete_step(case_id: str, step: str, request: Request,
                        principal: Principal = Depends(require_csrf)) -> JSONResponse:
    ctx = web(request)
    data = await json_body(request, "the step completion")
    no_identity_in(data, "step completion")
    if not isinstance(data, dict):
        raise Problem(422, 'the step completion must be an object {"record": {...}}')
    unknown = sorted(set(data) - {"record", "occurrence"})
    if unknown:
        raise Problem(422, f"step completion: {unknown[0]}: unknown field (give record, and occurrence for a recurring step)")
    # reads of one case's facts, well under a millisecond: on the loop (a thread hop costs more)
    facts = ctx.records.stored_facts(case_id) if len(case_id) <= 64 else []  # read once, for both checks
    service, _ = visible_case(request, principal, case_id, "", facts)
    client = await ctx.temporal()
    occurrence = data.get("occurrence")
    decision = completion_decision(ctx.records, principal, case_id, service, step, occurrence, facts)
    refuse(request, principal, decision, case_id, service)
    completion = validate({"step": step, "role": decision.role, "actor": principal.user_id,
                           "record": data.get("record"), "occurrence": occurrence, "channel": principal.channel},
                          StepCompletion, "step completion", rules_context(ctx))
    return await idempotent(request, principal, lambda: _casework(
        commands.complete_step(client, case_id, completion, within=ANSWER_WITHIN)))


@router.post("/cases/{case_id}/developments", status_code=200, summary="Record a development on a live case",
             openapi_extra=_body(DEVELOPMENT_BODY), tags=["cases"])
async def record_development(case_id: str, request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    ctx = web(request)
    data = await json_body(request, "the development")
    no_identity_in(data, "development")
    service, _ = await run_in_threadpool(visible_case, request, principal, case_id, "")
    decision = may_act_at(principal, service, "recording a development")
    await run_in_threadpool(refuse, request, principal, decision, case_id, service)
    if not isinstance(data, dict):
        raise Problem(422, 'the development must be an object {"kind": ..., "summary": ...}')
    unknown = sorted(set(data) - {"kind", "type", "summary", "description"})
    if unknown:
        raise Problem(422, f"development: {unknown[0]}: unknown field (give kind and summary)")
    fields = data
    key = request.headers.get(IDEMPOTENCY_HEADER)  # kept with the development: a retry the answer missed records nothing
    development = validate({**fields, "actor": principal.user_id, "role": decision.role, "channel": principal.channel,
                            **({"request_id": f"{principal.user_id}:{key}"} if key else {})},
                           Development, "development",
                           rules_context(ctx))

    async def work() -> tuple[int, Any]:
        n = await commands.record_development(await ctx.temporal(), case_id, development, within=ANSWER_WITHIN)
        return 200, {"case_id": case_id, "development": n}

    return await idempotent(request, principal, work)


@router.post("/cases/{case_id}/escalations/{escalation_id}/acknowledgement", summary="Acknowledge an escalation",
             openapi_extra=_body(NOTE_BODY, required=False), tags=["cases"])
async def acknowledge(case_id: str, escalation_id: str, request: Request,
                      principal: Principal = Depends(require_csrf)) -> JSONResponse:
    ctx = web(request)
    data = await json_body(request, "the acknowledgement") if await request.body() else {}
    no_identity_in(data, "acknowledgement")
    if not isinstance(data, dict) or set(data) - {"note"}:
        raise Problem(422, "acknowledgement: the body may only give a note")
    service, _ = await run_in_threadpool(visible_case, request, principal, case_id, "")
    client = await ctx.temporal()
    decision = await run_in_threadpool(acknowledgement_decision, ctx.records, principal, case_id, service, escalation_id)
    await run_in_threadpool(refuse, request, principal, decision, case_id, service)
    ack = validate({"escalation_id": escalation_id, "role": decision.role, "actor": principal.user_id,
                    "note": data.get("note"), "channel": principal.channel}, Acknowledgement, "acknowledgement", rules_context(ctx))

    async def work() -> tuple[int, Any]:
        await commands.acknowledge_escalation(client, case_id, ack, within=ANSWER_WITHIN)
        return 200, {"case_id": case_id, "escalation_id": escalation_id, "acknowledged": True}

    return await idempotent(request, principal, work)


# ---- lists and read models ----------------------------------------------------------------------


def _feed(ctx: WebContext) -> ProjectionFeed:
    feed = open_feed(ctx.records)
    feed.catch_up()
    return feed


def _visible_rows(principal: Principal, view: dict[str, Any]) -> dict[str, Any]:
    services = {c["case_id"]: c["service"]["id"] for c in view["live_cases"]}
    return {**view, "live_cases": [c for c in view["live_cases"] if sees_service(principal, c["service"]["id"])],
            "deadlines": [d for d in view["deadlines"] if sees_service(principal, services.get(d["case_id"], ""))]}


@router.get("/deadlines", summary="Every pending deadline of the cases you see, most urgent first", tags=["oversight"])
def deadlines(request: Request, principal: Principal = Depends(current_principal),
              role: str | None = Query(None, description="only steps this role can complete (its own, or escalated to it)"),
              service: str | None = Query(None, description="only cases of this service id")) -> JSONResponse:
    refuse(request, principal, may_read_lists(principal))
    audit(request, principal, "read", True)
    ctx = web(request)
    rows = queries.pending_deadlines(_feed(ctx).documents, ctx.settings.calendar, ctx.now().replace(microsecond=0),
                                     role=role, service=service)
    return answer([r for r in rows if sees_service(principal, r["service_id"])])


@router.get("/dashboard", summary="The oversight dashboard of the services you see", tags=["oversight"])
def dashboard(request: Request, principal: Principal = Depends(current_principal),
              as_at_: str | None = Query(None, alias="as_at")) -> JSONResponse:
    refuse(request, principal, may_read_lists(principal))
    audit(request, principal, "read", True)
    ctx = web(request)
    if as_at_:
        instant = parse_as_at(as_at_, option="as_at")
        view = dashboard_view(as_at(ctx.records, [LiveCases()], instant), instant, ctx.settings.calendar)
    else:
        view = dashboard_view(_feed(ctx).documents, ctx.now().replace(microsecond=0), ctx.settings.calendar)
    return answer(_visible_rows(principal, view))


def _documents(request: Request, models: list, as_at_: str | None = None):
    """Read models' documents: current (what the worker has not folded yet is folded now), or as
    they stood at `as_at_` (as `cli.projections.model_documents` reads them for the CLI)."""
    store = web(request).records
    if as_at_ is not None:
        return as_at(store, models, parse_as_at(as_at_, option="as_at"))
    feed = ProjectionFeed(store, open_documents(store), models)
    feed.catch_up()
    return feed.documents


@router.get("/governance", summary="Governance audits recorded, their figures, open and tracked actions", tags=["governance"])
def governance(request: Request, principal: Principal = Depends(current_principal),
               as_at_: str | None = Query(None, alias="as_at")) -> JSONResponse:
    refuse(request, principal, may_read_governance(principal))
    audit(request, principal, "read", True)
    documents = _documents(request, [GovernanceAudits(), GovernanceActions()], as_at_)
    at = parse_as_at(as_at_, option="as_at") if as_at_ else web(request).now()
    return answer({**governance_view(documents), "actions": tracked_actions(documents, at)})


@router.post("/governance/audits/{kind}", summary="Run an audit now and record it (a period already audited: the stored record)",
             tags=["governance"])
async def run_governance_audit(kind: str, request: Request, principal: Principal = Depends(require_csrf),
                               as_of: str | None = Query(None, description="the date its period ends (ISO date)")) -> JSONResponse:
    refuse(request, principal, may_read_governance(principal))
    ctx = web(request)
    try:
        audit_definition(kind)
        day = audit_date(as_of) if as_of else None
        record = await run_in_threadpool(run_audit, ctx.records, AuditRequest(kind=kind, as_of=day,
                                                                              requested_by=principal.user_id),
                                         ctx.now().replace(microsecond=0), ctx.settings.calendar)
    except ValueError as e:
        raise Problem(422, str(e)) from None
    refs = await run_in_threadpool(raise_actions, ctx.records, record, ctx.settings.calendar)
    try:  # the actions' deadlines are kept by their workflows: started when Temporal answers
        tracked = await commands.track_governance_actions(await ctx.temporal(), ctx.settings.task_queue, refs)
    except Exception:
        tracked = None
    return answer({**jsonable_encoder(record), "tracked_actions": refs if tracked is not None else [],
                   "untracked_actions": [] if tracked is not None else refs})


@router.post("/governance/actions/{ref}/completion", summary="Complete an action an audit raised, with its evidence",
             openapi_extra=_body({"type": "object", "additionalProperties": False, "required": ["evidence"],
                                  "properties": {"evidence": {"type": "string"}}}), tags=["governance"])
async def complete_governance_action(ref: str, request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    ctx = web(request)
    data = await json_body(request, "the completion")
    no_identity_in(data, "completion")
    if not isinstance(data, dict) or set(data) != {"evidence"} or not isinstance(data["evidence"], str):
        raise Problem(422, 'completion: give {"evidence": "what was done: who was retrained, what changed"}')
    decision = action_decision(ctx.records, principal, ref)
    if decision is None:
        raise Problem(404, f"no governance action {ref}")
    refuse(request, principal, decision)
    completion = validate({"role": decision.role, "actor": principal.user_id, "evidence": data["evidence"]},
                          ActionCompletion, "completion")
    client = await ctx.temporal()

    async def work() -> tuple[int, Any]:
        return 200, await commands.complete_governance_action(client, ref, completion, within=ANSWER_WITHIN)

    return await idempotent(request, principal, work)


@router.get("/reports/national", summary="The national Safeguarding Adults Collection's tables for a year (an export)",
            tags=["governance"])
def national(request: Request, principal: Principal = Depends(current_principal),
             year: int = Query(..., ge=2000, le=2100, description="2027 is 1 April 2027 to 31 March 2028")) -> JSONResponse:
    refuse(request, principal, may_read_governance(principal))
    audit(request, principal, "export", True, reason=f"national return {year}")
    return answer(national_report(_documents(request, [NationalReturnCases()]), year))


def _commissioning(request: Request, as_at_: str | None):
    return _documents(request, [CommissionerRecords(), ProviderProcesses()], as_at_)  # as `safeguard commissioner` reads them


@router.get("/commissioner/records", summary="Every provider service's commissioner record (no adult ids)",
            tags=["commissioning"])
def commissioner(request: Request, principal: Principal = Depends(current_principal),
                 as_at_: str | None = Query(None, alias="as_at")) -> JSONResponse:
    refuse(request, principal, may_read_commissioning(principal))
    audit(request, principal, "read", True)
    return answer(commissioner_records(_commissioning(request, as_at_)))


@router.get("/commissioner/services/{service_id}/history", summary="A service's earlier concerns and outcomes",
            tags=["commissioning"])
def commissioner_history(service_id: str, request: Request, principal: Principal = Depends(current_principal),
                         exclude_case: str | None = None, as_at_: str | None = Query(None, alias="as_at")) -> JSONResponse:
    refuse(request, principal, may_read_commissioning(principal))
    found = service_history(_commissioning(request, as_at_), service_id, exclude_case)
    if found is None:
        raise Problem(404, f"no concerns recorded for service {service_id!r}")
    audit(request, principal, "read", True, service=service_id)
    return answer(found)


# ---- threshold tools and the pathway (policy: no case data) --------------------------------------


@router.post("/threshold/assessments", summary="Apply a threshold tool to a concern's facts", tags=["policy"],
             openapi_extra=_body({"type": "object", "required": ["category", "facts"],
                                  "properties": {"category": {"type": "string"}, "facts": {"type": "object"},
                                                 "prior": {"type": "object"}}}))
async def threshold_assessment(request: Request, profile: str = Query(..., description=" | ".join(profile_names())),
                               principal: Principal = Depends(require_csrf)) -> JSONResponse:
    category, facts, prior = request_parts(await json_body(request, "the threshold request"), "the threshold request")
    try:
        return answer(assess(load_profile(profile), category, facts, prior))
    except ValueError as e:
        raise Problem(422, str(e)) from None


@router.get("/threshold/profiles", summary="The threshold profiles, their categories, facts and indicators", tags=["policy"])
def threshold_profiles(principal: Principal = Depends(current_principal), profile: str | None = None,
                       category: str | None = None) -> JSONResponse:
    try:
        chosen = [load_profile(profile)] if profile else [load_profile(n) for n in profile_names()]
    except ValueError as e:
        raise Problem(404, str(e)) from None
    if category and not any(p.category(category) for p in chosen):
        raise Problem(404, f"unknown category {category!r}; known categories: "
                           + ", ".join(sorted({k for p in chosen for k in p.category_keys()})))
    return answer([_profile_json(p, category) for p in chosen])


@router.get("/pathway", summary="The pathway in force, as data", tags=["policy"])
def pathway(principal: Principal = Depends(current_principal)) -> JSONResponse:
    return answer(current_pathway())


# ---- exports ------------------------------------------------------------------------------------

PACK_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "json": "application/json"}


@router.get("/cases/{case_id}/evidence-pack", summary="The case's evidence pack (PDF, HTML or JSON) with its verification; "
            "the export is recorded", tags=["cases"], response_class=Response)
def evidence_pack(case_id: str, request: Request, principal: Principal = Depends(current_principal),
                  format: str = Query("pdf", pattern="^(pdf|html|json)$"),
                  as_at_: str | None = Query(None, alias="as_at")) -> Response:
    from evidence.exports import record_export  # WeasyPrint is heavy: loaded for an export only
    from evidence.pack import build_pack
    from evidence.render import write_pack
    from evidence.store import EvidenceError

    ctx = web(request)
    service, _ = visible_case(request, principal, case_id, "")
    refuse(request, principal, may_export_case(principal, case_id, service, ctx.now()), case_id, service)
    instant = parse_as_at(as_at_, option="as_at") if as_at_ else None
    generated_at = ctx.now().replace(microsecond=0)
    try:
        built = build_pack(ctx.records, open_documents(ctx.records), case_id, principal.user_id, generated_at, instant)
    except EvidenceError as e:
        raise Problem(404 if str(e).startswith("no case") else 422, str(e)) from None
    with tempfile.TemporaryDirectory() as out:
        files = write_pack(built, Path(out))
        content = (Path(out) / f"{case_id}.{format}").read_bytes()
    record_export(ctx.records, "case_pack", case_id, [case_id], principal.user_id, generated_at, files, built.as_at)
    audit(request, principal, "export", True, case_id=case_id, service=service)  # once made: a refusal is no export
    return Response(content, media_type=PACK_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{case_id}.{format}"', "X-Evidence-Intact": str(built.verification.intact).lower()})
