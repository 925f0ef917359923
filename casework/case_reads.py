"""Reading one case: its status (as its workflow holds it) and its chronology (from the event store,
now or as it stood at an instant). Each read is checked and audited as the writes are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from casework.access import allowed, audit, visible_case
from casework.cases import case_facts, erased_as_gone
from casework.ports import Ports
from casework.refusals import Unavailable
from casework.temporal import cases as temporal
from domain.access import Principal, may_reach
from domain.identity import AccessRecorded
from domain.case import CaseStatus
from eventstore.events import Recorded
from projections.case_history import chronology


@dataclass(frozen=True)
class CaseView:
    """What the case page shows: the case's facts (as at the instant asked for), and its status
    (None when no worker answered: `unavailable` says why)."""

    case_id: str
    service: str
    facts: list[Recorded]
    shown: list[Recorded]
    status: CaseStatus | None
    unavailable: str | None


async def case_status(ports: Ports, principal: Principal, case_id: str, now: datetime) -> CaseStatus:
    with erased_as_gone(case_id):
        visible_case(ports, principal, case_id, now, by_workflow=True)
    client = await ports.temporal(worker=True)
    return await temporal.case_status(client, case_id, ports.within, ports.settings.task_queue)


def case_chronology(ports: Ports, principal: Principal, case_id: str, now: datetime,
                    as_at: datetime | None = None) -> list[dict[str, Any]]:
    """Every fact of the case in order (up to `as_at`), with who, role, deadline met or missed."""
    with erased_as_gone(case_id):
        facts = case_facts(ports, case_id)
        visible_case(ports, principal, case_id, now, facts=facts)
    return chronology([r for r in facts if as_at is None or r.at <= as_at])


async def case_view(ports: Ports, principal: Principal, case_id: str, now: datetime,
                    as_at: datetime | None = None) -> CaseView:
    """The case as its page shows it: the facts from the store and, if a worker answers, its status."""
    with erased_as_gone(case_id):
        facts = case_facts(ports, case_id)
        service, _ = visible_case(ports, principal, case_id, now, facts=facts)
    status, unavailable = None, None
    try:
        client = await ports.temporal()
        status = await temporal.case_status(client, case_id, ports.within, ports.settings.task_queue)
    except Unavailable as e:
        unavailable = e.message
    shown = [r for r in facts if as_at is None or r.at <= as_at]
    return CaseView(case_id, service, facts, shown, status, unavailable)


def who_read(ports: Ports, principal: Principal, case_id: str, now: datetime) -> list[AccessRecorded]:
    """The case's lines of the access log (who read or changed it, when, from where, allowed or not):
    for those who answer for personal data across the organisation. Looking is itself logged."""
    allowed(ports, principal, may_reach(principal, "access_log"), case_id)
    with erased_as_gone(case_id):
        visible_case(ports, principal, case_id, now, action=None)
    lines = ports.accounts.access_log(case_id=case_id)
    audit(ports, principal, "read", True, case_id=case_id, target="access log")
    return lines
