"""Metrics and health (issue 23, parts 3 and 5). A scripted case on the time-skipping server, with
alerts by a real SMTP server and a local Notify, a missed deadline, escalations left unacknowledged
and a command the workflow refuses: the internal port's /metrics then agrees with the case's facts,
and carries none of its personal strings. The public app has no /metrics (404), and answers
/healthz and /readyz to anyone, with no data."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client

from bootstrap import build_worker
from casework.refusals import Refusal
from casework.temporal.cases import complete_step
from casework.temporal.stopped import record_stopped
from configuration.settings import Settings
from domain.access import Assignment
from domain.concern import StepCompletion
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from operations.internal_port import close_internal_port, internal_app, open_internal_port
from operations.metrics import AGES, exposition, registry_for
from projections.registry import open_documents, open_feed, read_models
from telemetry.instruments import REGISTRY
from telemetry.temporal_sdk import free_loopback_port, sdk_runtime, sdk_text
from tests.conftest import concern
from tests.servers.mail import MailServer
from tests.servers.notify import NotifyServer, alerting_settings
from web.app import create_app

UTC = timezone.utc
SUNDAY = datetime(2027, 3, 14, 19, 30, tzinfo=UTC)
DSL, OD = "designated_safeguarding_lead", "operations_director"
# what must never reach /metrics: ids of adults, of staff and of the case, names, contacts, what was written
ADULT, SOURCE, CASE, RAISER = "A-QUINCE-4471", "A-MARROW-9012", "CASE-ORCHID-31", "SSW-LARKSPUR-5"
PERSONAL = (ADULT, SOURCE, CASE, RAISER, "DSL-2", "OD-1", "Dervla Quenby", "Olu Fairweather", "dee@example.org",
            "olu@example.org", "07700900123", "07700900125", "Featherstonehaugh", "pantry door")


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


@pytest.fixture
def notify():
    with NotifyServer() as server:
        yield server


@pytest.fixture
def settings(tmp_path, mail, notify) -> Settings:
    return alerting_settings(tmp_path, mail, notify)


def people(records) -> None:
    accounts = Accounts(records)
    for user, name, role, email, mobile in (("DSL-2", "Dervla Quenby", DSL, "dee@example.org", "07700900123"),
                                            ("OD-1", "Olu Fairweather", OD, "olu@example.org", "07700900125")):
        accounts.add_user(user, name, None, by="test")
        accounts.grant(user, Assignment(role, "SVC-ELM"), by="test")
        accounts.set_contact(user, email, mobile, True, by="test")
        OnCallRota(records).set("SVC-ELM", role, user, SUNDAY - timedelta(hours=2), SUNDAY + timedelta(hours=12), by="test")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, by name and labels."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def scrape(port: int, path: str = "/metrics") -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        return await http.get(path)


async def test_metrics_agree_with_a_scripted_case_and_carry_nothing_personal(driver, env, records, settings):
    people(records)
    before = {channel: counted("safeguard_alerts_sent_total", channel=channel) for channel in ("email", "text")}
    refused_before = counted("safeguard_commands_refused_total", command="complete_step")
    appends_before = counted("safeguard_append_seconds_count")
    case = await driver.raise_concern(concern(SUNDAY.isoformat(), case_id=CASE, adult_at_risk={"id": ADULT},
                                              alleged_source={"id": SOURCE}, raised_by={"actor": RAISER, "role": "senior_support_worker"},
                                              summary=f"{SOURCE} held the pantry door shut on {ADULT}; Mrs Featherstonehaugh saw it"))
    await case.at("2027-03-14T19:35:00+00:00")
    await case.complete("record_concern")
    await case.at("2027-03-14T19:42:00+00:00")
    await case.complete("peer_risk_review", source_still_has_access=True)  # live risk: the DSL is alerted at once
    with pytest.raises(Refusal):  # not a step open on the case: the workflow refuses it
        await complete_step(env.client, CASE, StepCompletion(step="conclude_case", role=DSL, actor="DSL-2", record={}))
    await case.at("2027-03-15T13:00:00+00:00")  # Monday: deadlines pass unmet; nobody acknowledges
    await case.recorded("DeadlineMissed")
    await case.alerts_settled()

    facts = case.facts()
    status = await case.status()
    now = await case.clock.now()
    feed = open_feed(records)
    lagging = feed.last_position()
    port = free_loopback_port()

    async def temporal() -> Client:
        return env.client

    # the worker's internal port (bootstrap: open_operations_port), measuring against the case's clock
    opened = open_internal_port(internal_app(records, temporal, now=lambda: now), "127.0.0.1", port)
    assert opened is not None
    try:
        while not opened[0].started:
            await asyncio.sleep(0.02)
        unfolded = samples((await scrape(port)).text)
        feed.catch_up()  # as the worker's background thread does
        answer = await scrape(port)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
        text = answer.text
        found = samples(text)
        for path, status_code, body in (("/healthz", 200, "alive\n"), ("/readyz", 200, "ready\n"),
                                        ("/cases", 404, "Not found.\n"), ("/", 404, "Not found.\n")):
            got = await scrape(port, path)
            assert (got.status_code, got.text) == (status_code, body), path

        # the read models' lag: the whole log before they were folded, nothing after
        assert value(unfolded, "safeguard_read_model_lag_events", model="live_cases") == lagging > 0
        assert value(unfolded, "safeguard_read_model_lag_seconds", model="live_cases") > 0
        for model in (m.name for m in read_models()):
            assert value(found, "safeguard_read_model_lag_events", model=model) == 0, model
            assert value(found, "safeguard_read_model_lag_seconds", model=model) == 0, model

        # the case's facts and its status, against what /metrics says
        missed = [f for f in facts if f.type == "DeadlineMissed"]
        assert missed and value(found, "safeguard_deadlines_missed_total") == len(missed)
        due = [s.due for s in status.open_steps if s.due is not None]
        assert due and value(found, "safeguard_deadlines_open") == len(due)
        assert value(found, "safeguard_deadlines_overdue") == len([d for d in due if d <= now]) > 0
        outstanding = [datetime.fromisoformat(e["at"]) for e in _outstanding(facts)]
        assert len(outstanding) == len(status.escalations) > 0
        ages = [(now - at).total_seconds() for at in outstanding]
        below = 0.0
        for name, upper in AGES:
            assert value(found, "safeguard_escalations_unacknowledged", age=name) == len(
                [a for a in ages if below <= a < upper]), name
            below = upper
        assert value(found, "safeguard_escalation_unacknowledged_oldest_seconds") == max(ages)
        assert value(found, "safeguard_cases_stopped") == 0
        assert value(found, "safeguard_event_store_up") == 1
        sent = [f.fact for f in facts if f.type == "AlertSent"]
        for channel in ("email", "text"):
            assert value(found, "safeguard_alerts_sent_total", channel=channel) - before[channel] == len(
                [s for s in sent if s.channel == channel]) > 0, channel
        assert value(found, "safeguard_commands_refused_total", command="complete_step") - refused_before == 1
        assert value(found, "safeguard_append_seconds_count") > appends_before
        assert value(found, "safeguard_build_info", version="0.1.0") == 1

        # nothing personal, anywhere in the text: ids, names, contacts, what was written
        assert [s for s in PERSONAL if s.lower() in text.lower()] == []

        # a case whose workflow stops without closing is counted once the worker records it
        await case.handle.terminate("stopped from outside")
        await record_stopped(env.client, records, open_documents(records))
        feed.catch_up()
        assert value(samples((await scrape(port)).text), "safeguard_cases_stopped") == 1
    finally:
        await close_internal_port(opened)


def _outstanding(facts) -> list[dict]:
    """The escalations raised and neither acknowledged nor settled by their step being done."""
    open_, done = {}, set()
    for f in facts:
        x = f.fact
        if f.type == "Escalated":
            open_[x.escalation_id] = {"at": x.at.isoformat(), "key": (x.step, x.occurrence), "cause": x.cause}
        elif f.type == "EscalationAcknowledged":
            done.add(x.escalation_id)
        elif f.type in ("StepCompleted", "StepWithdrawn"):
            done |= {i for i, e in open_.items() if e["cause"] != "trigger" and e["key"] == (x.step, x.occurrence)}
    return [e for i, e in open_.items() if i not in done]


async def test_the_store_unreachable_is_said_plainly_and_counted(records, tmp_path):
    registry = registry_for(records, open_documents(records))
    assert value(samples(exposition(registry).decode()), "safeguard_event_store_up") == 1
    records.recorder.select_notifications = None  # as if the store's connection were gone
    records.recorder.max_notification_id = lambda: (_ for _ in ()).throw(OSError("gone"))
    assert value(samples(exposition(registry).decode()), "safeguard_event_store_up") == 0

    async def temporal() -> Client:
        raise AssertionError("not asked: the store is checked first")

    app = internal_app(records, temporal)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://internal") as http:
        got = await http.get("/readyz")
        assert (got.status_code, got.text) == (503, "The event store cannot be reached.\n")
        assert (await http.post("/metrics")).status_code == 405


async def test_the_public_app_has_no_metrics_and_its_health_needs_no_sign_in(records, settings):
    app = create_app(settings, records=records)  # Temporal at 127.0.0.1:1 (tests/conftest.py): unreachable
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as http:
        assert (await http.get("/metrics")).status_code == 404
        alive = await http.get("/healthz")
        assert (alive.status_code, alive.text) == (200, "alive\n")
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.text) == (503, "Temporal cannot be reached.\n")
        assert "set-cookie" not in ready.headers
        case_id = "CASE-WREN-4417"
        await http.get(f"/api/v1/cases/{case_id}")  # not signed in: refused, and timed by its route's template
    timed = {tuple(sorted(s.labels.items())) for family in REGISTRY.collect() for s in family.samples
             if s.name == "safeguard_http_request_seconds_count"}
    assert (("method", "GET"), ("route", "/api/v1/cases/{case_id}"), ("status", "401")) in timed
    assert (("method", "GET"), ("route", "unmatched"), ("status", "404")) in timed  # /metrics: no route
    assert not [labels for labels in timed if any(case_id in v for _, v in labels)]


def test_the_internal_port_is_on_loopback_unless_set_and_never_the_public_one():
    s = Settings()
    assert s.metrics_host == "127.0.0.1" and s.web_host == "127.0.0.1"
    assert len({s.metrics_port, s.web_metrics_port, s.web_port}) == 3


async def test_the_sdk_metrics_are_served_with_safeguards(env, records, settings):
    """A worker on a runtime exporting the SDK's metrics: /metrics carries them after Safeguard's own."""
    runtime, port = sdk_runtime()
    client = await Client.connect(env.client.service_client.config.target_host, namespace=env.client.namespace,
                                  runtime=runtime, data_converter=env.client.data_converter)
    async with build_worker(client, records, settings):
        for _ in range(100):
            if b"temporal_num_pollers" in sdk_text(port):
                break
            await asyncio.sleep(0.1)
    text = exposition(registry_for(records, open_documents(records)), port).decode()
    names = {f.name for f in text_string_to_metric_families(text)}
    assert {"temporal_num_pollers", "temporal_worker_task_slots_available", "safeguard_deadlines_open"} <= names
    assert text.index("safeguard_deadlines_open") < text.index("temporal_num_pollers")


async def test_readiness_is_probed_once_a_second_however_often_it_is_asked():
    """The public /readyz answers anyone: twenty requests at once, and more within the second, probe once."""
    from types import SimpleNamespace
    from operations.health import Readiness

    probes, clock = [], [100.0]
    records = SimpleNamespace(recorder=SimpleNamespace(max_notification_id=lambda: probes.append(1) or 7))

    async def temporal() -> Client:
        raise OSError("no Temporal here")

    readiness = Readiness(records, temporal, fresh=1.0, clock=lambda: clock[0])
    answers = await asyncio.gather(*(readiness.reason() for _ in range(20)))
    assert set(answers) == {"Temporal cannot be reached."} and len(probes) == 1
    clock[0] += 0.5
    await readiness.reason()
    assert len(probes) == 1
    clock[0] += 0.6
    await readiness.reason()
    assert len(probes) == 2
