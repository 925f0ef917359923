"""Runs a scenario on the time-skipping test server, against a real worker and event store.

The test server's clock starts at today's date, so the case runs with a clock offset that
puts its start at the concern's `identified_at`: a Friday before a bank holiday can be
rehearsed on any day. Each action waits (in skipped time) until its `at`, then is sent as
the workflow update staff would send; a rejected action is reported and the run goes on.

Every action, and the run to `run_until`, is bounded in wall-clock time: the test server does not
skip time while an update is awaited, so an update that waits on a timer would wait for ever. A run
past its bound stops with `SimulationStalled`, naming the action it was on.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from pydantic import ValidationError

from casework.refusals import Refusal
from casework.temporal.cases import raise_concern
from casework.temporal.failures import plain_errors
from domain.inputs import describe
from configuration.binaries import temporal_test_server
from configuration.logging import quiet_temporal_runtime
from configuration.settings import Settings
from encryption.payload_codec import data_converter
from encryption.seal import Sealer, sealing_key
from eventstore.keys import KeyStore
from domain.concern import Acknowledgement, Development, StepCompletion
from eventstore.application import SafeguardingRecords
from projections.case_history import chronology, escalations, step_occurrences
from simulation.scenario import DevelopmentAction, Scenario, StepAction
from bootstrap import build_worker, open_records
from workflows.concern import SafeguardingConcernWorkflow

Progress = Callable[[str], None]
ACTION_BOUND = 60.0  # seconds of wall-clock time one action (or the run to run_until) may take


class SimulationStalled(RuntimeError):
    """A rehearsal that could not go on: the action it was on did not finish within its bound."""

    def __init__(self, where: str, bound: float) -> None:
        super().__init__(f"the rehearsal stopped: {where} did not finish within {bound:g} seconds. "
                         "Nothing was recorded outside the rehearsal; run it with --verbose to see the last recorded facts")


async def start_test_environment(keys: KeyStore | None = None, seal_key: bytes | None = None) -> WorkflowEnvironment:
    """The time-skipping server, its client encrypting payloads with `keys` and sealing commands with
    `seal_key` (as Safeguard's clients do: bootstrap.client_options)."""
    return await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(keys), test_server_existing_path=temporal_test_server(), runtime=quiet_temporal_runtime(),
        interceptors=[Sealer(seal_key)] if seal_key is not None else [])


class CaseClock:
    """The scenario's clock: the test server's time shifted by a fixed offset."""

    def __init__(self, env: WorkflowEnvironment, offset: timedelta) -> None:
        self.env, self.offset = env, offset

    async def now(self) -> datetime:
        return await self.env.get_current_time() + self.offset

    async def advance_to(self, instant: datetime) -> None:
        gap = instant - await self.now()
        if gap > timedelta(0):
            await self.env.sleep(gap)


async def send(handle: WorkflowHandle, action: Any) -> Any:
    """Send one scripted action as the update staff would send."""
    if isinstance(action, StepAction):
        c = StepCompletion(step=action.step, role=action.role, actor=action.actor,
                           record=action.record if action.record is not None else {}, occurrence=action.occurrence)
        return await handle.execute_update(SafeguardingConcernWorkflow.complete_step, c)
    if isinstance(action, DevelopmentAction):
        return await handle.execute_update(SafeguardingConcernWorkflow.record_development, Development.model_validate(action.development))
    return await handle.execute_update(SafeguardingConcernWorkflow.acknowledge_escalation, Acknowledgement.model_validate(action.acknowledge))


async def run_scenario(
    scenario: Scenario,
    env: WorkflowEnvironment | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
    bound: float = ACTION_BOUND,
) -> dict[str, Any]:
    say = progress or (lambda _: None)
    own_env = env is None
    tmp = tempfile.TemporaryDirectory(prefix="safeguard-sim-")
    try:
        settings = settings or Settings(data_dir=Path(tmp.name), task_queue=f"safeguard-simulation-{uuid.uuid4().hex[:8]}")
        records = open_records(settings)
        env = env or await start_test_environment(records.keys, sealing_key(settings))
        case_id = scenario.concern.case_id or "SIM-1"
        async with build_worker(env.client, records, settings):
            clock = CaseClock(env, scenario.concern.identified_at - await env.get_current_time())
            say(f"raising {case_id} at {scenario.concern.identified_at.isoformat()}")
            concern = scenario.concern.model_copy(update={"case_id": case_id})
            async with plain_errors(case_id, env.client):
                await raise_concern(env.client, settings.task_queue, concern, now=await clock.now(), clock_offset=clock.offset)
            handle = env.client.get_workflow_handle(case_id)
            rejected = await play(scenario, env.client, handle, clock, say, bound)
            if scenario.run_until:
                say(f"running the clock to {scenario.run_until.isoformat()}")
                await within(bound, f"running the clock to {scenario.run_until.isoformat()}", clock.advance_to(scenario.run_until))
            result = report(case_id, records, rejected)
            if result["status"] != "closed":
                await handle.terminate("simulation finished")  # a rehearsal leaves nothing running
            return result
    finally:
        if own_env and env is not None:
            await env.shutdown()
        tmp.cleanup()


async def within(bound: float, where: str, work: Awaitable[Any]) -> Any:
    try:
        return await asyncio.wait_for(work, bound)
    except asyncio.TimeoutError:
        raise SimulationStalled(where, bound) from None


async def play(scenario: Scenario, client: Client, handle: WorkflowHandle, clock: CaseClock, say: Progress,
               bound: float = ACTION_BOUND) -> list[dict[str, Any]]:
    rejected: list[dict[str, Any]] = []
    for i, action in enumerate(scenario.actions):
        now = await clock.now()
        if action.at < now - timedelta(seconds=1):
            rejected.append({"action_index": i, "error": f"action at {action.at.isoformat()} is earlier than the case clock ({now.isoformat()}); actions must be in time order"})
            continue
        label = getattr(action, "step", None) or ("development" if isinstance(action, DevelopmentAction) else "acknowledgement")
        where = f"action {i} ({label} at {action.at.isoformat()})"
        await within(bound, f"running the clock to {where}", clock.advance_to(action.at))
        try:
            async with plain_errors(handle.id, client):
                await within(bound, where, send(handle, action))
            say(f"{action.at.isoformat()} {label}: done")
        except (Refusal, ValidationError) as e:
            error = describe(e, label) if isinstance(e, ValidationError) else str(e)
            rejected.append({"action_index": i, "error": error})
            say(f"{action.at.isoformat()} {label}: rejected")
    return rejected


def report(case_id: str, records: SafeguardingRecords, rejected: list[dict[str, Any]]) -> dict[str, Any]:
    facts = records.stored_facts(case_id)
    closed = next((f for f in facts if f.type == "CaseClosed"), None)
    concluded = any(f.type == "CaseConcluded" for f in facts)
    return {
        "case_id": case_id,
        "status": "closed" if closed else "concluded" if concluded else "open",
        "outcome": closed.fact.outcome if closed else None,
        "steps": step_occurrences(facts),
        "escalations": escalations(facts),
        "rejected": rejected,
        "chronology": chronology(facts),
    }
