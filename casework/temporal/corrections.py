"""A closed case's record corrected (issue 22). Its workflow ended when it closed, so the correction
starts a run of its own: the same workflow id, from the event store's facts, with the policy the
case decided under (as a recovery finds it: the last run's own start, else what the raise recorded
if the pathway in force is the one it was raised under), sealed as a restart and marked as a
correction. The correction goes with the start (update-with-start): a run still going for an
earlier correction (a review it opened is open) takes it instead, and no second run starts.
The run records no recovery; it answers the correction, keeps the deadline of any decision's
review it opened, and ends when none is open (workflows/concern.py).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowExecutionStatus, WorkflowUpdateStage
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from casework.refusals import Unavailable
from casework.temporal import stopped
from casework.temporal.cases import _bounded, _read_start, amend_step
from casework.temporal.failures import plain_errors
from configuration.settings import Settings
from domain.case import new_case, replay
from domain.case.policy import policy_from_text
from domain.concern import StepAmendment
from domain.facts import ConcernRaised
from eventstore.events import Recorded
from workflows.case_input import CaseInput
from workflows.concern import SafeguardingConcernWorkflow


async def _last_run(client: Client, case_id: str) -> tuple[str, bool] | None:
    """The case's latest run (its id, and whether it is still going); None if Temporal holds none."""
    desc = await stopped.latest_run(client, case_id)
    if desc is None:
        return None
    return desc.run_id, desc.status == WorkflowExecutionStatus.RUNNING


async def correction_start(client: Client, settings: Settings, key: bytes, case_id: str,
                           facts: list[Recorded]) -> tuple[CaseInput | None, bool]:
    """The start of a correction's run (None if no policy can be found for it), and whether a run is going."""
    last = await _last_run(client, case_id)
    setup = await stopped.run_setup(client, stopped.Stopped(case_id, last[0], "completed"), key) if last else None
    raised = facts[0].fact
    assert isinstance(raised, ConcernRaised)
    setup = setup or stopped.setup_from_store(settings, case_id, raised)
    if setup is None:
        return None, bool(last and last[1])
    state = replay(new_case(case_id, raised.concern, policy_from_text(setup.policy)), [r.fact for r in facts])
    return CaseInput(case_id=case_id, concern=state.concern, clock_offset=setup.start.clock_offset,
                     history_limit=setup.start.history_limit, resume=state, correction=True), bool(last and last[1])


async def amend_closed(client: Client, settings: Settings, key: bytes, case_id: str, facts: list[Recorded],
                       amendment: StepAmendment, within: timedelta | None = None) -> int:
    """Correct a closed case's record through a run of its own; answers the amendment's number."""
    start, running = await correction_start(client, settings, key, case_id, facts)
    if start is None and running:  # the run going cannot say its policy: it takes the correction itself
        return await amend_step(client, case_id, amendment, within=within)
    if start is None:
        raise Unavailable(f"case {case_id} is closed and was raised under pathway {facts[0].fact.pathway_version}, which "
                          "is no longer the one in force, and Temporal no longer holds its last run: this version of "
                          "Safeguard cannot correct its record")
    operation = WithStartWorkflowOperation(
        SafeguardingConcernWorkflow.run, start, id=case_id, task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    what = f"the correction of {amendment.step}"
    try:
        async with plain_errors(case_id, client, command="amend_step"):
            if within is None:
                return await client.execute_update_with_start_workflow(
                    SafeguardingConcernWorkflow.amend_step, amendment, start_workflow_operation=operation)
            return await _bounded(lambda rpc_timeout: client.start_update_with_start_workflow(
                SafeguardingConcernWorkflow.amend_step, amendment, start_workflow_operation=operation,
                wait_for_stage=WorkflowUpdateStage.ACCEPTED, rpc_timeout=rpc_timeout), case_id, what, within)
    finally:
        _read_start(operation)
