"""Properties of the provider-concern process decider (004) over any sequence of requests, valid
or not, and clock ticks (Hypothesis): whatever commissioners and contract managers do and however
time passes,

- a rejection records nothing and leaves the state as it was;
- `evolve` over the facts reproduces the state;
- each tracked step opens once, and a missed deadline is recorded (and escalated) once;
- a suspension or termination is recorded only with every item of the evidence trail, on cases of the
  service's record, one of them with a section 42 enquiry (004 line 125), and either upheld, after the
  written notice's timescale ran out and a review recorded the plan not met (lines 130, 140), or by the
  immediate route with the immediate action recorded before it (line 123);
- restricting admissions is recorded only with its evidence trail (line 121);
- the process closes only when decided (or a proposal is dismissed), with nothing left open.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.process_facts import ProcessClosed, ProcessDeadlineMissed, ProcessDecided, ProcessEscalated, ProcessStepOpened
from domain.provider_concerns import EVIDENCE_TRAIL, IMMEDIATE_ACTIONS
from domain.provider_process import Rejected, decide_clock, new_process, replay
from domain.provider_concerns import RESTRICT_TRAIL
from tests.test_provider_decider import HISTORY, NOTICE, OPENED, SUSPENSION_EVIDENCE, Proc

ROLES = ("commissioner", "contract_manager")


def requests(p: Proc, now):
    """A request for the process as it stands: mostly sensible, sometimes not."""
    iso = now.isoformat()
    plan = [{"id": "A1", "action": "retrain", "owner": "RM-9", "due": (now + timedelta(days=3)).isoformat()}]
    full = {**SUSPENSION_EVIDENCE, "risk_assessment": "r", "safeguarding_plan": "p", "monitoring_arrangements": "m",
            "review_arrangements": "v"}
    evidence = st.sampled_from([full, full, {k: v for k, v in full.items() if k not in ("cases", "risk_assessment")}, {},
                                {**full, "cases": ["C-ELM-2"]}, {**full, "cases": ["C-ELM-1", "C-OTHER-7"]},
                                {**full, "evidence_of_harm": "none recorded"},
                                {**full, "serious_risk_justification": "resident hospitalised"}])
    records = {
        "verbal_notice": {"told_at": iso, "told": "RM-9", **NOTICE},
        "written_notice": {"sent_at": iso, "recorded_delivery_ref": "R1", **NOTICE,
                           "rectify_by": (now + timedelta(days=3)).isoformat()},
        "section_42_enquiry": {"case_id": "C-ELM-2", "invoked_at": iso, "la_reference": "S42-1"},
        "provider_meeting": {"held_at": iso, "review_date": (now + timedelta(days=7)).isoformat(), "actions": plan},
        "action_update": {"action_id": "A1", "undertaken": True},
        "action_plan_review": {"actions_undertaken": {"A1": False}, "risks": "managed"},
        "action_plan_review ": {"actions_undertaken": {"A1": True}, "risks": "minimised"},
        "inform_neighbouring_commissioners": {"informed_at": iso, "informed": "LA-N", "wider_sharing_rationale": "r",
                                              "wider_sharing": {k: False for k in p.policy.wider_sharing}},
        "inform_cqc": {"informed_at": iso, "reference": "C1"},
        "inform_icb": {"informed_at": iso, "icb": "ICB-S", "reference": "I1"},
        "inform_adult": {"informed_at": iso, "informed": "adult", "support_offered": "advice"},
        "share_minutes": {"shared_at": iso, "minutes_reference": "M1"},
        "inform_police": {"informed_at": iso, "reference": "P1"},
    }
    open_now = [o.step for o in p.state.open_items] * 4  # mostly what is open: the process gets somewhere
    steps = st.one_of(st.sampled_from([*open_now, *records]).map(lambda k: (k.strip(), records[k])),
                      st.just(("verbal_notice", {})))
    immediate = st.builds(lambda a, f: ("immediate_action", {"serious_risk": "risk", "action": a, **f}),
                          st.sampled_from(IMMEDIATE_ACTIONS),
                          st.fixed_dictionaries({"potential_criminal_offence": st.booleans(),
                                                 "systemic_abuse_or_neglect": st.booleans(),
                                                 "regulatory_non_compliance": st.booleans()}))
    decision = st.builds(lambda o, e: ("decide", o, e), st.sampled_from(["continue", "restrict_admissions", "suspend",
                                                                          "terminate", "close_the_home"]), evidence)
    tick = st.builds(lambda h: ("tick", h), st.integers(1, 24 * 10))
    step = st.builds(lambda s, r: ("step", *s, r), st.one_of(steps, steps, immediate), st.sampled_from(ROLES))
    return st.one_of(step, step, decision, tick)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_sequence_of_requests_and_ticks_keeps_the_process_sound(data):
    p = Proc()
    p.open()
    now = OPENED
    for _ in range(data.draw(st.integers(5, 40))):
        req = data.draw(requests(p, now))
        before, n = p.state, len(p.facts)
        try:
            if req[0] == "tick":
                now += timedelta(hours=req[1])
                p.clock(now)
            elif req[0] == "decide":
                p.decide(req[1], now, **req[2])
            else:
                _, step, record, role = req
                now += timedelta(minutes=1)
                p.step(step, now, role=role, **record)
        except Rejected:
            assert p.state == before and len(p.facts) == n
        assert replay(new_process("PCP-1", "SVC-ELM"), p.facts) == p.state
        assert decide_clock(p.state, now) == []  # everything due by now is recorded, once
    opened = Counter(f.step for f in p.facts if isinstance(f, ProcessStepOpened))
    assert max(opened.values()) == 1
    missed = Counter(f.item for f in p.facts if isinstance(f, ProcessDeadlineMissed))
    assert not missed or max(missed.values()) == 1
    escalated = Counter(f.item for f in p.facts if isinstance(f, ProcessEscalated))
    assert not escalated or max(escalated.values()) == 1
    for i, d in ((i, f) for i, f in enumerate(p.facts) if isinstance(f, ProcessDecided)):
        if d.outcome in ("suspend", "terminate"):
            assert all(d.record.get(x.name) not in (None, "", [], "none recorded") for i in EVIDENCE_TRAIL for x in i.fields)
            assert d.history == HISTORY
            _suspension_conditions_held(p.facts[:i], d)
        if d.outcome == "restrict_admissions":
            assert all(d.record.get(x.name) not in (None, "", []) for i in RESTRICT_TRAIL for x in i.fields)
            assert set(d.record["cases"]) <= {c["case_id"] for c in HISTORY["earlier_concerns"]}
    event(f"status {p.state.status}" + (f" ({p.state.decision.outcome})" if p.state.decision else ""))
    closed = [i for i, f in enumerate(p.facts) if isinstance(f, ProcessClosed)]
    if closed:
        assert closed == [len(p.facts) - 1] and p.state.decision is not None and not p.state.open_items


def _suspension_conditions_held(before, d) -> None:
    """What 004 lines 123-140 ask of a suspension, read from the facts recorded before it."""
    on_record = {c["case_id"]: c for c in HISTORY["earlier_concerns"]}
    cases = d.record["cases"]
    assert set(cases) <= set(on_record)
    recorded = [f for f in before if f.type == "ProcessStepRecorded"]
    s42 = {f.record["case_id"] for f in recorded if f.step == "section_42_enquiry"}
    assert any(on_record[c].get("section_42") or c in s42 for c in cases)
    if d.record.get("serious_risk_justification"):
        assert any(f.step == "immediate_action" for f in recorded)
        event("suspended by the immediate route")
        return
    assert all(on_record[c]["outcome"] == "substantiated" for c in cases)
    (written,) = [f for f in recorded if f.step == "written_notice"]
    assert written.record["rectify_by"] <= d.at.isoformat()
    (review,) = [f for f in recorded if f.step == "action_plan_review"]
    assert review.record["risks"] == "not_managed" or not all(review.record["actions_undertaken"].values())
    event("suspended after the plan was not met")


@settings(max_examples=300, deadline=None)
@given(met=st.booleans(), review_h=st.integers(4, 24 * 12), after_h=st.integers(0, 24 * 6), s42_on_case=st.booleans(),
       s42_on_process=st.booleans(),
       outcome=st.sampled_from(["substantiated", "substantiated", "substantiated", "undetermined", "unsubstantiated", None]),
       cases=st.sampled_from([["C-ELM-1"], ["C-ELM-1"], ["C-ELM-1"], ["C-ELM-1", "C-ELM-2"], ["C-ELM-2"], ["C-OTHER-7"]]),
       immediate=st.booleans(), justified=st.sampled_from([False, False, True]), filler=st.sampled_from([False, False, False, True]),
       decision=st.sampled_from(["suspend", "terminate"]))
def test_a_suspension_is_recorded_exactly_when_004_allows_it(met, review_h, after_h, s42_on_case, s42_on_process, outcome,
                                                              cases, immediate, justified, filler, decision):
    """The decider's answer against an oracle written from 004 lines 121-140 alone."""
    from tests.test_provider_decider import RECTIFY, t

    c1 = {"case_id": "C-ELM-1", "status": "closed" if outcome else "open", "outcome": outcome, "section_42": s42_on_case}
    history = {**HISTORY, "earlier_concerns": [c1, {"case_id": "C-ELM-2", "status": "open", "outcome": None}]}
    p = Proc()
    p.open(history=history)
    p.notices()
    if immediate:
        p.step("immediate_action", t(3), role="commissioner", serious_risk="serious injury", action="specialist_staff")
    if s42_on_process:
        p.step("section_42_enquiry", t(3), case_id="C-ELM-1", invoked_at=t(3).isoformat(), la_reference="S42-1")
    p.plan_reviewed(met=met, at=t(review_h))
    now = t(review_h + after_h)
    record = {**SUSPENSION_EVIDENCE, "cases": cases, **({"evidence_of_harm": "None recorded."} if filler else {}),
              **({"serious_risk_justification": "alleged source still on shift"} if justified else {})}

    on_record = {"C-ELM-1": c1, "C-ELM-2": history["earlier_concerns"][1]}
    route = justified and immediate
    allowed = (not filler and set(cases) <= set(on_record) and (not justified or immediate)
               and any((c == "C-ELM-1" and (s42_on_case or s42_on_process)) for c in cases)
               and (route or (all(on_record[c]["outcome"] == "substantiated" for c in cases)
                              and now >= t(2) + RECTIFY and not met)))
    before = p.state
    try:
        (decided, *_) = p.decide(decision, now, history=history, **record)
    except Rejected as e:
        assert not allowed, str(e)
        assert p.state == before
        assert "004 line" in str(e)  # every refusal names the line it comes from
        event("refused")
    else:
        assert allowed
        assert decided.outcome == decision and ("immediate_route" in decided.conditions) == route
        event("recorded" + (" by the immediate route" if route else ""))
