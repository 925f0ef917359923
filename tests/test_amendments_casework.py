"""Correcting a record through the application layer (issue 22), as every face does: `amend_step`
checks who may (refusals in the access log), refuses bad input before the case is asked, records
through the case's workflow, and answers a request sent again with its key from the fact it
recorded; `amendment_form` gives a face the fields that may be corrected, as the record now stands."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import pytest_asyncio

import bootstrap
from casework import cases
from casework.amendments import AmendStep, amend_step, amendment_form
from casework.refusals import Invalid, NotFound, NotOpen, NotPermitted
from domain.access import Assignment, Principal
from domain.facts import StepAmended
from tests.api_support import concern_body
from tests.cases import RECORDS

ELM = "SVC-ELM"


def who(user: str, role: str, service: str | None = ELM, **kw) -> Principal:
    return Principal(user, user, (Assignment(role, service, **kw),), "api")


SSW, TL, DSL = who("SSW-1", "senior_support_worker"), who("TL-1", "team_leader"), who("DSL-1", "designated_safeguarding_lead")


@pytest_asyncio.fixture(loop_scope="session")
async def ports(env, settings, records):
    async with bootstrap.build_worker(env.client, records, settings):
        yield bootstrap.ports(settings, records, env.client, within=None)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def amended(ports, case_id: str) -> list[StepAmended]:
    return [r.fact for r in ports.records.stored_facts(case_id) if isinstance(r.fact, StepAmended)]


async def a_case(ports) -> str:
    raised = await cases.raise_concern(ports, SSW, cases.RaiseConcern(concern_body()), now())
    case_id = raised.value.case_id
    await cases.complete_step(ports, SSW, cases.CompleteStep(case_id, "record_concern", RECORDS["record_concern"]), now())
    return case_id


async def test_the_author_corrects_their_record_once_whatever_the_retries(ports):
    case_id = await a_case(ports)
    c = AmendStep(case_id, "record_concern", 1, {"behaviour_observed": "pushed A-117", "notes": "seen by TL-1"},
                  "the first words were wrong", key="k-1")
    first = await amend_step(ports, SSW, c, now())
    again = await amend_step(ports, SSW, c, now())
    assert (first.value, first.replayed) == (1, False) and (again.value, again.replayed) == (1, True)
    [fact] = amended(ports, case_id)
    assert (fact.actor, fact.role, fact.channel, fact.request_id, fact.reason) == (
        "SSW-1", "senior_support_worker", "api", "SSW-1:k-1", "the first words were wrong")
    assert [(x.field, x.old, x.new) for x in fact.changes] == [
        ("behaviour_observed", "blocked the lounge door", "pushed A-117"), ("notes", None, "seen by TL-1")]
    with pytest.raises(Invalid, match="different request"):
        await amend_step(ports, SSW, AmendStep(case_id, "record_concern", 1, {"notes": "other"}, "x", key="k-1"), now())
    form = amendment_form(ports, DSL, case_id, "record_concern", 1, now())  # a lead at the service may too
    assert [f.name for f in form.fields] == ["behaviour_observed", "initiated_by", "presentation", "notes"]
    assert form.values["behaviour_observed"] == "pushed A-117" and form.author == "SSW-1" and form.decisions == ()
    assert [a.amendment for a in form.amendments] == [1]
    second = await amend_step(ports, DSL, AmendStep(case_id, "record_concern", 1, {"notes": None}, "not needed"), now())
    assert second.value == 2 and amended(ports, case_id)[-1].changes[0].old == "seen by TL-1"
    writes = [a for a in ports.accounts.access_log(case_id=case_id) if a.action == "write" and a.user_id == "DSL-1"]
    assert len(writes) == 1


async def test_refusals_record_nothing_and_who_may_not_is_in_the_access_log(ports):
    case_id = await a_case(ports)
    before = len(ports.records.stored_facts(case_id))
    until = now() + timedelta(days=1)
    with pytest.raises(NotPermitted, match="Only the person who recorded this step"):
        await amend_step(ports, TL, AmendStep(case_id, "record_concern", 1, {"notes": "x"}, "x"), now())
    with pytest.raises(NotPermitted):
        amendment_form(ports, TL, case_id, "record_concern", 1, now())
    with pytest.raises(NotPermitted):
        await amend_step(ports, who("INS-1", "inspector", None, cases=(case_id,), until=until),
                         AmendStep(case_id, "record_concern", 1, {"notes": "x"}, "x"), now())
    with pytest.raises(NotFound):  # another service's staff: not even told the case is there
        await amend_step(ports, who("RM-9", "registered_manager", "SVC-OAK"),
                         AmendStep(case_id, "record_concern", 1, {"notes": "x"}, "x"), now())
    refused = [a.user_id for a in ports.accounts.access_log(case_id=case_id) if a.action == "refused"]
    assert refused.count("TL-1") == 2 and "INS-1" in refused and "RM-9" in refused
    bad = [
        (AmendStep(case_id, "record_concern", 1, {"initiated_by": "Mrs Smith"}, "x"), Invalid, "initiated_by"),
        (AmendStep(case_id, "record_concern", 1, {}, "x"), Invalid, "choose at least one answer"),
        (AmendStep(case_id, "record_concern", 1, {"notes": "x"}, "  "), Invalid, "reason"),
        (AmendStep(case_id, "record_concern", 1, {"colour": "red"}, "x"), Invalid, "no such answer"),
        (AmendStep(case_id, "peer_risk_review", 1, {"notes": "x"}, "x"), NotOpen, "not done yet"),
        (AmendStep(case_id, "record_concern", 2, {"notes": "x"}, "x"), NotOpen, "not done yet"),
        (AmendStep(case_id, "nothing", 1, {"notes": "x"}, "x"), Invalid, "no step"),
    ]
    for c, refusal, words in bad:
        with pytest.raises(refusal, match=words):
            await amend_step(ports, SSW, c, now())
    await cases.complete_step(ports, DSL, cases.CompleteStep(case_id, "route_decision", RECORDS["route_decision"]), now())
    before = len(ports.records.stored_facts(case_id))
    with pytest.raises(Invalid, match="a decision, a count or a choice stands as recorded"):
        await amend_step(ports, DSL, AmendStep(case_id, "route_decision", 1, {"external_threshold_met": False}, "x"), now())
    assert len(ports.records.stored_facts(case_id)) == before and amended(ports, case_id) == []
    decision_refused = [a for a in ports.accounts.access_log(case_id=case_id) if a.user_id == "DSL-1" and not a.allowed]
    assert [a.reason for a in decision_refused] == ["correction refused: external_threshold_met"], decision_refused
    # the route's free text: corrected, and its review opened for the lead who decided it
    form = amendment_form(ports, DSL, case_id, "route_decision", 1, now())
    assert [f.name for f in form.fields] == ["override_reason", "notes"] and form.decisions == ("route",)
    await amend_step(ports, DSL, AmendStep(case_id, "route_decision", 1, {"notes": "door locked"}, "left out"), now())
    opened = [r.fact for r in ports.records.stored_facts(case_id) if r.fact.type == "StepOpened"][-1]
    assert (opened.step, opened.role) == ("decision_review", "designated_safeguarding_lead")
