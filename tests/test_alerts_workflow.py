"""Alerts from the case's workflow (issue 20), on the time-skipping server with a real SMTP server
and a local server answering as GOV.UK Notify does: a live-risk escalation at 19:42 on a Sunday
reaches the on-call DSL by email and text at once; not acknowledged in 15 minutes, it pages the
next role up; acknowledged, it stops. Each message sent is a fact in the case's stream."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from configuration.settings import Settings
from domain.access import Assignment
from domain.concern import Acknowledgement
from eventstore.accounts import Accounts
from eventstore.oncall import OnCallRota
from tests.conftest import concern
from tests.servers.mail import MailServer
from tests.servers.notify import NotifyServer, alerting_settings
from workflows.concern import SafeguardingConcernWorkflow

UTC = timezone.utc
SUNDAY = datetime(2027, 3, 14, 19, 30, tzinfo=UTC)
DSL, OD = "designated_safeguarding_lead", "operations_director"


@pytest.fixture
def mail(request):
    with MailServer(refuse_first=getattr(request, "param", 0)) as server:  # refusing its first attempts, if asked
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
    for user, role, email, mobile in (("DSL-2", DSL, "dee@example.org", "07700900123"),
                                      ("OD-1", OD, "olu@example.org", "07700900125")):
        accounts.add_user(user, user, None, by="test")
        accounts.grant(user, Assignment(role, "SVC-ELM"), by="test")
        accounts.set_contact(user, email, mobile, True, by="test")
    OnCallRota(records).set("SVC-ELM", DSL, "DSL-2", SUNDAY - timedelta(hours=2), SUNDAY + timedelta(hours=12), by="test")
    OnCallRota(records).set("SVC-ELM", OD, "OD-1", SUNDAY - timedelta(hours=2), SUNDAY + timedelta(hours=12), by="test")


async def settled(case, fact_type: str, n: int) -> list:
    deadline = time.monotonic() + 120  # a bound for what never happens, not a speed target
    while time.monotonic() < deadline:
        found = [f for f in case.facts() if f.type == fact_type]
        if len(found) >= n:
            return found
        await case.driver.env.sleep(timedelta(seconds=1))
    raise AssertionError(f"fewer than {n} {fact_type} on {case.id}: {case.types()}")


async def test_a_sunday_evening_live_risk_pages_the_on_call_dsl_then_climbs_until_acknowledged(driver, records, mail, notify):
    people(records)
    case = await driver.raise_concern(concern(SUNDAY.isoformat(), case_id="AL-1"))
    await case.at("2027-03-14T19:35:00+00:00")
    await case.complete("record_concern")
    await case.at("2027-03-14T19:42:00+00:00")
    await case.complete("peer_risk_review", source_still_has_access=True)  # live risk: to the DSL at once
    sent = await settled(case, "AlertSent", 2)
    assert [(f.fact.user_id, f.fact.channel, f.fact.via) for f in sent] == [("DSL-2", "email", "smtp"), ("DSL-2", "text", "notify")]
    raised = [f.fact for f in case.facts() if f.type == "AlertRaised"]
    assert (raised[0].to_role, raised[0].rung, raised[0].acknowledge_by - raised[0].at) == (DSL, 1, timedelta(minutes=15))
    assert mail.mailbox.messages[0]["Subject"] == "Urgent: Safeguarding escalation for case AL-1"
    assert "https://sg.example/cases/AL-1" in mail.mailbox.messages[0].get_payload()
    # nobody acknowledges: 15 minutes on, the operations director is paged
    await case.at("2027-03-14T19:58:00+00:00")
    sent = await settled(case, "AlertSent", 4)
    assert [(f.fact.user_id, f.fact.channel) for f in sent[2:]] == [("OD-1", "email"), ("OD-1", "text")]
    # the operations director, paged on the ladder, acknowledges: nothing more is sent
    escalation = next(f.fact for f in case.facts() if f.type == "Escalated")
    await case.handle.execute_update(SafeguardingConcernWorkflow.acknowledge_escalation, Acknowledgement(
        escalation_id=escalation.escalation_id, role=OD, actor="OD-1", note="called the home: the source moved to another unit"))
    await case.at("2027-03-14T21:00:00+00:00")
    assert len([f for f in case.facts() if f.type == "AlertSent"]) == 4
    # no personal data in any message sent
    told = " ".join(m.get_payload() for m in mail.mailbox.messages) + " ".join(
        r["body"]["personalisation"]["body"] for r in notify.requests)
    assert "A-117" not in told and "A-204" not in told and "blocked the lounge door" not in told


async def test_a_gap_in_the_rota_goes_straight_up(driver, records, mail):
    people(records)
    case = await driver.raise_concern(concern("2027-03-15T08:00:00+00:00", case_id="AL-2"))  # Monday 08:00: after the cover
    await case.complete("record_concern")
    await case.complete("peer_risk_review", source_still_has_access=True)
    not_delivered = await settled(case, "AlertNotDelivered", 1)
    assert not_delivered[0].fact.reason == "nobody who would be alerted could be reached"
    raised = [f.fact for f in case.facts() if f.type == "AlertRaised"]
    assert [(r.rung, r.to_role) for r in raised][:2] == [(1, DSL), (2, OD)]


async def test_the_alerts_show_in_the_chronology_and_the_evidence_pack(driver, records, tmp_path):
    """An inspector can see who was told, when and how: the alert facts are in the record they read."""
    from evidence.pack import build_pack
    from evidence.render import html as render_html
    from projections.registry import open_documents
    from projections.case_history import chronology
    people(records)
    case = await driver.raise_concern(concern(SUNDAY.isoformat(), case_id="AL-3"))
    await case.complete("record_concern")
    await case.complete("peer_risk_review", source_still_has_access=True)
    await settled(case, "AlertSent", 2)
    rows = chronology(records.stored_facts("AL-3"))
    assert [r["type"] for r in rows].count("AlertSent") == 2
    pack = build_pack(records, open_documents(records), "AL-3", generated_by="test", generated_at=datetime(2027, 3, 15, tzinfo=UTC))
    html = render_html(pack)
    assert "dee@example.org" not in html + pack.model_dump_json() and "07700900123" not in html
    assert "DSL-2" in html  # who was told


async def test_a_deadline_approaching_tells_the_steps_role_once_by_email(driver, records, mail):
    people(records)
    accounts = Accounts(records)
    accounts.add_user("S-9", "S-9", None, by="test")
    accounts.grant("S-9", Assignment("senior_support_worker", "SVC-ELM"), by="test")
    accounts.set_contact("S-9", "sam@example.org", "07700900126", True, by="test")
    case = await driver.raise_concern(concern("2027-03-15T10:00:00+00:00", case_id="AL-4"))  # record_concern due 10:15
    await case.at("2027-03-15T10:12:00+00:00")
    [sent] = await settled(case, "AlertSent", 1)
    told = next(f.fact for f in case.facts() if f.type == "DeadlineApproaching")
    assert (told.step, told.to_role, told.at.isoformat()) == ("record_concern", "senior_support_worker", "2027-03-15T10:10:00+00:00")
    assert (sent.fact.alert_id, sent.fact.user_id, sent.fact.channel) == (told.alert_id, "S-9", "email")
    [message] = mail.mailbox.messages
    assert message["Subject"] == "Deadline approaching for case AL-4" and "10:15 (GMT)" in message.get_payload()
    await case.at("2027-03-15T10:14:00+00:00")
    await case.complete("record_concern")
    await case.at("2027-03-15T11:00:00+00:00")
    about = [m["Subject"] for m in mail.mailbox.messages if m["Subject"].startswith("Deadline approaching")]
    assert about == ["Deadline approaching for case AL-4"]  # once (peer_risk_review's role has nobody: not told)


@pytest.mark.parametrize("mail", [2], indirect=True)
async def test_a_mail_server_refusing_at_first_delays_the_alert_and_the_chronology_shows_both(driver, records, mail):
    from projections.case_history import chronology
    people(records)
    case = await driver.raise_concern(concern(SUNDAY.isoformat(), case_id="AL-5"))
    await case.complete("record_concern")
    await case.complete("peer_risk_review", source_still_has_access=True)
    sent = await settled(case, "AlertSent", 2)
    assert {f.fact.channel for f in sent} == {"email", "text"} and len(mail.mailbox.messages) == 1
    [delayed] = [f.fact for f in case.facts() if f.type == "AlertDelayed"]
    assert delayed.failed_attempts == 2 and len(delayed.failures) == 2, delayed
    assert all("try again" in why.lower() or "451" in why for why in delayed.failures), delayed.failures
    assert "@" not in " ".join(delayed.failures)  # never the address
    types = [r["type"] for r in chronology(records.stored_facts("AL-5"))]
    assert types.index("AlertDelayed") < types.index("AlertSent")


async def policy_asked(case) -> int:
    """How often the case asked the worker for the alert policy (its local activity's markers)."""
    history = await case.handle.fetch_history()
    return sum(1 for e in history.events if e.HasField("marker_recorded_event_attributes")
               and b"alert_policy" in e.marker_recorded_event_attributes.SerializeToString())


async def test_a_case_raised_before_a_channel_was_set_up_alerts_at_its_next_escalation(driver, records, mail, monkeypatch):
    """No channel when it was raised (asked once: none); the channel set up after (the worker's
    senders say so from then), its next escalation is alerted: it asks again when it escalates. (A
    second worker on the time-skipping server would wait on the first's sticky queue.)"""
    from alerts.senders import Senders
    people(records)
    monkeypatch.setattr(Senders, "can_email", property(lambda self: False))
    monkeypatch.setattr(Senders, "can_text", property(lambda self: False))
    case = await driver.raise_concern(concern(SUNDAY.isoformat(), case_id="AL-6"))  # asked (none) as it opened
    await case.complete("record_concern")
    assert await policy_asked(case) == 0  # in the raise's own step (alerts-at-open), not one of its own
    assert not [f for f in case.facts() if f.type.startswith("Alert")]
    monkeypatch.undo()  # the operator sets SMTP and Notify up
    await case.complete("peer_risk_review", source_still_has_access=True)  # live risk: escalated to the DSL
    sent = await settled(case, "AlertSent", 2)
    assert [(f.fact.user_id, f.fact.channel) for f in sent] == [("DSL-2", "email"), ("DSL-2", "text")]
    assert await policy_asked(case) == 1  # asked again at the escalation


async def test_a_decision_reviews_alerts_name_it_by_its_recorded_title(driver, records, mail):
    """A correction's review (issue 22) is not a pathway step: its alerts name it as its amendment
    recorded it, never by its step id put in words."""
    people(records)
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", case_id="AL-R"))
    await case.at("2027-01-12T09:40:00+00:00")
    await case.complete("record_concern")
    await case.complete("peer_risk_review")
    await case.complete("seriousness_assessment", actor="RM-1")
    await case.amend("seriousness_assessment", "fear was seen at lunch too", actor="RM-1", notes="fear at lunch")
    await case.at("2027-01-15T12:00:00+00:00")  # its review not done within 2 working days: escalated to the DSL
    escalated = next(f.fact for f in case.facts() if f.type == "Escalated" and f.fact.step == "decision_review")
    deadline = time.monotonic() + 120  # a bound for what never happens, not a speed target
    while not any(f.type == "AlertSent" and f.fact.alert_id.startswith(f"{escalated.escalation_id}.")
                  and f.fact.user_id == "DSL-2" for f in case.facts()):
        assert time.monotonic() < deadline, case.types()
        await case.driver.env.sleep(timedelta(seconds=1))
    told = [f"{m['Subject']}\n{m.get_payload()}" for m in mail.mailbox.messages]
    assert any("Step: Review the threshold decision after a correction" in t for t in told), told
    assert not [t for t in told if "decision review" in t.lower() or "decision_review" in t]
