"""Administration over the API (issue 22): /api/v1/admin/..., thin over the use cases the pages and
the CLI call, against the real app and store (no Temporal: nothing here asks a workflow) and a real
SMTP server for the link to set a password. An administrator is allowed every route; anyone else,
and a token whose scope leaves the administrator role out, is refused (403, in the access log, nothing
recorded); a bad body is a 422 problem with nothing recorded; a request sent again records nothing
more and says so; no answer holds a password's hash, a token's secret or a link's."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

import bootstrap
from domain.access import ADMINISTRATOR, Assignment
from eventstore.accounts import Accounts
from tests.api_support import API, BASE
from tests.browser_support import PASSWORD
from tests.servers.mail import MailServer
from web.app import create_app

pytestmark = pytest.mark.unit
ELM = "SVC-ELM"
SERVICES = {ELM: {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}}
OFF_THE_RECORD = ("domain.identity:AccessRecorded", "domain.identity:TokenUsed")  # the access log, a token's use
LINK = re.compile(r"https://sg\.example/reset/(\S+)")
PROBLEM = "application/problem+json"


@pytest.fixture
def mail():
    with MailServer() as server:
        yield server


class Site:
    def __init__(self, settings, records) -> None:
        self.records, self.accounts = records, Accounts(records)
        for user, name, *held in (("ADM-1", "Ada Admin", Assignment(ADMINISTRATOR)),
                                  ("ADM-2", "Abe Admin", Assignment(ADMINISTRATOR), Assignment("registered_manager", ELM)),
                                  ("RM-1", "Rita Manager", Assignment("registered_manager", ELM))):
            self.accounts.add_user(user, name, PASSWORD, by="test")
            for a in held:
                self.accounts.grant(user, a, by="test")
        self.accounts.set_contact("RM-1", "rita@example.org", None, True, by="test")
        self.app = create_app(settings, records=records)
        self.answers: list[httpx.Response] = []  # every answer, to look for secrets in

    def client(self, user_id: str, scope: tuple[Assignment, ...] | None = None) -> httpx.AsyncClient:
        secret = self.accounts.issue_token(user_id, "test", scope, timedelta(days=1), by="test").secret
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app, client=("10.0.0.7", 50000)),
                                 base_url=BASE + API, headers={"Authorization": f"Bearer {secret}"}, timeout=30,
                                 event_hooks={"response": [self._kept]})

    async def _kept(self, response: httpx.Response) -> None:
        await response.aread()
        self.answers.append(response)

    def mark(self) -> int:
        return self.records.recorder.max_notification_id() or 0

    def recorded_since(self, mark: int) -> list[str]:
        """What was recorded after `mark`, but the access log's lines and a token's use."""
        found = self.records.recorder.select_notifications(start=mark + 1, limit=10_000)
        return [n.topic.rsplit(":", 1)[-1] for n in found if n.topic not in OFF_THE_RECORD]

    def refusals(self, user_id: str, since: datetime) -> list:
        return [a for a in self.accounts.access_log() if a.user_id == user_id and a.action == "refused" and a.at >= since]


@pytest.fixture
def site(settings, records, mail) -> Site:
    settings.smtp_host, settings.smtp_port, settings.smtp_from = "127.0.0.1", mail.port, "alerts@sg.example"
    settings.public_url = "https://sg.example/"
    settings.services = SERVICES
    bootstrap.migrate_services(settings, records)  # as a start records them
    return Site(settings, records)


def in_days(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(microsecond=0).isoformat()


# every route, with a request an administrator may make: (method, path, body)
ROUTES = [
    ("GET", "/admin/users", None),
    ("POST", "/admin/users", {"user_id": "TL-9", "display_name": "Tia Leader", "email": "tia@example.org"}),
    ("GET", "/admin/users/RM-1", None),
    ("POST", "/admin/users/RM-1/grants", {"role": "team_leader", "service": ELM}),
    ("POST", "/admin/users/RM-1/revocations", {"role": "registered_manager", "service": ELM}),
    ("PUT", "/admin/users/RM-1/alerts", {"email": "rita.m@example.org", "mobile": None}),
    ("POST", "/admin/users/RM-1/reset-link", None),
    ("POST", "/admin/users/RM-1/deactivation", {"reason": "left the organisation"}),
    ("GET", "/admin/tokens", None),
    ("POST", "/admin/tokens/{token}/revocation", None),
    ("GET", "/admin/services", None),
    ("POST", "/admin/services", {"service_id": "SVC-ASH", "name": "Ash Court", "provider": "Northgate Care",
                                 "client_group": "older people"}),
    ("PATCH", "/admin/services/SVC-ELM", {"name": "Elm House Nursing"}),
    ("GET", "/admin/history", None),
]


async def test_an_administrator_may_use_every_route(site, records, mail):
    rm_token = site.accounts.issue_token("RM-1", "rota feed", None, timedelta(days=30), by="test").token
    site.accounts.add_user("SSW-3", "Sam Worker", None, by="test")
    async with site.client("ADM-1") as adm:
        for method, path, body in ROUTES:
            r = await adm.request(method, path.format(token=rm_token.token_id), json=body)
            assert r.status_code in (200, 201), (method, path, r.text)
            assert r.headers["content-type"] == "application/json", path
    account = site.accounts.account("RM-1")
    assert account.deactivated_at is not None and account.email == "rita.m@example.org"
    assert [(a.role, a.service) for a in account.assignments] == [("team_leader", ELM)]
    assert site.accounts.account("TL-9").email == "tia@example.org" and site.accounts.token(rm_token.token_id).revoked_at
    [message] = mail.mailbox.messages
    assert message["To"] == "rita.m@example.org" and LINK.search(message.get_payload(decode=True).decode())
    allowed = [a.action for a in site.accounts.access_log() if a.user_id == "ADM-1" and a.allowed]
    for action in ("read", "user_added", "grant", "revoke", "write", "reset_link_issued", "token_revoked"):
        assert action in allowed, action


async def test_what_each_route_answers(site, records, mail, monkeypatch):
    monkeypatch.setattr(Accounts, "case_exists", lambda self, case_id: case_id == "SG-2027-0001")
    async with site.client("ADM-1") as adm:
        users = (await adm.get("/admin/users")).json()
        assert [u["user_id"] for u in users] == ["ADM-1", "ADM-2", "RM-1"]
        assert users[2] == {"user_id": "RM-1", "display_name": "Rita Manager", "kind": "person",
                            "roles": [{"role": "registered_manager", "service": ELM, "cases": [], "until": None}],
                            "password_set": True, "added_at": users[2]["added_at"], "deactivated_at": None,
                            "email": "rita@example.org", "mobile": None, "approaching_alerts": True}
        added = await adm.post("/admin/users", json={"user_id": "INS-1", "display_name": "Ivy Inspector"})
        assert added.status_code == 201 and added.json()["roles"] == [] and not added.json()["password_set"]
        until = in_days(30)
        granted = await adm.post("/admin/users/INS-1/grants", json={"role": "inspector", "cases": ["SG-2027-0001"],
                                                                    "until": until})
        assert granted.status_code == 201 and granted.json()["roles"] == [
            {"role": "inspector", "service": None, "cases": ["SG-2027-0001"], "until": until}]
        alerts = await adm.put("/admin/users/INS-1/alerts", json={"email": "ivy@example.org", "mobile": "07700 900123"})
        assert (alerts.json()["email"], alerts.json()["mobile"]) == ("ivy@example.org", "07700900123")
        sent = await adm.post("/admin/users/INS-1/reset-link")
        assert sent.status_code == 200 and set(sent.json()) == {"user_id", "expires_at", "sent_again"}
        assert sent.json()["user_id"] == "INS-1" and sent.json()["sent_again"] is False
        services = (await adm.get("/admin/services")).json()
        assert [(s["service_id"], s["name"], s["source"]) for s in services] == [(ELM, "Elm House", "settings")]
        added = await adm.post("/admin/services", json={"service_id": "SVC-ASH", "name": "Ash Court", "provider":
                                                        "Northgate Care", "client_group": "older people",
                                                        "company": "Northgate Care Ltd"})
        assert added.status_code == 201 and added.json()["recorded_by"] == "ADM-1" and added.json()["company"]
        changed = await adm.patch("/admin/services/SVC-ASH", json={"company": None, "client_group": "older adults"})
        assert (changed.json()["company"], changed.json()["client_group"], changed.json()["name"]) == (
            None, "older adults", "Ash Court")
        assert changed.json()["changed_by"] == "ADM-1"
        tokens = (await adm.get("/admin/tokens", params={"user_id": "ADM-1"})).json()
        assert [(t["user_id"], t["name"], t["live"]) for t in tokens] == [("ADM-1", "test", True)]
        history = (await adm.get("/admin/history", params={"user_id": "INS-1"})).json()
        assert [e["what"] for e in history] == ["Sent a link to set their password", "Set where Ivy Inspector's alerts go",
                                                "Granted the role inspector of case SG-2027-0001, until",
                                                "Added the account"]
        assert {e["by"] for e in history} == {"ADM-1"} and {e["user_id"] for e in history} == {"INS-1"}
        assert history[2]["until"] == until
        everything = (await adm.get("/admin/history")).json()
        assert (await adm.get("/admin/history", params={"user_id": ""})).json() == everything  # empty: everyone's
        assert "Changed the details of the service SVC-ASH: the client group, the registered company" in [
            e["what"] for e in everything]
        # the guard: one's own account is not closed, nor the last administrator's role taken away
        own = await adm.post("/admin/users/ADM-1/deactivation", json={})
        assert own.status_code == 403 and "You cannot close your own account" in own.json()["detail"]
        mine = await adm.post("/admin/users/ADM-1/grants", json={"role": "registered_manager", "service": ELM})
        assert mine.status_code == 403 and "You cannot give yourself a role" in mine.json()["detail"]
        assert (await adm.get("/admin/users/NOBODY-1")).status_code == 404


async def test_anyone_but_an_administrator_is_refused_with_nothing_recorded(site):
    token = site.accounts.issue_token("ADM-2", "kept", None, timedelta(days=30), by="test").token
    rm = site.client("RM-1")
    since, mark = datetime.now(timezone.utc), site.mark()
    async with rm:
        for method, path, body in ROUTES:
            r = await rm.request(method, path.format(token=token.token_id), json=body)
            assert r.status_code == 403 and r.headers["content-type"] == PROBLEM, (method, path, r.text)
            assert "Only an administrator can" in r.json()["detail"], path
            assert "Rita" not in r.text and "Abe" not in r.text  # nothing of the users read
    assert site.recorded_since(mark) == []
    assert site.accounts.account("TL-9") is None and site.accounts.token(token.token_id).revoked_at is None
    refused = site.refusals("RM-1", since)
    assert len(refused) == len(ROUTES)
    assert {a.what for a in refused} == {f"{m} {API}{p}".replace("{token}", "{token_id}").replace("RM-1", "{user_id}")
                                         .replace("SVC-ELM", "{service_id}") for m, p, _ in ROUTES}


@pytest.mark.parametrize("scope", [(Assignment("registered_manager", ELM),), (Assignment(ADMINISTRATOR, ELM),)],
                         ids=["another role", "administrator at a service"])
async def test_a_token_whose_scope_leaves_the_administrator_role_out_is_refused(site, scope):
    scoped = site.client("ADM-2", scope)
    since, mark = datetime.now(timezone.utc), site.mark()
    async with scoped:
        assert (await scoped.get("/admin/users")).status_code == 403
        added = await scoped.post("/admin/users", json={"user_id": "TL-9", "display_name": "Tia Leader"})
        assert added.status_code == 403 and "Only an administrator can add a user" in added.json()["detail"]
    assert site.recorded_since(mark) == [] and len(site.refusals("ADM-2", since)) == 2
    async with site.client("ADM-2", (Assignment(ADMINISTRATOR),)) as admin_only:  # scoped to it: allowed
        assert (await admin_only.get("/admin/users")).status_code == 200


BAD = [
    ("POST", "/admin/users", {"user_id": "TL-9"}, "the new user: display_name: Field required"),
    ("POST", "/admin/users", {"user_id": "Tia Leader", "display_name": "Tia"}, "is not an id"),
    ("POST", "/admin/users", {"user_id": "TL-9", "display_name": "Tia", "email": "tia"}, "The email address is not one"),
    ("POST", "/admin/users", {"user_id": "TL-9", "display_name": "Tia", "password": "long enough phrase"},
     "Extra inputs are not permitted"),
    ("POST", "/admin/users", {"user_id": "TL-9", "display_name": "Tia", "role": "team_leader"},
     "role comes from who you are signed in as"),
    ("POST", "/admin/users", {"user_id": "RM-1", "display_name": "Rita again"}, "There is already a user RM-1"),
    ("POST", "/admin/users/RM-1/grants", {"role": "wizard"}, "Choose a role from the list."),
    ("POST", "/admin/users/RM-1/grants", {"role": "quality_safeguarding_lead", "service": ELM},
     "held across the whole organisation: send service as null"),
    # a role held at a service, with service left out (or empty): not taken as across the organisation
    ("POST", "/admin/users/RM-1/grants", {"role": "team_leader"},
     "Say where they hold the role: send service as null for across the organisation, or name a service."),
    ("POST", "/admin/users/RM-1/grants", {"role": "team_leader", "service": ""}, "send service as null for across"),
    ("POST", "/admin/users/RM-1/grants", {"role": "inspector", "until": "2027-01-01T00:00:00"}, "timezone"),
    ("POST", "/admin/users/RM-1/grants", {"role": "inspector", "cases": ["SG-1"], "until": "in_days(200)"},
     "lasts at most 92 days"),
    ("POST", "/admin/users/RM-1/grants", {"role": "team_leader", "service": ELM, "actor": "ADM-1"},
     "actor comes from who you are signed in as"),
    ("POST", "/admin/users/RM-1/revocations", {"role": "team_leader", "service": ELM}, "nothing to revoke"),
    ("POST", "/admin/users/RM-1/deactivation", {"reason": "x" * 501}, "The reason"),
    ("PUT", "/admin/users/RM-1/alerts", {"email": "rita@", "mobile": None}, "The email address is not one"),
    ("POST", "/admin/services", {"service_id": "SVC-ASH", "name": "Ash Court", "provider": "Northgate Care"},
     "client_group: Field required"),
    ("POST", "/admin/services", {"service_id": ELM, "name": "Elm", "provider": "P", "client_group": "g"},
     "SVC-ELM is already a service"),
    ("PATCH", "/admin/services/SVC-ELM", {"name": ""}, "Enter the service's name."),
    ("PATCH", "/admin/services/SVC-ELM", {"postcode": "LS1"}, "Extra inputs are not permitted"),
    ("PATCH", "/admin/services/SVC-OAK", {"name": "Oak"}, "There is no service SVC-OAK: add it first."),
]


@pytest.mark.parametrize("method,path,body,words", BAD, ids=[f"{m} {p} {w[:30]}" for m, p, _, w in BAD])
async def test_a_bad_body_is_a_problem_with_nothing_recorded(site, method, path, body, words):
    body = {k: in_days(200) if v == "in_days(200)" else v for k, v in body.items()}
    adm = site.client("ADM-1")
    mark = site.mark()
    async with adm:
        r = await adm.request(method, path, json=body)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, r.text
    assert words in r.json()["detail"] and r.json()["status"] == 422
    assert site.recorded_since(mark) == []


async def test_across_the_organisation_is_service_null_sent_and_a_role_held_only_there_needs_none(site):
    adm = site.client("ADM-1")
    async with adm:
        everywhere = await adm.post("/admin/users/RM-1/grants", json={"role": "team_leader", "service": None})
        commissioner = await adm.post("/admin/users/RM-1/grants", json={"role": "commissioner"})
    assert (everywhere.status_code, commissioner.status_code) == (201, 201), commissioner.text
    assert site.accounts.account("RM-1").assignments == [
        Assignment("registered_manager", ELM), Assignment("team_leader"), Assignment("commissioner")]


async def test_a_body_that_is_not_json_is_refused_with_nothing_recorded(site):
    adm = site.client("ADM-1")
    mark = site.mark()
    async with adm:
        form = await adm.post("/admin/users", data={"user_id": "TL-9", "display_name": "Tia"})
        twice = await adm.post("/admin/services", content=b'{"service_id": "A", "service_id": "B"}',
                               headers={"content-type": "application/json"})
    assert (form.status_code, twice.status_code) == (415, 400)
    assert site.recorded_since(mark) == []


async def test_a_request_sent_again_records_nothing_more_and_says_so(site, mail, monkeypatch):
    monkeypatch.setattr(Accounts, "case_exists", lambda self, case_id: True)
    token = site.accounts.issue_token("RM-1", "rota feed", None, timedelta(days=30), by="test").token
    again = [
        ("POST", "/admin/users", {"user_id": "TL-9", "display_name": "Tia Leader", "email": "tia@example.org"}),
        ("POST", "/admin/users/TL-9/grants", {"role": "team_leader", "service": ELM}),
        ("POST", "/admin/users/TL-9/grants", {"role": "inspector", "cases": ["SG-1"], "until": in_days(10)}),
        ("PUT", "/admin/users/TL-9/alerts", {"email": "tia@example.org", "mobile": "07700 900123"}),
        ("POST", "/admin/users/TL-9/reset-link", None),
        ("POST", f"/admin/tokens/{token.token_id}/revocation", None),
        ("POST", "/admin/services", {"service_id": "SVC-ASH", "name": "Ash Court", "provider": "Northgate Care",
                                     "client_group": "older people"}),
        ("PATCH", "/admin/services/SVC-ASH", {"name": "Ash Court House"}),
    ]
    async with site.client("ADM-1") as adm:
        for method, path, body in again:
            first = await adm.request(method, path, json=body)
            assert first.status_code in (200, 201) and "Idempotent-Replayed" not in first.headers, (path, first.text)
            mark = site.mark()
            second = await adm.request(method, path, json=body)
            assert second.status_code == first.status_code and second.headers["Idempotent-Replayed"] == "true", path
            assert site.recorded_since(mark) == [], path
            if method != "POST" or "reset-link" not in path:
                assert second.json() == first.json(), path
        assert len(mail.mailbox.messages) == 1  # the link, sent once
        assert (await adm.post("/admin/users/TL-9/reset-link")).json()["sent_again"] is True
        # closing an account, and revoking a role, are answered as done already, recording nothing more
        assert (await adm.post("/admin/users/TL-9/revocations", json={"role": "team_leader", "service": ELM})).status_code == 200
        assert (await adm.post("/admin/users/TL-9/deactivation")).status_code == 200
        mark = site.mark()
        closed = await adm.post("/admin/users/TL-9/deactivation")
        assert closed.status_code == 409 and "is closed already" in closed.json()["detail"]
        revoked = await adm.post("/admin/users/TL-9/revocations", json={"role": "team_leader", "service": ELM})
        assert revoked.status_code == 422 and "nothing to revoke" in revoked.json()["detail"]
        assert site.recorded_since(mark) == []


async def test_a_session_sends_its_csrf_token_on_a_write(site):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app, client=("10.0.0.7", 50000)),
                                 base_url=BASE + API, timeout=30) as c:
        signed = await c.post("/session", json={"user_id": "ADM-1", "password": PASSWORD})
        assert signed.status_code == 200
        assert (await c.get("/admin/users")).status_code == 200
        body = {"user_id": "TL-9", "display_name": "Tia Leader"}
        assert (await c.post("/admin/users", json=body)).status_code == 403
        assert site.accounts.account("TL-9") is None
        added = await c.post("/admin/users", json=body, headers={"X-CSRF-Token": signed.json()["csrf_token"]})
        assert added.status_code == 201


async def test_no_answer_holds_a_hash_or_a_secret(site, mail, monkeypatch):
    monkeypatch.setattr(Accounts, "case_exists", lambda self, case_id: True)
    issued = site.accounts.issue_token("RM-1", "rota feed", None, timedelta(days=30), by="test")
    async with site.client("ADM-1") as adm:
        for method, path, body in ROUTES:
            await adm.request(method, path.format(token=issued.token.token_id), json=body)
        await adm.post("/admin/users/TL-9/reset-link")
        for path in ("/admin/users", "/admin/users/RM-1", "/admin/users/TL-9", "/admin/tokens", "/admin/history"):
            assert (await adm.get(path)).status_code == 200
    links = [LINK.search(m.get_payload(decode=True).decode()).group(1) for m in mail.mailbox.messages]
    assert len(links) == 2
    secrets = [issued.secret, *links, *(x.split(".", 1)[1] for x in links),
               *(t.secret_sha256 for t in site.accounts.tokens()),
               *(a.password_hash for a in site.accounts.users() if a.password_hash),
               *(link.secret_sha256 for a in site.accounts.users() for link in a.reset_links)]
    assert len(site.answers) == len(ROUTES) + 6
    for r in site.answers:
        for word in ("$argon2", "sgt_", "password_hash", "secret", "digest", "/reset/", *secrets):
            assert word not in r.text, (r.request.method, r.request.url.path, word)
