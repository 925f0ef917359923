"""Several workers and several web replicas on one PostgreSQL and one Temporal server (issue 23):
two worker processes and two `safeguard serve` processes, and Caddy in front of them with
deploy/proxy/Caddyfile (tests/replicas.py), no sticky routing: each request goes to replica A, B or
the proxy in turn.

- Cases raised and steps completed through both web apps at once over the API (each request to
  one replica or the other), a worker killed (SIGKILL) mid-way and started again: nothing lost,
  nothing recorded twice (each request id once), and every read model equal to a rebuild from zero.
- A request sent again to the other replica gets the same answer, marked as replayed; twins sent
  to both at once are recorded once and both answered alike.
- A session cookie from one replica works on the other, and signing out on one ends it on both.
- The board in a browser on replica A shows a case raised and a step completed through replica B,
  pushed without a reload (woken by PostgreSQL's notification of the append).
- Failed sign-ins are counted across replicas, by the address the proxies pass on (the TLS proxy's
  X-Forwarded-For, read right to left: a forged entry is passed over).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bootstrap import open_records
from domain.access import Assignment
from eventstore.accounts import Accounts
from tests.api_support import concern_body
from tests.cases import RECORDS, ROLES
from tests.replicas import SERVER, Stack, replicas

pytestmark = pytest.mark.skipif(not SERVER, reason="no PostgreSQL: run the suite with ./scripts/test, which starts one")
API = "/api/v1"
ELM = "SVC-ELM"
PASSWORD = "correct-horse-battery-9"
STEPS = ["record_concern", "peer_risk_review", "route_decision"]
USERS = {"senior_support_worker": "SSW-1", "team_leader": "TL-1", "designated_safeguarding_lead": "DSL-1"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(tmp_path_factory):
    async with replicas(tmp_path_factory.mktemp("replicas")) as s:
        records = open_records(s.settings)
        accounts = Accounts(records)
        s.tokens = {}  # type: ignore[attr-defined]
        for role, user in {**USERS, "registered_manager": "RM-1"}.items():
            accounts.add_user(user, f"User {user}", PASSWORD, by="test")
            accounts.grant(user, Assignment(role, ELM), by="test")
            s.tokens[user] = accounts.issue_token(user, "test", None, timedelta(days=1), by="test").secret  # type: ignore[attr-defined]
        s.records = records  # type: ignore[attr-defined]
        yield s
        records.close()


class Sender:
    """Sends each request through the door asked for (replica A, B, or the proxy); one that fails (its
    worker killed, an answer not in time) is sent again, with its key, through the next, until it is
    answered."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.retries = stack, 0
        self.http = httpx.AsyncClient(timeout=30)

    async def send(self, user: str, path: str, body: dict[str, Any], key: str, replica: int,
                   within_s: float = 120) -> tuple[httpx.Response, int]:
        deadline = time.monotonic() + within_s
        while True:
            web = self.stack.doors[replica % len(self.stack.doors)]
            try:
                r = await self.http.post(f"{web.base}{API}{path}", json=body, headers={
                    "Authorization": f"Bearer {self.stack.tokens[user]}", "Idempotency-Key": key})  # type: ignore[attr-defined]
                if r.status_code < 300:
                    return r, replica % len(self.stack.doors)
                assert r.status_code in (409, 500, 502, 503, 504), f"{path} {key}: {r.status_code} {r.text}"
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{path} {key} not answered within {within_s}s"
            self.retries += 1
            replica += 1  # the next door
            await asyncio.sleep(0.2)


@pytest.mark.timeout(600)
async def test_cases_walked_through_both_replicas_with_a_worker_killed_lose_and_duplicate_nothing(stack):
    sender, records = Sender(stack), stack.records  # type: ignore[attr-defined]
    cases = [concern_body(ELM, case_id=f"REP-{i:02d}-{uuid.uuid4().hex[:6]}", adult_at_risk={"id": f"A-{100 + i}"})
             for i in range(12)]
    answered: list[tuple[str, str, dict, str, httpx.Response, int]] = []  # user, path, body, key, answer, replica
    gate, done = asyncio.Semaphore(6), asyncio.Event()

    async def walk(i: int, body: dict[str, Any]) -> None:
        case = body["case_id"]
        async with gate:
            requests = [("SSW-1", API_CASES, body, f"raise-{case}")]
            requests += [(USERS[ROLES[step]], f"/cases/{case}/steps/{step}/completions", {"record": RECORDS[step]},
                          f"{case}-{step}") for step in STEPS]
            requests.append(("SSW-1", f"/cases/{case}/developments", {"kind": "agency_contact", "summary": "LA hub called"},
                             f"{case}-dev"))
            for n, (user, path, b, key) in enumerate(requests):
                r, replica = await sender.send(user, path, b, key, replica=i + n)
                answered.append((user, path, b, key, r, replica))
                if len(answered) >= 20:
                    done.set()

    work = asyncio.gather(*(walk(i, b) for i, b in enumerate(cases)))
    await asyncio.wait_for(done.wait(), 120)
    stack.workers[0].kill()  # SIGKILL mid-way: its tasks in flight go to the other worker
    await asyncio.sleep(3)
    await stack.workers[0].restart(stack.client)
    await asyncio.wait_for(work, 300)

    # nothing lost, nothing twice: each case raised once, each step completed once, each request id once
    for body in cases:
        facts = records.stored_facts(body["case_id"])
        assert [f.seq for f in facts] == list(range(1, len(facts) + 1))
        assert [f.type for f in facts].count("ConcernRaised") == 1
        completed = [f.fact.step for f in facts if f.type == "StepCompleted"]
        assert sorted(completed) == sorted(STEPS), completed
        requests = [f.fact.request_id for f in facts if getattr(f.fact, "request_id", None)]
        assert len(requests) == len(set(requests)), requests
        assert {f"{USERS[ROLES[s]]}:{body['case_id']}-{s}" for s in STEPS} | {f"SSW-1:{body['case_id']}-dev"} <= set(requests)

    # sent again to the other replica: the same answer, said to be replayed, and nothing more recorded
    before = records.recorder.max_notification_id()
    for user, path, b, key, first, replica in answered:
        again, _ = await sender.send(user, path, b, key, replica=replica + 1)
        assert again.headers.get("Idempotent-Replayed") == "true", (path, again.text)
        if path == API_CASES:
            assert again.json()["case_id"] == first.json()["case_id"]
        else:
            assert again.json() == first.json(), path
    assert not [e for e in records.recorder.select_notifications(start=before + 1, limit=1000)
                if not e.topic.endswith(("AccessRecorded", "TokenUsed"))]
    print(f"{len(answered)} requests, {sender.retries} sent again after a failure")
    await assert_read_models_equal_a_rebuild(records)


API_CASES = "/cases"


async def test_twins_sent_to_both_replicas_at_once_are_recorded_once_and_answered_alike(stack):
    sender, records = Sender(stack), stack.records  # type: ignore[attr-defined]
    body = concern_body(ELM, case_id=f"TWIN-{uuid.uuid4().hex[:6]}")
    await sender.send("SSW-1", API_CASES, body, f"raise-{body['case_id']}", replica=0)
    case = body["case_id"]
    for n in range(3):  # each time both replicas at once, with one key
        path, b, key = f"/cases/{case}/developments", {"kind": "agency_contact", "summary": f"call {n}"}, f"twin-{n}"
        (a, _), (c, _) = await asyncio.gather(sender.send("SSW-1", path, b, key, replica=0),
                                              sender.send("SSW-1", path, b, key, replica=1))
        assert a.status_code == c.status_code == 200 and a.json() == c.json() == {"case_id": case, "development": n + 1}
        assert sorted(r.headers.get("Idempotent-Replayed", "") for r in (a, c)) == ["", "true"]
    step = "record_concern"
    (a, _), (c, _) = await asyncio.gather(*(sender.send("SSW-1", f"/cases/{case}/steps/{step}/completions",
                                                        {"record": RECORDS[step]}, "twin-step", replica=r) for r in (0, 1)))
    assert a.json() == c.json() and sorted(r.headers.get("Idempotent-Replayed", "") for r in (a, c)) == ["", "true"]
    facts = records.stored_facts(case)
    assert [f.fact.request_id for f in facts if f.type == "DevelopmentRecorded"] == [f"SSW-1:twin-{n}" for n in range(3)]
    assert [f.fact.step for f in facts if f.type == "StepCompleted"] == [step]


async def test_a_session_from_one_replica_works_on_the_other_and_through_the_proxy_and_ends_on_all(stack):
    a, b = (web.base + API for web in stack.webs)
    async with httpx.AsyncClient(timeout=30) as http:
        signed = await http.post(f"{a}/session", json={"user_id": "RM-1", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        cookie = "; ".join(f"{k}={v}" for k, v in signed.cookies.items())  # Secure: sent by hand over http
        on_b = await http.get(f"{b}/session", headers={"Cookie": cookie})
        assert on_b.status_code == 200 and on_b.json()["user_id"] == "RM-1", on_b.text
        for door in stack.doors:
            read = await http.get(f"{door.base}{API}/dashboard", headers={"Cookie": cookie})
            assert read.status_code == 200, (door.name, read.text)
        out = await http.delete(f"{b}/session", headers={"Cookie": cookie, "X-CSRF-Token": on_b.json()["csrf_token"]})
        assert out.status_code == 204, out.text
        for door in stack.doors:  # the same cookie, sent again: ended on both, and through the proxy
            assert (await http.get(f"{door.base}{API}/session", headers={"Cookie": cookie})).status_code == 401


async def test_the_board_on_one_replica_shows_a_step_completed_through_the_other_without_a_reload(stack):
    from playwright.async_api import async_playwright, expect

    from tests.browser_support import CHROMIUM_ARGS, chromium_path, sign_in

    sender = Sender(stack)
    a, b = stack.webs
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = await (await browser.new_context(locale="en-GB", timezone_id="Europe/London")).new_page()
            await sign_in(page, a.base, "RM-1", PASSWORD)
            await page.goto(f"{a.base}/board")
            await page.evaluate("window.__same_page = true")
            body = concern_body(ELM, case_id=f"BOARD-{uuid.uuid4().hex[:6]}")
            await sender.send("SSW-1", API_CASES, body, f"raise-{body['case_id']}", replica=1)  # through B
            row = page.locator(f"tr[data-case='{body['case_id']}'][data-step='record_concern']")
            await expect(row).to_be_visible(timeout=10_000)
            started = time.monotonic()
            await sender.send("SSW-1", f"/cases/{body['case_id']}/steps/record_concern/completions",
                              {"record": RECORDS["record_concern"]}, f"board-{body['case_id']}", replica=1)
            answered = time.monotonic()
            await expect(row).to_have_count(0, timeout=10_000)
            shown = time.monotonic()
            assert await page.evaluate("window.__same_page === true")  # pushed, not reloaded
            await expect(page.locator(f"tr[data-case='{body['case_id']}'][data-step='peer_risk_review']")).to_be_visible()
            print(f"completed through B in {answered - started:.3f}s; on A's board {shown - answered:.3f}s after its answer")
            # the cookie A set is sent to B too (same host): the board there, signed in
            await page.goto(f"{b.base}/board")
            await expect(page.locator(f"tr[data-case='{body['case_id']}'][data-step='peer_risk_review']")).to_be_visible()
        finally:
            await browser.close()


async def test_failed_sign_ins_are_counted_across_replicas_by_the_address_the_proxies_pass_on(stack):
    records = stack.records  # type: ignore[attr-defined]
    accounts = Accounts(records)
    accounts.add_user("THR-1", "User THR-1", PASSWORD, by="test")
    attempts = stack.settings.login_attempts
    # as the TLS proxy sends it: the person's address last; anything before it came from the browser
    forwarded = {"X-Forwarded-For": "198.51.100.66, 203.0.113.9"}
    async with httpx.AsyncClient(timeout=30) as http:
        for n in range(attempts):  # through A, B and the proxy in turn: none alone has seen enough
            door = stack.doors[n % len(stack.doors)]
            wrong = await http.post(f"{door.base}{API}/session", json={"user_id": "THR-1", "password": "nope"},
                                    headers=forwarded)
            assert wrong.status_code == 401, wrong.text
        for door in stack.doors:
            right = await http.post(f"{door.base}{API}/session", json={"user_id": "THR-1", "password": PASSWORD},
                                    headers=forwarded)
            assert right.status_code == 429 and int(right.headers["retry-after"]) > 0, (door.name, right.text)
        other = await http.post(f"{stack.proxy.base}{API}/session", json={"user_id": "RM-1", "password": PASSWORD},
                                headers={"X-Forwarded-For": "203.0.113.10"})
        assert other.status_code == 200, other.text  # another person, elsewhere: not throttled
    refused = [a for a in accounts.access_log() if a.target == "THR-1" and a.action == "login"]
    assert len(refused) == attempts + len(stack.doors) and {a.address for a in refused} == {"203.0.113.9"}


async def assert_read_models_equal_a_rebuild(records) -> None:
    """Once the log has stopped growing and every read model has reached its end: each read model's
    documents (and a listing model's rows) equal those folded from zero."""
    from projections.documents import MemoryDocuments
    from projections.feed import ProjectionFeed
    from projections.registry import open_documents, read_models
    from projections.rows import Tabled

    documents = open_documents(records)
    live = ProjectionFeed(records, documents, read_models())  # attaches the listing models' tables
    deadline, previous = time.monotonic() + 60, -1
    while True:
        end = records.recorder.max_notification_id()
        if end == previous and all(documents.position(m.name) >= end for m in live.models):
            rebuilt = ProjectionFeed(records, MemoryDocuments(), read_models())
            rebuilt.catch_up()
            if records.recorder.max_notification_id() == end:
                break
        assert time.monotonic() < deadline, "the workers' feeds did not reach the end of the log"
        previous = end
        await asyncio.sleep(1)
    for m in live.models:
        assert dict(documents.scan(m.name)) == dict(rebuilt.documents.scan(m.name)), f"{m.name} differs from a rebuild"
        if isinstance(m, Tabled):
            for t in m.tables:
                rows = documents.select(f"SELECT {', '.join(t.columns)} FROM {{{t.name}}}", [])
                expected = [r for key, doc in rebuilt.documents.scan(m.name) for r in m.rows(key, doc).get(t.name, [])]
                assert sorted(tuple(r.values()) for r in rows) == sorted(tuple(r) for r in expected), f"{t.name} rows"
