"""Benchmark: a step completion through the HTTP API against the same completion as a direct
casework call, in one run; and the authorisation check at 10,000 users and 1,000 services.
Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.api [--cases 60] [--users 10000] [--services 1000] [--checks 100000] [--json]

One Temporal dev server (in memory), the real worker (`bootstrap.build_worker`) and a SQLite event
store in a temporary directory. Each round raises two cases and completes record_concern on one
directly (`casework.temporal.cases.complete_step`, as the CLI does) and on the other through the API
(httpx against the real app in this process, a bearer token, `POST .../completions`), alternating
which goes first, --gap seconds apart. Two figures: the difference of the medians (the dev server's
own latency drifts by more than the goal between runs on a loaded machine), and the API's own
time per request, measured inside the same request: its total minus the casework call it makes
(goal: under 5 ms). The API's path adds: resolving the token (the token's and the
user's streams read from the store), reading the case's service (its first fact), asking the
case who may complete the step (the workflow's status query: a worker round trip), the access
checks, and the HTTP handling.

The authorisation check: --users principals holding 1-4 assignments each over --services
services (a tenth organisation-wide), then --checks `may_complete` and `may_read_case` calls on
random principal/service pairs (goal: under 1 ms each); and, with --users accounts written to
the store, resolving a bearer token to its principal.
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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bootstrap import build_worker, on_connection, open_records
from casework.temporal.availability import ANSWER_WITHIN
from casework.temporal import cases as commands
from casework.temporal.cases import complete_step as casework_complete_step, raise_concern
from configuration.binaries import temporal_cli
from configuration.logging import configure_logging, quiet_temporal_runtime
from configuration.settings import Settings
from domain.access import STAFF_ROLES, Assignment, Principal, may_complete, may_read_case
from domain.concern import ConcernBody, StepCompletion
from domain.identity import RoleGranted, UserAdded
from eventstore.accounts import Accounts, user_stream
from eventstore.events import Recorded
from web.app import create_app

RECORD = {"behaviour_observed": "blocked the lounge door", "initiated_by": "A-204", "presentation": "tearful"}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"p50_ms": round(statistics.median(values) * 1000, 2),
            "p90_ms": round(values[int(len(values) * 0.9) - 1] * 1000, 2), "n": len(values)}


def concern() -> ConcernBody:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return ConcernBody.model_validate({
        "identified_at": now.isoformat(), "case_id": f"B-{uuid.uuid4().hex[:10]}",
        "service": {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"},
        "adult_at_risk": {"id": "A-117"}, "alleged_source": {"id": "A-204"}, "summary": "A-204 blocked A-117",
    })


async def completions(env: WorkflowEnvironment, cases: int, gap: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), task_queue=f"bench-{uuid.uuid4().hex[:6]}")
        records = open_records(settings)
        accounts = Accounts(records)
        accounts.add_user("SSW-1", "Sam", None, by="bench")
        accounts.grant("SSW-1", Assignment("senior_support_worker", "SVC-ELM"), by="bench")
        token = accounts.issue_token("SSW-1", "bench", None, timedelta(days=1), by="bench").secret
        client = on_connection(env.client, settings, records)  # payloads encrypted, as in production
        app = create_app(settings, records=records, client=client)
        direct, api, inside = [], [], []

        # the time the API spends inside the casework call, per request: what is left is its own
        async def timed_complete_step(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return await casework_complete_step(*a, **k)
            finally:
                inside.append(time.perf_counter() - t)

        commands.complete_step = timed_complete_step
        try:
            async with build_worker(client, records, settings):
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bench/api/v1",
                                             headers={"Authorization": f"Bearer {token}"}) as http:
                    for i in range(cases + 3):  # the first rounds warm up: not counted
                        a = (await raise_concern(client, settings.task_queue, concern())).case_id
                        b = (await raise_concern(client, settings.task_queue, concern())).case_id

                        async def by_casework() -> float:
                            c = StepCompletion(step="record_concern", role="senior_support_worker", actor="SSW-1",
                                               record=RECORD, channel="cli")
                            await asyncio.sleep(gap)
                            t = time.perf_counter()
                            await casework_complete_step(client, a, c, within=ANSWER_WITHIN)
                            return time.perf_counter() - t

                        async def by_api() -> float:
                            await asyncio.sleep(gap)
                            t = time.perf_counter()
                            r = await http.post(f"/cases/{b}/steps/record_concern/completions", json={"record": RECORD})
                            elapsed = time.perf_counter() - t
                            assert r.status_code == 200, r.text
                            return elapsed

                        first, second = (by_casework, by_api) if i % 2 else (by_api, by_casework)
                        x, y = await first(), await second()
                        if i < 3:
                            inside.clear()
                            continue
                        (direct if first is by_casework else api).append(x)
                        (api if first is by_casework else direct).append(y)
        finally:
            commands.complete_step = casework_complete_step
        d, a_ = ms(direct), ms(api)
        own = [total - spent for total, spent in zip(api, inside)]
        return {"gap_s": gap, "direct": d, "api": a_, "difference_p50_ms": round(a_["p50_ms"] - d["p50_ms"], 2),
                "api_own_time": ms(own)}


def principals(users: int, services: int, rng: random.Random) -> list[Principal]:
    out = []
    for u in range(users):
        held = []
        for _ in range(rng.randint(1, 4)):
            service = None if rng.random() < 0.1 else f"SVC-{rng.randrange(services)}"
            held.append(Assignment(rng.choice(STAFF_ROLES), service))
        out.append(Principal(f"U-{u}", f"User {u}", tuple(held)))
    return out


def authorisation(users: int, services: int, checks: int) -> dict[str, Any]:
    rng = random.Random(9)
    people = principals(users, services, rng)
    now = datetime.now(timezone.utc)
    pairs = [(rng.choice(people), f"SVC-{rng.randrange(services)}") for _ in range(checks)]
    timed: dict[str, list[float]] = {"may_complete": [], "may_read_case": []}
    for p, service in pairs:
        t = time.perf_counter()
        may_complete(p, service, "route_decision", ("designated_safeguarding_lead", "operations_director"))
        timed["may_complete"].append(time.perf_counter() - t)
        t = time.perf_counter()
        may_read_case(p, "SG-1", service, now)
        timed["may_read_case"].append(time.perf_counter() - t)
    return {k: {"p50_us": round(statistics.median(v) * 1e6, 2), "p99_us": round(sorted(v)[int(len(v) * 0.99)] * 1e6, 2),
                "n": len(v)} for k, v in timed.items()}


def token_resolution(users: int, services: int, n: int = 500) -> dict[str, Any]:
    """With `users` accounts in the store, a bearer token to its principal (what every API request does)."""
    rng = random.Random(10)
    with tempfile.TemporaryDirectory() as tmp:
        records = open_records(Settings(data_dir=Path(tmp)))
        now = datetime.now(timezone.utc)
        batch = []
        for u in range(users):
            stream = user_stream(f"U-{u}")
            batch.append(Recorded(stream, 1, now, UserAdded(at=now, user_id=f"U-{u}", display_name=f"User {u}", by="bench")))
            batch.append(Recorded(stream, 2, now, RoleGranted(at=now, role=rng.choice(STAFF_ROLES),
                                                              service=f"SVC-{rng.randrange(services)}", by="bench")))
            if len(batch) >= 2000:
                records.save(*batch)
                batch = []
        if batch:
            records.save(*batch)
        accounts = Accounts(records)
        tokens = [accounts.issue_token(f"U-{rng.randrange(users)}", "bench", None, timedelta(days=1), by="bench").secret
                  for _ in range(50)]
        timed = []
        for i in range(n):
            t = time.perf_counter()
            token, account = accounts.check_token(tokens[i % len(tokens)], now)
            account.principal("api", token.scope, token_id=token.token_id)
            timed.append(time.perf_counter() - t)
        return {"users_in_store": users, **ms(timed)}


async def main(args: argparse.Namespace) -> dict[str, Any]:
    configure_logging(level=logging.WARNING)
    runtime = quiet_temporal_runtime()
    say(f"authorisation checks: {args.users:,} users x {args.services:,} services")
    auth = authorisation(args.users, args.services, args.checks)
    say("resolving tokens with the users in the store")
    tokens = token_resolution(args.users, args.services)
    say("starting the Temporal dev server (in memory)")
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli(),
                                                data_converter=pydantic_data_converter, runtime=runtime)
    async with env:
        say(f"step completions: {args.cases} through the API, {args.cases} direct")
        steps = await completions(env, args.cases, args.gap)
    return {"config": {"cases": args.cases, "gap_s": args.gap, "users": args.users, "services": args.services, "checks": args.checks,
                       "cores": os.cpu_count(), "load": round(os.getloadavg()[0], 2)},
            "step_completion": steps, "authorisation": auth, "token_to_principal": tokens}


def table(f: dict[str, Any]) -> str:
    s, a, t = f["step_completion"], f["authorisation"], f["token_to_principal"]
    return "\n".join([
        f"step completion (record_concern), {s['api']['n']} each, {s['gap_s']} s apart, load {f['config']['load']}:",
        f"  direct casework call  p50 {s['direct']['p50_ms']} ms  p90 {s['direct']['p90_ms']} ms",
        f"  through the API       p50 {s['api']['p50_ms']} ms  p90 {s['api']['p90_ms']} ms   (difference {s['difference_p50_ms']} ms)",
        f"  API overhead: its own time per request (total minus the casework call inside it)",
        f"                        p50 {s['api_own_time']['p50_ms']} ms  p90 {s['api_own_time']['p90_ms']} ms   (goal < 5 ms)",
        f"authorisation, {f['config']['users']:,} users x {f['config']['services']:,} services, {a['may_complete']['n']:,} checks:",
        f"  may_complete          p50 {a['may_complete']['p50_us']} us  p99 {a['may_complete']['p99_us']} us   (goal < 1 ms)",
        f"  may_read_case         p50 {a['may_read_case']['p50_us']} us  p99 {a['may_read_case']['p99_us']} us",
        f"token to principal, {t['users_in_store']:,} users in the store: p50 {t['p50_ms']} ms  p90 {t['p90_ms']} ms",
    ])


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=60, help="completions timed each way")
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--services", type=int, default=1_000)
    ap.add_argument("--checks", type=int, default=100_000)
    ap.add_argument("--gap", type=float, default=0.2, help="seconds before each timed request (back to back, the dev "
                    "server's own task hops dominate and drift: see benchmarks/live_path.py)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    figures = asyncio.run(main(a))
    print(json.dumps(figures, indent=2) if a.json else table(figures))
