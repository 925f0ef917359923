"""The on-call rota (issue 20): who is on call at an instant, the gaps out of working hours, and
setting it (someone who holds the role at the service, for at most a month, refused in words)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from cli.main import app
from domain.access import Assignment
from domain.deadlines import WorkingCalendar
from domain.oncall import OnCallSet, Rota, in_working_hours, out_of_hours_gaps
from eventstore.accounts import AccountError, Accounts
from eventstore.oncall import OnCallRota

pytestmark = pytest.mark.unit
UTC = timezone.utc
FRI = datetime(2027, 3, 12, 17, 0, tzinfo=UTC)  # Friday 17:00 GMT: the working day ends
CAL = WorkingCalendar().with_holidays(WorkingCalendar().holidays_for(2027, 2028))


def entry(user: str, start: datetime, hours: float) -> OnCallSet:
    return OnCallSet(at=start, service="SVC-ELM", role="designated_safeguarding_lead", user_id=user, start=start,
                     end=start + timedelta(hours=hours), by="test")


def test_who_is_on_call_and_the_gaps_out_of_hours():
    rota = Rota("SVC-ELM", "designated_safeguarding_lead",
                (entry("DSL-2", FRI, 40), entry("DSL-3", FRI + timedelta(hours=24), 8)))  # DSL-3 covers Saturday evening
    assert rota.on_call(FRI + timedelta(hours=1)) == "DSL-2"
    assert rota.on_call(FRI + timedelta(hours=26)) == "DSL-3"  # the later entry takes its place
    assert rota.on_call(FRI + timedelta(hours=41)) is None  # Sunday 10:00: a gap
    assert not in_working_hours(CAL, FRI + timedelta(hours=41)) and in_working_hours(CAL, FRI - timedelta(hours=1))
    gaps = out_of_hours_gaps(rota, CAL, FRI, FRI + timedelta(days=3))
    assert gaps == [(FRI + timedelta(hours=40), datetime(2027, 3, 15, 9, 0, tzinfo=UTC))]  # Sunday 09:00 to Monday 09:00


def test_setting_the_rota_is_checked_and_refused_in_words(records):
    accounts = Accounts(records)
    accounts.add_user("DSL-2", "Dee Lead", None, by="test")
    accounts.grant("DSL-2", Assignment("designated_safeguarding_lead", "SVC-ELM"), by="test")
    accounts.add_user("TL-4", "Tia Leader", None, by="test")
    rota = OnCallRota(records)
    rota.set("SVC-ELM", "designated_safeguarding_lead", "DSL-2", FRI, FRI + timedelta(hours=64), by="test")
    for user, start, end, words in (
            ("TL-4", FRI, FRI + timedelta(hours=1), "TL-4 does not hold designated safeguarding lead at SVC-ELM"),
            ("DSL-9", FRI, FRI + timedelta(hours=1), "no active user DSL-9"),
            ("DSL-2", FRI, FRI - timedelta(hours=1), "--to must be after --from"),
            ("DSL-2", FRI, FRI + timedelta(days=40), "one entry covers at most 31 days")):
        with pytest.raises(AccountError, match=words):
            rota.set("SVC-ELM", "designated_safeguarding_lead", user, start, end, by="test")
    assert [e.user_id for e in rota.rota("SVC-ELM", "designated_safeguarding_lead").entries] == ["DSL-2"]  # nothing else


def test_the_commands(offline, monkeypatch, records):
    import cli.oncall as oncall_cli
    monkeypatch.setattr(oncall_cli, "records", lambda: records)
    accounts = Accounts(records)
    accounts.add_user("DSL-2", "Dee Lead", None, by="test")
    accounts.grant("DSL-2", Assignment("designated_safeguarding_lead", None), by="test")  # organisation-wide
    now = datetime.now(UTC).replace(microsecond=0)
    runner = CliRunner()
    done = runner.invoke(app, ["oncall", "set", "SVC-OAK", "designated_safeguarding_lead", "DSL-2",
                               "--from", now.isoformat(), "--to", (now + timedelta(days=2)).isoformat()])
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("DSL-2 is on call for designated safeguarding lead at SVC-OAK from ")
    shown = runner.invoke(app, ["oncall", "show", "SVC-OAK", "designated_safeguarding_lead", "--days", "7"])
    assert shown.exit_code == 0 and ": DSL-2" in shown.stdout and "GAP" in shown.stdout  # days 3 to 7 uncovered
    naive = runner.invoke(app, ["oncall", "set", "SVC-OAK", "designated_safeguarding_lead", "DSL-2",
                                "--from", "2027-03-14T17:00", "--to", "2027-03-15T09:00"])
    assert naive.exit_code == 2 and "has no UTC offset" in naive.stderr


def test_who_an_alert_reaches_in_hours_out_of_hours_and_when_nobody_can_be_reached():
    from domain.oncall import Person, who_to_alert
    dsl2 = Person("DSL-2", {"SVC-ELM": ("designated_safeguarding_lead",)}, email="dee@example.org")
    dsl3 = Person("DSL-3", {"SVC-ELM": ("designated_safeguarding_lead",)}, mobile="07700900123")
    no_details = Person("DSL-4", {"SVC-ELM": ("designated_safeguarding_lead",)})
    org = Person("DSL-9", {None: ("designated_safeguarding_lead",)}, email="org@example.org")
    people = [dsl2, dsl3, no_details, org]
    rota = Rota("SVC-ELM", "designated_safeguarding_lead", (entry("DSL-3", FRI, 40),))
    in_hours = FRI - timedelta(hours=2)  # Friday 15:00
    assert [r.user_id for r in who_to_alert("designated_safeguarding_lead", "SVC-ELM", in_hours, people, rota, CAL)] == ["DSL-2", "DSL-3"]
    sunday_evening = datetime(2027, 3, 14, 19, 42, tzinfo=UTC)  # after DSL-3's cover ended: a gap
    assert who_to_alert("designated_safeguarding_lead", "SVC-ELM", sunday_evening, people, rota, CAL) == []  # one role up
    friday_night = FRI + timedelta(hours=5)
    assert [r.user_id for r in who_to_alert("designated_safeguarding_lead", "SVC-ELM", friday_night, people, rota, CAL)] == ["DSL-3"]
    only_org = [no_details, org]
    assert who_to_alert("designated_safeguarding_lead", "SVC-ELM", in_hours, only_org, rota, CAL) == []
    assert [r.user_id for r in who_to_alert("designated_safeguarding_lead", "SVC-ELM", in_hours, only_org, rota, CAL,
                                            top_of_ladder=True)] == ["DSL-9"]  # organisation-wide: the top only
    gone = Person("DSL-2", dsl2.roles_at, email="dee@example.org", active=False)
    assert [r.user_id for r in who_to_alert("designated_safeguarding_lead", "SVC-ELM", in_hours, [gone, dsl3], rota, CAL)] == ["DSL-3"]
