"""Benchmark: fill an event store with a realistic volume of cases, then measure read-model
rebuild throughput and oversight-dashboard query latency. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.projections --cases 10000 [--postgres]
    .venv/bin/python -m benchmarks.projections --cases 21000 --live 1000 --only live_cases --no-as-at --queries 200

Cases are written straight to the store as the workflow would record them (same facts, same
aggregate), which keeps the fill to seconds rather than hours of simulated time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from configuration.settings import Settings
from domain.concern import ConcernBody
from domain.deadlines import WorkingCalendar
from domain.facts import (
    CaseClosed, CaseConcluded, ConcernRaised, DeadlineMissed, DevelopmentRecorded, Escalated, StepCompleted, StepOpened,
    StepWithdrawn,
)
from domain.pathway import CONCLUDE_CASE, LIVE_CASE_OVERSIGHT, PROTECTION_PLAN, RECORD_CONCERN, current_pathway
from domain.policy import Cadence, OnDevelopment
from projections.dashboard import LiveCases, dashboard
from projections.feed import as_at
from projections.registry import open_feed
from tests.cases import RECORDS
from bootstrap import open_records

CAL = WorkingCalendar()
PATHWAY = current_pathway()
# the pathway's steps in order, bar those a development or the 72-hourly cadence opens
ORDER = [s.id for s in PATHWAY.steps if not isinstance(s.opens, OnDevelopment) and not isinstance(s.repeat, Cadence)]


def case_facts(i: int, rng: random.Random, start: datetime, live_share: float = 0.3) -> list:
    identified = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
    body = ConcernBody(
        identified_at=identified, case_id=f"BENCH-{i:06d}", summary="benchmark",
        service={"id": f"SVC-{rng.randrange(120):03d}", "name": "Service", "provider": "Provider", "client_group": "mixed"},
        adult_at_risk=f"A-{rng.randrange(5000)}", alleged_source=f"B-{rng.randrange(5000)}",
    )
    now = identified + timedelta(minutes=1)
    facts: list = [ConcernRaised(at=now, case_id=body.case_id, concern=body, pathway=PATHWAY.name,
                                 pathway_version=PATHWAY.version, calendar={}, threshold_profile="sussex")]
    live = rng.random() < live_share
    steps = ORDER[: rng.randrange(3, 9)] if live else ORDER
    escalations = 0
    for step_id in steps:
        step = PATHWAY.step(step_id)
        due = step.deadline.due(now, CAL) if step.deadline else None
        facts.append(StepOpened(at=now, step=step_id, occurrence=1, role=step.role, clock_from=now, due=due,
                                deadline=step.deadline.describe() if step.deadline else "no deadline",
                                holiday_table=CAL.holiday_table(), reason="benchmark"))
        late = rng.random() < 0.15
        if late and due:
            escalations += 1
            facts.append(DeadlineMissed(at=due, step=step_id, occurrence=1, role=step.role, due=due))
            facts.append(Escalated(at=due, escalation_id=f"E{escalations}", step=step_id, occurrence=1,
                                   cause="missed_deadline", reason="benchmark", from_role=step.role,
                                   to_role=PATHWAY.role_above(step.role) or "nominated_individual"))
        if live and step_id == steps[-1]:
            break  # still open
        done = (due + timedelta(minutes=20)) if (late and due) else now + timedelta(minutes=rng.randrange(5, 40))
        now = max(now, done)
        facts.append(StepCompleted(at=now, step=step_id, occurrence=1, role=step.role, actor="S-1",
                                   record=RECORDS[step_id], due=due, on_time=None if due is None else now <= due))
        if step_id == RECORD_CONCERN.id:
            oversight = LIVE_CASE_OVERSIGHT
            facts.append(StepOpened(at=now, step=oversight.id, occurrence=1, role=oversight.role, clock_from=now,
                                    due=oversight.deadline.due(now, CAL), deadline=oversight.deadline.describe(),
                                    holiday_table=CAL.holiday_table(), reason="benchmark"))
        if step_id == PROTECTION_PLAN.id and rng.random() < 0.2:
            facts.append(DevelopmentRecorded(at=now, development=1, kind="new_incident", summary="benchmark"))
        if step_id == CONCLUDE_CASE.id:
            facts.append(CaseConcluded(at=now, actor="S-1", role=step.role, reason="benchmark"))
    if not live:
        facts.append(StepWithdrawn(at=now, step=LIVE_CASE_OVERSIGHT.id, occurrence=1, reason="case closed"))
        facts.append(CaseClosed(at=now, outcome=rng.choice(["substantiated", "unsubstantiated", "undetermined"]),
                                actor="Q-1", role="quality_safeguarding_lead"))
    return facts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--postgres", action="store_true", help="use SAFEGUARD_POSTGRES_* settings instead of a temp SQLite file")
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--live", type=int, default=None, help="about this many cases left live, the rest closed (default: 30%%)")
    ap.add_argument("--only", default=None, help="rebuild this read model only (the dashboard reads live_cases)")
    ap.add_argument("--no-as-at", action="store_true", help="skip the dashboard as at day 180 (a fold of the whole log)")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="safeguard-bench-")
    settings = Settings(event_store="postgres") if args.postgres else Settings(data_dir=Path(tmp.name))
    records = open_records(settings)
    rng = random.Random(2026)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

    t0 = time.perf_counter()
    events = 0
    for i in range(args.cases):
        facts = case_facts(i, rng, start, 0.3 if args.live is None else args.live / args.cases)
        records.record(f"BENCH-{i:06d}", 1, facts)
        events += len(facts)
        if (i + 1) % 1000 == 0:
            print(f"  filled {i + 1} cases, {events} events ({events / (time.perf_counter() - t0):,.0f} events/s)", flush=True)
    fill = time.perf_counter() - t0
    print(f"fill: {args.cases} cases, {events} events in {fill:.1f}s ({events / fill:,.0f} events/s)")

    feed = open_feed(records)
    for model in [m for m in feed.models if args.only in (None, m.name)]:
        t0 = time.perf_counter()
        n = feed.rebuild(model.name)
        secs = time.perf_counter() - t0
        print(f"rebuild {model.name}: {n} events in {secs:.1f}s ({n / secs:,.0f} events/s)")

    now = start + timedelta(days=366)
    timings = []
    for _ in range(args.queries):
        t0 = time.perf_counter()
        view = dashboard(feed.documents, now, settings.calendar)
        timings.append(time.perf_counter() - t0)
    closed = sum(1 for _, d in feed.documents.scan(LiveCases.name) if d["status"] == "closed")
    p99 = statistics.quantiles(timings, n=100, method="inclusive")[98] if len(timings) > 1 else timings[0]
    print(f"dashboard query: {len(view['live_cases'])} live cases ({closed} closed kept), {len(view['deadlines'])} open deadlines; "
          f"median {statistics.median(timings) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {max(timings) * 1000:.0f} ms over {args.queries} runs")
    if args.no_as_at:
        return
    t0 = time.perf_counter()
    past = as_at(records, [LiveCases()], start + timedelta(days=180))
    view = dashboard(past, start + timedelta(days=180), settings.calendar)
    print(f"dashboard as at day 180 (folded from the log): {len(view['live_cases'])} live cases in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
