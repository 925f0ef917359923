"""`safeguard evidence replay`: does today's code still reproduce a case, and does the store hold
exactly what the case's workflow recorded?

Every run of the case (a chain of continue-as-new runs) is fetched from Temporal and replayed
on today's workflow code with `Replayer`: a non-deterministic change fails, naming the event.
The facts the workflow recorded are read from the same histories (the results of `open_case`
and `append_facts`, the local activities that stored them; the inputs of the first code's
`record_facts`) and compared with the store's, position by position. This is the second anchor
of the store: the workflow's own count and content of the case's facts, held by Temporal.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer

from activities.models import FactBatch, OpenedCase, StoredBatch
from domain.facts import CaseClosed, ConcernRaised, Fact
from eventstore.application import SafeguardingRecords
from eventstore.keys import Erased
from eventstore.events import _legacy_topic
from evidence.store import EvidenceError
from eventsourcing.utils import get_topic

RETAINED = "history retained by Safeguard only"
CLOSED = {EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
          EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT}
_RESULTS = {"open_case": OpenedCase, "append_facts": StoredBatch}  # local activities whose results are stored facts
_INPUTS = {"record_facts": FactBatch}  # the first code's regular activity: its input is what it stored


@dataclass
class ReplayReport:
    case_id: str
    status: str  # consistent | inconsistent | nondeterministic | retained | erased | no history
    runs: int = 0
    history_facts: int = 0
    store_facts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("consistent", "retained", "erased")

    def line(self) -> str:
        if self.status == "consistent":
            return (f"{self.case_id}: consistent ({self.runs} run{'s' if self.runs != 1 else ''}, "
                    f"{self.store_facts} facts)")
        if self.status == "retained":
            return f"{self.case_id}: {RETAINED} (closed; Temporal's history has passed its retention)"
        if self.status == "erased":
            return f"{self.case_id}: {self.problems[0]}"
        return f"{self.case_id}: {self.status}: " + "; ".join(self.problems)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


async def fetch_runs(client: Client, case_id: str) -> list[WorkflowHistory]:
    """Every run of the case, first to last: each run's start names the run it continued."""
    runs: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        history = await client.get_workflow_handle(case_id, run_id=run_id).fetch_history()
        runs.append(history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if not run_id:
            return list(reversed(runs))


async def recorded_facts(runs: Iterable[WorkflowHistory], converter: DataConverter) -> list[Fact]:
    """The facts the workflow recorded, in order, as its histories hold them (decrypted with the
    case's key where the payload codec encrypted them)."""
    facts: list[Fact] = []

    async def value(payload: Payload, kind: type) -> Any:
        return (await converter.decode([payload], [kind]))[0]

    for history in runs:
        scheduled: dict[int, list[Fact]] = {}
        for e in history.events:
            if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
                details = e.marker_recorded_event_attributes.details
                if "data" not in details or "result" not in details or not details["result"].payloads:
                    continue
                kind = json.loads(details["data"].payloads[0].data).get("activity_type")
                if kind in _RESULTS:
                    facts += (await value(details["result"].payloads[0], _RESULTS[kind])).facts
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                a = e.activity_task_scheduled_event_attributes
                if a.activity_type.name in _INPUTS:
                    scheduled[e.event_id] = (await value(a.input.payloads[0], _INPUTS[a.activity_type.name])).facts
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                facts += scheduled.pop(e.activity_task_completed_event_attributes.scheduled_event_id, [])
    return facts


def compare(stored: list[Fact], recorded: list[Fact]) -> list[str]:
    """Where the store's facts and the history's differ, by event number."""
    problems = []
    for n, (s, r) in enumerate(zip(stored, recorded), start=1):
        if type(s) is not type(r):
            problems.append(f"event #{n}: the store holds {type(s).__name__}, the workflow recorded {type(r).__name__}")
        elif s.model_dump(mode="json") != r.model_dump(mode="json"):
            fields = sorted(k for k, v in s.model_dump(mode="json").items() if r.model_dump(mode="json").get(k) != v)
            problems.append(f"event #{n}: the store's {type(s).__name__} differs from the one the workflow recorded "
                            f"(in {', '.join(fields)})")
    if len(stored) > len(recorded):
        problems.append(f"events #{len(recorded) + 1}-#{len(stored)} are in the store but the workflow never recorded them")
    elif len(recorded) > len(stored):
        problems.append(f"events #{len(stored) + 1}-#{len(recorded)} were recorded by the workflow but are not in the store")
    return problems


async def replay_case(client: Client, records: SafeguardingRecords, case_id: str, workflows: list[type],
                      converter: DataConverter) -> ReplayReport:
    try:
        stored = [r.fact for r in records.stored_facts(case_id)]
    except Erased as e:  # its key destroyed under retention: nothing left to compare
        return ReplayReport(case_id, "erased", problems=[f"erased under retention on {e.on}; its facts cannot be compared"])
    report = ReplayReport(case_id, "consistent", store_facts=len(stored))
    try:
        runs = await fetch_runs(client, case_id)
    except RPCError as e:
        if e.status != RPCStatusCode.NOT_FOUND:
            raise
        if not stored:  # neither holds it: a mistaken id, not a failed replay
            raise EvidenceError(f"no case {case_id} in Temporal or in the event store")
        if isinstance(stored[-1], CaseClosed):
            report.status = "retained"
        else:
            report.status = "no history"
            report.problems.append("Temporal holds no history of this case, and the store does not show it closed")
        return report
    report.runs = len(runs)
    # Read again now the history is fetched: a fact the history holds was stored before the workflow
    # recorded it, so the store holds it by now. A running case may have stored more since the
    # fetch: only the facts the history had reached are compared then.
    recorded = await recorded_facts(runs, converter)
    report.history_facts = len(recorded)
    stored = [r.fact for r in records.stored_facts(case_id)]
    report.store_facts = len(stored)
    if runs[-1].events[-1].event_type not in CLOSED:
        stored = stored[:len(recorded)]
    replayer = Replayer(workflows=workflows, data_converter=converter)
    for i, history in enumerate(runs, start=1):
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if result.replay_failure is not None:
            report.status = "nondeterministic"
            report.problems.append(f"run {i} of {len(runs)} does not replay on today's code: {result.replay_failure}")
    mismatches = compare(stored, recorded)
    if mismatches:
        report.problems += mismatches
        if report.status == "consistent":
            report.status = "inconsistent"
    return report


def summary(reports: list[ReplayReport]) -> str:
    """Every case counted by what its replay found: "2 consistent, 1 erased under retention, 0 failing"."""
    counted = [(sum(r.status == "consistent" for r in reports), "consistent"),
               (sum(r.status == "retained" for r in reports), f"with {RETAINED}"),
               (sum(r.status == "erased" for r in reports), "erased under retention")]
    shown = [f"{n:,} {what}" for n, what in counted if n or what != f"with {RETAINED}"]
    return ", ".join(shown + [f"{sum(not r.ok for r in reports):,} failing"])


def case_ids(records: SafeguardingRecords, batch: int = 5000) -> list[str]:
    """Every case the store holds, in the order they were raised (erased ones left out)."""
    topics = [get_topic(ConcernRaised), _legacy_topic(ConcernRaised)]
    found, start = [], 1
    while page := records.recorder.select_notifications(start=start, limit=batch, topics=topics):
        for n in page:
            try:
                found.append(records.mapper.to_domain_event(n).fact.case_id)
            except Erased:  # erased under retention: listed only if Temporal still holds it
                continue
        start = page[-1].id + 1
    return found


async def temporal_case_ids(client: Client, workflow_type: str) -> list[str] | None:
    """Every case Temporal holds a workflow for (its visibility store, while it retains them);
    None where the server cannot list workflows (the time-skipping test server)."""
    try:
        return sorted({w.id async for w in client.list_workflows(f"WorkflowType = '{workflow_type}'")})
    except RPCError as e:
        if e.status == RPCStatusCode.UNIMPLEMENTED:
            return None
        raise


async def every_case(client: Client, records: SafeguardingRecords, workflow_type: str) -> tuple[list[str], bool]:
    """The store's cases, then any case Temporal holds and the store does not (gone from the store
    entirely: its replay reports every fact missing); and whether Temporal could be asked."""
    stored = case_ids(records)
    held = await temporal_case_ids(client, workflow_type)
    known = set(stored)
    return stored + [c for c in held or [] if c not in known], held is not None
