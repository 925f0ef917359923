"""Benchmark: the live path of a case (raise, complete a step) against bare Temporal on the same
server. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.live_path [--fill 10000] [--updates 200] [--concurrency 50]
                                             [--raises 300] [--latency-raises 50] [--starts 500] [--burst 200]
                                             [--gap 0] [--json]
    .venv/bin/python -m benchmarks.live_path --fill 1000 --updates 50 --raises 60   # quick: well under a minute

One Temporal dev server (in memory) is started; the bare and the Safeguard worker each run in
this process, on the same client and server, one after the other (2 cores: client, workers and
server share them). Measured:

- bare Temporal (`benchmarks/bare_workflow.py`: a workflow that waits, and an update that sets a
  value): sequential update round trip p50/p99 over --updates updates to one workflow; start +
  first update per second for --starts workflows, --concurrency in flight, both as one
  update-with-start call and as start_workflow then execute_update;
- Safeguard (the real worker from `bootstrap.build_worker`, its read-model thread, a SQLite event
  store in a temp dir), through `casework.temporal.cases` only: sequential step-completion round trip
  p50/p99 (record_concern, peer_risk_review, seriousness_assessment, route_decision on each
  case, --updates completions in all); raises per second at --concurrency; sequential raise
  latency p50/p99 on an (almost) empty store, and again after --fill cases are written straight
  to the store and the read models are caught up (plus a few step completions there); each
  latency run follows the same few untimed raises, so both start from a steady state;
- a burst: --burst raises at --concurrency in flight while a member of staff completes steps one
  after another on cases raised (and settled) before it, timed from the burst's first raise until
  every case it raised has its service's history attached: completions while the raises are
  answered, and after until the histories are attached;
- sequential requests run back to back unless --gap gives think time between them; on this dev
  server that matters: a steady back-to-back run settles at about 50 ms per workflow or activity
  task hop, while requests after a pause see far less (compare a run with --gap 0.5);
- the ratios the project has goals for: step p50 / bare update p50 (<= 2.0x), raise throughput /
  bare update-with-start throughput (>= 0.5x), raise p50 with --fill cases / with none (<= 1.2x),
  step completion p95 in the burst / settled p95 (the sequential run's) (<= 2.0x);
- the machine's load average as each part began: other work on the machine shows in every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from benchmarks.bare_workflow import BareWorkflow
from benchmarks.projections import case_facts
from casework.temporal.cases import complete_step, raise_concern
from configuration.binaries import temporal_cli
from configuration.logging import configure_logging, quiet_temporal_runtime
from configuration.settings import Settings
from domain.concern import ConcernBody, StepCompletion
from domain.pathway import PEER_RISK_REVIEW, RECORD_CONCERN, ROUTE_DECISION, SERIOUSNESS_ASSESSMENT
from projections.registry import open_feed
from tests.cases import RECORDS, ROLES
from bootstrap import build_worker, on_connection, open_records, start_projections

CONFIG = ("fill", "updates", "concurrency", "raises", "latency_raises", "starts", "burst", "gap")
WARM_RAISES = 5
STEPS = [RECORD_CONCERN.id, PEER_RISK_REVIEW.id, SERIOUSNESS_ASSESSMENT.id, ROUTE_DECISION.id]
ASSESSMENT = SERIOUSNESS_ASSESSMENT.id


LOADS: dict[str, float] = {}  # the machine's load average (1 min) as each part began


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load(part: str) -> None:
    LOADS[part] = round(os.getloadavg()[0], 2)


def ms(samples: list[float], q: int) -> float:
    """The q-th percentile (1-99) of samples in seconds, in milliseconds."""
    if len(samples) == 1:
        return samples[0] * 1000
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


def summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50_ms": round(ms(samples, 50), 1), "p95_ms": round(ms(samples, 95), 1),
            "p99_ms": round(ms(samples, 99), 1), "max_ms": round(max(samples) * 1000, 1)}


async def sequential(n: int, call: Callable[[int], Awaitable[Any]], gap: float = 0.0) -> list[float]:
    """Time n calls one after the other, with `gap` seconds of think time before each."""
    out = []
    for i in range(n):
        await asyncio.sleep(gap)
        t0 = time.perf_counter()
        await call(i)
        out.append(time.perf_counter() - t0)
    return out


async def per_second(n: int, concurrency: int, call: Callable[[int], Awaitable[Any]]) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await call(i)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return round(n / (time.perf_counter() - t0), 1)


# ---- bare Temporal -------------------------------------------------------------------------

async def bare(client: Client, args: argparse.Namespace) -> dict[str, Any]:
    queue = f"bench-bare-{uuid.uuid4().hex[:6]}"
    run = uuid.uuid4().hex[:6]
    async with Worker(client, task_queue=queue, workflows=[BareWorkflow]):
        handle = await client.start_workflow(BareWorkflow.run, id=f"bare-{run}-seq", task_queue=queue)
        await sequential(20, lambda i: handle.execute_update(BareWorkflow.set, f"warm-{i}"))
        say(f"bare: {args.updates} sequential updates")
        load("bare update")
        updates = await sequential(args.updates, lambda i: handle.execute_update(BareWorkflow.set, f"v{i}"), args.gap)

        async def update_with_start(i: int) -> None:
            op = WithStartWorkflowOperation(BareWorkflow.run, id=f"bare-{run}-uws-{i}", task_queue=queue,
                                            id_conflict_policy=WorkflowIDConflictPolicy.FAIL)
            await client.execute_update_with_start_workflow(BareWorkflow.set, "first", start_workflow_operation=op)

        async def start_then_update(i: int) -> None:
            h = await client.start_workflow(BareWorkflow.run, id=f"bare-{run}-stu-{i}", task_queue=queue)
            await h.execute_update(BareWorkflow.set, "first")

        say(f"bare: {args.starts} update-with-start, {args.concurrency} in flight")
        load("bare update-with-start")
        uws = await per_second(args.starts, args.concurrency, update_with_start)
        say(f"bare: {args.starts} start then update, {args.concurrency} in flight")
        stu = await per_second(args.starts, args.concurrency, start_then_update)
    return {"update": summary(updates), "update_with_start_per_s": uws, "start_then_update_per_s": stu}


# ---- Safeguard -----------------------------------------------------------------------------

def concern(i: int) -> ConcernBody:
    return ConcernBody(
        identified_at=datetime.now(timezone.utc), summary="benchmark",
        service={"id": f"SVC-{i % 120:03d}", "name": "Service", "provider": "Provider", "client_group": "mixed"},
        # the fill's people: a seriousness assessment's count of earlier concerns finds theirs
        adult_at_risk=f"A-{i % 5000}", alleged_source=f"B-{i * 7 % 5000}",
    )


class Safeguard:
    def __init__(self, client: Client, settings: Settings, records: Any, gap: float) -> None:
        self.client, self.settings, self.records, self.gap, self.raised = client, settings, records, gap, 0

    async def raise_one(self, _: int = 0) -> str:
        self.raised += 1
        status = await raise_concern(self.client, self.settings.task_queue, concern(self.raised))
        self.last = status.case_id
        return status.case_id

    async def settled(self, case_id: str) -> None:
        """Until the case's service history is attached: the work a raise leaves for after its answer."""
        while not any(f.type == "ServiceHistoryAttached" for f in self.records.stored_facts(case_id)):
            await asyncio.sleep(0.005)

    async def raise_latency(self, n: int, in_store: int) -> dict[str, Any]:
        """Raises one at a time, after the same untimed warm-up each time (on the dev server the
        first few requests after a pause are faster than a steady run): each after the one before
        has settled (a member of staff raising a concern), and back to back (the one before still
        attaching its service's history, whose cost grows with the service's earlier concerns)."""
        say(f"safeguard: {n} + {n} sequential raises (after {WARM_RAISES} untimed), about {in_store} cases in the store")
        await sequential(WARM_RAISES, self.raise_one)
        settled: list[float] = []
        for _ in range(n):
            await self.settled(f"{self.last}")
            await asyncio.sleep(self.gap)
            t0 = time.perf_counter()
            await self.raise_one()
            settled.append(time.perf_counter() - t0)
        back_to_back = await sequential(n, self.raise_one, self.gap)
        return {**summary(settled), "back_to_back": summary(back_to_back), "cases_before": in_store + WARM_RAISES}

    async def complete(self, case_id: str, step: str) -> None:
        await complete_step(self.client, case_id, StepCompletion(step=step, role=ROLES[step], actor="BENCH-1", record=RECORDS[step]))

    async def step_round_trips(self, completions: int) -> dict[str, list[float]]:
        """Raise cases (untimed), then complete STEPS in order on each, timing every completion."""
        cases = [await self.raise_one() for _ in range(-(-completions // len(STEPS)))]
        times: dict[str, list[float]] = {s: [] for s in STEPS}
        done = 0
        for case_id in cases:
            for step in STEPS:
                if done == completions:
                    return times
                await asyncio.sleep(self.gap)
                t0 = time.perf_counter()
                await self.complete(case_id, step)
                times[step].append(time.perf_counter() - t0)
                done += 1
        return times


    async def burst(self, raises: int, concurrency: int) -> dict[str, Any]:
        """Step completions, one after another, while `raises` cases are raised at once
        (`concurrency` in flight), timed from the burst's first raise until every case it raised
        has its service's history attached (the work a raise leaves for after its answer)."""
        ready: list[str] = []

        async def one_ready(_: int) -> None:
            ready.append(await self.raise_one())

        await per_second(max(20, raises // 2), concurrency, one_ready)  # enough for about 25 s of completions
        for case_id in ready:
            await self.settled(case_id)
        raised: list[str] = []
        times: list[tuple[float, float]] = []  # (started, seconds since the burst began; took, seconds)
        t0 = time.perf_counter()
        answered_at = settled_at = 0.0

        async def one(_: int) -> None:
            raised.append(await self.raise_one())

        async def raising() -> None:
            nonlocal answered_at, settled_at
            await per_second(raises, concurrency, one)
            answered_at = time.perf_counter() - t0
            waiting = list(raised)  # attached about in the order raised: look at the first still waiting
            while waiting:
                await asyncio.sleep(0.1)
                while waiting and any(f.type == "ServiceHistoryAttached" for f in self.records.stored_facts(waiting[0])):
                    waiting.pop(0)
            settled_at = time.perf_counter() - t0

        async def completing() -> None:
            for case_id in ready:
                for step in STEPS:
                    if settled_at:
                        return
                    started = time.perf_counter()
                    await self.complete(case_id, step)
                    times.append((started - t0, time.perf_counter() - started))
            say("  (the burst outlasted the cases ready for completions)")

        await asyncio.gather(raising(), completing())
        during = [took for at, took in times if at < answered_at]
        after = [took for at, took in times if at >= answered_at]
        return {"raises": raises, "raises_per_s": round(raises / answered_at, 1), "answered_s": round(answered_at, 1),
                "settled_s": round(settled_at, 1), "completions": summary([t for _, t in times]),
                "while_raising": summary(during) if during else None, "after_answers": summary(after) if after else None}


def step_figures(times: dict[str, list[float]]) -> dict[str, Any]:
    every = [t for ts in times.values() for t in ts]
    return {**summary(every), "by_step_p50_ms": {s: round(ms(ts, 50), 1) for s, ts in times.items() if ts}}


def fill_store(records: Any, cases: int) -> dict[str, Any]:
    rng = random.Random(2026)
    start = datetime.now(timezone.utc) - timedelta(days=366)
    t0, events = time.perf_counter(), 0
    for i in range(cases):
        facts = case_facts(i, rng, start)
        records.record(f"BENCH-{i:06d}", 1, facts)
        events += len(facts)
        if (i + 1) % max(1, cases // 10) == 0:
            say(f"  filled {i + 1}/{cases} cases, {events} events ({events / (time.perf_counter() - t0):,.0f} events/s)")
    fill_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    folded = open_feed(records).catch_up()
    return {"cases": cases, "events": events, "fill_s": round(fill_s, 1),
            "catch_up_s": round(time.perf_counter() - t0, 1), "events_folded": folded}


async def safeguard(client: Client, args: argparse.Namespace) -> dict[str, Any]:
    tmp = tempfile.TemporaryDirectory(prefix="safeguard-live-")
    settings = Settings(data_dir=Path(tmp.name), task_queue=f"bench-safeguard-{uuid.uuid4().hex[:6]}")
    records = open_records(settings)
    # the same connection, with Safeguard's data converter: its payloads encrypted with the case's key
    client = on_connection(client, settings, records)
    feed = open_feed(records)
    stop_projections = start_projections(feed)  # as bootstrap.serve runs it
    sg = Safeguard(client, settings, records, args.gap)
    out: dict[str, Any] = {}
    try:
        async with build_worker(client, records, settings, feed=feed):
            say("safeguard: warm-up")
            for _ in range(2):
                await sg.complete(await sg.raise_one(), STEPS[0])

            out["raise_empty"] = await sg.raise_latency(args.latency_raises, sg.raised)

            say(f"safeguard: {args.updates} sequential step completions")
            load("step completions")
            out["step"] = step_figures(await sg.step_round_trips(args.updates))

            say(f"safeguard: {args.raises} raises, {args.concurrency} in flight")
            load("raises")
            out["raises_per_s"] = await per_second(args.raises, args.concurrency, sg.raise_one)

            if args.burst:
                say(f"safeguard: step completions one after another during a burst of {args.burst} raises, {args.concurrency} in flight")
                load("burst")
                out["burst"] = await sg.burst(args.burst, args.concurrency)

            say(f"safeguard: filling the store with {args.fill} cases (read-model thread paused), then catching up")
            stop_projections.set()
            out["fill"] = await asyncio.to_thread(fill_store, records, args.fill)
            stop_projections = start_projections(feed)
            say(f"  fill {out['fill']['fill_s']}s, catch-up {out['fill']['catch_up_s']}s")

            out["raise_filled"] = await sg.raise_latency(args.latency_raises, sg.raised + args.fill)

            n = max(8, args.updates // 5)
            say(f"safeguard: {n} sequential step completions, {sg.raised + args.fill} cases in the store")
            out["step_filled"] = step_figures(await sg.step_round_trips(n))
    finally:
        stop_projections.set()
        tmp.cleanup()
    return out


# ---- report ------------------------------------------------------------------------------

def ratios(b: dict[str, Any], s: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "step_p50_over_bare_update_p50": {"value": round(s["step"]["p50_ms"] / b["update"]["p50_ms"], 2), "goal": "<= 2.0"},
        "raise_per_s_over_bare_update_with_start_per_s": {"value": round(s["raises_per_s"] / b["update_with_start_per_s"], 2), "goal": ">= 0.5"},
        **({"step_p95_in_burst_over_settled_p95": {
            "value": round(s["burst"]["completions"]["p95_ms"] / s["step"]["p95_ms"], 2), "goal": "<= 2.0"}} if s.get("burst") else {}),
        "raise_per_s_over_bare_start_then_update_per_s": {"value": round(s["raises_per_s"] / b["start_then_update_per_s"], 2), "goal": "(for reference)"},
        "raise_p50_filled_over_empty": {"value": round(s["raise_filled"]["p50_ms"] / s["raise_empty"]["p50_ms"], 2), "goal": "<= 1.2"},
        "raise_back_to_back_p50_filled_over_empty": {
            "value": round(s["raise_filled"]["back_to_back"]["p50_ms"] / s["raise_empty"]["back_to_back"]["p50_ms"], 2),
            "goal": "(for reference)"},
        "assessment_p50_filled_over_empty": {  # the one completion that counts earlier concerns in the store
            "value": round(s["step_filled"]["by_step_p50_ms"][ASSESSMENT] / s["step"]["by_step_p50_ms"][ASSESSMENT], 2),
            "goal": "(for reference)"},
    }


def table(fig: dict[str, Any]) -> str:
    b, s, c = fig["bare"], fig["safeguard"], fig["config"]

    def lat(d: dict[str, Any] | None) -> str:
        if d is None:
            return "(none)"
        return f"p50 {d['p50_ms']:>7.1f} ms   p95 {d['p95_ms']:>7.1f} ms   p99 {d['p99_ms']:>7.1f} ms   max {d['max_ms']:>7.1f} ms   (n={d['n']})"

    rows = [
        ("bare: update round trip, sequential", lat(b["update"])),
        (f"bare: update-with-start, {c['concurrency']} in flight", f"{b['update_with_start_per_s']:>7.1f} workflows/s   (n={c['starts']})"),
        (f"bare: start then update, {c['concurrency']} in flight", f"{b['start_then_update_per_s']:>7.1f} workflows/s   (n={c['starts']})"),
        ("safeguard: step completion, sequential", lat(s["step"])),
        ("  p50 by step", ", ".join(f"{k} {v:.0f} ms" for k, v in s["step"]["by_step_p50_ms"].items())),
        (f"safeguard: raise, {c['concurrency']} in flight", f"{s['raises_per_s']:>7.1f} raises/s      (n={c['raises']})"),
        *([(f"safeguard: step completions in a burst of {s['burst']['raises']} raises", lat(s["burst"]["completions"])),
           ("  while the raises are answered", lat(s["burst"]["while_raising"])),
           ("  after, until each case's history is attached", lat(s["burst"]["after_answers"])),
           ("  the burst", f"{s['burst']['raises_per_s']:.1f} raises/s, answered in {s['burst']['answered_s']} s, "
                           f"histories attached in {s['burst']['settled_s']} s")] if s.get("burst") else []),
        (f"safeguard: raise, one at a time, {s['raise_empty']['cases_before']} cases", lat(s["raise_empty"])),
        ("  back to back", lat(s["raise_empty"]["back_to_back"])),
        (f"safeguard: fill {s['fill']['cases']} cases ({s['fill']['events']} events)",
         f"{s['fill']['fill_s']} s ({s['fill']['events'] / max(s['fill']['fill_s'], 1e-9):,.0f} events/s); read models caught up in {s['fill']['catch_up_s']} s"),
        (f"safeguard: raise, one at a time, {s['raise_filled']['cases_before']} cases", lat(s["raise_filled"])),
        ("  back to back", lat(s["raise_filled"]["back_to_back"])),
        ("safeguard: step completion after the fill", lat(s["step_filled"])),
        ("  p50 by step", ", ".join(f"{k} {v:.0f} ms" for k, v in s["step_filled"]["by_step_p50_ms"].items())),
    ]
    width = max(len(k) for k in [*(r[0] for r in rows), *fig["ratios"]])
    lines = ["live path: " + ", ".join(f"--{k.replace('_', '-')} {c[k]}" for k in CONFIG), ""]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    lines.append("")
    for name, r in fig["ratios"].items():
        lines.append(f"{name:<{width}}  {r['value']:>5.2f}x   goal {r['goal']}")
    lines += ["", f"Both workers in-process on one client and one in-memory dev server, one after the other; "
                  f"{c['cores']} cores shared by server, workers and client. Safeguard runs its read-model thread; "
                  "raise = casework.temporal.cases.raise_concern (update-with-start: answers once the concern is recorded). "
                  f"Python bytecode cache writing: {'off' if c['dont_write_bytecode'] else 'on'}. "
                  f"Load average (1 min) at start {c['load_at_start']}, at end {c['load_at_end']}; as each part began: "
                  f"{', '.join(f'{k} {v}' for k, v in c['loads'].items())}: "
                  "anything else running on the machine shows in these figures."]
    return "\n".join(lines)


@contextmanager
def banner_to_stderr() -> Iterator[None]:
    """The dev server prints its banner on the stdout it inherits: keep ours for the figures."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    configure_logging(level=logging.WARNING)
    runtime = quiet_temporal_runtime()
    load_at_start = round(os.getloadavg()[0], 2)
    say("starting the Temporal dev server (in memory)")
    with banner_to_stderr():
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli(), data_converter=pydantic_data_converter, runtime=runtime,
        )
    async with env:
        b = await bare(env.client, args)
        s = await safeguard(env.client, args)
    config = {**{k: getattr(args, k) for k in CONFIG}, "cores": os.cpu_count(), "dont_write_bytecode": sys.dont_write_bytecode,
              "load_at_start": load_at_start, "load_at_end": round(os.getloadavg()[0], 2), "loads": dict(LOADS)}
    return {"config": config, "bare": b, "safeguard": s, "ratios": ratios(b, s)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fill", type=int, default=10_000, help="cases written to the store before the second raise-latency run")
    ap.add_argument("--updates", type=int, default=200, help="sequential bare updates, and Safeguard step completions")
    ap.add_argument("--concurrency", type=int, default=50, help="requests in flight in the throughput runs")
    ap.add_argument("--raises", type=int, default=300, help="Safeguard raises in the throughput run")
    ap.add_argument("--latency-raises", type=int, help="sequential raises in each raise-latency run (default: raises/6, at least 10)")
    ap.add_argument("--starts", type=int, help="bare workflows started in each throughput run (default: raises*5/3, at least 100)")
    ap.add_argument("--burst", type=int, default=200,
                    help="raises in the burst during which step completions are timed (0: no burst)")
    ap.add_argument("--gap", type=float, default=0.0,
                    help="seconds of think time before each sequential request (default 0: back to back)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()
    a.latency_raises = a.latency_raises or max(10, a.raises // 6)
    a.starts = a.starts or max(100, a.raises * 5 // 3)
    figures = asyncio.run(main(a))
    print(json.dumps(figures, indent=2) if a.json else table(figures))
