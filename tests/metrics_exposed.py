"""What a worker's `/metrics` answers, printed: run as `python -m tests.metrics_exposed DATA_DIR`.

The internal port's own app (operations/internal_port.py) over a fresh store, with Temporal's SDK
metrics from a runtime made as the worker makes it (telemetry/temporal_sdk.py). A worker on the
time-skipping server first runs a workflow that completes, one whose task fails and an activity
that fails, and the client asks for a workflow that does not exist: the SDK's failure counters
appear only once something has failed. tests/test_dashboard_metrics.py reads the names.

Its own process: the SDK's runtime and its exporter live as long as the process."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bootstrap import open_records
from configuration.settings import Settings
from operations.internal_port import internal_app
from simulation.runner import temporal_test_server
from telemetry.temporal_sdk import sdk_runtime


@activity.defn
async def works() -> None:
    return None


@activity.defn
async def fails() -> None:
    raise RuntimeError("an activity that fails")


@workflow.defn
class Completes:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(works, start_to_close_timeout=timedelta(seconds=10))
        try:
            await workflow.execute_activity(fails, start_to_close_timeout=timedelta(seconds=10),
                                            retry_policy=RetryPolicy(maximum_attempts=1))
        except Exception:
            pass


@workflow.defn
class TaskFails:
    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("a workflow task that fails")


async def get(app, path: str) -> bytes:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app({"type": "http", "method": "GET", "path": path, "headers": []}, receive, send)
    assert sent[0]["status"] == 200, sent[0]
    return b"".join(m.get("body", b"") for m in sent[1:])


async def main(data_dir: Path) -> bytes:
    runtime, port = sdk_runtime()
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=temporal_test_server(), runtime=runtime)
    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    try:
        async with Worker(env.client, task_queue=queue, workflows=[Completes, TaskFails], activities=[works, fails],
                          workflow_runner=UnsandboxedWorkflowRunner()):
            await env.client.execute_workflow(Completes.run, id=f"completes-{queue}", task_queue=queue)
            failing = await env.client.start_workflow(TaskFails.run, id=f"fails-{queue}", task_queue=queue)
            try:
                await env.client.get_workflow_handle(f"nowhere-{queue}").describe()
            except Exception:
                pass
            await asyncio.sleep(1.5)  # the failed task reported
            records = open_records(Settings(data_dir=data_dir))

            async def temporal():
                return env.client

            text = await get(internal_app(records, temporal, sdk_port=port), "/metrics")
            await failing.terminate()
    finally:
        await env.shutdown()
    return text


if __name__ == "__main__":
    sys.stdout.buffer.write(asyncio.run(main(Path(sys.argv[1]))))
    sys.stdout.flush()
