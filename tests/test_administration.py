"""Administration's use cases (issue 22: casework/administration.py, accounts_admin.py, admin_history.py):
an administrator adds users, grants and revokes roles (an inspector's with its cases and end), closes
accounts and revokes tokens; anyone else is refused with nothing recorded, and the refusal is in the
access log; a bad input is refused in plain words with nothing recorded; an administrator cannot
close their own account, nor take away the last administrator role; the history shows every change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import bootstrap
from casework import accounts_admin as admin
from casework import administration, admin_history
from casework.refusals import AlreadyDone, Invalid, NotFound, NotPermitted
from domain.access import Assignment, Principal
from eventstore.accounts import Accounts, user_stream
from tests.conftest import concern
from tests.pure_case import PureCase

pytestmark = pytest.mark.unit
NOW = datetime(2027, 3, 12, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def ports(settings, records):
    accounts = Accounts(records)
    accounts.add_user("ADM-1", "Ada Admin", None, by="test")
    accounts.grant("ADM-1", Assignment("administrator"), by="test")
    accounts.add_user("RM-1", "Rita Manager", None, by="test")
    accounts.grant("RM-1", Assignment("registered_manager", "SVC-ELM"), by="test")
    return bootstrap.ports(settings, records)


def who(ports, user_id: str) -> Principal:
    return ports.accounts.account(user_id).principal("web", session_id="s")


def facts_of(ports, user_id: str) -> list:
    return [r.fact for r in ports.records.stream(user_stream(user_id))]


def events(ports) -> int:
    return ports.records.recorder.max_notification_id() or 0


def refusals(ports, user_id: str) -> list:
    return [a for a in ports.accounts.access_log(user_id=user_id) if a.user_id == user_id and not a.allowed]


def test_an_administrator_adds_a_user_grants_revokes_and_closes_the_account(ports):
    adm = who(ports, "ADM-1")
    added = admin.add_user(ports, adm, admin.AddUser("TL-4", "Tia Leader", "tia@example.org"), NOW)
    assert (added.value.display_name, added.value.email, added.value.password_hash, added.value.assignments) == (
        "Tia Leader", "tia@example.org", None, []) and not added.replayed
    twice = admin.add_user(ports, adm, admin.AddUser("TL-4", "Tia Leader", "tia@example.org"), NOW)  # a double click
    assert twice.replayed and len(facts_of(ports, "TL-4")) == 2
    with pytest.raises(Invalid, match="There is already a user TL-4"):  # not the same request: refused
        admin.add_user(ports, adm, admin.AddUser("TL-4", "Tia Leader"), NOW)
    granted = admin.grant_role(ports, adm, admin.GrantRole("TL-4", "team_leader", "SVC-ELM"), NOW)
    assert granted.value.assignments == [Assignment("team_leader", "SVC-ELM")] and not granted.replayed
    again = admin.grant_role(ports, adm, admin.GrantRole("TL-4", "team_leader", "SVC-ELM"), NOW)
    assert again.replayed and len(facts_of(ports, "TL-4")) == 3  # added, its email, one grant: not two
    admin.grant_role(ports, adm, admin.GrantRole("TL-4", "operations_director", None), NOW)  # None: said so
    revoked = admin.revoke_role(ports, adm, admin.RevokeRole("TL-4", "team_leader", "SVC-ELM"), NOW)
    assert revoked.assignments == [Assignment("operations_director")]
    closed = admin.deactivate_user(ports, adm, admin.DeactivateUser("TL-4", "a leaver"), NOW)
    assert closed.deactivated_at is not None
    with pytest.raises(AlreadyDone, match="closed already"):
        admin.deactivate_user(ports, adm, admin.DeactivateUser("TL-4"), NOW)
    listed = admin.users(ports, adm, admin.ListUsers(), NOW)
    assert [a.user_id for a in listed] == ["ADM-1", "RM-1", "TL-4"]
    log = [(a.action, a.target, a.channel) for a in ports.accounts.access_log(user_id="TL-4") if a.user_id == "ADM-1"]
    assert log == [("user_added", "TL-4", "web"), ("write", "TL-4", "web"), ("grant", "TL-4", "web"),
                   ("grant", "TL-4", "web"), ("revoke", "TL-4", "web"), ("revoke", "TL-4", "web")]


def test_an_inspectors_grant_names_its_cases_and_end(ports, records):
    adm = who(ports, "ADM-1")
    admin.add_user(ports, adm, admin.AddUser("INS-1", "Ivy Inspector"), NOW)
    case_id = "SG-2027-ADM1"
    case = PureCase(concern("2027-03-01T09:30:00+00:00", case_id=case_id))
    records.record(case_id, 1, case.facts)
    before = events(ports)
    for c, field, words in (
            (admin.GrantRole("INS-1", "inspector"), "cases", "Enter the cases the inspector may read"),
            (admin.GrantRole("INS-1", "inspector", cases=(case_id,)), "until", "Enter the date"),
            (admin.GrantRole("INS-1", "inspector", cases=(case_id,), until=NOW - timedelta(days=1)), "until", "has passed"),
            (admin.GrantRole("INS-1", "inspector", cases=(case_id,), until=NOW + timedelta(days=93)), "until", "at most 92 days"),
            (admin.GrantRole("INS-1", "inspector", cases=("SG-NOPE",), until=NOW + timedelta(days=9)), "cases", "There is no case SG-NOPE"),
            (admin.GrantRole("INS-1", "inspector", "SVC-ELM", (case_id,), NOW + timedelta(days=9)), "service",
             "The role inspector is held across the whole organisation: choose Across the organisation, not a service"),
            (admin.GrantRole("INS-1", "team_leader", "SVC-ELM", (case_id,)), "cases", "Only an inspector's access"),
            (admin.GrantRole("INS-1", "chief", "SVC-ELM"), "role", "Choose a role from the list"),
            (admin.GrantRole("INS-1", "team_leader", "SVC ELM"), "service", "is not an id")):
        with pytest.raises(Invalid, match=words) as refused:
            admin.grant_role(ports, adm, c, NOW)
        assert refused.value.details["field"] == field
    assert events(ports) - before == 9  # nine lines in the access log, and no grant
    assert ports.accounts.account("INS-1").assignments == []
    done = admin.grant_role(ports, adm, admin.GrantRole("INS-1", "inspector", cases=(case_id,), until=NOW + timedelta(days=30)), NOW)
    assert done.value.assignments == [Assignment("inspector", None, (case_id,), NOW + timedelta(days=30))]


def test_a_role_held_at_a_service_is_across_the_organisation_only_when_that_is_chosen(ports):
    """A fresh-clone trial: "Team leader" granted with "Where" left as it was gave a team leader at every
    service. Nothing chosen ("") is refused by the Where question, in the access log, nothing granted;
    None is across the organisation, said so; a role held only across the organisation needs no choice."""
    adm = who(ports, "ADM-1")
    admin.add_user(ports, adm, admin.AddUser("TL-4", "Tia Leader"), NOW)
    before = events(ports)
    for c in (admin.GrantRole("TL-4", "team_leader"), admin.GrantRole("TL-4", "operations_director", "")):
        with pytest.raises(Invalid, match=r"^Choose where they hold the role: a service, or Across the organisation\.$") as no:
            admin.grant_role(ports, adm, c, NOW)
        assert no.value.details["field"] == "service" and no.value.details["where_unchosen"]
    assert ports.accounts.account("TL-4").assignments == [] and events(ports) - before == 2  # the refusals, logged
    assert [a.reason for a in refusals(ports, "ADM-1")][-2:] == ["grant a role refused: service"] * 2
    admin.grant_role(ports, adm, admin.GrantRole("TL-4", "operations_director", None), NOW)
    admin.grant_role(ports, adm, admin.GrantRole("TL-4", "commissioner"), NOW)  # held only across the organisation
    assert ports.accounts.account("TL-4").assignments == [Assignment("operations_director"), Assignment("commissioner")]


def test_a_bad_new_user_is_refused_in_plain_words_with_nothing_recorded(ports):
    adm = who(ports, "ADM-1")
    for c, field, words in ((admin.AddUser("", "Tia"), "user_id", "Enter the person's user id"),
                            (admin.AddUser("Tia Leader", "Tia"), "user_id", "is not an id"),
                            (admin.AddUser("TL-5", " "), "display_name", "Enter the person's name"),
                            (admin.AddUser("TL-5", "Tia", "not-an-address"), "email", "The email address is not one"),
                            (admin.AddUser("TL-5", "Tia", password="password1234"), "password", "too easy to guess"),
                            (admin.AddUser("RM-1", "Rita again"), "user_id", "There is already a user RM-1")):
        with pytest.raises(Invalid, match=words) as refused:
            admin.add_user(ports, adm, c, NOW)
        assert refused.value.details["field"] == field
    assert ports.accounts.account("TL-5") is None and ports.accounts.account("RM-1").display_name == "Rita Manager"
    assert [a.reason for a in refusals(ports, "ADM-1") if a.action == "write"] == [
        f"add a user refused: {f}" for f in ("user_id", "user_id", "display_name", "email", "password", "user_id")]


def test_anyone_but_an_administrator_is_refused_nothing_recorded_and_the_refusal_is_logged(ports):
    rm = who(ports, "RM-1")
    attempts = [(admin.add_user, admin.AddUser("TL-9", "Tia")), (admin.grant_role, admin.GrantRole("RM-1", "administrator")),
                (admin.revoke_role, admin.RevokeRole("ADM-1", "administrator")), (admin.deactivate_user, admin.DeactivateUser("ADM-1")),
                (admin.users, admin.ListUsers()), (admin.user, admin.ReadUser("ADM-1")),
                (administration.tokens, administration.ListTokens()), (administration.revoke_token, administration.RevokeToken("ab12")),
                (administration.overview, administration.ReadOverview()), (admin_history.history, admin_history.ReadHistory())]
    for use_case, c in attempts:
        before = len(facts_of(ports, "RM-1")), len(facts_of(ports, "ADM-1"))
        with pytest.raises(NotPermitted, match="Only an administrator can .* You are a registered manager at SVC-ELM."):
            use_case(ports, rm, c, NOW)
        assert (len(facts_of(ports, "RM-1")), len(facts_of(ports, "ADM-1"))) == before
    assert ports.accounts.account("TL-9") is None
    logged = refusals(ports, "RM-1")
    assert len(logged) == len(attempts) and all(a.action == "refused" and "Only an administrator" in a.reason for a in logged)


def test_an_administrator_cannot_close_their_own_account_nor_remove_the_last_administrator(ports):
    adm = who(ports, "ADM-1")
    before = len(facts_of(ports, "ADM-1"))
    with pytest.raises(NotPermitted, match="You cannot close your own account"):
        admin.deactivate_user(ports, adm, admin.DeactivateUser("ADM-1"), NOW)
    with pytest.raises(NotPermitted, match=r"Ada Admin \(ADM-1\) is the only administrator, so their administrator role "
                                           "cannot be revoked"):
        admin.revoke_role(ports, adm, admin.RevokeRole("ADM-1", "administrator"), NOW)
    operator = Principal.local_operator(None, None, "users deactivate", "ops")  # the CLI's: the guard holds for it too
    with pytest.raises(NotPermitted, match="is the only administrator, so their account cannot be closed"):
        admin.deactivate_user(ports, operator, admin.DeactivateUser("ADM-1"), NOW)
    assert len(facts_of(ports, "ADM-1")) == before
    assert [a.reason[:30] for a in refusals(ports, "ADM-1")] == ["You cannot close your own acco", "Ada Admin (ADM-1) is the only "]
    # with a second administrator, the first may step down (and is then refused)
    admin.grant_role(ports, adm, admin.GrantRole("RM-1", "administrator"), NOW)
    admin.revoke_role(ports, adm, admin.RevokeRole("ADM-1", "administrator"), NOW)
    with pytest.raises(NotPermitted, match="Only an administrator can"):
        admin.users(ports, who(ports, "ADM-1"), admin.ListUsers(), NOW)
    with pytest.raises(NotPermitted, match=r"Rita Manager \(RM-1\) is the only administrator"):
        admin.revoke_role(ports, who(ports, "RM-1"), admin.RevokeRole("RM-1", "administrator"), NOW)


def test_tokens_are_listed_and_revoked_once(ports):
    adm = who(ports, "ADM-1")
    issued = ports.accounts.issue_token("RM-1", "rota integration", None, timedelta(days=30), by="test")
    [row] = administration.tokens(ports, adm, administration.ListTokens(), datetime.now(timezone.utc))
    assert (row.holder, row.live, row.token.name) == ("Rita Manager (RM-1)", True, "rota integration")
    done = administration.revoke_token(ports, adm, administration.RevokeToken(issued.token.token_id), NOW)
    again = administration.revoke_token(ports, adm, administration.RevokeToken(issued.token.token_id), NOW)
    assert done.value.revoked_at is not None and not done.replayed and again.replayed
    with pytest.raises(NotFound, match="There is no such API token"):
        administration.revoke_token(ports, adm, administration.RevokeToken("nope"), NOW)
    revoked = [a for a in ports.accounts.access_log() if a.action == "token_revoked"]
    assert [(a.user_id, a.target) for a in revoked] == [("ADM-1", f"RM-1/{issued.token.token_id}")]


def test_the_history_says_who_did_what_to_whom(ports):
    adm = who(ports, "ADM-1")
    admin.add_user(ports, adm, admin.AddUser("TL-4", "Tia Leader"), NOW)
    admin.grant_role(ports, adm, admin.GrantRole("TL-4", "team_leader", "SVC-ELM"), NOW)
    token = ports.accounts.issue_token("TL-4", "rota", None, timedelta(days=1), by="ADM-1").token
    administration.revoke_token(ports, adm, administration.RevokeToken(token.token_id), NOW)
    admin.deactivate_user(ports, adm, admin.DeactivateUser("TL-4", "a leaver"), NOW)
    entries = admin_history.history(ports, adm, admin_history.ReadHistory("TL-4"), NOW)
    assert [(e.by, e.what, e.whom) for e in entries] == [
        ("ADM-1", "Closed the account: a leaver", "TL-4"), ("ADM-1", "Revoked the API token \u201crota\u201d", "TL-4"),
        ("ADM-1", "Issued the API token \u201crota\u201d", "TL-4"),
        ("ADM-1", "Granted the role team leader at SVC-ELM", "TL-4"), ("ADM-1", "Added the account", "TL-4")]
    everything = admin_history.history(ports, adm, admin_history.ReadHistory(), NOW)
    assert everything[-1].what == "Added the account" and everything[-1].whom == "ADM-1"
    assert "Granted the role administrator across the organisation" in [e.what for e in everything]


def test_the_first_administrator_is_made_with_the_cli_through_the_same_use_cases(offline):
    import json

    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "ADM-1", "--name", "Ada Admin", "--json"])
    assert added.exit_code == 0, added.output
    granted = runner.invoke(app, ["users", "grant", "ADM-1", "administrator"])
    assert granted.exit_code == 0 and "ADM-1 now holds administrator organisation-wide" in granted.output
    at_a_service = runner.invoke(app, ["users", "grant", "ADM-1", "administrator", "--service", "SVC-ELM"])
    # said for the command's option, not the page's "Where" choice
    assert at_a_service.exit_code == 2 and ("The role administrator is held across the whole organisation: leave out "
                                            "--service.") in at_a_service.output
    assert "Across the organisation" not in at_a_service.output
    last = runner.invoke(app, ["users", "revoke", "ADM-1", "administrator"])
    assert last.exit_code == 2 and "Ada Admin (ADM-1) is the only administrator" in last.output
    listed = runner.invoke(app, ["users", "list"])
    assert "administrator organisation-wide" in listed.output
    log = runner.invoke(app, ["access-log", "--user", "ADM-1", "--json"])
    lines = json.loads(log.stdout)
    assert [(x["action"], x["what"], x["channel"], x["user_id"].startswith("cli:")) for x in lines] == [
        ("user_added", "users add", "cli", True), ("grant", "users grant", "cli", True),
        ("write", "users grant", "cli", True), ("refused", "users revoke", "cli", True)]


def test_the_cli_grants_a_role_held_at_a_service_across_the_organisation_only_when_told(offline):
    """`users grant TL-4 team_leader` (no --service) gave a team leader at every service: the command now asks
    where (--service, or --organisation-wide), as the page and the API do; a role held only across the
    organisation still needs neither."""
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    assert runner.invoke(app, ["users", "add", "TL-4", "--name", "Tia Leader", "--no-password"]).exit_code == 0
    bare = runner.invoke(app, ["users", "grant", "TL-4", "team_leader"])
    assert bare.exit_code == 2 and ("Say where they hold the role: --service SVC-ID, or --organisation-wide."
                                    in bare.output), bare.output
    both = runner.invoke(app, ["users", "grant", "TL-4", "team_leader", "--service", "SVC-ELM", "--organisation-wide"])
    assert both.exit_code == 2 and "either --service or --organisation-wide, not both" in both.output, both.output
    listed = runner.invoke(app, ["users", "list"]).output
    assert "team_leader" not in listed
    wide = runner.invoke(app, ["users", "grant", "TL-4", "team_leader", "--organisation-wide"])
    assert wide.exit_code == 0 and "TL-4 now holds team_leader organisation-wide" in wide.output, wide.output
    commissioner = runner.invoke(app, ["users", "grant", "TL-4", "commissioner"])
    assert commissioner.exit_code == 0 and "TL-4 now holds commissioner organisation-wide" in commissioner.output


def test_an_administrator_keeps_every_services_rota_and_reads_no_case(ports, settings):
    from casework import alerting
    from domain.access import keeps_a_rota, keeps_every_rota, may_keep_rota, may_read_case

    settings.services = {"SVC-ELM": {"name": "Elm House", "provider": "Northgate Care", "client_group": "older people"},
                         "SVC-OAK": {"name": "Oak Lodge", "provider": "Northgate Care", "client_group": "older people"}}
    adm, rm = who(ports, "ADM-1"), who(ports, "RM-1")
    assert keeps_a_rota(adm) and keeps_every_rota(adm) and not keeps_every_rota(rm)
    assert may_keep_rota(adm, "SVC-OAK").role == "administrator" and not may_keep_rota(rm, "SVC-OAK")
    assert not may_read_case(adm, "SG-1", "SVC-ELM", NOW)  # the role reads no case
    assert alerting.rota_services(ports, adm) == ("SVC-ELM", "SVC-OAK")
    view = alerting.rota(ports, adm, alerting.ReadRota("SVC-ELM", "registered_manager"), NOW)
    assert view.holders == (("RM-1", "Rita Manager"),)
    start = datetime(2027, 3, 12, 17, 0, tzinfo=timezone.utc)
    done = alerting.set_on_call(ports, adm, alerting.SetOnCall("SVC-ELM", "registered_manager", "RM-1", start,
                                                               start + timedelta(hours=16)), NOW)
    assert [(e.user_id, e.by) for e in done.entries] == [("RM-1", "ADM-1")]
    entries = admin_history.history(ports, adm, admin_history.ReadHistory("RM-1"), NOW)
    assert entries[0].what == "Put on call as registered manager at SVC-ELM" and entries[0].start == start


def test_an_administrator_cannot_give_themselves_a_role(ports):
    """The administrator role reads no case; a staff role given to oneself would be a way round that."""
    adm = who(ports, "ADM-1")
    before = len(facts_of(ports, "ADM-1"))
    with pytest.raises(NotPermitted, match="You cannot give yourself a role"):
        admin.grant_role(ports, adm, admin.GrantRole("ADM-1", "registered_manager", "SVC-ELM"), NOW)
    assert len(facts_of(ports, "ADM-1")) == before
    assert [a.reason[:30] for a in refusals(ports, "ADM-1")] == ["You cannot give yourself a rol"]
    assert not who(ports, "ADM-1").roles_at("SVC-ELM")
