"""Properties of the provider-concern process decider (004) over any sequence of requests, valid
or not, and clock ticks (Hypothesis): whatever commissioners and contract managers do and however
time passes,

- a rejection records nothing and leaves the state as it was;
- `evolve` over the facts reproduces the state;
- each tracked step opens once, and a missed deadline is recorded (and escalated) once;
- a suspension or termination is recorded only with every item of the evidence trail;
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
from tests.test_provider_decider import HISTORY, NOTICE, OPENED, SUSPENSION_EVIDENCE, Proc

ROLES = ("commissioner", "contract_manager")


def requests(p: Proc, now):
    """A request for the process as it stands: mostly sensible, sometimes not."""
    iso = now.isoformat()
    plan = [{"id": "A1", "action": "retrain", "owner": "RM-9", "due": (now + timedelta(days=3)).isoformat()}]
    full = {**SUSPENSION_EVIDENCE, "risk_assessment": "r", "safeguarding_plan": "p", "monitoring_arrangements": "m",
            "review_arrangements": "v"}
    evidence = st.sampled_from([full, full, {k: v for k, v in full.items() if k not in ("upheld", "risk_assessment")}, {}])
    records = {
        "verbal_notice": {"told_at": iso, "told": "RM-9", **NOTICE},
        "written_notice": {"sent_at": iso, "recorded_delivery_ref": "R1", **NOTICE},
        "provider_meeting": {"held_at": iso, "review_date": (now + timedelta(days=7)).isoformat(), "actions": plan},
        "action_update": {"action_id": "A1", "undertaken": True},
        "action_plan_review": {"actions_undertaken": {"A1": False}, "risks": "managed"},
        "inform_neighbouring_commissioners": {"informed_at": iso, "informed": "LA-N", "wider_sharing_rationale": "r",
                                              "wider_sharing": {k: False for k in p.policy.wider_sharing}},
        "inform_cqc": {"informed_at": iso, "reference": "C1"},
        "inform_police": {"informed_at": iso, "reference": "P1"},
    }
    open_now = [o.step for o in p.state.open_items] * 4  # mostly what is open: the process gets somewhere
    steps = st.one_of(st.sampled_from([*open_now, *records]).map(lambda k: (k, records[k])),
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
    for d in (f for f in p.facts if isinstance(f, ProcessDecided)):
        if d.outcome in ("suspend", "terminate"):
            assert all(d.record.get(x.name) not in (None, "", []) for i in EVIDENCE_TRAIL for x in i.fields)
            assert d.history == HISTORY
    event(f"status {p.state.status}" + (f" ({p.state.decision.outcome})" if p.state.decision else ""))
    closed = [i for i, f in enumerate(p.facts) if isinstance(f, ProcessClosed)]
    if closed:
        assert closed == [len(p.facts) - 1] and p.state.decision is not None and not p.state.open_items
