"""Services as data (issue 22): each service a stream of facts, added and changed by administrators
only (a refusal, or a bad detail, records nothing and is in the access log; sent again, nothing
more); the migration from the settings and earlier concerns, at a start and by `safeguard services
migrate`, records each once, a store from before services were data included; the record's details
stand over a concern's (the commissioner records, "as at" an earlier instant as they stood then)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

import bootstrap
from casework import oversight, services
from casework.refusals import Invalid, NotPermitted
from cli.main import app as cli_app
from domain.access import Assignment, Principal
from domain.services import ServiceRecorded
from eventstore.accounts import Accounts
from eventstore.services import ServiceStore
from tests.browser_support import PASSWORD
from tests.test_legacy_store import load_legacy

pytestmark = pytest.mark.unit
UTC = timezone.utc
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ELM = {"name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}
OAK = {"name": "Oak Lodge", "provider": "Oakfield Care", "client_group": "older people"}


def people(records) -> tuple[Principal, Principal]:
    accounts = Accounts(records)
    for user, role, service in (("ADM-1", "administrator", None), ("RM-1", "registered_manager", "SVC-ELM")):
        accounts.add_user(user, f"Person {user}", PASSWORD, by="test")
        accounts.grant(user, Assignment(role, service), by="test")
    return (accounts.account("ADM-1").principal("web", session_id="s"),
            accounts.account("RM-1").principal("web", session_id="s"))


def log_end(records) -> int:
    return records.recorder.max_notification_id() or 0


def lines(records, user_id: str):
    return [a for a in Accounts(records).access_log(user_id=user_id) if a.action in ("write", "refused")]


def test_only_an_administrator_adds_or_changes_a_service_and_nothing_is_recorded_on_a_bad_input(settings, records):
    admin, manager = people(records)
    ports = bootstrap.ports(settings, records)
    store = ServiceStore(records)
    with pytest.raises(NotPermitted, match="Only an administrator can add a service"):
        services.add_service(ports, manager, services.AddService("SVC-ELM", **ELM), NOW)
    with pytest.raises(NotPermitted, match="Only an administrator can change a service's details"):
        services.change_service(ports, manager, services.ChangeService("SVC-ELM", {"name": "Elm"}), NOW)
    with pytest.raises(Invalid) as bad:
        services.add_service(ports, admin, services.AddService("elm house", "", "Northgate\nCare", "x" * 2001), NOW)
    assert bad.value.details["problems"] == {
        "id": "'elm house' is not an id: give the service's id (e.g. SVC-ELM): letters, digits and - _ . only.",
        "name": "Enter the service's name.", "provider": "The provider's name must be on one line.",
        "client_group": "The client group is 2,001 characters: at most 2,000."}
    assert store.facts("SVC-ELM") == store.facts("elm house") == []  # nothing recorded ...
    assert [(a.allowed, a.reason) for a in lines(records, "RM-1")] == [
        (False, "Only an administrator can add a service. You are a registered manager at SVC-ELM."),
        (False, "Only an administrator can change a service's details. You are a registered manager at SVC-ELM.")]
    assert [(a.allowed, a.reason) for a in lines(records, "ADM-1")] == [  # ... and each refusal is in the access log
        (False, "adding a service refused: id, name, provider, client_group")]

    added = services.add_service(ports, admin, services.AddService("SVC-ELM", **ELM), NOW)
    assert not added.replayed and added.value.name == "Elm House" and added.value.recorded_by == "ADM-1"
    end = log_end(records)
    again = services.add_service(ports, admin, services.AddService("SVC-ELM", **ELM), NOW)  # a retry
    assert again.replayed and log_end(records) == end  # records nothing, not even a line of the log
    with pytest.raises(Invalid, match="SVC-ELM is already a service, Elm House: change its details instead"):
        services.add_service(ports, admin, services.AddService("SVC-ELM", **{**ELM, "name": "Elm"}), NOW)
    with pytest.raises(Invalid, match="There is no service SVC-ASH: add it first"):
        services.change_service(ports, admin, services.ChangeService("SVC-ASH", {"name": "Ash"}), NOW)
    with pytest.raises(Invalid, match="Enter the service's name"):
        services.change_service(ports, admin, services.ChangeService("SVC-ELM", {"name": None}), NOW)
    assert len(store.facts("SVC-ELM")) == 1

    changed = services.change_service(ports, admin, services.ChangeService(
        "SVC-ELM", {"name": "Elm House Care Home", "company": "Northgate Care Ltd"}), NOW)
    assert (changed.value.name, changed.value.company, changed.value.changed_by) == ("Elm House Care Home",
                                                                                      "Northgate Care Ltd", "ADM-1")
    assert store.facts("SVC-ELM")[-1].changed == ("name", "company")
    end = log_end(records)
    assert services.change_service(ports, admin, services.ChangeService("SVC-ELM", {"name": "Elm House Care Home"}),
                                   NOW).replayed and log_end(records) == end
    gone = services.change_service(ports, admin, services.ChangeService("SVC-ELM", {"company": None}), NOW)
    assert gone.value.company is None and gone.value.changes == 2

    settings.services = {"SVC-OAK": OAK, "SVC-ELM": ELM}  # a setting never stands over a record
    assert [r.service_id for r in services.services(ports)] == ["SVC-ELM"]
    assert services.known_services(ports) == {"SVC-ELM": {**ELM, "name": "Elm House Care Home"}, "SVC-OAK": OAK}
    assert [a.reason for a in lines(records, "ADM-1") if a.allowed] == ["service added", "service details changed",
                                                                       "service details changed"]


@pytest.mark.parametrize("configured", [{}, {"SVC-ELM": {"name": "Elm House Care Home"}, "SVC-OAK": OAK,
                                             "bad id": OAK}])
def test_a_store_from_before_services_were_data_migrates_once(settings, records, configured):
    load_legacy(records)  # two cases at SVC-ELM, as a store of 2026-11 holds them
    settings.services = configured
    done = bootstrap.migrate_services(settings, records)  # as the worker does at every start
    elm = ServiceStore(records).service("SVC-ELM")
    if configured:  # the settings' details preferred, each they lack from the latest concern
        assert [r.service_id for r in done.recorded] == ["SVC-ELM", "SVC-OAK"]
        assert (elm.name, elm.provider, elm.client_group, elm.source) == ("Elm House Care Home", "Northgate Care",
                                                                         "learning disability", "settings")
        assert done.not_recorded == (("bad id", "'bad id' is not an id: give the service's id (e.g. SVC-ELM): "
                                                "letters, digits and - _ . only."),)
    else:  # named only by earlier concerns: as the latest raised named it
        assert [r.service_id for r in done.recorded] == ["SVC-ELM"] and done.not_recorded == ()
        assert (elm.name, elm.source, elm.recorded_by) == ("Elm House", "concern", "safeguard:start")
        fact = ServiceStore(records).facts("SVC-ELM")[0]
        assert isinstance(fact, ServiceRecorded) and fact.case_id in ("LEGACY-full", "LEGACY-missed")
    end = log_end(records)
    again = bootstrap.migrate_services(settings, records)
    assert again.recorded == () and again.already == len(done.recorded) and log_end(records) == end
    result = CliRunner().invoke(cli_app, ["services", "migrate", "--json"], env=_cli_env(settings))
    assert json.loads(result.stdout)["recorded"] == [] and log_end(records) == end
    assert result.exit_code == (2 if configured else 0)  # a service the settings give wrongly says so


def _cli_env(settings) -> dict[str, str]:
    return {"SAFEGUARD_DATA_DIR": str(settings.data_dir), "SAFEGUARD_SERVICES": json.dumps(settings.services)}


def test_the_record_stands_over_the_concerns_details_and_as_at_shows_them_as_they_stood(settings, records):
    load_legacy(records)
    admin, _ = people(records)
    ports = bootstrap.ports(settings, records)
    operator = Principal.local_operator(None, "quality_safeguarding_lead")
    before = {r["service_id"]: r["service_name"] for r in oversight.commissioner(ports, operator)}
    assert before == {"SVC-ELM": "Elm House"}  # no record yet: as its concerns named it
    services.migrate(ports, admin, datetime(2027, 2, 1, tzinfo=UTC))
    services.change_service(ports, admin, services.ChangeService("SVC-ELM", {"name": "Elm House Care Home"}), NOW)
    assert oversight.commissioner(ports, operator)[0]["service_name"] == "Elm House Care Home"
    as_at = oversight.commissioner(ports, operator, as_at=datetime(2027, 2, 15, tzinfo=UTC))
    assert as_at[0]["service_name"] == "Elm House"  # recorded 1 February, changed 1 March
    assert records.stored_facts("LEGACY-full")[0].fact.concern.service.name == "Elm House"  # the concern keeps its own
    history = oversight.history(ports, operator, "SVC-ELM", exclude_case="LEGACY-missed")
    assert history["service_name"] == "Elm House Care Home"


def test_the_cli_lists_adds_and_changes_services(settings, records):
    env = _cli_env(settings)
    run = lambda *args: CliRunner().invoke(cli_app, ["services", *args], env=env)  # noqa: E731
    assert "no services recorded yet" in run("list").stdout
    added = run("add", "SVC-ELM", "--name", "Elm House", "--provider", "Northgate Care", "--client-group",
                "learning disability")
    assert added.exit_code == 0 and "added SVC-ELM" in added.stdout
    assert "already recorded with these details: nothing changed" in run("add", "SVC-ELM", "--name", "Elm House",
                                                                          "--provider", "Northgate Care",
                                                                          "--client-group", "learning disability").stdout
    refused = run("add", "SVC ASH", "--name", "", "--provider", "P", "--client-group", "older people")
    assert refused.exit_code == 2 and "Enter the service's name" in refused.stderr
    changed = run("set", "SVC-ELM", "--company", "Northgate Care Ltd", "--json")
    assert changed.exit_code == 0 and json.loads(changed.stdout)["company"] == "Northgate Care Ltd"
    assert json.loads(run("set", "SVC-ELM", "--company", "", "--json").stdout)["company"] is None
    listed = json.loads(run("list", "--json").stdout)
    assert [(s["service_id"], s["name"], s["recorded_by"].startswith("cli:")) for s in listed] == [
        ("SVC-ELM", "Elm House", True)]
