"""Sealing Safeguard's commands to its workflows, and checking the seal where they land.

- `Sealer`, a client interceptor on every client Safeguard builds (bootstrap), seals each update's
  command and each case's start (domain/seal.py) with the key only Safeguard's processes hold.
- `SealCheck`, a worker interceptor, checks the seal in each update's validator, before the update
  is accepted: a command without a good seal is refused, nothing enters history or the store, and
  the refusal is logged with the workflow's replay-safe logger, with the actor it claimed. The key
  stays in the worker's memory: the sandboxed workflow asks an extern function, so no workflow code
  reads a key, and validators are not run again on replay (a key changed later never alters a
  recorded history). A case's start is checked by its first activity (`open_case`), which fails
  the workflow, recording nothing, when the seal does not hold.

Not refused in the payload codec: a decode error fails the whole workflow activation, and its task
would be retried for ever.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any, Sequence

from temporalio import workflow
from temporalio.client import (
    Interceptor as ClientInterceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    StartWorkflowUpdateInput,
    StartWorkflowUpdateWithStartInput,
    WorkflowHandle,
    WorkflowUpdateHandle,
)
from temporalio.exceptions import ApplicationError
from temporalio.worker import (
    HandleUpdateInput,
    Interceptor as WorkerInterceptor,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from configuration.settings import Settings
from domain.seal import SEAL_FIELD, carries_its_request, command_key, seal_holds, seal_of, sealed
from eventstore.master_keys import ring_for

CHECK = "safeguard_seal_holds"  # the extern function the sandboxed check asks
START = "raise"  # what a case's start is sealed as: its concern, raised
RESTART = "recover"  # a case restarted from the store's facts: its concern, the state rebuilt, who and why
REFUSED = "this command did not come through Safeguard: it was refused and nothing was recorded"


def sealing_key(settings: Settings) -> bytes:
    """The key Safeguard's processes seal commands with: derived from the current master key
    (eventstore/master_keys.py), never stored."""
    ring = ring_for(settings)
    return command_key(ring.key(ring.current))


def sealing_keys(settings: Settings) -> tuple[bytes, ...]:
    """The keys a seal is checked against: one per master-key version held, so a process given a new
    version seals under it while the others, not yet restarted, still check it (a rolling restart)."""
    ring = ring_for(settings)
    return tuple(command_key(ring.key(v)) for v in ring.versions)


Keys = bytes | tuple[bytes, ...]


def _each(keys: Keys) -> tuple[bytes, ...]:
    return (keys,) if isinstance(keys, bytes) else keys


ONCE = "once:"  # a request id the seal gives a command sent without a key (`once` has no digit: no staff id can be it)


def _seal_args(key: bytes, workflow_id: str, name: str, args: Sequence[Any]) -> list[Any]:
    """The command sealed; one sent without a key is first given a request id of its own, under the
    seal, so the case takes it once: lifted from history and sent again, it is already recorded."""
    if not args or not sealed(args[0]):
        return list(args)
    command = args[0]
    if "request_id" in type(command).model_fields and command.request_id is None:
        command = command.model_copy(update={"request_id": f"{ONCE}{uuid.uuid4().hex}"})
    return [command.model_copy(update={SEAL_FIELD: seal_of(key, workflow_id, name, command)}), *args[1:]]


def restart_body(start: Any) -> dict[str, Any]:
    """What a restart's seal covers: a correction's start says so (older restarts' seals hold as they were)."""
    return {"concern": start.concern, "resume": start.resume, "recovery": start.recovery,
            **({"correction": True} if getattr(start, "correction", False) else {})}


def _seal_start(key: bytes, workflow_id: str, args: Sequence[Any]) -> list[Any]:
    """A case's start carries the seal of its concern; a restart's covers the state it restarts with too."""
    start = args[0] if args else None
    if start is None or not sealed(start) or getattr(start, "concern", None) is None:
        return list(args)
    seal = seal_of(key, workflow_id, RESTART, restart_body(start)) if getattr(start, "resume", None) is not None \
        else seal_of(key, workflow_id, START, start.concern)
    return [start.model_copy(update={SEAL_FIELD: seal}), *args[1:]]


class Sealer(ClientInterceptor):
    def __init__(self, key: bytes) -> None:
        self.key = key

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Sealing(next, self.key)


class _Sealing(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, key: bytes) -> None:
        super().__init__(next)
        self.key = key

    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        input.args = _seal_start(self.key, input.id, input.args)
        return await super().start_workflow(input)

    async def start_workflow_update(self, input: StartWorkflowUpdateInput) -> WorkflowUpdateHandle[Any]:
        input.args = _seal_args(self.key, input.id, input.update, input.args)
        return await super().start_workflow_update(input)

    async def start_update_with_start_workflow(self, input: StartWorkflowUpdateWithStartInput) -> WorkflowUpdateHandle[Any]:
        start, update = input.start_workflow_input, input.update_workflow_input
        start.args = _seal_start(self.key, start.id, start.args)
        update.args = _seal_args(self.key, start.id, update.update, update.args)
        return await super().start_update_with_start_workflow(input)


class SealCheck(WorkerInterceptor):
    def __init__(self, key: Keys) -> None:
        self.keys = _each(key)

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        keys = self.keys
        input.unsafe_extern_functions[CHECK] = lambda workflow_id, name, command: any(
            seal_holds(k, workflow_id, name, command) for k in keys)
        return _CheckedUpdates


class _CheckedUpdates(WorkflowInboundInterceptor):
    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        command = input.args[0] if input.args else None
        if sealed(command) and not (carries_its_request(command) and workflow.extern_functions()[CHECK](
                workflow.info().workflow_id, input.update, command)):
            workflow.logger.warning("command refused: not sealed by Safeguard", extra={
                "update": input.update, "claimed_actor": getattr(command, "actor", None),
                "claimed_role": getattr(command, "role", None)})
            raise ApplicationError(REFUSED, "not_permitted", type="Rejected", non_retryable=True)
        super().handle_update_validator(input)


def start_seal_holds(key: Keys, case_id: str, concern: Any, given: str | None) -> bool:
    """Whether a case's start was sealed by Safeguard (the `open_case` activity asks)."""
    return isinstance(given, str) and any(hmac.compare_digest(given, seal_of(k, case_id, START, concern)) for k in _each(key))


def restart_seal_holds(key: Keys, case_id: str, body: dict[str, Any], given: str | None) -> bool:
    """Whether a case's restart from the store's facts was sealed by Safeguard (`check_restart` asks)."""
    return isinstance(given, str) and any(hmac.compare_digest(given, seal_of(k, case_id, RESTART, body)) for k in _each(key))
