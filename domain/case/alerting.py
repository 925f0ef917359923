"""A case's alerts as decisions (issue 20): pure, like the rest of the decider.

- An escalation recorded while the case alerts (after `AlertPolicyAdopted`) raises an alert to the
  role it went to (rung 1), with the instant it must be acknowledged by, under the recorded policy.
- Not acknowledged by then, the alert climbs one role up the pathway's ladder (rung 2 and on),
  and again, to the top.
- Nobody reached (no one on call, no contact details, every channel refusing): one role up at once.
- A deadline approaching (policies from 2026.12.2): once per step's occurrence, when its set share
  of time is left, the step's role is told; nothing climbs, as the deadline escalates when missed.
The workflow sends what is raised and not yet delivered (an activity), and records its outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.alerts import AlertPolicy
from domain.case.state import CaseState, OpenAlert, evolve
from domain.case.state import OpenStep
from domain.facts import AlertDelayed, AlertNotDelivered, AlertPolicyAdopted, AlertRaised, AlertSent, DeadlineApproaching, Escalated, Fact


def acknowledge_by(policy: AlertPolicy, state: CaseState, reason: str, now: datetime) -> datetime:
    if policy.is_urgent(reason):
        return now + policy.acknowledge_urgent
    return state.policy.working_calendar.add_working_time(now, timedelta(hours=policy.acknowledge_working_hours))


def raised(state: CaseState, escalation_id: str, rung: int, to_role: str, now: datetime) -> AlertRaised:
    esc = next(e for e in state.escalations if e.escalation_id == escalation_id)
    return AlertRaised(at=now, alert_id=f"{escalation_id}.{rung}", escalation_id=escalation_id, rung=rung, to_role=to_role,
                       acknowledge_by=acknowledge_by(state.alert_policy, state, esc.reason, now))  # type: ignore[arg-type]


def on_escalated(state: CaseState, fact: Fact, now: datetime) -> list[Fact]:
    """The alert an escalation raises, if the case alerts (state is after the escalation)."""
    if state.alert_policy is None or not isinstance(fact, Escalated):
        return []
    return [raised(state, fact.escalation_id, 1, fact.to_role, now)]


def decide_alerts_adopted(state: CaseState, policy: AlertPolicy, now: datetime) -> list[Fact]:
    """Alerts apply from now on; each escalation already outstanding is alerted at once."""
    if state.alert_policy is not None or state.status == "closed":
        return []
    facts: list[Fact] = [AlertPolicyAdopted(at=now, policy=policy)]
    s = evolve(state, facts[0])
    for e in state.escalations:
        facts.append(raised(s, e.escalation_id, 1, e.to_role, now))
        s = evolve(s, facts[-1])
    return facts


def approaching_at(state: CaseState, o: OpenStep) -> datetime | None:
    """When the step's people are told its deadline is near, if they are to be and have not been."""
    if state.alert_policy is None or o.missed or o.escalated_to:
        return None
    if any(a.step == o.step and a.occurrence == o.occurrence for a in state.alerts):
        return None  # told already
    return state.alert_policy.approaching_at(o.opened_at, o.due, state.step(o.step, o.occurrence).approaching_share)


def decide_approaching(state: CaseState, now: datetime) -> list[Fact]:
    """Each open step whose deadline is near and not yet passed, told once."""
    return [DeadlineApproaching(at=now, alert_id=f"{o.step}.{o.occurrence}.approaching", step=o.step, occurrence=o.occurrence,
                                to_role=o.role, due=o.due)  # type: ignore[arg-type]
            for o in state.open_steps
            if (at := approaching_at(state, o)) is not None and at <= now < o.due]  # type: ignore[operator]


def latest(state: CaseState, escalation_id: str) -> OpenAlert | None:
    alerts = [a for a in state.alerts if a.escalation_id == escalation_id and a.acknowledge_by is not None]
    return max(alerts, key=lambda a: a.rung) if alerts else None


def decide_alert_ladder(state: CaseState, now: datetime) -> list[Fact]:
    """Each outstanding escalation whose latest alert was not acknowledged in time climbs one role."""
    if state.alert_policy is None:
        return []
    facts: list[Fact] = []
    s = state
    for e in state.escalations:
        a = latest(s, e.escalation_id)
        above = state.policy.pathway.role_above(a.to_role) if a else None
        if a is not None and a.delivered and a.acknowledge_by <= now and above is not None:  # type: ignore[operator]
            facts.append(raised(s, e.escalation_id, a.rung + 1, above, now))
            s = evolve(s, facts[-1])
    return facts


def decide_alert_outcome(state: CaseState, alert_id: str, sent: list[tuple[str, str, str, str]], nobody: bool,
                         reason: str, now: datetime, failures: tuple[str, ...] = (), attempt: int = 1) -> list[Fact]:
    """What delivering the alert did: the attempts that failed first (`attempt` is the one that
    answered), then each message sent (user, channel, via, reference); nobody reached, then one role
    up at once. Recorded once: an alert already delivered records nothing."""
    a = next((x for x in state.alerts if x.alert_id == alert_id), None)
    if a is None or a.delivered:
        return []
    delayed: list[Fact] = [AlertDelayed(at=now, alert_id=alert_id, failed_attempts=attempt - 1, failures=failures)] \
        if attempt > 1 else []
    if not nobody:
        return delayed + [AlertSent(at=now, alert_id=alert_id, user_id=u, channel=c, via=v, reference=r)  # type: ignore[arg-type]
                          for u, c, v, r in sent]
    facts: list[Fact] = [*delayed, AlertNotDelivered(at=now, alert_id=alert_id, reason=reason)]
    if a.acknowledge_by is None:  # a deadline approaching told nobody: recorded, nothing climbs
        return facts
    s = state
    for f in facts:
        s = evolve(s, f)
    above = state.policy.pathway.role_above(a.to_role)
    if above is not None and any(e.escalation_id == a.escalation_id for e in s.escalations):
        facts.append(raised(s, a.escalation_id, a.rung + 1, above, now))
    return facts


def still_kept(state: CaseState) -> CaseState:
    """The state as its alerts go on: a closed case's escalations outstanding at closure (a trigger's,
    never acknowledged) climb no further; only a decision's review a correction opened after it
    escalates and alerts (issue 22). An open case: as it is."""
    if state.status != "closed":
        return state
    return state.model_copy(update={"escalations": tuple(e for e in state.escalations
                                                         if state.find_open(e.step, e.occurrence))})


def pending(state: CaseState) -> list[OpenAlert]:
    """Alerts raised and not yet delivered: the workflow sends these (on a closed case, only those of
    a step still open: a decision's review)."""
    waiting = [a for a in state.alerts if not a.delivered]
    if state.status != "closed":
        return waiting
    live = {e.escalation_id for e in still_kept(state).escalations}
    return [a for a in waiting if a.escalation_id in live or (a.step and state.find_open(a.step, a.occurrence or 0))]


def next_alert_wakeup(state: CaseState) -> datetime | None:
    """When the ladder next has something to decide."""
    if state.alert_policy is None:
        return None
    instants = []
    for e in state.escalations:
        a = latest(state, e.escalation_id)
        if a is not None and a.delivered and state.policy.pathway.role_above(a.to_role) is not None:
            instants.append(a.acknowledge_by)
    for o in state.open_steps:
        if (at := approaching_at(state, o)) is not None and o.due is not None and at < o.due:
            instants.append(at)
    return min(instants, default=None)
