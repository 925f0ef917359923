"""The board, My work and the dashboard show, for each escalation, who its alerts reached, rung by
rung, and whether (and by whom) it was acknowledged; and where, in the next 7 days, an alert would
reach nobody: gaps in the on-call rota out of hours, roles nobody reachable holds (issue 20).

The facts are the decider's own (a case run without Temporal, its alerts decided as the workflow
decides them); the board and the API are the real app over a store of the test's own."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from casework import oversight
from casework.on_call_gaps import alerted_roles, out_of_hours, service_warnings, within
from domain.access import Assignment
from domain.alerts import ALERTS
from domain.case import decide_alert_outcome, decide_alerts_adopted
from domain.deadlines import WorkingCalendar
from domain.oncall import OnCallSet, Person, Rota, out_of_hours_gaps
from domain.pathway import current_pathway
from eventstore.accounts import Accounts
from eventstore.events import Recorded, case_stream
from eventstore.oncall import OnCallRota
from projections.dashboard import LiveCases, dashboard
from projections.documents import MemoryDocuments
from projections.feed import fold
from tests.browser_support import PASSWORD
from tests.conftest import concern
from tests.pure_case import PureCase
from web.app import create_app
from web.pages.formats import alert_lines

pytestmark = pytest.mark.unit

UTC = timezone.utc
ELM = {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "older people"}
DSL, OD, NI = "designated_safeguarding_lead", "operations_director", "nominated_individual"
CAL = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def live_risk(case_id: str) -> PureCase:
    """Raised on a Sunday evening; the peer-risk review at 19:42 finds live risk, which escalates (E1)
    to the designated safeguarding lead. Alerts apply (the policy adopted, as the workflow does)."""
    case = PureCase(concern("2027-03-14T19:20:00+00:00", case_id=case_id, service=ELM))
    case.at("2027-03-14T19:25:00+00:00")
    case.complete("record_concern", actor="SSW-14")
    case._record(decide_alerts_adopted(case.state, ALERTS, case.now))
    case.at("2027-03-14T19:42:00+00:00")
    case.complete("peer_risk_review", actor="TL-3", source_still_has_access=True)
    return case


def unanswered() -> PureCase:
    """DSL-2 told by email and text message at 19:42; not acknowledged by 19:57, it climbs to the
    operations director, whom nobody could be reached as, so at once to the nominated individual."""
    case = live_risk("SG-ALERT-1")
    case._record(decide_alert_outcome(case.state, "E1.1", [("DSL-2", "email", "smtp", "<a@x>"),
                                                           ("DSL-2", "text", "notify", "n-1")], False, "", case.now))
    case.at("2027-03-14T19:57:00+00:00")
    case._record(decide_alert_outcome(case.state, "E1.2", [], True, "nobody who would be alerted could be reached", case.now))
    return case


def acknowledged() -> PureCase:
    case = live_risk("SG-ALERT-2")
    case._record(decide_alert_outcome(case.state, "E1.1", [("DSL-2", "email", "smtp", "<b@x>")], False, "", case.now))
    case.at("2027-03-14T19:50:00+00:00")
    case.acknowledge("E1", DSL, actor="DSL-2", note="moved A-204 to the garden room")
    return case


def events(*cases: PureCase) -> list[Recorded]:
    out = []
    for c in cases:
        out += [Recorded(case_stream(c.state.case_id), i, f.at, f) for i, f in enumerate(c.facts, 1)]
    return [Recorded(e.originator_id, e.originator_version, e.timestamp, e.fact, n) for n, e in enumerate(out, 1)]


def test_the_live_cases_model_keeps_who_each_escalation_alerted_and_who_acknowledged():
    log = events(unanswered(), acknowledged())
    assert {"AlertRaised", "AlertSent", "AlertNotDelivered", "EscalationAcknowledged"} <= {e.type for e in log}
    at_once = MemoryDocuments()
    fold(LiveCases(), at_once, log, log[-1].position)
    one_by_one = MemoryDocuments()  # rebuilt from zero a fact at a time: the same documents
    for e in log:
        fold(LiveCases(), one_by_one, [e], e.position)
    assert dict(one_by_one.scan("live_cases")) == dict(at_once.scan("live_cases"))

    view = dashboard(at_once, at("2027-03-14T20:00:00+00:00"), CAL)
    cases = {c["case_id"]: c for c in view["live_cases"]}
    [e1] = [e for e in cases["SG-ALERT-1"]["escalations_outstanding"] if e["escalation_id"] == "E1"]
    assert e1["acknowledged"] is None and cases["SG-ALERT-1"]["escalations_acknowledged"] == []
    assert [(a["alert_id"], a["rung"], a["to_role"]) for a in e1["alerts"]] == [("E1.1", 1, DSL), ("E1.2", 2, OD), ("E1.3", 3, NI)]
    first, second, third = e1["alerts"]
    assert first["sent"] == [{"user_id": "DSL-2", "channel": "email", "via": "smtp", "at": "2027-03-14T19:42:00Z"},
                             {"user_id": "DSL-2", "channel": "text", "via": "notify", "at": "2027-03-14T19:42:00Z"}]
    assert first["acknowledge_by"] == "2027-03-14T19:57:00Z" and first["not_delivered"] is None
    assert second["sent"] == [] and second["not_delivered"]["reason"] == "nobody who would be alerted could be reached"
    assert third["sent"] == [] and third["not_delivered"] is None  # being sent
    assert "<a@x>" not in str(view)  # the provider's reference stays in the chronology

    assert not any(e["escalation_id"] == "E1" for e in cases["SG-ALERT-2"]["escalations_outstanding"])
    [done] = cases["SG-ALERT-2"]["escalations_acknowledged"]
    assert done["acknowledged"] == {"by": "DSL-2", "role": DSL, "at": "2027-03-14T19:50:00Z"}
    assert [a["sent"][0]["user_id"] for a in done["alerts"]] == ["DSL-2"]

    assert alert_lines(e1) == [
        "Alerted the designated safeguarding lead: DSL-2 by email and text message at 19:42 GMT",
        "Then alerted the operations director at 19:57 GMT: nobody could be reached",
        "Then alerting the nominated individual: being sent since 19:57 GMT",
        "Not acknowledged"]
    assert alert_lines(done) == ["Alerted the designated safeguarding lead: DSL-2 by email at 19:42 GMT",
                                 "Acknowledged by DSL-2 (designated safeguarding lead) at 19:50 GMT"]


def test_a_case_keeps_its_last_five_acknowledged_escalations():
    case = live_risk("SG-ALERT-3")
    log = events(case)
    docs = MemoryDocuments()
    fold(LiveCases(), docs, log, log[-1].position)
    doc = dict(docs.scan("live_cases"))[str(case_stream("SG-ALERT-3"))]
    template = doc["escalations"]["E1"]
    from domain.facts import Escalated, EscalationAcknowledged
    more, n = [], len(case.facts)
    for i in range(2, 9):  # seven more escalations, each acknowledged a minute apart
        when = at("2027-03-14T20:00:00+00:00") + timedelta(minutes=i)
        more += [Escalated(at=when, escalation_id=f"E{i}", step="peer_risk_review", occurrence=1, cause="trigger",
                           reason=template["reason"], from_role="team_leader", to_role=DSL),
                 EscalationAcknowledged(at=when, escalation_id=f"E{i}", role=DSL, actor="DSL-2", note="seen")]
    extra = [Recorded(case_stream("SG-ALERT-3"), n + k, f.at, f, log[-1].position + k) for k, f in enumerate(more, 1)]
    fold(LiveCases(), docs, extra, extra[-1].position)
    kept = dashboard(docs, at("2027-03-14T21:00:00+00:00"), CAL)["live_cases"][0]["escalations_acknowledged"]
    assert [e["escalation_id"] for e in kept] == ["E4", "E5", "E6", "E7", "E8"]


# ---- where an alert would reach nobody -------------------------------------------------------


def entry(user: str, start: str, end: str, role: str = DSL) -> OnCallSet:
    return OnCallSet(at=at(start), service="SVC-ELM", role=role, user_id=user, start=at(start), end=at(end), by="RM-1")


PEOPLE = [
    Person("DSL-2", {"SVC-ELM": (DSL,)}, email="dsl2@example.org"),
    Person("DSL-3", {"SVC-ELM": (DSL,)}, mobile="07700900003"),
    Person("DSL-4", {"SVC-ELM": (DSL,)}),  # no contact details
    Person("TL-3", {"SVC-ELM": ("team_leader",)}, email="tl3@example.org"),
    Person("RM-1", {"SVC-ELM": ("registered_manager",)}),  # no contact details
    Person("OD-1", {None: (OD,)}, email="od1@example.org"),
    Person("NI-1", {None: (NI,)}, email="ni1@example.org"),
]


def test_gaps_out_of_hours_and_roles_nobody_reachable_holds_are_told_in_words():
    assert alerted_roles(current_pathway()) == ["team_leader", "registered_manager", DSL, OD, NI]
    now = at("2027-03-12T12:00:00+00:00")  # a Friday noon: the next 7 days
    rotas = {r: Rota("SVC-ELM", r) for r in alerted_roles(current_pathway())}
    rotas[DSL] = Rota("SVC-ELM", DSL, (
        entry("DSL-2", "2027-03-12T17:00:00+00:00", "2027-03-13T17:00:00+00:00"),
        entry("DSL-3", "2027-03-15T09:00:00+00:00", "2027-03-19T12:00:00+00:00"),
        # set later over DSL-3's cover: DSL-4 has no contact details, so nobody can be reached then
        entry("DSL-4", "2027-03-16T20:00:00+00:00", "2027-03-16T22:00:00+00:00"),
    ))
    rotas[OD] = Rota("SVC-ELM", OD, (entry("OD-1", "2027-03-12T12:00:00+00:00", "2027-03-19T12:00:00+00:00", OD),))
    warnings = service_warnings("SVC-ELM", "Elm House", alerted_roles(current_pathway()), current_pathway(), rotas,
                                PEOPLE, CAL, now)
    words = {w["role"]: w["words"] for w in warnings}
    assert words[DSL] == (
        "Nobody who can be alerted is on call for designated safeguarding lead at Elm House from Sat 13 March 17:00 "
        "GMT to Mon 15 March 09:00 GMT and from Tue 16 March 20:00 GMT to Tue 16 March 22:00 GMT: an alert then goes "
        "one role up, to the operations director. DSL-4, on call then, has no email address or mobile number set.")
    dsl = next(w for w in warnings if w["role"] == DSL)
    assert dsl["gaps"][0] == {"start": "2027-03-13T17:00:00+00:00", "end": "2027-03-15T09:00:00+00:00"}
    assert not dsl["holders_unreachable"]
    assert words["team_leader"] == ("Nobody is on call for team leader at Elm House out of working hours in the next "
                                    "7 days: an alert then goes one role up, to the registered manager.")
    assert words["registered_manager"] == (
        "Nobody who holds registered manager at Elm House can be alerted (none has an email address or mobile number "
        "set), and nobody is on call for it out of working hours: at any time an alert then goes one role up, to the "
        "designated safeguarding lead.")
    # held only organisation-wide, the role is passed over in working hours (such holders are alerted only at
    # the top of the ladder); on call all week, it has no gap out of hours
    assert words[OD] == ("Nobody holds operations director at Elm House (those who hold it across the organisation "
                         "are alerted only at the top of the ladder): in working hours an alert then goes one role up, "
                         "to the nominated individual.")
    # the top of the ladder: its organisation-wide holder is alerted in hours, but out of hours nobody is
    assert words[NI] == ("Nobody is on call for nominated individual at Elm House out of working hours in the next "
                         "7 days: an alert then reaches nobody.")

    # the same at 12:07: the stretches still start and end on the hour
    later = service_warnings("SVC-ELM", "Elm House", [DSL], current_pathway(), rotas, PEOPLE, CAL, now + timedelta(minutes=7))
    assert later[0]["words"] == words[DSL]
    # and as out_of_hours_gaps finds them, rota by rota, where the rota's own stretches are on the quarter hour
    for rota in rotas.values():
        assert within(out_of_hours(CAL, now, now + timedelta(days=7)), rota.gaps(now, now + timedelta(days=7))) == \
            out_of_hours_gaps(rota, CAL, now, now + timedelta(days=7))

    covered = {**rotas, DSL: Rota("SVC-ELM", DSL, (entry("DSL-2", "2027-03-12T12:00:00+00:00", "2027-03-19T12:00:00+00:00"),))}
    assert DSL not in {w["role"] for w in service_warnings("SVC-ELM", "Elm House", [DSL], current_pathway(), covered,
                                                          PEOPLE, CAL, now)}


# ---- the board, My work and the API ------------------------------------------------------------

NOW = at("2027-03-14T20:00:00+00:00")


async def signed_in(app, user_id: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver", timeout=30)
    token = re.search(r'name="login_csrf" value="([^"]+)"', (await c.get("/sign-in")).text).group(1)
    r = await c.post("/sign-in", data={"user_id": user_id, "password": PASSWORD, "next": "/", "login_csrf": token})
    assert r.status_code == 303, r.text
    return c


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_board_my_work_and_the_api_show_who_was_alerted_acknowledged_and_the_rota_gaps(settings, records):
    for c in (unanswered(), acknowledged()):
        records.record(c.state.case_id, 1, c.facts)
    accounts = Accounts(records)
    for user, role in (("RM-1", "registered_manager"), ("DSL-2", DSL), ("DSL-3", DSL)):
        accounts.add_user(user, f"User {user}", PASSWORD, by="test")
        accounts.grant(user, Assignment(role, "SVC-ELM"), by="test")
    accounts.set_contact("DSL-2", "dsl2@example.org", None, True, by="test")
    accounts.set_contact("DSL-3", None, "07700900003", True, by="test")

    app = create_app(settings.model_copy(update={"smtp_host": "127.0.0.1"}), records=records, now=lambda: NOW)
    rm = await signed_in(app, "RM-1")
    board = text_of((await rm.get("/board")).text)
    assert ("SG-ALERT-1 (SVC-ELM): Immediate peer-risk review to the designated safeguarding lead" in board
            and "Alerted the designated safeguarding lead: DSL-2 by email and text message at 19:42 GMT "
                "Then alerted the operations director at 19:57 GMT: nobody could be reached "
                "Then alerting the nominated individual: being sent since 19:57 GMT Not acknowledged" in board)
    assert "Escalations acknowledged lately" in board and \
        "Alerted the designated safeguarding lead: DSL-2 by email at 19:42 GMT " \
        "Acknowledged by DSL-2 (designated safeguarding lead) at 19:50 GMT" in board
    # a Sunday evening with no rota at all: out of hours until Monday 09:00, then each weeknight
    assert ("Nobody is on call for designated safeguarding lead at Elm House out of working hours in the next 7 days: "
            "an alert then goes one role up, to the operations director." in board)
    assert "Alerts are not set up" not in board

    # DSL-3 is put on call from now to Monday morning: the board says so at once (the same minute)
    OnCallRota(records).set("SVC-ELM", DSL, "DSL-3", NOW, at("2027-03-15T09:00:00+00:00"), by="RM-1")
    board = text_of((await rm.get("/board")).text)
    assert ("Nobody is on call for designated safeguarding lead at Elm House from Mon 15 March 17:00 GMT to Tue 16 "
            "March 09:00 GMT, from Tue 16 March 17:00 GMT" in board)

    dsl = await signed_in(app, "DSL-2")
    home = text_of((await dsl.get("/")).text)
    assert "Escalations to you" in home and "Then alerted the operations director at 19:57 GMT: nobody could be reached" in home
    assert "Escalations to you acknowledged lately" in home and "Acknowledged by DSL-2 (designated safeguarding lead)" in home

    secret = accounts.issue_token("RM-1", "test", None, timedelta(days=3650), by="test").secret
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver/api/v1",
                                 headers={"Authorization": f"Bearer {secret}"}) as api:
        view = (await api.get("/dashboard")).json()
    cases = {c["case_id"]: c for c in view["live_cases"]}
    [e1] = [e for e in cases["SG-ALERT-1"]["escalations_outstanding"] if e["escalation_id"] == "E1"]
    assert [(a["to_role"], [s["channel"] for s in a["sent"]], a["not_delivered"] is not None) for a in e1["alerts"]] == [
        (DSL, ["email", "text"], False), (OD, [], True), (NI, [], False)]
    assert cases["SG-ALERT-2"]["escalations_acknowledged"][0]["acknowledged"]["by"] == "DSL-2"
    assert view["on_call"]["alerts_set_up"] is True
    warned = {w["role"]: w for w in view["on_call"]["warnings"]}
    assert warned[DSL]["gaps"] and not warned[DSL]["holders_unreachable"] and warned["team_leader"]["holders_unreachable"]
    assert "@" not in str(view["on_call"]) and "07700" not in str(view)  # no address anywhere

    # the same through the application layer, as `deadlines` reads it
    cover = oversight.on_call(app.state.web.ports, accounts.account("RM-1").principal(), NOW)
    assert [w["words"] for w in cover["warnings"]] == [w["words"] for w in view["on_call"]["warnings"]]

    plain = create_app(settings, records=records, now=lambda: NOW)  # no channel configured
    board = text_of((await (await signed_in(plain, "RM-1")).get("/board")).text)
    assert "Alerts are not set up (no email or text message service is configured)" in board
    assert "Nobody is on call" not in board


def test_deadlines_warns_of_the_gaps_on_stderr_and_its_json_is_unchanged(tmp_path, offline, monkeypatch):
    import json

    from typer.testing import CliRunner

    from cli.main import app
    from configuration.settings import Settings, get_settings
    from eventstore.application import SafeguardingRecords

    records = SafeguardingRecords(env=Settings(data_dir=tmp_path).event_store_env())
    case = unanswered()
    records.record(case.state.case_id, 1, case.facts)
    runner = CliRunner()
    text = runner.invoke(app, ["deadlines"])
    assert text.exit_code == 0 and "warning: Alerts are not set up (no email or text message service is configured)" \
        in text.stderr and "Nobody is on call" not in text.stderr
    monkeypatch.setenv("SAFEGUARD_SMTP_HOST", "127.0.0.1")
    get_settings.cache_clear()
    text = runner.invoke(app, ["deadlines"])
    assert "warning: Nobody holds designated safeguarding lead at Elm House, and nobody is on call for it out of " \
           "working hours: at any time an alert then goes one role up, to the operations director." in text.stderr
    assert "Alerts are not set up" not in text.stderr and "SG-ALERT-1" in text.stdout
    as_json = runner.invoke(app, ["deadlines", "--json"])
    assert {r["case_id"] for r in json.loads(as_json.stdout)} == {"SG-ALERT-1"} and "Nobody holds" in as_json.stderr
    oak = runner.invoke(app, ["deadlines", "--service", "SVC-OAK"]).stderr  # no live case there, but named
    assert "Nobody holds designated safeguarding lead at SVC-OAK" in oak and "Elm House" not in oak
