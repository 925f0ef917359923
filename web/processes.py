"""The provider-concern process of 004 over HTTP (`safeguard commissioner process` in the CLI), over
the same casework (casework/provider_process.py). Commissioners and contract managers act; the
commissioning readers (`domain.access.COMMISSIONING_READERS`) read. The role acted as comes from
the identity: the step's own role or one it has escalated to (the process's status says which)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse

from casework import provider_process as casework
from casework.availability import ANSWER_WITHIN
from cli.common import validate
from casework.authorised import process_step_decision
from domain.access import Decision, Principal, may_act_in_organisation, may_read_commissioning
from domain.provider_concerns import COMMISSIONER, provider_concern_process
from domain.provider_process import Decide, DismissProposal, OpenProcess, RecordStep
from projections.registry import open_feed
from web.api import answer, idempotent, json_body, no_identity_in, refuse, rules_context
from web.identity import audit, current_principal, require_csrf, web
from web.problems import Problem

router = APIRouter(prefix="/provider-processes", tags=["provider processes"])


def _process(request: Request):
    return provider_concern_process(web(request).settings.provider_written_notice_working_days)


async def _body(request: Request, what: str, allowed: set[str]) -> dict[str, Any]:
    data = await json_body(request, what) if await request.body() else {}
    no_identity_in(data, what)
    if not isinstance(data, dict):
        raise Problem(422, f"{what} must be an object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Problem(422, f"{what}: {unknown[0]}: unknown field (give {', '.join(sorted(allowed))})")
    return data


def _read(request: Request, principal: Principal, service_id: str | None = None) -> None:
    refuse(request, principal, may_read_commissioning(principal), service=service_id)
    audit(request, principal, "read", True, service=service_id)


async def _act(request: Request, principal: Principal, service_id: str, roles, what: str, build, call) -> JSONResponse:
    decision = roles if isinstance(roles, Decision) else may_act_in_organisation(principal, roles, what)
    refuse(request, principal, decision, service=service_id)
    command = build(decision.role)
    client = await web(request).temporal()

    async def work() -> tuple[int, Any]:
        return 200, await call(client, command)

    return await idempotent(request, principal, work)


@router.get("/steps", summary="The process's steps, roles, deadlines and fields; the decision's outcomes and evidence")
def steps(request: Request, principal: Principal = Depends(current_principal)) -> JSONResponse:
    return answer(_process(request).model_dump(mode="json"))


@router.post("/proposals", summary="Propose a process for every service whose Appendix A decision calls for one")
async def propose(request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    refuse(request, principal, may_act_in_organisation(principal, [COMMISSIONER], "proposing provider-concern processes"))
    ctx = web(request)
    feed = open_feed(ctx.records)
    feed.catch_up()
    found = await casework.propose_due(await ctx.temporal(), ctx.settings.task_queue, feed.documents, within=ANSWER_WITHIN)
    return answer(found)


@router.get("/{service_id}", summary="The service's process: open steps, actions, escalations, decision")
async def status(service_id: str, request: Request, principal: Principal = Depends(current_principal)) -> JSONResponse:
    _read(request, principal, service_id)
    return answer(await casework.process_status(await web(request).temporal(), service_id, ANSWER_WITHIN))


@router.get("/{service_id}/chronology", summary="The evidence trail of the service's latest (or a named) process")
def chronology(service_id: str, request: Request, principal: Principal = Depends(current_principal),
               process_id: str | None = Query(None, description="an earlier process of the service")) -> JSONResponse:
    _read(request, principal, service_id)
    ctx = web(request)
    feed = open_feed(ctx.records)
    feed.catch_up()
    return answer(casework.process_chronology(ctx.records, feed.documents, service_id, process_id))


@router.post("/{service_id}", summary="Open the service's process (a commissioner), or the one proposed")
async def open_process(service_id: str, request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    data = await _body(request, "the process", {"reason", "basis"})
    ctx = web(request)
    return await _act(request, principal, service_id, [COMMISSIONER], "opening a provider-concern process",
                      lambda role: validate({**data, "service_id": service_id, "role": role, "actor": principal.user_id},
                                            OpenProcess, "process", rules_context(ctx)),
                      lambda client, c: casework.open_process(client, ctx.settings.task_queue, c, within=ANSWER_WITHIN))


@router.post("/{service_id}/dismissal", summary="Do not open a proposed process (a commissioner), with the reason")
async def dismiss(service_id: str, request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    data = await _body(request, "the dismissal", {"reason"})
    ctx = web(request)
    return await _act(request, principal, service_id, [COMMISSIONER], "dismissing a proposed process",
                      lambda role: validate({**data, "role": role, "actor": principal.user_id}, DismissProposal,
                                            "dismissal", rules_context(ctx)),
                      lambda client, c: casework.dismiss_proposal(client, service_id, c, ANSWER_WITHIN))


@router.post("/{service_id}/steps/{step}", summary="Record a step of the process with its record")
async def record_step(service_id: str, step: str, request: Request,
                      principal: Principal = Depends(require_csrf)) -> JSONResponse:
    data = await _body(request, "the process step", {"record"})
    ctx = web(request)
    client = await ctx.temporal()
    current = await casework.process_status(client, service_id, ANSWER_WITHIN)
    decision = process_step_decision(principal, current, _process(request), step)
    return await _act(request, principal, service_id, decision, f"recording {step} for {service_id}",
                      lambda role: validate({"step": step, "record": data.get("record"), "role": role,
                                             "actor": principal.user_id}, RecordStep, "process step", rules_context(ctx)),
                      lambda client, c: casework.record_step(client, service_id, c, ANSWER_WITHIN))


@router.post("/{service_id}/decision", summary="Decide (continue, restrict_admissions, suspend, terminate) with the evidence")
async def decide(service_id: str, request: Request, principal: Principal = Depends(require_csrf)) -> JSONResponse:
    data = await _body(request, "the decision", {"outcome", "record"})
    ctx = web(request)
    return await _act(request, principal, service_id, [_process(request).decided_by], f"deciding for {service_id}",
                      lambda role: validate({"outcome": data.get("outcome"), "record": data.get("record") or {},
                                             "role": role, "actor": principal.user_id}, Decide, "decision",
                                            rules_context(ctx)),
                      lambda client, c: casework.decide(client, service_id, c, ANSWER_WITHIN))
