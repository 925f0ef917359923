"""Benchmark the pages (issue 10). Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.web [--cases 10000] [--clients 200] [--entries 300] [--only case]

1. The deadline board (GET /board, the whole page) with about 3,000 live cases: the store is filled
   with --cases cases as the workflow records them (benchmarks/projections.py; about 30% stay live),
   the page fetched by a supervisor who sees every service. Goal: p95 under 150 ms.
2. SSE fan-out: --clients boards connected to /board/stream over real HTTP (uvicorn), then a fact
   stored; the time until each client has the new board. Goal: p95 under 1 s.
3. The case summary page (GET /cases/ID) of a real case (its workflow on the time-skipping Temporal
   server, a real worker) with --entries chronology entries. Goal: p95 under 100 ms. Its chronology
   page (every entry in full, on a page of its own) is timed beside it (no goal: figures only).
   `--only case` runs this part alone.
4. The Cases page (GET /cases, 25 a page, keyset paging on the case_list table) over the --cases
   cases, first pages and later ones, filtered by service and status. Goal: p95 under 150 ms.
5. Search by adult id (GET /cases?q=A-...), each a different adult. Goal: p95 under 100 ms.
Each list read writes its access-log lines (one per case shown), as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from benchmarks.projections import case_facts
from configuration.logging import configure_logging
from bootstrap import build_worker, open_records
from configuration.settings import Settings
from domain.access import Assignment
from domain.concern import ConcernBody, Development, StepCompletion
from eventstore.accounts import Accounts
from tests.browser_support import PASSWORD, serve
from tests.cases import RECORDS
from web.app import create_app

SUPERVISOR = "OD-1"


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def figures(name: str, seconds: list[float], goal_ms: float) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name}: p50 {statistics.median(ms):.0f} ms, p95 {p95(ms):.0f} ms, max {max(ms):.0f} ms over {len(ms)} "
          f"(goal p95 under {goal_ms:.0f} ms: {'met' if p95(ms) < goal_ms else 'NOT met'})", flush=True)


def fill(records, cases: int) -> list[str]:
    rng = random.Random(2026)
    start = datetime.now(timezone.utc) - timedelta(days=365)
    t0 = time.perf_counter()
    for i in range(cases):
        records.record(f"BENCH-{i:06d}", 1, case_facts(i, rng, start))
    print(f"filled {cases} cases in {time.perf_counter() - t0:.1f} s", flush=True)
    return [f"BENCH-{i:06d}" for i in range(cases)]


async def signed_in(client: httpx.AsyncClient) -> None:
    form = (await client.get("/sign-in")).text  # its login CSRF token is this client's own
    token = form.split('name="login_csrf" value="')[1].split('"')[0]
    r = await client.post("/sign-in", data={"user_id": SUPERVISOR, "password": PASSWORD, "next": "/", "login_csrf": token})
    assert r.status_code == 303, r.text


async def timed_get(c: httpx.AsyncClient, path: str, runs: int) -> tuple[list[float], httpx.Response]:
    """GET `path` `runs` times: each answer's time, and the last answer (every one must be 200)."""
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = await c.get(path)
        timings.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text
    return timings, r


async def board_page(app, runs: int) -> int:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bench", timeout=60) as c:
        await signed_in(c)
        r = await c.get("/board")  # the first read folds the read model: not timed
        live = r.text.count("<tr class=")
        timings, r = await timed_get(c, "/board", runs)
    print(f"board: {live} open deadlines shown, page {len(r.content) / 1024:,.0f} KB", flush=True)
    figures("board page (GET /board)", timings, 150)
    return live


async def cases_page(app, runs: int) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bench", timeout=120) as c:
        await signed_in(c)
        t0 = time.perf_counter()
        r = await c.get("/cases")  # the first read folds the case list from zero: not timed
        print(f"cases: case list folded in {time.perf_counter() - t0:.1f} s", flush=True)
        rng = random.Random(21)
        asks = [{}, {"status": "open"}, {"service": "SVC-007"}, {"status": "closed", "service": "SVC-042"}, {"overdue": "1"}]
        timings, cursor = [], None
        for i in range(runs):
            params = dict(asks[i % len(asks)])
            if cursor and i % 3 == 0:
                params = {"cursor": cursor}  # a later page, by its link
            t0 = time.perf_counter()
            r = await c.get("/cases", params=params)
            timings.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text
            if "nhsuk-pagination__link--next" in r.text:
                cursor = r.text.split('nhsuk-pagination__link--next" href="')[1].split("cursor=")[1].split('"')[0]
        print(f"cases: {r.text.count('data-case=')} cases on the last page, page {len(r.content) / 1024:,.0f} KB", flush=True)
        figures("Cases page (GET /cases, 25 a page)", timings, 150)
        timings, found = [], 0
        for _ in range(runs):
            adult = f"A-{rng.randrange(5000)}"
            t0 = time.perf_counter()
            r = await c.get("/cases", params={"q": adult})
            timings.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text
            found += r.text.count("data-case=")
        print(f"search: {found / runs:.1f} cases found per adult", flush=True)
        figures("search by adult id (GET /cases?q=A-...)", timings, 100)


async def fan_out(settings, records, clients: int, rounds: int, live_case: str) -> None:
    async with serve(settings, records, None) as site:
        async with httpx.AsyncClient(base_url=site.base, timeout=120,
                                     limits=httpx.Limits(max_connections=clients + 10)) as c:
            await signed_in(c)
            got: list[asyncio.Queue] = [asyncio.Queue() for _ in range(clients)]

            async def listen(q: asyncio.Queue) -> None:
                async with c.stream("GET", "/board/stream") as r:
                    async for line in r.aiter_lines():
                        if line.startswith("event: board"):
                            await q.put(time.perf_counter())

            tasks = [asyncio.create_task(listen(q)) for q in got]
            for q in got:  # every client has its first board
                await asyncio.wait_for(q.get(), 120)
            print(f"SSE: {clients} boards connected", flush=True)
            timings: list[float] = []
            for n in range(rounds):
                await asyncio.sleep(1.2)  # past the second the first boards were drawn in
                for q in got:
                    while not q.empty():
                        q.get_nowait()
                stored = time.perf_counter()
                _store_fact(records, live_case, n)
                for q in got:
                    timings.append(await asyncio.wait_for(q.get(), 30) - stored)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    figures(f"SSE fan-out (fact stored -> new board at each of {clients} clients)", timings, 1000)


def _store_fact(records, case_id: str, n: int) -> None:
    """One fact on a live case, as the worker would store it (a development)."""
    from domain.facts import DevelopmentRecorded

    seq = len(records.stored_facts(case_id)) + 1
    records.record(case_id, seq, [DevelopmentRecorded(at=datetime.now(timezone.utc).replace(microsecond=0),
                                                      development=100 + n, kind="other", summary="benchmark")])


async def case_page(entries: int, runs: int) -> None:
    from encryption.seal import sealing_key
    from simulation.runner import start_test_environment

    tmp = tempfile.TemporaryDirectory(prefix="safeguard-bench-case-")
    settings = Settings(data_dir=Path(tmp.name), task_queue="bench-web")
    records = open_records(settings)
    env = await start_test_environment(records.keys, sealing_key(settings))
    try:
        async with build_worker(env.client, records, settings):
            from casework.temporal import cases as commands

            now = datetime.now(timezone.utc).replace(microsecond=0)
            body = ConcernBody.model_validate({
                "identified_at": now.isoformat(), "case_id": "BENCH-CASE",
                "service": {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "mixed"},
                "adult_at_risk": {"id": "A-117"}, "alleged_source": {"id": "A-204"}, "summary": "benchmark"})
            await commands.raise_concern(env.client, settings.task_queue, body, now=now)
            await commands.complete_step(env.client, "BENCH-CASE", StepCompletion(
                step="record_concern", role="senior_support_worker", actor="SSW-1", record=RECORDS["record_concern"]))
            # a long case: developments, each opening a chronology update the administrator completes
            while len(records.stored_facts("BENCH-CASE")) < entries:
                await commands.record_development(env.client, "BENCH-CASE", Development(
                    kind="agency_contact", summary="LA hub called back", actor="SSW-1", role="senior_support_worker"))
                await commands.complete_step(env.client, "BENCH-CASE", StepCompletion(
                    step="chronology_development", role="safeguarding_administrator", actor="SA-1",
                    record=RECORDS["chronology_development"]))
            count = len(records.stored_facts("BENCH-CASE"))
            accounts = Accounts(records)
            accounts.add_user(SUPERVISOR, "Supervisor", PASSWORD, by="bench")
            accounts.grant(SUPERVISOR, Assignment("operations_director"), by="bench")
            app = create_app(settings, records=records, client=env.client)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://bench", timeout=60) as c:
                await signed_in(c)
                await c.get("/cases/BENCH-CASE")
                timings, r = await timed_get(c, "/cases/BENCH-CASE", runs)
                chronology, ch = await timed_get(c, "/cases/BENCH-CASE/chronology", runs)
            print(f"case page: {count} chronology entries, summary page {len(r.content) / 1024:,.0f} KB, "
                  f"chronology page {len(ch.content) / 1024:,.0f} KB", flush=True)
            figures("case summary page (GET /cases/ID: status query, task list, audit)", timings, 100)
            figures("chronology page (GET /cases/ID/chronology, every entry in full)", chronology, 1000)
    finally:
        await env.shutdown()


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000, help="cases filled (about 30%% stay live)")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5, help="facts stored while the boards listen")
    ap.add_argument("--entries", type=int, default=300)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--only", choices=("case",), help="only the case pages' figures (no store of --cases filled)")
    args = ap.parse_args()
    configure_logging(level=logging.WARNING)
    if args.only == "case":
        await case_page(args.entries, args.runs)
        return

    tmp = tempfile.TemporaryDirectory(prefix="safeguard-bench-web-")
    settings = Settings(data_dir=Path(tmp.name), cookie_secure=False)
    records = open_records(settings)
    ids = fill(records, args.cases)
    accounts = Accounts(records)
    accounts.add_user(SUPERVISOR, "Supervisor", PASSWORD, by="bench")
    accounts.grant(SUPERVISOR, Assignment("operations_director"), by="bench")  # organisation-wide: every service
    app = create_app(settings, records=records)
    await board_page(app, args.runs)
    await cases_page(app, args.runs)
    live = next(i for i in reversed(ids) if not any(type(r.fact).__name__ == "CaseClosed" for r in records.stored_facts(i)))
    await fan_out(settings, records, args.clients, args.rounds, live)
    await case_page(args.entries, args.runs)


if __name__ == "__main__":
    asyncio.run(main())
