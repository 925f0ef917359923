"""Authorisation as one table, against the application layer itself (issue 18): every use case x
every role x at the case's service, at another, organisation-wide, through a token narrowed to a
service, and an inspector's grant (current, ended, for another case). Every face calls these use
cases, so this table holds for the API, the pages and the CLI alike.

Each write is sent so that it fails *after* the authorisation it is about (an empty summary, a
record the case refuses, an escalation it does not hold): `allowed` means the use case got past
who-may and refused for the request's own sake, so the table leaves no fact behind to change the
next row. Exports and erasures stop at a sentinel where they would write. The expected outcome is
written out here, from the issue's rules, not computed by the code under test."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
import pytest_asyncio

import bootstrap
from casework import case_reads, cases, exports, governance, oversight, processes, recovery
from casework.refusals import NotFound, NotPermitted, Refusal
from domain.access import STAFF_ROLES, Assignment, Principal, narrowed
from domain.facts import GovernanceActionRaised
from domain.concern import ConcernBody
from eventstore.audit import action_stream
from tests.api_support import concern_body
from tests.cases import RECORDS

ELM, OAK = "SVC-ELM", "SVC-OAK"
GOVERNANCE = {"quality_safeguarding_lead", "nominated_individual", "operations_director"}
COMMISSIONING = {"commissioner", "contract_manager", "quality_safeguarding_lead", "nominated_individual"}
EXPORTERS = {"registered_manager", "designated_safeguarding_lead", "quality_safeguarding_lead", "operations_director",
             "nominated_individual"}
RECOVERERS = EXPORTERS
DATA_PROTECTION = {"quality_safeguarding_lead", "operations_director", "nominated_individual"}
ORGANISATION_ONLY = {"quality_safeguarding_lead", "commissioner", "contract_manager"}
ACTION = "weekly-2026-06-29-immediate_practice_correction"  # owned by the quality lead


class Reached(Exception):
    """An export or erasure got past who-may, to where it would write."""


def principals() -> list[tuple[str, str]]:
    out = []
    for role in (*STAFF_ROLES, "commissioner", "contract_manager"):
        scopes = ["org"] if role in ORGANISATION_ONLY else ["in", "out", "org"]
        out += [(role, s) for s in (*scopes, "token@ELM", "token@OAK")]
    return out + [("inspector", "granted"), ("inspector", "ended"), ("inspector", "other case")]


def principal(role: str, scope: str, case_ids: tuple[str, ...], now: datetime) -> Principal:
    if role == "inspector":
        until = now - timedelta(hours=1) if scope == "ended" else now + timedelta(days=1)
        held = (Assignment(role, None, ("SG-OTHER-1",) if scope == "other case" else case_ids, until),)
    else:
        held = (Assignment(role, {"in": ELM, "out": OAK}.get(scope)),)
    token = {"token@ELM": (Assignment(role, ELM),), "token@OAK": (Assignment(role, OAK),)}.get(scope)
    return Principal(f"U-{role[:3].upper()}-1", role, narrowed(held, token), "api", token_id="t1" if token else None)


def expected(use_case: str, role: str, scope: str) -> str:
    """'allowed', 'refused' (NotPermitted) or 'unknown' (NotFound: a case they may not see)."""
    staff_at_elm = role in STAFF_ROLES and scope in ("in", "org", "token@ELM")
    sees = staff_at_elm or (role == "inspector" and scope == "granted")
    organisation = scope == "org"  # held organisation-wide, not narrowed to a service
    held_anywhere = role != "inspector"

    def on_the_case(may: bool) -> str:
        return "allowed" if may else "refused" if sees else "unknown"

    match use_case:
        case "chronology" | "status":
            return "allowed" if sees else "unknown"
        case "deadlines" | "dashboard":
            return "allowed" if role in STAFF_ROLES else "refused"
        case "governance" | "run audit":
            return "allowed" if role in GOVERNANCE and organisation else "refused"
        case "national return":  # and the local authority's commissioners (issue 19)
            return "allowed" if role in GOVERNANCE | {"commissioner"} and organisation else "refused"
        case "commissioner records" | "service history" | "process chronology":
            return "allowed" if role in COMMISSIONING and organisation else "refused"
        case "raise":
            return "allowed" if staff_at_elm else "refused"
        case "complete":
            return on_the_case(staff_at_elm and role == "senior_support_worker")
        case "development" | "acknowledge" | "note":
            return on_the_case(staff_at_elm)
        case "export pack":
            return on_the_case(sees and (role == "inspector" or role in EXPORTERS))
        case "recover":
            return on_the_case(staff_at_elm and role in RECOVERERS)
        case "complete action":
            return "allowed" if role == "quality_safeguarding_lead" and held_anywhere else "refused"
        case "open process":
            return "allowed" if role == "commissioner" else "refused"
        case "subject access" | "retention":
            return "allowed" if role in DATA_PROTECTION and organisation else "refused"
    raise AssertionError(use_case)


@pytest_asyncio.fixture(loop_scope="session")
async def world(env, settings, records, monkeypatch, tmp_path):
    import evidence.render
    import evidence.subject
    import operations.retention

    def reached(*_: Any, **__: Any) -> Any:
        raise Reached()

    monkeypatch.setattr(evidence.render, "write_pack", reached)
    monkeypatch.setattr(evidence.subject, "subject_access", reached)
    monkeypatch.setattr(operations.retention, "apply", reached)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    records.append(action_stream(ACTION), [GovernanceActionRaised(
        at=now, ref=ACTION, audit_id="a-1", kind="weekly", as_of="2026-06-29", action="immediate_practice_correction",
        title="Immediate practice correction", owner="quality_safeguarding_lead", because="test", seed="001",
        due=now + timedelta(days=2), deadline="within 2 days", evidence_asked="who was retrained")], 1)
    async with bootstrap.build_worker(env.client, records, settings):
        yield bootstrap.ports(settings, records, env.client, within=None), tmp_path


async def _case(ports) -> str:
    from casework.temporal.cases import raise_concern

    body = ConcernBody.model_validate({**concern_body(), "raised_by": {"actor": "SSW-1", "role": "senior_support_worker"}})
    return (await raise_concern(await ports.temporal(), ports.settings.task_queue, body)).case_id


def probes(ports, who: Principal, case_id: str, now: datetime, out: Path) -> dict[str, Callable[[], Awaitable[Any]]]:
    async def run(f, *args):  # a sync use case, as an awaitable
        return f(*args)

    empty = {**concern_body(), "summary": ""}
    return {
        "chronology": lambda: run(case_reads.case_chronology, ports, who, case_id, now),
        "status": lambda: case_reads.case_status(ports, who, case_id, now),
        "deadlines": lambda: run(oversight.pending_deadlines, ports, who, now),
        "dashboard": lambda: run(oversight.dashboard, ports, who, now),
        "governance": lambda: run(oversight.governance, ports, who, now),
        "national return": lambda: run(oversight.national, ports, who, 2026),
        "commissioner records": lambda: run(oversight.commissioner, ports, who),
        "service history": lambda: run(oversight.history, ports, who, ELM),
        "process chronology": lambda: run(processes.process_chronology, ports, who, ELM),
        "run audit": lambda: governance.run_audit(ports, who, governance.RunAudit("yearly"), now),
        "raise": lambda: cases.raise_concern(ports, who, cases.RaiseConcern(empty), now),
        "complete": lambda: cases.complete_step(ports, who, cases.CompleteStep(case_id, "record_concern", {}), now),
        "development": lambda: cases.record_development(ports, who, cases.RecordDevelopment(
            case_id, {"kind": "other", "summary": ""}), now),
        "acknowledge": lambda: cases.acknowledge_escalation(ports, who, cases.AcknowledgeEscalation(case_id, "E9", "called the home"), now),
        "note": lambda: cases.add_note(ports, who, cases.AddNote(case_id, ""), now),
        "export pack": lambda: run(exports.export_pack, ports, who, exports.ExportPack(case_id, out), now),
        "recover": lambda: recovery.recover_case(ports, who, recovery.RecoverCase(case_id, "a test"), now),
        "complete action": lambda: governance.complete_action(ports, who, governance.CompleteAction(ACTION, 123), now),
        "open process": lambda: processes.open_process(ports, who, processes.Open("SVC-NONE-1"), now),
        "subject access": lambda: run(exports.subject_access, ports, who, exports.SubjectAccess("A-117", out), now),
        "retention": lambda: run(exports.apply_retention, ports, who, date(2000, 1, 1), now),
    }


def outcome(raised: BaseException | None) -> str:
    if isinstance(raised, NotPermitted):
        return "refused"
    if isinstance(raised, NotFound) and "no case" in str(raised):
        return "unknown"
    return "allowed"  # answered, or refused for the request's own sake after who-may


async def test_every_use_case_by_every_role_and_scope(world):
    ports, out = world
    case_id = await _case(ports)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    wrong, rows = [], 0
    for role, scope in principals():
        who = principal(role, scope, (case_id,), now)
        for name, probe in probes(ports, who, case_id, now, out).items():
            raised: BaseException | None = None
            try:
                answer = await probe()
            except (Refusal, Reached) as e:
                raised, answer = e, None
            rows += 1
            got, want = outcome(raised), expected(name, role, scope)
            if got != want:
                wrong.append(f"{name} as {role} ({scope}): {got} ({raised!r}), expected {want}")
            if name == "dashboard" and answer is not None:  # a list keeps to the services its reader sees
                shown = {c["case_id"] for c in answer["live_cases"]}
                assert (case_id in shown) == (expected("note", role, scope) == "allowed"), (role, scope)
                assert set(answer["cases_with_open_risk_beyond_timescale"]) <= shown, (role, scope)
                assert {d["case_id"] for d in answer["deadlines"]} <= shown, (role, scope)
    assert not wrong, "\n".join(wrong)
    assert rows == len(principals()) * 21
    assert ports.records.stored_facts(case_id)[-1].type != "StepCompleted"  # nothing the table sent was recorded
