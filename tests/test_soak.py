"""Soak on the time-skipping server: many cases over twelve simulated weeks, with random valid and
invalid actions, random developments and the deadlines random neglect lets pass. At the end:

- every case's events are contiguous from 1;
- the read models equal a rebuild from zero;
- every deadline whose due instant passed with its step still open has exactly one DeadlineMissed,
  and no other deadline has one;
- no rejected action left an event (each invalid action carries an actor id of its own).

`SAFEGUARD_SOAK_CASES` sets the number of cases (default below, sized for CI); a longer run:
`SAFEGUARD_SOAK_CASES=3000 .venv/bin/pytest tests/test_soak.py --timeout 3600`.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.worker import Replayer

from bootstrap import WORKFLOWS, build_worker, open_records
from casework.temporal.cases import raise_concern
from configuration.settings import Settings
from domain.concern import ConcernBody, Development, StepCompletion
from domain.pathway import CLOSURE_LEARNING_REVIEW, CONCLUDE_CASE, current_pathway
from projections.registry import open_feed
from tests.cases import RECORDS
from workflows.concern import SafeguardingConcernWorkflow

CASES = int(os.environ.get("SAFEGUARD_SOAK_CASES", "200"))
WEEKS = 12
T0 = datetime(2027, 1, 4, 8, 0, tzinfo=timezone.utc)  # a Monday
PATHWAY = current_pathway()


class Soak:
    def __init__(self, env, settings: Settings, rng: random.Random) -> None:
        self.env, self.settings, self.rng = env, settings, rng
        self.client = env.client
        self.live: list[str] = []
        self.bad_actors: dict[str, set[str]] = {}  # case -> actor ids used only by refused actions
        self.offset = timedelta(0)
        self.raised = 0

    async def now(self) -> datetime:
        return await self.env.get_current_time() + self.offset

    async def raise_one(self) -> None:
        now = (await self.now()).replace(microsecond=0)
        self.raised += 1
        number = self.raised
        people = self.rng.sample(range(400), 2)
        body = ConcernBody.model_validate({
            "identified_at": (now - timedelta(minutes=self.rng.randrange(0, 20))).isoformat(),
            "service": {"id": f"SVC-{self.rng.randrange(12):02d}", "name": "Soak House", "provider": "Soak Care",
                        "client_group": "mixed"},
            "adult_at_risk": f"A-{people[0]}", "alleged_source": f"A-{people[1]}", "summary": "soak",
            "case_id": f"SOAK-{number:05d}",
        })
        await raise_concern(self.client, self.settings.task_queue, body, now=now, clock_offset=self.offset)
        self.live.append(body.case_id)

    async def act(self, case_id: str) -> None:
        try:
            await self._act(case_id)
        except RPCError as e:  # the case closed (and its workflow completed) since it was chosen
            if "ompleted" not in e.message:
                raise
            self.live.remove(case_id)

    async def _act(self, case_id: str) -> None:
        handle = self.client.get_workflow_handle(case_id)
        status = await handle.query(SafeguardingConcernWorkflow.status)
        if status.status == "closed":
            self.live.remove(case_id)
            return
        roll = self.rng.random()
        if roll < 0.12:
            await self.refused(handle, status)
        elif roll < 0.18:
            await handle.execute_update(SafeguardingConcernWorkflow.record_development,
                                        Development(kind=self.rng.choice(["new_incident", "agency_contact", "other"]), summary="soak"))
        elif status.open_steps:
            await self.complete(handle, status)

    async def complete(self, handle, status) -> None:
        open_steps = [s for s in status.open_steps if s.step != CLOSURE_LEARNING_REVIEW.id or self.rng.random() < 0.5]
        if not open_steps:
            return
        # mostly the most urgent, now and then any; concluding only once the case is a week old or so
        view = open_steps[0] if self.rng.random() < 0.7 else self.rng.choice(open_steps)
        if view.step == CONCLUDE_CASE.id and self.rng.random() < 0.4:
            return
        record = dict(RECORDS[view.step])
        for name, value in record.items():
            if isinstance(value, bool):
                record[name] = self.rng.random() < 0.3
        if view.step == "follow_up_review":
            record["stabilised"] = self.rng.random() < 0.5
        if view.step == "route_decision" and status.threshold_decision and status.threshold_decision.level == "reportable":
            record["external_threshold_met"] = True
        c = StepCompletion(step=view.step, role=self.rng.choice(view.can_complete), actor=f"S-{self.rng.randrange(50)}",
                           record=record, occurrence=view.occurrence)
        try:
            await handle.execute_update(SafeguardingConcernWorkflow.complete_step, c)
        except WorkflowUpdateFailedError:
            pass  # the case moved on between the query and the update: a refusal, recorded nowhere

    async def refused(self, handle, status) -> None:
        actor = f"BAD-{uuid.uuid4().hex[:8]}"
        self.bad_actors.setdefault(handle.id, set()).add(actor)
        kind = self.rng.randrange(4)
        if kind == 0 and status.open_steps:  # a role that may not complete it
            view = status.open_steps[0]
            role = next(r for r in ("quality_safeguarding_lead", "safeguarding_administrator", "senior_support_worker")
                        if r not in view.can_complete)
            c = StepCompletion(step=view.step, role=role, actor=actor, record=RECORDS[view.step])
        elif kind == 1 and status.open_steps:  # a record missing a field
            view = status.open_steps[0]
            record = dict(RECORDS[view.step])
            record.pop(next(iter(record)))
            c = StepCompletion(step=view.step, role=view.role, actor=actor, record=record)
        elif kind == 2:
            c = StepCompletion(step="tea_break", role="team_leader", actor=actor, record={})
        else:  # a step already done, or not yet open
            done = status.completed_steps[0] if status.completed_steps else "closure_learning_review"
            c = StepCompletion(step=done, role="quality_safeguarding_lead", actor=actor, record=RECORDS.get(done, {}))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(SafeguardingConcernWorkflow.complete_step, c)


# 200 cases took 5 to 7 minutes on 2 cores on 7 December 2026 (the replay of every history at its end
# included): past the suite's 300 s, so it has a bound of its own, well above that
@pytest.mark.timeout(720)
async def test_many_cases_over_twelve_weeks_keep_every_invariant(env, tmp_path: Path):
    rng = random.Random(2027)
    settings = Settings(data_dir=tmp_path, task_queue=f"soak-{uuid.uuid4().hex[:6]}")  # the worker as deployed
    records = open_records(settings)
    soak = Soak(env, settings, rng)
    soak.offset = T0 - await env.get_current_time()
    end = T0 + timedelta(weeks=WEEKS)
    async with build_worker(env.client, records, settings):
        ticks = 0
        while (now := await soak.now()) < end:
            due_raises = round(CASES * (now - T0) / (end - T0)) - soak.raised
            await asyncio.gather(*(soak.raise_one() for _ in range(max(0, due_raises))))
            chosen = [c for c in soak.live if rng.random() < 0.5]
            await asyncio.gather(*(soak.act(c) for c in chosen))
            # irregular steps, so actions seldom fall on a due instant exactly
            await env.sleep(timedelta(hours=rng.uniform(5, 9), seconds=rng.randrange(60)))
            ticks += 1
        while soak.raised < CASES:
            await soak.raise_one()
        end = await soak.now()
        await asyncio.sleep(0.5)  # the last timers' appends
        for case_id in list(soak.live):
            try:
                await env.client.get_workflow_handle(case_id).terminate("soak finished")
            except RPCError:
                pass  # closed meanwhile
    await replay_every_case(env.client)

    closed = 0
    for i in range(1, CASES + 1):
        case_id = f"SOAK-{i:05d}"
        facts = records.stored_facts(case_id)
        assert [f.seq for f in facts] == list(range(1, len(facts) + 1)), f"{case_id}: events not contiguous"
        assert not {getattr(f.fact, "actor", None) for f in facts} & soak.bad_actors.get(case_id, set()), \
            f"{case_id}: a refused action left an event"
        check_missed_deadlines(case_id, facts, end)
        closed += any(f.type == "CaseClosed" for f in facts)

    feed = open_feed(records)
    feed.catch_up()
    live = {m.name: dict(feed.documents.scan(m.name)) for m in feed.models}
    for m in feed.models:
        feed.rebuild(m.name)
        assert dict(feed.documents.scan(m.name)) == live[m.name], f"read model {m.name} differs from its rebuild"
    assert closed > CASES // 10, f"only {closed} of {CASES} cases closed: the soak did not exercise the whole pathway"
    print(f"soak: {CASES} cases, {ticks} ticks, {closed} closed, "
          f"{sum(len(v) for v in soak.bad_actors.values())} refused actions")


async def replay_every_case(client) -> None:
    """Every case's history (its last run) replays on a fresh worker, as a query after a cache eviction does."""
    histories = [await client.get_workflow_handle(f"SOAK-{i:05d}").fetch_history() for i in range(1, CASES + 1)]
    replayer = Replayer(workflows=WORKFLOWS, data_converter=client.data_converter)
    failed = {}
    for h in histories:
        result = await replayer.replay_workflow(h, raise_on_replay_failure=False)
        if result.replay_failure is not None:
            failed[h.workflow_id] = str(result.replay_failure)[:300]
    assert not failed, f"{len(failed)} of {len(histories)} histories do not replay: {failed}"


def check_missed_deadlines(case_id: str, facts, end: datetime) -> None:
    opened, ended, missed = {}, {}, {}
    for r in facts:
        f = r.fact
        key = (getattr(f, "step", None), getattr(f, "occurrence", None))
        if f.type == "StepOpened" and f.due is not None:
            opened[key] = f.due
        elif f.type in ("StepCompleted", "StepWithdrawn"):
            ended[key] = f.at
        elif f.type == "DeadlineMissed":
            missed[key] = missed.get(key, 0) + 1
    for key, due in opened.items():
        passed_open = due <= end and (key not in ended or ended[key] > due)
        if key in ended and ended[key] == due:
            continue  # done at the very instant it fell due: either reading holds
        assert missed.get(key, 0) == (1 if passed_open else 0), (
            f"{case_id} {key}: due {due.isoformat()}, ended {ended.get(key)}, missed {missed.get(key, 0)} times")
