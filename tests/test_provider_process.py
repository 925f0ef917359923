"""The commissioner's provider-concern process (004) run end to end on the time-skipping server,
against a real worker and SQLite event store: a caution ending in "continue", a suspension refused
for a missing evidence item and then made, immediate action under serious risk, a missed
action-plan review, neighbouring commissioners informed late."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from typing import Any

import pytest

from casework.temporal import processes as casework
from casework.refusals import Refusal as CaseworkError
from domain.provider_concerns import (
    ACTION_PLAN_REVIEW,
    IMMEDIATE_ACTION,
    INFORM_NEIGHBOURS,
    INFORM_POLICE,
    PROVIDER_MEETING,
    VERBAL_NOTICE,
    WRITTEN_NOTICE,
)
from domain.provider_process import Decide, DismissProposal, OpenProcess, RecordStep
from projections.commissioner import commissioner_records
from projections.provider_processes import service_processes
from projections.registry import open_feed
from simulation.runner import CaseClock
from tests.test_commissioner import run_case, service
from tests.test_provider_decider import NOTICE, RECTIFY, RESTRICT_EVIDENCE, SUSPENSION_EVIDENCE

T0 = "2027-01-12T09:30:00+00:00"  # a Tuesday
LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Process:
    """One service's process, on the scenario's clock."""

    def __init__(self, driver, service_id: str, clock: CaseClock) -> None:
        self.driver, self.service_id, self.clock = driver, service_id, clock
        self.client, self.task_queue = driver.env.client, driver.settings.task_queue
        self.history_limit: int | None = None

    @classmethod
    async def at(cls, driver, service_id: str, instant: str) -> "Process":
        env = driver.env
        return cls(driver, service_id, CaseClock(env, at(instant) - await env.get_current_time()))

    async def advance(self, instant: datetime | str) -> None:
        await self.clock.advance_to(at(instant) if isinstance(instant, str) else instant)

    async def now(self) -> datetime:
        return (await self.clock.now()).replace(microsecond=0)

    async def open(self, reason: str = "concerns about peer targeting", **kw: Any):
        c = OpenProcess(service_id=self.service_id, role="commissioner", actor="COM-1", reason=reason, **kw)
        return await casework.open_process(self.client, self.task_queue, c, now=await self.clock.now(),
                                           clock_offset=self.clock.offset, history_limit=self.history_limit)

    async def step(self, step: str, role: str = "contract_manager", **record: Any):
        return await casework.record_step(self.client, self.service_id, RecordStep(step=step, role=role, actor="CM-1",
                                                                                   record=record))

    async def decide(self, outcome: str, **record: Any):
        return await casework.decide(self.client, self.service_id, Decide(outcome=outcome, role="commissioner",
                                                                            actor="COM-1", record=record))

    async def status(self):
        return await casework.process_status(self.client, self.service_id)

    async def notices(self) -> None:
        now = await self.now()
        await self.step(VERBAL_NOTICE.id, told_at=now.isoformat(), told="RM-9", **NOTICE)
        await self.step(WRITTEN_NOTICE.id, sent_at=now.isoformat(), recorded_delivery_ref="RD-123", **NOTICE,
                        rectify_by=(now + RECTIFY).isoformat())

    def facts(self, process_id: str):
        return self.driver.records.process_facts(process_id)

    def types(self, process_id: str) -> list[str]:
        return [f.type for f in self.facts(process_id)]

    async def terminate(self) -> None:
        try:
            await self.client.get_workflow_handle(casework.process_workflow_id(self.service_id)).terminate("test finished")
        except Exception:
            pass  # closed


@pytest.fixture
def svc() -> dict:
    return service("ELM", "Elm House", "Northgate Care")


async def test_a_caution_proposed_by_appendix_a_ends_in_continue_with_its_risk_assessment(driver, svc):
    await run_case(driver, svc, T0, "A-1", "A-2")  # reportable, one concern: Appendix A caution
    feed = open_feed(driver.records)
    feed.catch_up()
    (proposal,) = casework.proposals_due(feed.documents)
    assert (proposal.service_id, proposal.appendix_a) == (svc["id"], "caution")

    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    (proposed,) = await casework.propose_due(p.client, p.task_queue, feed.documents, now=await p.clock.now(),
                                             clock_offset=p.clock.offset)
    assert proposed.status == "proposed" and proposed.proposed["appendix_a"] == "caution"
    feed.catch_up()
    assert casework.proposals_due(feed.documents) == []  # recorded once
    await casework.propose_due(p.client, p.task_queue, feed.documents)
    assert (await p.status()).events_recorded == 1

    opened = await p.open()
    assert (opened.status, opened.basis) == ("open", "caution")
    await p.notices()
    now = await p.now()
    status = await p.step(PROVIDER_MEETING.id, held_at=now.isoformat(), review_date=(now + timedelta(days=14)).isoformat(),
                          actions=[{"id": "A1", "action": "1:1 staffing in the lounge", "owner": "RM-9",
                                    "due": (now + timedelta(days=7)).isoformat()}])
    assert {s.step for s in status.open_steps} == {ACTION_PLAN_REVIEW.id, "share_minutes"}  # 004 line 65
    await p.step("share_minutes", shared_at=now.isoformat(), minutes_reference="MIN-1")
    await p.advance(now + timedelta(days=5))
    await p.step("action_update", action_id="A1", undertaken=True)
    await p.step(ACTION_PLAN_REVIEW.id, actions_undertaken={"A1": True}, risks="managed")
    with pytest.raises(CaseworkError, match="a full written risk assessment .004 line 144.: give risk_assessment"):
        await p.decide("continue")
    done = await p.decide("continue", risk_assessment="risks to residents managed by 1:1 staffing",
                          safeguarding_plan="supervision of shared spaces", monitoring_arrangements="weekly contract visits",
                          review_arrangements="review at three months")
    assert (done.status, [s.step for s in done.open_steps]) == ("decided", ["inform_adult"])  # 004 line 47
    done = await p.step("inform_adult", informed_at=(await p.now()).isoformat(), informed="adult",
                        support_offered="the outcome explained; advocacy offered")
    assert (done.status, done.decision) == ("closed", "continue")
    result = await p.client.get_workflow_handle(casework.process_workflow_id(svc["id"])).result()
    assert result["decision"] == "continue"
    types = p.types(done.process_id)
    assert types[:2] == ["ProcessProposed", "ProcessOpened"] and types[-2:] == ["ProcessStepRecorded", "ProcessClosed"]
    assert "ProcessDecided" in types
    assert "ProcessDeadlineMissed" not in types
    feed.catch_up()
    (record,) = [r for r in commissioner_records(feed.documents) if r["service_id"] == svc["id"]]
    assert (record["process"]["status"], record["process"]["decision"]) == ("closed", "continue")
    assert casework.proposals_due(feed.documents) == []  # decided after the latest concern


async def test_a_suspension_refused_for_a_missing_evidence_item_then_made(driver, svc):
    case = await run_case(driver, svc, T0, "A-117", "A-204", outcome="substantiated")
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    opened = await p.open()
    assert opened.basis == "commissioner"
    evidence = {**SUSPENSION_EVIDENCE, "cases": [case.id]}
    with pytest.raises(CaseworkError, match="record written_notice first"):
        await p.decide("suspend", **evidence)
    await p.notices()
    # five seconds after the letter: the provider's timescale has not run out, no plan was reviewed,
    # and no section 42 enquiry is recorded for the case (004 lines 125, 140)
    await p.advance(await p.now() + timedelta(seconds=5))
    with pytest.raises(CaseworkError) as refused:
        await p.decide("suspend", **evidence)
    for line in ("004 line 125", "has run out (004 line 140)", "recorded the plan as not met (004 line 140)"):
        assert line in str(refused.value)
    assert "004 line 130" not in str(refused.value)  # the case is closed as substantiated
    now = await p.now()
    await p.step("section_42_enquiry", case_id=case.id, invoked_at=now.isoformat(), la_reference="LA-S42-1")
    await p.step(PROVIDER_MEETING.id, held_at=now.isoformat(), review_date=(now + timedelta(days=8)).isoformat(),
                 actions=[{"id": "A1", "action": "1:1 staffing", "owner": "RM-9", "due": (now + timedelta(days=5)).isoformat()}])
    await p.advance(now + timedelta(days=8))
    await p.step(ACTION_PLAN_REVIEW.id, actions_undertaken={"A1": False}, risks="not_managed")
    without_period = {k: v for k, v in evidence.items() if k != "period_to"}
    with pytest.raises(CaseworkError) as refused:
        await p.decide("suspend", **without_period)
    assert "cannot suspend placements: the evidence trail lacks the period" in str(refused.value)
    assert "give period_from, period_to" in str(refused.value) and "history" not in str(refused.value)
    assert "not met" not in str(refused.value)
    assert "ProcessDecided" not in p.types(opened.process_id)  # refused: nothing recorded

    decided = await p.decide("suspend", **evidence)
    assert decided.status == "decided" and INFORM_NEIGHBOURS.id in [s.step for s in decided.open_steps]
    (fact,) = [f.fact for f in p.facts(opened.process_id) if f.type == "ProcessDecided"]
    assert fact.history["concerns"] == 1 and fact.history["service_id"] == svc["id"]  # from the commissioner record
    assert fact.record["adults_harmed"] == ["A-117", "A-118"]
    assert fact.conditions["allegations_upheld"] == {case.id: "substantiated"}
    assert fact.conditions["section_42_invoked"] == {"on_cases": [], "on_process": [case.id]}

    feed = open_feed(driver.records)
    feed.catch_up()
    (record,) = [r for r in commissioner_records(feed.documents) if r["service_id"] == svc["id"]]
    assert record["process"]["status"] == "decided" and record["process"]["decision"] == "suspend"
    assert INFORM_NEIGHBOURS.id in [s["step"] for s in record["process"]["open_steps"]]
    await p.terminate()


async def test_suspension_needs_the_history_from_the_commissioner_record(driver):
    lone = service("NEW", "New Court", "Nobody Care")  # no concern recorded for it
    p = await Process.at(driver, lone["id"], "2027-01-13T10:00:00+00:00")
    await p.open()
    await p.notices()
    with pytest.raises(CaseworkError, match="history of safeguarding concerns .* the commissioner record holds no concern"):
        await p.decide("terminate", **SUSPENSION_EVIDENCE)
    await p.terminate()


async def test_immediate_action_under_serious_risk_is_recorded_at_once(driver, svc):
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    opened = await p.open(reason="resident hospitalised")
    status = await p.step(IMMEDIATE_ACTION.id, role="commissioner", serious_risk="serious injury; alleged source still resident",
                          action="remove_alleged_perpetrator", potential_criminal_offence=True)
    assert status.recorded_steps[IMMEDIATE_ACTION.id] == 1
    assert {s.step for s in status.open_steps} == {VERBAL_NOTICE.id, INFORM_POLICE.id, "inform_adult"}  # the process continues
    status = await p.step(IMMEDIATE_ACTION.id, serious_risk="new placements at risk", action="suspend_new_placements")
    assert status.recorded_steps[IMMEDIATE_ACTION.id] == 2
    assert INFORM_NEIGHBOURS.id in {s.step for s in status.open_steps}
    assert p.types(opened.process_id)[:3] == ["ProcessOpened", "ProcessStepOpened", "ProcessStepRecorded"]
    with pytest.raises(CaseworkError, match="field 'action' expects one of"):
        await p.step(IMMEDIATE_ACTION.id, serious_risk="x", action="close_the_home")
    await p.terminate()


async def test_a_missed_action_plan_review_escalates(driver, svc):
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    opened = await p.open()
    await p.notices()
    now = await p.now()
    review_date = now + timedelta(days=14)
    await p.step(PROVIDER_MEETING.id, held_at=now.isoformat(), review_date=review_date.isoformat(),
                 actions=[{"id": "A1", "action": "retrain staff", "owner": "RM-9", "due": (now + timedelta(days=7)).isoformat()}])
    await p.step("share_minutes", shared_at=now.isoformat(), minutes_reference="MIN-1")
    await p.advance(review_date + timedelta(hours=1))
    status = await p.status()
    (review,) = status.open_steps
    assert review.step == ACTION_PLAN_REVIEW.id and review.missed and review.can_record == ["contract_manager", "commissioner"]
    assert [(e.item, e.to_role) for e in status.escalations] == [(ACTION_PLAN_REVIEW.id, "commissioner")]
    missed = [f.fact for f in p.facts(opened.process_id) if f.type == "ProcessDeadlineMissed"]
    assert [(m.item, m.due) for m in missed] == [("action:A1", now + timedelta(days=7)), (ACTION_PLAN_REVIEW.id, review_date)]
    status = await p.step(ACTION_PLAN_REVIEW.id, role="commissioner", actions_undertaken={"A1": False}, risks="not_managed")
    recorded = [f.fact for f in p.facts(opened.process_id) if f.type == "ProcessStepRecorded"][-1]
    assert recorded.on_time is False and recorded.role == "commissioner"
    await p.terminate()


async def test_neighbouring_commissioners_informed_late_are_escalated(driver, svc):
    case = await run_case(driver, svc, T0, "A-117", "A-204")
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    opened = await p.open()
    await p.notices()
    status = await p.decide("restrict_admissions", **{**RESTRICT_EVIDENCE, "cases": [case.id]},
                            systemic_abuse_or_neglect=True, regulatory_non_compliance=True)
    steps = {s.step: s for s in status.open_steps}
    assert set(steps) == {INFORM_NEIGHBOURS.id, "inform_cqc", "inform_icb", "inform_adult"}
    due = steps[INFORM_NEIGHBOURS.id].due
    assert due == at("2027-01-15T10:00:00+00:00")  # two working days
    await p.advance(due + timedelta(hours=2))
    status = await p.status()
    assert {(e.item, e.to_role) for e in status.escalations} == {(s, "commissioner") for s in steps}
    now = await p.now()
    await p.step("inform_cqc", informed_at=now.isoformat(), reference="CQC-778")
    await p.step("inform_icb", informed_at=now.isoformat(), icb="ICB-South", reference="ICB-778")
    await p.step("inform_adult", informed_at=now.isoformat(), informed="representative", support_offered="advice given")
    done = await p.step(INFORM_NEIGHBOURS.id, informed_at=now.isoformat(), informed="LA-North, ICB-South",
                        wider_sharing={"service_users": True, "relatives": True, "further_authorities": False,
                                       "other_organisations": False, "public": False},
                        wider_sharing_rationale="residents and families told; no wider public risk")
    assert done.status == "closed"
    facts = [f.fact for f in p.facts(opened.process_id)]
    late = [f for f in facts if f.type == "ProcessStepRecorded" and f.step == INFORM_NEIGHBOURS.id]
    assert late[0].on_time is False
    feed = open_feed(driver.records)
    feed.catch_up()
    (s,) = service_processes(feed.documents, svc["id"])
    assert (s["status"], s["decision"]) == ("closed", "restrict_admissions")


async def test_a_second_open_is_refused_and_bad_requests_record_nothing(driver, svc):
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    opened = await p.open()
    with pytest.raises(CaseworkError, match="already open for service"):
        await p.open()
    with pytest.raises(CaseworkError, match="written_notice is not yet open: it opens when verbal_notice is recorded"):
        await p.step(WRITTEN_NOTICE.id, sent_at=opened.opened_at.isoformat(), recorded_delivery_ref="R", **NOTICE)
    with pytest.raises(CaseworkError, match="role contract_manager cannot decide"):
        await casework.decide(p.client, svc["id"], Decide(outcome="suspend", role="contract_manager", actor="CM-1"))
    with pytest.raises(CaseworkError, match="missing field 'told'"):
        await p.step(VERBAL_NOTICE.id, told_at=opened.opened_at.isoformat(), **NOTICE)
    assert len(p.facts(opened.process_id)) == 2  # opened, and its first step
    await p.terminate()


async def test_the_worker_records_proposals_as_appendix_a_reaches_a_caution(driver, svc):
    import asyncio

    from projections.feed import ProjectionFeed
    from projections.registry import open_documents, read_models

    feed = ProjectionFeed(driver.records, open_documents(driver.records), read_models())
    proposing = asyncio.create_task(casework.keep_proposing(driver.env.client, driver.settings.task_queue, feed.documents,
                                                            every=timedelta(seconds=0.05)))
    try:
        await run_case(driver, svc, T0, "A-1", "A-2")
        feed.catch_up()
        for _ in range(100):
            try:
                status = await casework.process_status(driver.env.client, svc["id"])
                break
            except CaseworkError:
                await asyncio.sleep(0.05)
        assert status.status == "proposed" and status.proposed["appendix_a"] == "caution"
        assert "caution.no_previous_history" in status.proposed["criteria"]
    finally:
        proposing.cancel()
    await Process(driver, svc["id"], None).terminate()


async def test_a_long_process_continues_as_new_and_keeps_its_state(driver, svc):
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    p.history_limit = 20
    opened = await p.open()
    handle = p.client.get_workflow_handle(casework.process_workflow_id(svc["id"]))
    first_run = (await handle.describe()).run_id
    await p.notices()
    now = await p.now()
    await p.step(PROVIDER_MEETING.id, held_at=now.isoformat(), review_date=(now + timedelta(days=14)).isoformat(),
                 actions=[{"id": f"A{i}", "action": "retrain", "owner": "RM-9", "due": (now + timedelta(days=i)).isoformat()}
                          for i in range(1, 6)])
    await p.advance(now + timedelta(days=15))  # five actions missed, then the review: timers across runs
    status = await p.status()
    assert (await handle.describe()).run_id != first_run
    assert [a.missed for a in status.actions] == [True] * 5 and status.open_steps[0].missed
    assert status.events_recorded == len(p.facts(opened.process_id))
    await p.terminate()


async def test_a_dismissed_proposal_is_proposed_again_only_for_a_later_concern(driver, svc):
    await run_case(driver, svc, T0, "A-1", "A-2")
    feed = open_feed(driver.records)
    feed.catch_up()
    p = await Process.at(driver, svc["id"], "2027-01-13T10:00:00+00:00")
    await casework.propose_due(p.client, p.task_queue, feed.documents, now=await p.clock.now(), clock_offset=p.clock.offset)
    dismissed = await casework.dismiss_proposal(p.client, svc["id"], DismissProposal(
        role="commissioner", actor="COM-1", reason="managed by the provider"))
    assert (dismissed.status, dismissed.closed_because) == ("closed", "managed by the provider")
    feed.catch_up()
    assert casework.proposals_due(feed.documents) == []
    with pytest.raises(CaseworkError, match=f"the provider-concern process for service {svc['id']} is closed"):
        await p.step(VERBAL_NOTICE.id, told_at=T0, told="RM-9", **NOTICE)
    await run_case(driver, svc, "2027-01-20T09:30:00+00:00", "A-3", "A-4")  # a later concern
    feed.catch_up()
    assert [x.service_id for x in casework.proposals_due(feed.documents)] == [svc["id"]]


async def test_a_process_running_past_the_years_it_opened_with_takes_more_bank_holidays(driver):
    """A process opens with three years of bank holidays. One left waiting (its notices missed and
    escalated) and taken up again four years on still computes its next deadline in working days,
    counting that year's holidays, rather than failing its workflow task."""
    long = service("LONG", "Long House", "Northgate Care")
    case = await run_case(driver, long, "2027-01-05T09:30:00+00:00", "A-117", "A-204")
    # the case itself is not what this is about: left running four years it would miss a review
    # every 72 hours and alert each time; its record stays for the commissioner to read
    await case.handle.terminate("not needed past its record")
    p = await Process.at(driver, long["id"], T0)
    await p.open()
    now = await p.now()
    await p.step(VERBAL_NOTICE.id, told_at=now.isoformat(), told="RM-9", **NOTICE)
    later = "2031-04-30T09:00:00+01:00"  # four years on
    await p.advance(later)
    status = await p.step(WRITTEN_NOTICE.id, sent_at=at(later).isoformat(), recorded_delivery_ref="RD-9", **NOTICE,
                          rectify_by=(at(later) + RECTIFY).isoformat())
    assert status.status == "open"
    facts = [f.fact for f in p.facts(status.process_id)]
    assert any(f.type == "ProcessDeadlineMissed" for f in facts)  # the written notice, years late
    recorded = next(f for f in facts if f.type == "ProcessStepRecorded" and f.step == WRITTEN_NOTICE.id)
    assert recorded.at.year == 2031
    await p.advance("2031-05-02T09:00:00+01:00")  # Friday, before the early May bank holiday (Monday 5 May 2031)
    decided = await p.decide("restrict_admissions", **{**RESTRICT_EVIDENCE, "cases": [case.id]})  # informing: 2 working days
    inform = next(s for s in decided.open_steps if s.step == INFORM_NEIGHBOURS.id)
    # Friday 2 May is one working day, the bank holiday is not, Tuesday 6 May is the second
    assert inform.due.astimezone(LONDON).date() == date(2031, 5, 6), inform.due


async def test_a_suspension_reads_the_section_42_enquiry_the_case_records(driver, svc):
    """004 line 125, from the case: the local authority's decision after the external referral
    (`la_response`: a section 42 enquiry) reaches the commissioner record the decision reads."""
    case = await run_case(driver, svc, T0, "A-117", "A-204")
    await case.at("2027-01-14T09:00:00+00:00")  # after the referral and the local authority's answer
    for step in ("external_referral", "la_response", "conclude_case"):
        await case.complete(step)
    await case.complete("closure_learning_review", substantiation_outcome="substantiated")
    p = await Process.at(driver, svc["id"], "2027-01-20T10:00:00+00:00")
    await p.open(reason="serious injury")
    await p.notices()
    await p.step(IMMEDIATE_ACTION.id, role="commissioner", serious_risk="serious injury", action="remove_alleged_perpetrator")
    decided = await p.decide("suspend", **{**SUSPENSION_EVIDENCE, "cases": [case.id],
                                           "serious_risk_justification": "the alleged source still works nights"})
    (fact,) = [f.fact for f in p.facts(decided.process_id) if f.type == "ProcessDecided"]
    assert fact.conditions["section_42_invoked"] == {"on_cases": [case.id], "on_process": []}
    assert fact.history["earlier_concerns"][0]["section_42"] is True
    await p.terminate()
