"""Benchmark: what encrypting Temporal's payloads with the case's key costs (encryption/payload_codec.py).
Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.payload_codec [--cases 2000] [--rounds 20]

For --cases cases: the case's first payload (its workflow input, a concern of ordinary size),
which makes the case's key in the key store, then --rounds encode + decode round trips of a step
completion on the warm key; against the same payloads converted without the codec.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import WorkflowSerializationContext

from bootstrap import open_records
from configuration.settings import Settings
from domain.concern import ConcernBody, StepCompletion
from encryption.payload_codec import data_converter

CONCERN = {
    "identified_at": "2027-01-12T09:30:00+00:00",
    "service": {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"},
    "adult_at_risk": {"id": "A-117"}, "alleged_source": {"id": "A-204"},
    "summary": "A-204 blocked A-117 from the lounge and shouted at her in front of other residents " * 3,
    "raised_by": {"actor": "SSW-14", "role": "senior_support_worker"},
}
STEP = StepCompletion(step="record_concern", role="senior_support_worker", actor="SSW-14",
                      record={"behaviour_observed": "blocked the lounge door", "initiated_by": "A-204", "presentation": "tearful"})


async def per_payload(converter, cases: int, rounds: int) -> tuple[list[float], list[float], int]:
    first, warm, size = [], [], 0
    for n in range(cases):
        c = converter.with_context(WorkflowSerializationContext("default", f"BENCH-{n}"))
        body = ConcernBody.model_validate({**CONCERN, "case_id": f"BENCH-{n}"})
        t0 = time.perf_counter()
        payloads = await c.encode([body])
        await c.decode(payloads, [ConcernBody])
        first.append(time.perf_counter() - t0)
        size = payloads[0].ByteSize()
        for _ in range(rounds):
            t0 = time.perf_counter()
            await c.decode(await c.encode([STEP]), [StepCompletion])
            warm.append(time.perf_counter() - t0)
    return first, warm, size


def us(values: list[float]) -> str:
    return f"p50 {statistics.median(values) * 1e6:7.1f} us  p99 {statistics.quantiles(values, n=100)[98] * 1e6:7.1f} us"


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records = open_records(Settings(data_dir=Path(tmp)))
        plain = await per_payload(pydantic_data_converter, args.cases, args.rounds)
        sealed = await per_payload(data_converter(records.keys), args.cases, args.rounds)
    print(f"payload codec: {args.cases:,} cases, {args.rounds} step round trips each (encode + decode)")
    print(f"  concern, first payload of a case   plain  {us(plain[0])}   encrypted (makes the key) {us(sealed[0])}")
    print(f"  step completion, key warm          plain  {us(plain[1])}   encrypted {us(sealed[1])}")
    print(f"  concern payload size               plain  {plain[2]:,} bytes   encrypted {sealed[2]:,} bytes")
    print("  (for scale: a step completion's round trip to Temporal is about 10 ms; see benchmarks/live_path.py)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=20)
    asyncio.run(main(ap.parse_args()))
