"""Benchmark: the provider-concern process (004) through `casework.temporal.processes`, on a local
Temporal dev server (in memory) with the real worker and a SQLite event store. Prints figures;
asserts nothing.

    .venv/bin/python -m benchmarks.provider_process [--services 20] [--json]

Per service, sequentially: open (update-with-start: a policy-and-commissioner-record local
activity, then the append), verbal notice, written notice, decide "suspend" (its commissioner
record read again, then the append), inform neighbouring commissioners (the last: the process
closes). Reported: p50 and p99 of each request's round trip, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bootstrap import build_worker, on_connection, open_records
from casework.refusals import Refusal
from casework.temporal import processes as casework
from configuration.binaries import temporal_cli
from configuration.logging import configure_logging
from configuration.settings import Settings
from domain.provider_process import Decide, OpenProcess, RecordStep

NOTICE = {"nature_of_concerns": "n", "contract_clause": "c", "action_needed": "a", "timescales": "t", "sanctions": "s"}


async def run(services: int) -> dict[str, dict[str, float]]:
    env = await WorkflowEnvironment.start_local(data_converter=pydantic_data_converter, dev_server_existing_path=temporal_cli())
    timings: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), task_queue=f"bench-{uuid.uuid4().hex[:6]}")
            records = open_records(settings)
            client, q = on_connection(env.client, settings, records), settings.task_queue
            async with build_worker(client, records, settings):

                async def timed(name, call):
                    started = time.perf_counter()
                    try:
                        return await call
                    finally:
                        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)

                for i in range(services):
                    svc = f"SVC-BENCH-{i}-{uuid.uuid4().hex[:4]}"
                    now = datetime.now(timezone.utc).replace(microsecond=0)
                    iso, earlier = now.isoformat(), (now - timedelta(days=30)).isoformat()
                    await timed("open", casework.open_process(client, q, OpenProcess(
                        service_id=svc, role="commissioner", actor="COM-1", reason="bench")))
                    for step, record in (("verbal_notice", {"told_at": iso, "told": "RM-9", **NOTICE}),
                                         ("written_notice", {"sent_at": iso, "recorded_delivery_ref": "R", **NOTICE})):
                        await timed("step", casework.record_step(client, svc, RecordStep(
                            step=step, role="contract_manager", actor="CM-1", record=record)))
                    evidence = {"nature_of_allegations": "n", "evidence_of_harm": "e", "adults_harmed": ["A-1"],
                                "alleged_sources": ["A-2"], "period_from": earlier, "period_to": iso, "upheld": True,
                                "contract_assessment": "c", "other_action_taken": "o", "risk_assessment_all_service_users": "r"}
                    try:  # no concern recorded for the service: refused for its history, after reading the record
                        await timed("decide (refused)", casework.decide(client, svc, Decide(
                            outcome="suspend", role="commissioner", actor="COM-1", record=evidence)))
                    except Refusal:
                        pass
                    await timed("decide", casework.decide(client, svc, Decide(
                        outcome="restrict_admissions", role="commissioner", actor="COM-1")))
                    await timed("step (closes)", casework.record_step(client, svc, RecordStep(
                        step="inform_neighbouring_commissioners", role="contract_manager", actor="CM-1",
                        record={"informed_at": iso, "informed": "LA-N", "wider_sharing_rationale": "r",
                                "wider_sharing": {k: False for k in ("service_users", "relatives", "further_authorities",
                                                                     "other_organisations", "public")}})))
    finally:
        await env.shutdown()
    return {k: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                "p99_ms": round(sorted(v)[max(0, int(len(v) * 0.99) - 1)], 1)} for k, v in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    configure_logging(level=logging.WARNING)
    figures = asyncio.run(run(args.services))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, f in figures.items():
        print(f"{name:<18} n={f['n']:<4} p50 {f['p50_ms']:>7.1f} ms   p99 {f['p99_ms']:>7.1f} ms")


if __name__ == "__main__":
    main()
