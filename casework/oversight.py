"""Reading the read models, now or as they stood at an instant, for those who oversee: every
pending deadline, the dashboard, the governance audits and their actions, the commissioner
records, a service's history and the national return. Each read checks who may, keeps to the
services they see, and is audited."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from casework.access import allowed, audit
from casework.on_call_gaps import alert_cover
from casework.ports import Ports
from casework.refusals import Invalid, NotFound
from domain.access import (
    ROLES,
    Principal,
    may_read_commissioning,
    may_read_governance,
    may_read_lists,
    may_read_national_return,
    sees_service,
)
from projections.commissioner import CommissionerRecords, commissioner_records, service_history
from projections.dashboard import LiveCases, dashboard as dashboard_view, live_documents
from projections.governance import GovernanceActions, GovernanceAudits, governance_view, tracked_actions
from projections.national import NationalReturnCases, national_report
from projections.provider_processes import ProviderProcesses

COMMISSIONING = (CommissionerRecords(), ProviderProcesses())


def watch_lists(ports: Ports, principal: Principal) -> None:
    """Opening the live board (its rows are the dashboard's, kept to the services seen): allowed, and audited."""
    allowed(ports, principal, may_read_lists(principal))
    audit(ports, principal, "read", True)


def cases_shown(ports: Ports, principal: Principal, shown: dict[str, str]) -> None:
    """The cases a live list put in front of its reader (case id -> service), each read audited."""
    for case_id, service in shown.items():
        audit(ports, principal, "read", True, case_id=case_id, service=service)


def pending_deadlines(ports: Ports, principal: Principal, now: datetime, role: str | None = None,
                      service: str | None = None) -> list[dict[str, Any]]:
    """Every open step with a due instant, of every live case the principal sees, soonest (or most
    overdue) first, with time left.

    Answered from the event store's `live_cases` read model, not by querying each case's workflow.
    The store holds the same open steps, as each case recorded them, and a supervisor needs this
    list most when no worker runs (nothing is then recorded as missed or escalated): it answers
    then, in one read rather than one workflow task per live case, and it agrees with the dashboard."""
    allowed(ports, principal, may_read_lists(principal))
    if role is not None and role not in ROLES:
        raise Invalid(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    audit(ports, principal, "read", True)
    rows = dashboard_view(ports.read_models([LiveCases()]), now, ports.settings.calendar)["deadlines"]
    for r in rows:
        r["can_complete"] = [r["role"], *r["escalated_to"]]
    return [r for r in rows if (role is None or role in r["can_complete"]) and (service is None or r["service_id"] == service)
            and sees_service(principal, r["service_id"])]


def dashboard(ports: Ports, principal: Principal, now: datetime, as_at: datetime | None = None) -> dict[str, Any]:
    """Live cases, every open deadline (overdue first), escalations (with their alerts, and the last
    few acknowledged), oversight due: the services seen. And (`on_call`, now only: None as at a
    past instant) whether alerts are set up and where, in the next 7 days, one would reach nobody."""
    allowed(ports, principal, may_read_lists(principal))
    audit(ports, principal, "read", True)
    at = as_at or now
    view = dashboard_view(ports.read_models([LiveCases()], as_at), at, ports.settings.calendar)
    services = {c["case_id"]: c["service"]["id"] for c in view["live_cases"]}
    seen = {case_id for case_id, service in services.items() if sees_service(principal, service)}
    live = [c for c in view["live_cases"] if c["case_id"] in seen]
    return {**view, "live_cases": live,
            "deadlines": [d for d in view["deadlines"] if d["case_id"] in seen],
            "cases_with_open_risk_beyond_timescale": [c for c in view["cases_with_open_risk_beyond_timescale"] if c in seen],
            "on_call": None if as_at is not None else
            alert_cover(ports, principal, {c["service"]["id"]: c["service"]["name"] for c in live}, now)}


def on_call(ports: Ports, principal: Principal, now: datetime, service: str | None = None) -> dict[str, Any]:
    """Whether alerts are set up, and where one would reach nobody in the next 7 days: for each
    service of the live cases seen (or the one named), each role the pathway escalates to."""
    allowed(ports, principal, may_read_lists(principal))
    services = {c["service"]["id"]: c["service"]["name"] for c in live_documents(ports.read_models([LiveCases()]))
                if service is None or c["service"]["id"] == service}
    if service is not None and service not in services:  # named, with no live case: by its recorded name
        from casework.services import known_services

        services[service] = (known_services(ports).get(service) or {}).get("name") or service
    return alert_cover(ports, principal, services, now)


def governance(ports: Ports, principal: Principal, now: datetime, as_at: datetime | None = None) -> dict[str, Any]:
    """The governance audits recorded, their figures, the open actions and every tracked action."""
    allowed(ports, principal, may_read_governance(principal))
    audit(ports, principal, "read", True)
    documents = ports.read_models([GovernanceAudits(), GovernanceActions()], as_at)
    return {**governance_view(documents), "actions": tracked_actions(documents, as_at or now)}


def commissioner(ports: Ports, principal: Principal, as_at: datetime | None = None) -> list[dict[str, Any]]:
    """Every provider service's commissioner record (004): services are named, never a service user."""
    allowed(ports, principal, may_read_commissioning(principal))
    audit(ports, principal, "read", True)
    return commissioner_records(ports.read_models(COMMISSIONING, as_at))


def history(ports: Ports, principal: Principal, service_id: str, exclude_case: str | None = None,
            as_at: datetime | None = None) -> dict[str, Any]:
    """A service's earlier concerns and their outcomes: what a newly raised case is told."""
    allowed(ports, principal, may_read_commissioning(principal), service=service_id)
    found = service_history(ports.read_models(COMMISSIONING, as_at), service_id, exclude_case)
    if found is None:
        raise NotFound(f"no concerns recorded for service {service_id!r}")
    audit(ports, principal, "read", True, service=service_id)
    return found


def national(ports: Ports, principal: Principal, year: int, outside: bool = False,
             as_at: datetime | None = None) -> dict[str, Any]:
    """The national Safeguarding Adults Collection's tables for a year: an export, audited as one.
    `outside`: for sharing beyond the organisation (small counts suppressed, no per-service figures);
    `as_at`: as the records stood then (before a correction, say)."""
    allowed(ports, principal, may_read_national_return(principal))
    audit(ports, principal, "export", True,
          reason=f"national return {year}" + (" for outside the organisation" if outside else "")
          + (f" as at {as_at.astimezone(timezone.utc).isoformat()}" if as_at is not None else ""))
    return national_report(ports.read_models([NationalReturnCases()], as_at), year, outside)
