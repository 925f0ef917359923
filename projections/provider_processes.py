"""Provider-concern processes (004) as a read model: each process's state, folded by the decider's
own `evolve` from its stored facts, and, per service, its processes. The commissioner record
(`projections/commissioner.py`) shows each service's latest process from here.

Documents of the view "provider_processes":

    service:<service id>   {"service_id", "processes": {process id: document key}}
    process:<stream>       the process's state (`ProcessState`, as JSON)
"""

from __future__ import annotations

from typing import Any, Iterable

from domain.commissioning import ProcessFacts
from domain.process_facts import PROCESS_FACTS, PROCESS_OPENERS, ProcessOpened
from domain.provider_concerns import ACTIONS_UNDERTAKEN, RISK_OUTCOMES
from domain.provider_process import ProcessState, evolve, new_process, status_of
from eventstore.events import Recorded
from projections.documents import Doc, Documents
from projections.feed import ReadModel
from projections.jsonable import jsonable

SERVICE, PROCESS = "service:", "process:"


class ProviderProcesses(ReadModel):
    name = "provider_processes"
    handles = PROCESS_FACTS
    folds_with = ("domain.provider_process",)  # its fold is the decider's own evolve (projections/versions.py)

    def keys(self, event: Recorded) -> Iterable[str]:
        if isinstance(event.fact, PROCESS_OPENERS):
            return [SERVICE + event.fact.service_id, PROCESS + event.stream]
        return [PROCESS + event.stream]

    def apply(self, e: Recorded, docs: dict[str, Doc | None]) -> None:
        f, key = e.fact, PROCESS + e.stream
        doc = docs.get(key)
        if doc is None:
            if not isinstance(f, PROCESS_OPENERS):
                return  # begun before the log: nothing to fold into
            state = new_process(f.process_id, f.service_id)
        else:
            state = ProcessState.model_validate(doc)
        if isinstance(f, PROCESS_OPENERS) and not (isinstance(f, ProcessOpened) and doc is not None):
            service = docs.get(SERVICE + f.service_id) or {"service_id": f.service_id, "processes": {}}
            service["processes"][f.process_id] = key
            docs[SERVICE + f.service_id] = service
        docs[key] = evolve(state, f).model_dump(mode="json")


def service_processes(documents: Documents, service_id: str) -> list[dict[str, Any]]:
    """The service's processes, earliest first, each as its status (JSON)."""
    service = documents.read(ProviderProcesses.name, [SERVICE + service_id]).get(SERVICE + service_id)
    if not service:
        return []
    found = documents.read(ProviderProcesses.name, list(service["processes"].values()))
    states = [ProcessState.model_validate(d) for d in found.values()]
    return [jsonable(status_of(s)) for s in sorted(states, key=lambda s: s.process_id)]


def latest_states(documents: Documents) -> dict[str, ProcessState]:
    """Each service's latest process, by service id."""
    out: dict[str, ProcessState] = {}
    for key, doc in documents.scan(ProviderProcesses.name):
        if key.startswith(PROCESS):
            s = ProcessState.model_validate(doc)
            if s.service_id not in out or s.process_id > out[s.service_id].process_id:
                out[s.service_id] = s
    return out


def latest_processes(documents: Documents) -> dict[str, dict[str, Any]]:
    """Each service's latest process, in brief, by service id: what its commissioner record shows."""
    return {service: brief(jsonable(status_of(s))) for service, s in latest_states(documents).items()}


NOT_MANAGED = RISK_OUTCOMES[-1]
SUSPENDING = ("suspend", "terminate")


def appendix_a_facts(s: ProcessState) -> ProcessFacts:
    """What Appendix A reads from the process (domain/commissioning.py): the plan agreed, its actions
    missed, the review's finding (any action not undertaken, or risks not managed: not met), a suspension."""
    if s.opened is None:
        return ProcessFacts(process_id=s.process_id)
    p = s.process
    review = s.recorded.get(p.action_plan_review)
    met = None
    if review is not None:
        said = review.record.get(ACTIONS_UNDERTAKEN.name) or {}
        met = all(v is True for v in said.values()) and review.record.get("risks") != NOT_MANAGED
    decision = s.decision.outcome if s.decision else None
    return ProcessFacts(
        process_id=s.process_id, plan_agreed=bool(s.actions) or _meeting_held(s),
        actions_missed=sum(1 for a in s.actions if a.missed and a.undertaken is not True or a.undertaken is False),
        reviewed_at=review.at if review else None, plan_met=met, suspended=decision in SUSPENDING, decision=decision)


def _meeting_held(s: ProcessState) -> bool:
    review = s.process.step(s.process.action_plan_review)
    return getattr(review.opens, "step", None) in s.recorded if review else False


def brief(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "process_id": s["process_id"], "status": s["status"], "basis": s["basis"], "opened_at": s["opened_at"],
        "proposed_by_appendix_a": (s["proposed"] or {}).get("appendix_a"),
        "open_steps": [{"step": o["step"], "role": o["role"], "due": o["due"], "missed": o["missed"]} for o in s["open_steps"]],
        "recorded_steps": s["recorded_steps"], "escalations": len(s["escalations"]),
        "decision": s["decision"], "decided_at": s["decided_at"], "closed_at": s["closed_at"],
        "closed_because": s["closed_because"],
    }
