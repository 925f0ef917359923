"""The national return (`safeguard report national`) over a seeded year of mixed cases, run through
the workflow and the event store, with every figure worked out by hand below (issue 12).

The collection's year 2027 runs from 1 April 2027 to 31 March 2028 (UK local time).

    case  service  raised      closed      level           type / location / source                 risk     MSP asked / achieved        capacity
    N1    ELM      2027-03-22  2027-04-06  reportable      physical / care_home / other_known        removed  (not recorded)              -
    N2    ELM      2027-05-04  2027-05-11  non_reportable  psychological / care_home / other_known   reduced  expressed / partially       source in doubt; mutual harm
    N3    ELM      2027-06-08  2027-06-15  reportable      physical / community / service_provider   remains  lacked capacity             adult in doubt, advocate
    N4    OAK      2027-09-07  2027-09-21  consultation    financial / service_in_community / unknown removed expressed / fully           adult in doubt, no advocate
    N5    OAK      2028-02-01  open        (not assessed)  -                                         -        -                           mutual harm
    N6    OAK      2028-03-28  2028-04-04  reportable      (closed after the year)

Raised in the year: N2-N6 = 5 (levels: non_reportable 1, consultation 1, reportable 2, not recorded 1;
mutual harm N2, N5 = 2). Closed in the year: N1-N4 = 4.
"""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

import cli.report as report_cli
from cli.main import app as main_app
from domain.national import reporting_year
from projections.commissioner import CommissionerRecords, commissioner_records
from projections.feed import ProjectionFeed
from projections.national import NationalReturnCases, national_report
from projections.registry import open_documents
from tests.conftest import concern
from tests.test_decider_person import CONSULTATION, NON_REPORTABLE

ELM = {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}
OAK = {"id": "SVC-OAK", "name": "Oak Lodge", "provider": "Riverside Homes", "client_group": "older people"}
REFERRED = {"external_threshold_met": True}
NOT_REFERRED = {"external_threshold_met": False, "humiliation": False}
NOT_ASSESSED = object()


async def seeded(driver, name, svc, raised, closed, *, assessment=None, route=None, mutual=False, views=None,
                 capacity=None, closure=None):
    n = name[1:]
    case = await driver.raise_concern(concern(raised, case_id=f"NAT-{name}", service=svc, adult_at_risk={"id": f"A-{n}1"},
                                              alleged_source={"id": f"A-{n}2"}))
    await case.complete("record_concern")
    await case.complete("peer_risk_review", source_also_adult_at_risk=mutual)
    if assessment is NOT_ASSESSED:
        return case
    await case.complete("seriousness_assessment", **(assessment or {}))
    await case.complete("route_decision", **(route or REFERRED))
    if views is not None:
        await case.complete("views_and_wishes", **views)
    if capacity is not None:
        await case.complete("capacity_and_advocacy", **capacity)
    if closed:
        await case.at(closed)
        await case.complete("conclude_case")
        await case.complete("closure_learning_review", **(closure or {}))
    return case


NOT_EXPRESSED = {"outcomes_achieved": None}


async def seed_year(driver):
    await seeded(driver, "N1", ELM, "2027-03-22T10:00:00+00:00", "2027-04-06T10:00:00+01:00",
                 route={**REFERRED, "abuse_category": "physical"}, closure={**NOT_EXPRESSED, "risk_outcome": "removed"})
    await seeded(driver, "N2", ELM, "2027-05-04T10:00:00+01:00", "2027-05-11T10:00:00+01:00", assessment=NON_REPORTABLE,
                 route=NOT_REFERRED, mutual=True, views={},  # expressed "to feel safe in the lounge"
                 capacity={"source_may_lack_capacity": True, "advocate_arranged": True},
                 closure={"outcomes_achieved": "partially", "risk_outcome": "reduced"})
    await seeded(driver, "N3", ELM, "2027-06-08T10:00:00+01:00", "2027-06-15T10:00:00+01:00",
                 route={**REFERRED, "abuse_category": "physical", "location_of_risk": "community", "source_of_risk": "service_provider"},
                 views={"asked_about_outcomes": "no_lacked_capacity", "outcomes_expressed": None, "not_asked_reason": "IMCA appointed"},
                 capacity={"adult_may_lack_capacity": True, "advocate_arranged": True},
                 closure={**NOT_EXPRESSED, "risk_outcome": "remains", "risk_remains_reason": "source moved within the home"})
    await seeded(driver, "N4", OAK, "2027-09-07T10:00:00+01:00", "2027-09-21T10:00:00+01:00", assessment=CONSULTATION,
                 route={**NOT_REFERRED, "abuse_category": "financial_or_material", "location_of_risk": "service_in_the_community",
                        "source_of_risk": "unknown_to_individual"},
                 views={}, capacity={"adult_may_lack_capacity": True, "advocate_arranged": False,
                                     "advocate_not_arranged_reason": "family advocate in place, adult's choice"},
                 closure={"outcomes_achieved": "fully", "risk_outcome": "removed"})
    await seeded(driver, "N5", OAK, "2028-02-01T10:00:00+00:00", None, mutual=True, assessment=NOT_ASSESSED)
    await seeded(driver, "N6", OAK, "2028-03-28T10:00:00+01:00", "2028-04-04T10:00:00+01:00",
                 closure={**NOT_EXPRESSED, "risk_outcome": "removed"})


@pytest.mark.unit
def test_the_collection_year_is_the_financial_year_in_local_time():
    start, end = reporting_year(2027)
    assert (start.isoformat(), end.isoformat()) == ("2027-03-31T23:00:00+00:00", "2028-03-31T23:00:00+00:00")


async def test_the_national_return_over_a_seeded_year(driver, monkeypatch, tmp_path):
    await seed_year(driver)
    feed = ProjectionFeed(driver.records, open_documents(driver.records), [NationalReturnCases()])
    feed.catch_up()
    r = national_report(feed.documents, 2027)

    assert r["year"] == "2027-28"
    assert r["concerns"] == {"raised": 5, "mutual_harm": 2, "by_threshold_level": {
        "non_reportable": 1, "consultation": 1, "reportable": 2, "not_recorded": 1}}
    assert r["closed"] == 4
    assert {k: v for k, v in r["type_of_risk"].items() if v} == {"physical": 2, "psychological": 1, "financial_or_material": 1}
    assert sum(r["type_of_risk"].values()) == 4 and len(r["type_of_risk"]) == 10  # every Care Act category is reported, 0 or not
    assert r["location_of_risk"] == {"own_home": 0, "community": 1, "service_in_the_community": 1, "care_home": 2,
                                     "hospital": 0, "other": 0}
    assert r["source_of_risk"] == {"service_provider": 1, "other_known_to_individual": 2, "unknown_to_individual": 1}
    assert r["risk_outcome"] == {"removed": 2, "reduced": 1, "remains": 1}
    assert r["risk_remains_reasons"] == [{"case_id": "NAT-N3", "service_id": "SVC-ELM", "reason": "source moved within the home"}]
    assert r["making_safeguarding_personal"] == {
        "asked": {"yes_outcomes_expressed": 2, "yes_no_outcomes_expressed": 0, "no_lacked_capacity": 1, "no_other_reason": 0,
                  "not_recorded": 1},
        "outcomes_achieved": {"fully": 1, "partially": 1, "not_achieved": 0},
    }
    assert r["capacity_and_advocacy"] == {"adult_may_lack_capacity": 2, "advocate_arranged": 1, "advocate_not_arranged": 1,
                                          "source_may_lack_capacity": 1}
    assert r["providers"] == [
        {"service_id": "SVC-ELM", "raised": 2, "closed": 3, "risk_removed": 1, "risk_reduced": 1, "risk_remains": 1,
         "outcomes_expressed": 1, "outcomes_fully_or_partially_achieved": 1, "mutual_harm": 1},
        {"service_id": "SVC-OAK", "raised": 3, "closed": 1, "risk_removed": 1, "risk_reduced": 0, "risk_remains": 0,
         "outcomes_expressed": 1, "outcomes_fully_or_partially_achieved": 1, "mutual_harm": 0},
    ]
    assert national_report(feed.documents, 2028)["closed"] == 1  # N6, closed in April 2028

    # the commissioner record counts the mutual-harm concerns of each service (N2 at Elm, N5 at Oak)
    commissioner = ProjectionFeed(driver.records, open_documents(driver.records), [CommissionerRecords()])
    commissioner.catch_up()
    assert {r["service_id"]: r["mutual_harm_concerns"] for r in commissioner_records(commissioner.documents)} == {
        "SVC-ELM": 1, "SVC-OAK": 1}

    # the command: the same figures, and the CSV tables a return is made from
    monkeypatch.setattr(report_cli.runtime, "records", lambda: driver.records)
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == r
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--csv", str(tmp_path / "return")])
    assert result.exit_code == 0, result.output
    assert "concerns raised 5 (mutual harm 2)" in result.output and "A-" not in result.output
    rows = list(csv.reader((tmp_path / "return" / "risk_outcome.csv").open()))
    assert rows == [["risk_outcome", "count"], ["removed", "2"], ["reduced", "1"], ["remains", "1"]]
    providers = list(csv.reader((tmp_path / "return" / "providers.csv").open()))
    assert providers[0][:3] == ["service_id", "raised", "closed"] and providers[1][:3] == ["SVC-ELM", "2", "3"]
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "27x"])
    assert result.exit_code == 2 and "--year" in result.output
