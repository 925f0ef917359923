"""The bare Temporal reference for `benchmarks.live_path`: a workflow that only waits, and an
update that sets a value and returns it. No activities, no store. It lives in its own module
because a worker cannot validate workflows defined in `__main__`.
"""

from __future__ import annotations

from temporalio import workflow


@workflow.defn(name="BenchBareWorkflow")
class BareWorkflow:
    def __init__(self) -> None:
        self.value = ""

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.value == "stop")
        return self.value

    @workflow.update
    async def set(self, value: str) -> str:
        self.value = value
        return value
