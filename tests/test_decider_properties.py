"""Properties of the decider over any sequence of commands, valid or not, and clock ticks
(Hypothesis): whatever staff do and however time passes,

- every open step with a deadline has a due instant;
- a missed deadline is recorded once;
- escalation only climbs the chain;
- a rejection yields no fact and leaves the state as it was;
- `evolve` over the facts reproduces the state.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.case import Rejected, check_completion, decide_acknowledgement, decide_clock, decide_completion
from domain.case import decide_development, decide_threshold, new_case, next_wakeup, replay, threshold_request
from domain.concern import Acknowledgement, Development, StepCompletion
from domain.facts import DeadlineMissed, Escalated
from domain.pathway import current_pathway
from domain.policy import Role
from tests.cases import RECORDS
from tests.conftest import concern
from tests.pure_case import PureCase

PATHWAY = current_pathway()
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
STEPS = [s.id for s in PATHWAY.steps]
START = datetime(2027, 1, 11, 8, 0, tzinfo=timezone.utc)


def records_for(step: str) -> st.SearchStrategy[dict]:
    valid = RECORDS.get(step, {})
    flags = [k for k, v in valid.items() if isinstance(v, bool)]
    toggled = st.fixed_dictionaries({k: st.booleans() for k in flags}).map(lambda t: {**valid, **t})
    if step == PATHWAY.threshold.decided_at:  # now and then, the route below the tool's level, with a reason
        toggled = st.one_of(toggled, toggled.map(lambda r: {**r, PATHWAY.threshold.override_reason_field: "LA agreed"}))
    broken = st.sampled_from([{}, {"unknown": 1}, {k: None for k in valid}, {k: 7 for k in valid}])
    return st.one_of(toggled, toggled, broken)


def completion(case: PureCase) -> st.SearchStrategy:
    """Mostly a step that is open, by a role that may complete it; sometimes anything at all."""
    open_steps = case.state.open_steps
    likely = st.sampled_from(open_steps).flatmap(lambda o: st.tuples(
        st.just(o.step), st.sampled_from([*o.can_complete, *o.can_complete, *ROLES]), st.sampled_from([None, o.occurrence])))
    anything = st.tuples(st.sampled_from(STEPS + ["tea_break"]), st.sampled_from(ROLES), st.one_of(st.none(), st.integers(1, 3)))
    pick = st.one_of(likely, likely, likely, anything) if open_steps else anything
    return pick.flatmap(lambda p: records_for(p[0]).map(lambda record: (
        "complete", StepCompletion(step=p[0], role=p[1], actor="S-1", record=record, occurrence=p[2]))))


def command(case: PureCase) -> st.SearchStrategy:
    tick = st.integers(0, 3 * 24 * 60).map(lambda minutes: ("tick", timedelta(minutes=minutes)))
    development = st.sampled_from(["new_incident", "agency_contact", "other"]).map(
        lambda k: ("develop", Development(kind=k, summary="x")))
    acknowledge = st.builds(lambda n, role: ("ack", Acknowledgement(escalation_id=f"E{n}", role=role, actor="A-1")),
                            st.integers(1, max(case.state.escalations_raised, 1) + 1), st.sampled_from(ROLES))
    return st.one_of(completion(case), completion(case), completion(case), tick, st.just(("next", None)), development,
                     acknowledge)


def decide(state, now, kind, payload):
    if kind == "complete":
        _, step, record = check_completion(state, payload)
        request = threshold_request(state, step, record)
        return decide_completion(state, payload, now, decide_threshold(request, None) if request else None)
    if kind == "develop":
        return decide_development(state, payload, now)
    return decide_acknowledgement(state, payload, now)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identified=st.integers(0, 6 * 24 * 60).map(lambda m: START + timedelta(minutes=m)),
       steps=st.integers(0, 60), data=st.data())
def test_invariants_hold_whatever_staff_do_and_however_time_passes(identified, steps, data):
    case = PureCase(concern(identified.isoformat(), case_id="PROP-1"))
    for _ in range(steps):
        kind, payload = data.draw(command(case))
        if kind in ("tick", "next"):
            until = case.now + payload if kind == "tick" else max(next_wakeup(case.state) or case.now, case.now)
            case.at(until)
            continue
        before, count = case.state, len(case.facts)
        try:
            facts = decide(case.state, case.now, kind, payload)
        except Rejected:
            assert case.state is before and len(case.facts) == count
            assert case.state == before  # nothing was changed in place either
            continue
        assert facts, f"an accepted {kind} records something"
        case._record(facts)
        check(case)
    check(case)


def check(case: PureCase) -> None:
    state = case.state
    for o in state.open_steps:
        if PATHWAY.step(o.step).deadline is not None:
            assert o.due is not None, f"{o.step}#{o.occurrence} is open with a deadline but no due instant"
    missed = [(f.step, f.occurrence) for f in case.facts if isinstance(f, DeadlineMissed)]
    assert len(missed) == len(set(missed)), "a missed deadline was recorded twice"
    ladders: dict[tuple[str, int], list[Escalated]] = {}
    for f in case.facts:
        if isinstance(f, Escalated) and f.cause != "trigger":
            ladders.setdefault((f.step, f.occurrence), []).append(f)
    for key, rungs in ladders.items():
        for e in rungs:
            assert e.to_role == PATHWAY.role_above(e.from_role), f"{key}: {e.from_role} -> {e.to_role} is not one step up"
        assert all(b.from_role == a.to_role for a, b in zip(rungs, rungs[1:])), f"{key}: escalation skipped or went back"
        assert len({e.to_role for e in rungs}) == len(rungs), f"{key}: escalated to the same role twice"
    assert [f.at for f in case.facts] == sorted(f.at for f in case.facts), "facts out of time order"
    assert state.seq == len(case.facts)
    assert replay(new_case(state.case_id, state.concern, case.policy), case.facts) == state
    assert decide_clock(state, case.now) == [], "the clock left something due undecided"
