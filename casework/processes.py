"""The use cases of the provider-concern process (004): commissioners and contract managers act;
the commissioning readers read. The role acted as comes from who is asking: the step's own role,
or one it has escalated to (the process's status says which). Each takes (ports, principal,
command, now) as the case's use cases do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

from casework.access import allowed, audit, process_step_decision
from casework.idempotency import Outcome, one_at_a_time, request_id
from casework.inputs import validate
from casework.ports import Ports
from casework.refusals import AlreadyRecorded, NotFound
from casework.temporal import processes as temporal
from domain.access import Decision, Principal, may_act_in_organisation, may_read_commissioning
from domain.provider_concerns import COMMISSIONER, ProviderConcernProcess, provider_concern_process
from domain import provider_process as pp
from domain.provider_process import ProcessStatus
from projections.case_history import chronology
from projections.commissioner import CommissionerRecords
from projections.provider_processes import ProviderProcesses, service_processes


@dataclass(frozen=True)
class Open:
    service_id: str
    reason: Any = None
    basis: Any = None
    key: str | None = None


@dataclass(frozen=True)
class Dismiss:
    service_id: str
    reason: Any = None
    key: str | None = None


@dataclass(frozen=True)
class Record:
    service_id: str
    step: str
    record: Any = None
    key: str | None = None


@dataclass(frozen=True)
class Decide:
    service_id: str
    outcome: Any = None
    record: Any = None
    key: str | None = None


def definition(ports: Ports) -> ProviderConcernProcess:
    """The process in force: its steps, roles, deadlines and fields; the decision's outcomes."""
    return provider_concern_process(ports.settings.provider_written_notice_working_days)


async def status(ports: Ports, principal: Principal, service_id: str) -> ProcessStatus:
    _read(ports, principal, service_id)
    return await temporal.process_status(await ports.temporal(worker=True), service_id, ports.within)


def process_chronology(ports: Ports, principal: Principal, service_id: str,
                       process_id: str | None = None) -> list[dict[str, Any]]:
    """Every fact of the service's latest process (or `process_id`), in order, from the event store:
    the evidence that the process was followed. The policy a process was opened under is shown
    by its version (its full text stays in the store)."""
    _read(ports, principal, service_id)
    if process_id is None:
        processes = service_processes(ports.read_models([ProviderProcesses()]), service_id)
        if not processes:
            raise NotFound(f"no provider-concern process recorded for service {service_id}")
        process_id = processes[-1]["process_id"]
    facts = ports.records.process_facts(process_id)
    if not facts:
        raise NotFound(f"no provider-concern process {process_id} in the event store")
    entries = chronology(facts)
    for e in entries:
        if e["details"].get("on_time") is not None:
            e["deadline_met"] = e["details"]["on_time"]
        elif e["type"] == "ProcessDeadlineMissed":
            e["deadline_met"] = False
        if e["type"] == "ProcessOpened":
            details = e["details"]
            details["policy_version"] = details.pop("process")["version"]
            details.pop("calendar", None)
            details["holidays"] = details.pop("holidays", {}).get("source")
    return entries


async def propose(ports: Ports, principal: Principal, now: datetime) -> list[ProcessStatus]:
    """Propose a process for every service whose Appendix A decision calls for one (a commissioner)."""
    allowed(ports, principal, may_act_in_organisation(principal, [COMMISSIONER], "propose provider-concern processes"))
    documents = ports.read_models([CommissionerRecords(), ProviderProcesses()])
    return await temporal.propose_due(await ports.temporal(worker=True), ports.settings.task_queue, documents,
                                      within=ports.within)


async def open_process(ports: Ports, principal: Principal, c: Open, now: datetime) -> Outcome[ProcessStatus]:
    """Open the service's process (a commissioner), or open the one Appendix A proposed."""
    decision = may_act_in_organisation(principal, [COMMISSIONER], "open a provider-concern process")
    return await _act(ports, principal, c.service_id, decision, c.key, lambda role, rid: validate(
        {"reason": c.reason, **({"basis": c.basis} if c.basis is not None else {}), "service_id": c.service_id,
         "role": role, "actor": principal.actor, "request_id": rid}, pp.OpenProcess, "process", ports.rules(now)),
        lambda client, command: temporal.open_process(client, ports.settings.task_queue, command, within=ports.within))


async def dismiss(ports: Ports, principal: Principal, c: Dismiss, now: datetime) -> Outcome[ProcessStatus]:
    """Do not open a proposed process (a commissioner), with the reason: proposed again only for later concerns."""
    decision = may_act_in_organisation(principal, [COMMISSIONER], "dismiss a proposed process")
    return await _act(ports, principal, c.service_id, decision, c.key, lambda role, rid: validate(
        {"reason": c.reason, "role": role, "actor": principal.actor, "request_id": rid}, pp.DismissProposal,
        "dismissal", ports.rules(now)),
        lambda client, command: temporal.dismiss_proposal(client, c.service_id, command, ports.within))


async def record_step(ports: Ports, principal: Principal, c: Record, now: datetime) -> Outcome[ProcessStatus]:
    """Record a step of the process with its record, as a role it names or has escalated to."""
    current = await temporal.process_status(await ports.temporal(worker=True), c.service_id, ports.within)
    decision = process_step_decision(principal, current, definition(ports), c.step)
    return await _act(ports, principal, c.service_id, decision, c.key, lambda role, rid: validate(
        {"step": c.step, "record": c.record, "role": role, "actor": principal.actor, "request_id": rid},
        pp.RecordStep, "process step", ports.rules(now)),
        lambda client, command: temporal.record_step(client, c.service_id, command, ports.within))


async def decide(ports: Ports, principal: Principal, c: Decide, now: datetime) -> Outcome[ProcessStatus]:
    """Decide (continue, restrict admissions, suspend, terminate) with the evidence the outcome needs."""
    decision = may_act_in_organisation(principal, [definition(ports).decided_by], f"decide for {c.service_id}")
    return await _act(ports, principal, c.service_id, decision, c.key, lambda role, rid: validate(
        {"outcome": c.outcome, "record": c.record if c.record is not None else {}, "role": role,
         "actor": principal.actor, "request_id": rid}, pp.Decide, "decision", ports.rules(now)),
        lambda client, command: temporal.decide(client, c.service_id, command, ports.within))


async def _act(ports: Ports, principal: Principal, service_id: str, decision: Decision, key: str | None,
               build: Callable[[str | None, str | None], Any],
               send: Callable[[Any, Any], Awaitable[ProcessStatus]]) -> Outcome[ProcessStatus]:
    role = allowed(ports, principal, decision, service=service_id)
    rid = request_id(principal, key)
    command = build(role, rid)
    async with one_at_a_time(ports, rid):
        client = await ports.temporal(worker=True)
        try:
            answer = await send(client, command)
        except AlreadyRecorded:  # sent again: answered with the process as it stands
            return Outcome(await temporal.process_status(client, service_id, ports.within), replayed=True)
        audit(ports, principal, "write", True, service=service_id)
        return Outcome(answer)


def _read(ports: Ports, principal: Principal, service_id: str | None) -> None:
    allowed(ports, principal, may_read_commissioning(principal), service=service_id)
    audit(ports, principal, "read", True, service=service_id)
