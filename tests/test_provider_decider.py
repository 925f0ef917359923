"""The provider-concern process (004) as pure functions: no server, no store."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from domain.deadlines import WorkingCalendar
from domain.process_facts import ProcessClosed, ProcessDecided, ProcessDeadlineMissed, ProcessEscalated, ProcessStepOpened
from domain.provider_concerns import (
    ACTION_PLAN_REVIEW,
    EVIDENCE_TRAIL,
    INFORM_CQC,
    INFORM_NEIGHBOURS,
    INFORM_POLICE,
    OUTCOMES,
    VERBAL_NOTICE,
    WRITTEN_NOTICE,
    provider_concern_process,
)
from domain.provider_process import (
    Decide,
    DismissProposal,
    OpenProcess,
    ProposeProcess,
    RecordStep,
    Rejected,
    decide_clock,
    decide_decision,
    decide_dismiss,
    decide_open,
    decide_propose,
    decide_step,
    new_process,
    next_wakeup,
    replay,
    status_of,
)

pytestmark = pytest.mark.unit

SEED = Path("/work/shared/seeds/004_989c72b12ad08607.txt").read_text(encoding="utf-8").splitlines()
CAL = WorkingCalendar()
OPENED = datetime.fromisoformat("2027-01-12T09:30:00+00:00")  # a Tuesday
# the service's commissioner record when deciding: C-ELM-1 upheld, with the local authority's section 42 enquiry
HISTORY = {"service_id": "SVC-ELM", "concerns": 2, "outcomes": {"substantiated": 1},
           "earlier_concerns": [{"case_id": "C-ELM-1", "status": "closed", "outcome": "substantiated", "section_42": True},
                                {"case_id": "C-ELM-2", "status": "open", "outcome": None}]}
NOTICE = {"nature_of_concerns": "peer targeting unmanaged", "contract_clause": "schedule 2 s.4",
          "action_needed": "supervision plan", "timescales": "14 days", "sanctions": "suspension of placements"}
SUSPENSION_EVIDENCE = {
    "nature_of_allegations": "repeated targeting in the lounge", "evidence_of_harm": "injuries recorded 3 and 9 Jan",
    "adults_harmed": ["A-117", "A-118"], "alleged_sources": ["A-204"],
    "period_from": "2026-12-01T00:00:00+00:00", "period_to": "2027-01-10T00:00:00+00:00",
    "cases": ["C-ELM-1"], "contract_assessment": "breach of schedule 2 s.4", "other_action_taken": "action plan, 1:1 staffing",
    "risk_assessment_all_service_users": "all residents at risk in shared spaces",
}
RESTRICT_EVIDENCE = {k: SUSPENSION_EVIDENCE[k] for k in ("cases", "nature_of_allegations", "evidence_of_harm",
                                                         "contract_assessment", "risk_assessment_all_service_users")}
RECTIFY = timedelta(days=7)  # the timescale the written notice gives the provider
ICB = {"icb": "ICB-South", "reference": "ICB-778"}
ADULT = {"informed": "representative", "support_offered": "advocacy referral and the outcome explained"}


def t(hours: float) -> datetime:
    return OPENED + timedelta(hours=hours)


class Proc:
    def __init__(self, written_days: int = 2) -> None:
        self.state = new_process("PCP-1", "SVC-ELM")
        self.facts = []
        self.policy = provider_concern_process(written_days)

    def apply(self, facts):
        self.facts += facts
        self.state = replay(self.state, facts)
        return facts

    def open(self, now=OPENED, history=HISTORY):
        return self.apply(decide_open(self.state, OpenProcess(service_id="SVC-ELM", role="commissioner", actor="COM-1",
                                                               reason="caution"), self.policy, CAL,
                                      CAL.holidays_for(2027, 2029), history, now))

    def step(self, step, now, role="contract_manager", **record):
        return self.apply(decide_step(self.state, RecordStep(step=step, role=role, actor="CM-1", record=record), now))

    def decide(self, outcome, now, history=HISTORY, **record):
        return self.apply(decide_decision(self.state, Decide(outcome=outcome, role="commissioner", actor="COM-1",
                                                               record=record), history, now))

    def clock(self, now):
        return self.apply(decide_clock(self.state, now))

    def notices(self):
        self.step("verbal_notice", t(1), told_at=t(0.5).isoformat(), told="RM-9", **NOTICE)
        self.step("written_notice", t(2), sent_at=t(2).isoformat(), recorded_delivery_ref="RD123", **NOTICE,
                  rectify_by=(t(2) + RECTIFY).isoformat())

    def plan_reviewed(self, met: bool = False, at: datetime | None = None):
        """A meeting agreeing one action, and its review: the action not undertaken (or, `met`, undertaken)."""
        at = at or t(24 * 10)
        self.step("provider_meeting", t(3), held_at=t(3).isoformat(), review_date=t(24 * 14).isoformat(),
                  actions=[{"id": "A1", "action": "1:1 staffing", "owner": "RM-9", "due": t(24 * 7).isoformat()}])
        self.step(ACTION_PLAN_REVIEW.id, at, actions_undertaken={"A1": met}, risks="managed" if met else "not_managed")

    def ready_to_suspend(self):
        """Opened, the notices given, the plan reviewed as not met after the timescale ran out: at t(24 * 10)."""
        self.open()
        self.notices()
        self.plan_reviewed()


def test_every_seed_quote_is_in_the_seed():
    p = provider_concern_process()
    quotes = [q for s in p.steps for q in s.seed] + [o.seed for o in OUTCOMES] + [i.seed for o in OUTCOMES for i in o.requires]
    quotes += [c.seed for o in OUTCOMES for c in o.conditions] + [p.immediate_route.seed]
    for q in quotes:
        assert " ".join(q.text.split()) in " ".join(SEED[q.line - 1].split()), q.cite()


def test_written_notice_due_two_working_days_after_the_verbal_one_and_configurable():
    p = Proc()
    p.open()
    p.step("verbal_notice", t(1), told_at=t(0.5).isoformat(), told="RM-9", **NOTICE)
    opened = [f for f in p.facts if isinstance(f, ProcessStepOpened) and f.step == WRITTEN_NOTICE.id][0]
    assert opened.clock_from == t(0.5)  # from the verbal notice's instant, not its recording
    assert opened.due == datetime.fromisoformat("2027-01-14T10:00:00+00:00")
    p3 = Proc(written_days=3)
    p3.open()
    p3.step("verbal_notice", t(1), told_at=t(0.5).isoformat(), told="RM-9", **NOTICE)
    assert p3.state.find_open(WRITTEN_NOTICE.id).due == datetime.fromisoformat("2027-01-15T10:00:00+00:00")


def test_a_caution_ends_in_continue_only_with_its_risk_assessment_and_plan():
    p = Proc()
    p.open()
    p.notices()
    with pytest.raises(Rejected, match="a full written risk assessment.*give risk_assessment.*safeguarding plan"):
        p.decide("continue", t(3))
    p.decide("continue", t(3), risk_assessment="risk managed", safeguarding_plan="weekly visits",
             monitoring_arrangements="contract visits", review_arrangements="review in 3 months")
    assert [o.step for o in p.state.open_items] == ["inform_adult"]  # line 47: the adult or their representative
    p.step("inform_adult", t(4), informed_at=t(4).isoformat(), **ADULT)
    assert isinstance(p.facts[-1], ProcessClosed) and p.state.status == "closed"


def test_suspension_refused_naming_each_missing_item():
    p = Proc()
    p.ready_to_suspend()
    partial = {k: v for k, v in SUSPENSION_EVIDENCE.items() if k not in ("period_from", "other_action_taken")}
    with pytest.raises(Rejected) as e:
        p.decide("suspend", t(24 * 10), history=None, **partial)
    msg = str(e.value)
    assert "the period" in msg and "period_from" in msg and "other_action_taken" in msg
    assert "history of safeguarding concerns" in msg and "commissioner record holds no concern" in msg
    assert "nature of the allegations" not in msg
    assert p.state.status == "open"
    facts = p.decide("suspend", t(24 * 10), **SUSPENSION_EVIDENCE)
    decided = facts[0]
    assert isinstance(decided, ProcessDecided) and decided.history == HISTORY
    assert set(decided.evidence) == {i.id for i in EVIDENCE_TRAIL}
    assert decided.conditions == {
        "cases_on_record": ["C-ELM-1"], "section_42_invoked": {"on_cases": ["C-ELM-1"], "on_process": []},
        "allegations_upheld": {"C-ELM-1": "substantiated"}, "timescale_run_out": (t(2) + RECTIFY).isoformat(),
        "plan_not_met": t(24 * 10).isoformat()}
    assert p.state.find_open(INFORM_NEIGHBOURS.id) is not None and p.state.status == "decided"


def test_the_trial_suspension_is_refused_naming_every_condition_with_its_004_line():
    """Issue 19: suspended with `upheld: false`, "none recorded" as the evidence of harm, no section 42
    enquiry, five seconds after a letter giving the provider 7 days."""
    p = Proc()
    p.open(history={**HISTORY, "earlier_concerns": [{"case_id": "C-ELM-2", "status": "open", "outcome": None}]})
    p.notices()
    trial = {**SUSPENSION_EVIDENCE, "evidence_of_harm": "none recorded", "cases": ["C-ELM-2"]}
    history = {**HISTORY, "earlier_concerns": [{"case_id": "C-ELM-2", "status": "open", "outcome": None}]}
    with pytest.raises(Rejected, match="unknown field 'upheld'"):
        p.decide("suspend", t(2) + timedelta(seconds=5), history=history, **trial, upheld=False)
    with pytest.raises(Rejected) as e:
        p.decide("suspend", t(2) + timedelta(seconds=5), history=history, **trial)
    msg = str(e.value)
    assert "evidence of harm (004 line 127): give nature_of_allegations, evidence_of_harm" in msg
    assert "evidence_of_harm says 'none recorded', which is not evidence" in msg
    assert "a section 42 enquiry formally invoked on a case it rests on (004 line 125): no case it rests on (C-ELM-2)" in msg
    assert "the allegations upheld: the cases it rests on closed as substantiated (004 line 130): case C-ELM-2 is still open" in msg
    assert "the timescale the written notice gave the provider has run out (004 line 140): the written notice gave the " \
           f"provider until {(t(2) + RECTIFY).isoformat()}" in msg
    assert "the action plan review recorded the plan as not met (004 line 140): no action plan review is recorded" in msg
    assert p.state.decision is None


def test_suspension_needs_a_section_42_enquiry_on_a_case_it_rests_on_line_125():
    p = Proc()
    p.ready_to_suspend()
    without = {**HISTORY, "earlier_concerns": [{**HISTORY["earlier_concerns"][0], "section_42": False}]}
    with pytest.raises(Rejected, match=r"section 42 enquiry formally invoked on a case it rests on \(004 line 125\): "
                                       r"no case it rests on \(C-ELM-1\) records one.*record section_42_enquiry"):
        p.decide("terminate", t(24 * 10), history=without, **SUSPENSION_EVIDENCE)
    with pytest.raises(Rejected, match="unknown step"):  # one record a case, naming it: never a free-text tick
        p.step("section_42", t(24 * 10), case_id="C-ELM-1")
    p.step("section_42_enquiry", t(24 * 10), case_id="C-ELM-1", invoked_at=t(24).isoformat(), la_reference="LA-S42-9")
    (decided, *_) = p.decide("terminate", t(24 * 10), history=without, **SUSPENSION_EVIDENCE)
    assert decided.conditions["section_42_invoked"] == {"on_cases": [], "on_process": ["C-ELM-1"]}


def test_allegations_upheld_are_read_from_the_cases_outcomes_line_130():
    p = Proc()
    p.ready_to_suspend()
    history = {**HISTORY, "earlier_concerns": [{**HISTORY["earlier_concerns"][0], "outcome": "undetermined"},
                                               HISTORY["earlier_concerns"][1]]}
    with pytest.raises(Rejected, match=r"\(004 line 130\): case C-ELM-1 is closed as undetermined; case C-ELM-2 is "
                                       r"still open \(it must be closed as substantiated\)"):
        p.decide("suspend", t(24 * 10), history=history, **{**SUSPENSION_EVIDENCE, "cases": ["C-ELM-1", "C-ELM-2"]})


def test_the_cases_it_rests_on_are_the_services_own_line_121():
    p = Proc()
    p.ready_to_suspend()
    with pytest.raises(Rejected, match=r"\(004 line 121\): not on the commissioner record of service SVC-ELM: C-OTHER-7"):
        p.decide("suspend", t(24 * 10), **{**SUSPENSION_EVIDENCE, "cases": ["C-ELM-1", "C-OTHER-7"]})
    with pytest.raises(Rejected, match=r"the cases the decision rests on .* \(004 line 121\): give cases"):
        p.decide("suspend", t(24 * 10), **{k: v for k, v in SUSPENSION_EVIDENCE.items() if k != "cases"})


def test_suspension_waits_for_the_timescale_the_written_notice_gave_line_140():
    p = Proc()
    p.open()
    p.notices()
    p.plan_reviewed(at=t(24 * 5))  # reviewed as not met, but before the provider's 7 days ran out
    with pytest.raises(Rejected, match=r"has run out \(004 line 140\): the written notice gave the provider until "):
        p.decide("suspend", t(24 * 5), **SUSPENSION_EVIDENCE)
    p.decide("suspend", t(2) + RECTIFY, **SUSPENSION_EVIDENCE)
    assert p.state.decision.outcome == "suspend"


def test_suspension_needs_the_review_to_record_the_plan_not_met_line_140():
    p = Proc()
    p.open()
    p.notices()
    p.plan_reviewed(met=True)
    with pytest.raises(Rejected, match=r"recorded the plan as not met \(004 line 140\): the review at .* recorded every "
                                       r"action undertaken and risks managed"):
        p.decide("suspend", t(24 * 10), **SUSPENSION_EVIDENCE)


def test_the_immediate_route_of_line_123_waives_waiting_but_not_the_section_42_enquiry():
    p = Proc()
    p.open()
    p.notices()
    open_case = {**HISTORY, "earlier_concerns": [{"case_id": "C-ELM-1", "status": "open", "outcome": None, "section_42": True}]}
    urgent = {**SUSPENSION_EVIDENCE, "serious_risk_justification": "resident hospitalised; alleged source still on shift"}
    with pytest.raises(Rejected, match=r"immediate route needs the immediate action recorded on the process first"):
        p.decide("suspend", t(3), history=open_case, **urgent)
    p.step("immediate_action", t(3), role="commissioner", serious_risk="resident hospitalised",
           action="remove_alleged_perpetrator")
    without_s42 = {**open_case, "earlier_concerns": [{**open_case["earlier_concerns"][0], "section_42": False}]}
    with pytest.raises(Rejected, match=r"004 line 125") as e:
        p.decide("suspend", t(3), history=without_s42, **urgent)
    assert "004 line 130" not in str(e.value) and "line 140" not in str(e.value)
    (decided, *_) = p.decide("suspend", t(3), history=open_case, **urgent)
    assert decided.conditions["immediate_route"]["waives"] == ["allegations_upheld", "timescale_run_out", "plan_not_met"]
    assert "allegations_upheld" not in decided.conditions and decided.conditions["section_42_invoked"]["on_cases"] == ["C-ELM-1"]


def test_restricting_admissions_needs_an_evidence_trail_line_121():
    p = Proc()
    p.open()
    p.notices()
    with pytest.raises(Rejected) as e:
        p.decide("restrict_admissions", t(3))
    msg = str(e.value)
    assert msg.startswith("cannot restrict admissions: the evidence trail lacks the cases the decision rests on")
    assert "compared to the requirements of the contract (004 line 121): give contract_assessment" in msg
    assert "004 line 130" not in msg and "004 line 140" not in msg  # no waiting: suspension's conditions only
    p.decide("restrict_admissions", t(3), **RESTRICT_EVIDENCE)
    assert p.state.decision.conditions == {"cases_on_record": ["C-ELM-1"]}


def test_who_is_involved_are_ids():
    p = Proc()
    p.open()
    p.notices()
    with pytest.raises(Rejected, match="adults_harmed"):
        p.decide("suspend", t(3), **{**SUSPENSION_EVIDENCE, "adults_harmed": ["Mary Smith"]})


def test_decision_needs_the_written_notice_and_a_reviewed_plan():
    p = Proc()
    p.open()
    with pytest.raises(Rejected, match="record written_notice first"):
        p.decide("restrict_admissions", t(1))
    p.notices()
    p.step("provider_meeting", t(3), held_at=t(3).isoformat(), review_date=t(24 * 14).isoformat(),
           actions=[{"id": "A1", "action": "1:1 staffing", "owner": "RM-9", "due": t(24 * 7).isoformat()}])
    with pytest.raises(Rejected, match="record action_plan_review first"):
        p.decide("restrict_admissions", t(4))


def test_missed_review_escalates_and_overdue_actions_are_recorded():
    p = Proc()
    p.open()
    p.notices()
    p.step("provider_meeting", t(3), held_at=t(3).isoformat(), review_date=t(24 * 14).isoformat(),
           actions=[{"id": "A1", "action": "1:1 staffing", "owner": "RM-9", "due": t(24 * 7).isoformat()},
                    {"id": "A2", "action": "training", "owner": "RM-9", "due": t(24 * 10).isoformat()}])
    assert p.state.find_open("share_minutes") is not None  # line 65: the meeting's minutes shared with the provider
    p.step("share_minutes", t(5), shared_at=t(5).isoformat(), minutes_reference="MIN-1")
    p.step("action_update", t(24 * 6), action_id="A1", undertaken=True)
    assert next_wakeup(p.state) == t(24 * 10)
    p.clock(t(24 * 10))
    assert [f.item for f in p.facts if isinstance(f, ProcessDeadlineMissed)] == ["action:A2"]
    p.clock(t(24 * 14))
    esc = [f for f in p.facts if isinstance(f, ProcessEscalated)]
    assert [(e.item, e.from_role, e.to_role) for e in esc] == [(ACTION_PLAN_REVIEW.id, "contract_manager", "commissioner")]
    assert p.clock(t(24 * 15)) == []  # once
    with pytest.raises(Rejected, match="say whether action 'A2'"):
        p.step(ACTION_PLAN_REVIEW.id, t(24 * 15), role="commissioner", actions_undertaken={"A1": True}, risks="managed")
    done = p.step(ACTION_PLAN_REVIEW.id, t(24 * 15), role="commissioner", actions_undertaken={"A1": True, "A2": False},
                  risks="not_managed")
    assert done[0].on_time is False


def test_immediate_action_is_recorded_at_once_and_sets_informing_in_motion():
    p = Proc()
    p.open()
    facts = p.step("immediate_action", t(0.1), role="commissioner", serious_risk="life-threatening injury",
                   action="suspend_new_placements", potential_criminal_offence=True)
    assert [f.step for f in facts if isinstance(f, ProcessStepOpened)] == [INFORM_NEIGHBOURS.id, "inform_icb", INFORM_POLICE.id,
                                                                          "inform_adult"]
    assert p.state.find_open(INFORM_CQC.id) is None
    assert p.state.find_open(VERBAL_NOTICE.id) is not None  # the process continues to evidence it


def test_neighbours_informed_late_escalate_and_the_process_closes_when_done():
    p = Proc()
    p.open()
    p.notices()
    p.decide("restrict_admissions", t(3), **RESTRICT_EVIDENCE)
    due = p.state.find_open(INFORM_NEIGHBOURS.id).due
    p.clock(due)
    assert any(isinstance(f, ProcessEscalated) and f.item == INFORM_NEIGHBOURS.id for f in p.facts)
    with pytest.raises(Rejected, match="wider_sharing: decide for 'public'"):
        p.step(INFORM_NEIGHBOURS.id, due + timedelta(hours=1), informed_at=due.isoformat(), informed="LA-N, ICB-S",
               wider_sharing={"service_users": True, "relatives": True, "further_authorities": False,
                              "other_organisations": False}, wider_sharing_rationale="risk to current residents")
    p.step(INFORM_NEIGHBOURS.id, due + timedelta(hours=1), informed_at=due.isoformat(), informed="LA-N, ICB-S",
           wider_sharing={"service_users": True, "relatives": True, "further_authorities": False,
                          "other_organisations": False, "public": False}, wider_sharing_rationale="risk to residents")
    p.step("inform_icb", due + timedelta(hours=1), informed_at=due.isoformat(), **ICB)
    assert p.state.status == "decided"
    p.step("inform_adult", due + timedelta(hours=1), informed_at=due.isoformat(), **ADULT)
    assert p.facts[-1].type == "ProcessClosed"
    assert status_of(p.state).status == "closed"


def test_proposal_then_open_takes_its_basis_and_roles_are_checked():
    p = Proc()
    p.apply(decide_propose(p.state, ProposeProcess(service_id="SVC-ELM", appendix_a="caution", criteria=("caution.single_issue",)), OPENED))
    assert decide_propose(p.state, ProposeProcess(service_id="SVC-ELM", appendix_a="caution"), OPENED) == []
    with pytest.raises(Rejected, match="not open .proposed"):
        p.step("verbal_notice", t(1), told_at=t(0.5).isoformat(), told="RM-9", **NOTICE)
    with pytest.raises(Rejected, match="role contract_manager cannot open"):
        decide_open(p.state, OpenProcess(service_id="SVC-ELM", role="contract_manager", actor="CM-1", reason="x"),
                    p.policy, CAL, CAL.holidays_for(2027, 2029), None, OPENED)
    p.open()
    assert p.state.opened.basis == "caution"
    with pytest.raises(Rejected, match="already open"):
        p.open()
    with pytest.raises(Rejected, match="role commissioner cannot record verbal_notice: it is for contract_manager"):
        p.step("verbal_notice", t(1), role="commissioner", told_at=t(0.5).isoformat(), told="RM-9", **NOTICE)
    with pytest.raises(Rejected, match="in the future"):
        p.step("verbal_notice", t(1), told_at=t(5).isoformat(), told="RM-9", **NOTICE)


def test_only_a_proposal_can_be_dismissed_by_a_commissioner_with_a_reason():
    p = Proc()
    dismissal = DismissProposal(role="commissioner", actor="COM-1", reason="single incident, managed by the provider")
    with pytest.raises(Rejected, match="only a proposed process can be dismissed"):
        decide_dismiss(p.state, dismissal, "commissioner", OPENED)
    p.apply(decide_propose(p.state, ProposeProcess(service_id="SVC-ELM", appendix_a="caution"), OPENED))
    with pytest.raises(Rejected, match="role contract_manager cannot dismiss"):
        decide_dismiss(p.state, dismissal.model_copy(update={"role": "contract_manager"}), "commissioner", OPENED)
    (closed,) = p.apply(decide_dismiss(p.state, dismissal, "commissioner", t(1)))
    assert (closed.outcome, closed.actor, closed.reason) == ("dismissed", "COM-1", dismissal.reason)
    s = status_of(p.state)
    assert (s.status, s.closed_at, s.decision) == ("closed", t(1), None)


def test_a_proposal_not_opened_or_dismissed_in_time_is_recorded_missed_and_escalated_once():
    p = Proc()
    (proposed,) = p.apply(decide_propose(p.state, ProposeProcess(service_id="SVC-ELM", appendix_a="caution"), OPENED))
    assert proposed.due == OPENED + timedelta(days=5) and proposed.escalate_to == "quality_safeguarding_lead"
    assert next_wakeup(p.state) == proposed.due
    assert [s.step for s in status_of(p.state).open_steps] == ["open_or_dismiss"]
    assert p.clock(OPENED + timedelta(days=4)) == []
    missed, escalated = p.clock(proposed.due)
    assert (missed.item, escalated.from_role, escalated.to_role) == ("open_or_dismiss", "commissioner", "quality_safeguarding_lead")
    assert "neither opened nor dismissed" in escalated.reason
    assert p.clock(proposed.due + timedelta(days=1)) == []  # once
    p.open(now=proposed.due + timedelta(days=1))  # late, but still a commissioner's to open
    assert "open_or_dismiss" not in [o.step for o in p.state.open_items]
    assert [s.step for s in status_of(p.state).open_steps] == ["verbal_notice"]


def test_a_proposal_recorded_before_proposals_had_a_deadline_has_none():
    from domain.process_facts import ProcessProposed

    p = Proc()
    p.apply([ProcessProposed(at=OPENED, process_id="PCP-1", service_id="SVC-ELM", appendix_a="caution", criteria=())])
    assert p.state.open_items == () and next_wakeup(p.state) is None and p.clock(OPENED + timedelta(days=30)) == []


def test_the_police_step_opens_when_the_record_says_a_crime_may_have_been_committed_line_159():
    """004 line 103 (police informed), read with Appendix A line 159: not only on a ticked flag."""
    p = Proc()
    crime = {**HISTORY, "earlier_concerns": [{**HISTORY["earlier_concerns"][0], "crime_indicated": True}]}
    facts = p.open(history=crime)
    (police,) = [f for f in facts if isinstance(f, ProcessStepOpened) and f.step == INFORM_POLICE.id]
    assert "the commissioner record says crime indicated (C-ELM-1)" in police.reason
    q = Proc()
    q.open()
    q.notices()
    assert q.state.find_open(INFORM_POLICE.id) is None
    q.decide("restrict_admissions", t(3), history=crime, **RESTRICT_EVIDENCE)  # the record read when deciding
    assert q.state.find_open(INFORM_POLICE.id) is not None


def test_the_period_the_allegations_cover_runs_forwards():
    """Found by a trial: a suspension on the immediate route was recorded with period_from after period_to."""
    p = Proc()
    p.ready_to_suspend()
    backwards = {**SUSPENSION_EVIDENCE, "period_from": "2027-01-10T00:00:00+00:00", "period_to": "2026-12-01T00:00:00+00:00"}
    with pytest.raises(Rejected, match="period_to .* is before period_from .*: the period the allegations cover runs forwards"):
        p.decide("suspend", t(24 * 10), **backwards)
    assert p.state.decision is None
