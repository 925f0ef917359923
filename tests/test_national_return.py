"""The national return counted as NHS England's Safeguarding Adults Collection counts it (issue 19;
every rule is quoted with its source in docs/sac.md). Cases are walked on the decider to different
ends, stored, and folded by the read model; every figure below is worked out by hand.

The collection's year 2027 runs from 1 April 2027 to 31 March 2028, London time: it starts at
2027-03-31T23:00Z (BST began 28 March 2027) and ends at 2028-03-31T23:00Z (BST began 26 March 2028).

    case  raised      referred  LA received                   LA decided (enquiry starts)   enquiry concluded
    S1    2027-03-22  yes       2027-03-31T22:30Z (23:30 BST  2027-04-01 09:00 BST: s42     2027-05-10: risk identified,
                                31 March: the year before)                                   action taken; reduced
    S2    2027-06-01  yes       2027-06-02                    2027-06-05: other enquiry     2027-07-01: no risk, no action
    S3    2028-03-20  yes       2028-03-31T22:30Z (23:30 BST  2028-04-01 08:00 BST: s42     -
                                31 March: this year)          (the year after)
    S4    2027-09-01  yes       2027-09-02                    2027-09-03: no further action -
    S5    2027-10-01  no (below the threshold: the provider's own figure)
    S6    2027-11-01  yes       not recorded                  -                             -
    S8    2027-12-01  yes       2027-12-01                    2027-12-02: s42               2028-01-15: inconclusive,
                                                                                              action taken

    SG1f 2027: concerns S2, S3, S4, S8 = 4; s42 enquiries S1, S8 = 2; other enquiries S2 = 1.
    Concluded s42 in 2027: S1, S8. S1 types physical + sexual exploitation, care home (nursing),
    known to the adult; lacked capacity, supported by an advocate; asked, outcomes expressed, fully
    achieved. S8 types physical + modern slavery (physical given twice: counted once), hospital
    (mental health), unknown to the adult; capacity "don't know"; never asked (not recorded).
    Concluded other enquiries: S2, psychological, own home, service provider; capacity no; asked,
    no outcomes expressed.
    The provider raised S2, S3, S4, S5, S6, S8 in the year (S1 in March 2027): 6, of which S5 was
    not referred and S6's receipt is not recorded.
"""

from __future__ import annotations

import csv
import json
import stat

import pytest
from typer.testing import CliRunner

import cli.report as report_cli
from cli.main import app as main_app
from domain.national import SUPPRESSION, NationalCase, national_return, reporting_year
from projections.feed import ProjectionFeed
from projections.national import NationalReturnCases, national_report
from projections.registry import open_documents
from tests.conftest import concern
from tests.pure_case import PureCase
from tests.test_decider_person import NON_REPORTABLE

pytestmark = pytest.mark.unit

SVC = {"id": "SVC-ELM", "name": "Elm House", "provider": "Northgate Care", "client_group": "learning disability"}


def walk(records, name: str, raised: str, *, referred: bool = True, route: dict | None = None, received: str | None = None,
         decision: str | None = None, decided: str | None = None, outcome: dict | None = None, views: dict | None = None,
         closure: dict | None = None) -> None:
    n = name[1:]
    case = PureCase(concern(raised, case_id=f"SAC-{name}", service=SVC, adult_at_risk={"id": f"A-{n}1"},
                            alleged_source={"id": f"A-{n}2"}))
    case.complete("record_concern")
    case.complete("peer_risk_review")
    case.complete("seriousness_assessment", **({} if referred else NON_REPORTABLE))
    case.complete("route_decision", **(route or {}), **({} if referred else {"external_threshold_met": False, "humiliation": False}))
    if views is not None:
        case.complete("views_and_wishes", **views)
    if referred:
        case.complete("external_referral", referred_at=raised)
    if received:
        case.at(decided)
        case.complete("la_response", referral_received_at=received, la_decision=decision, la_decided_at=decided)
    if outcome:
        case.at(outcome["enquiry_concluded_at"])
        case.complete("la_enquiry_outcome", **outcome)
    if closure is not None:
        case.complete("conclude_case")
        case.complete("closure_learning_review", **closure)
    records.record(f"SAC-{name}", 1, case.facts)


def seed(records) -> None:
    walk(records, "S1", "2027-03-22T10:00:00+00:00", route={"abuse_category": "physical", "further_types_of_risk": ["sexual_exploitation"],
                                                            "location_of_risk": "care_home_nursing"},
         received="2027-03-31T22:30:00+00:00", decision="section_42_enquiry", decided="2027-04-01T09:00:00+01:00",
         outcome={"enquiry_concluded_at": "2027-05-10T12:00:00+01:00", "risk_assessment_outcome": "risk_identified_action_taken",
                  "enquiry_risk_outcome": "reduced", "lacked_capacity": "yes", "supported_by_advocate_family_or_friend": True},
         views={}, closure={"outcomes_achieved": "fully"})
    walk(records, "S2", "2027-06-01T10:00:00+01:00", route={"location_of_risk": "own_home", "source_of_risk": "service_provider"},
         received="2027-06-02T10:00:00+01:00", decision="other_enquiry", decided="2027-06-05T10:00:00+01:00",
         outcome={"enquiry_concluded_at": "2027-07-01T10:00:00+01:00", "enquiry_risk_outcome": None,
                  "risk_assessment_outcome": "no_risk_identified_no_action_taken", "lacked_capacity": "no"},
         views={"asked_about_outcomes": "yes_no_outcomes_expressed", "outcomes_expressed": None})
    walk(records, "S3", "2028-03-20T10:00:00+00:00", received="2028-03-31T22:30:00+00:00", decision="section_42_enquiry",
         decided="2028-04-01T08:00:00+01:00")
    walk(records, "S4", "2027-09-01T10:00:00+01:00", received="2027-09-02T10:00:00+01:00", decision="no_further_action",
         decided="2027-09-03T10:00:00+01:00")
    walk(records, "S5", "2027-10-01T10:00:00+01:00", referred=False)
    walk(records, "S6", "2027-11-01T10:00:00+00:00")
    walk(records, "S8", "2027-12-01T10:00:00+00:00", route={"abuse_category": "physical", "further_types_of_risk": ["physical", "modern_slavery"],
                                                            "location_of_risk": "hospital_mental_health", "source_of_risk": "unknown_to_individual"},
         received="2027-12-01T12:00:00+00:00", decision="section_42_enquiry", decided="2027-12-02T10:00:00+00:00",
         outcome={"enquiry_concluded_at": "2028-01-15T10:00:00+00:00", "risk_assessment_outcome": "inconclusive_action_taken",
                  "enquiry_risk_outcome": None, "lacked_capacity": "dont_know"})


def report_of(records, year: int, outside: bool = False) -> dict:
    feed = ProjectionFeed(records, open_documents(records), [NationalReturnCases()])
    feed.catch_up()
    return national_report(feed.documents, year, outside)


def nonzero(table: dict) -> dict:
    if all(isinstance(v, dict) for v in table.values()):
        return {k: z for k, v in table.items() if (z := nonzero(v))}
    return {k: v for k, v in table.items() if v}


def test_the_collection_year_is_the_financial_year_in_london_time():
    start, end = reporting_year(2027)
    assert (start.isoformat(), end.isoformat()) == ("2027-03-31T23:00:00+00:00", "2028-03-31T23:00:00+00:00")


def test_the_return_counts_what_reached_the_local_authority_by_the_collections_years(records):
    seed(records)
    r = report_of(records, 2027)
    assert r["year"] == "2027-28" and r["suppressed"] is False
    assert r["sg1f"] == {"concerns": 4, "section_42_enquiries": 2, "other_enquiries": 1}
    s42 = r["section_42"]
    assert s42["concluded"] == 2
    assert nonzero(s42["sg2a_type_by_source"]) == {
        "physical": {"other_known_to_individual": 1, "unknown_to_individual": 1},
        "sexual_exploitation": {"other_known_to_individual": 1}, "modern_slavery": {"unknown_to_individual": 1}}
    assert len(s42["sg2a_type_by_source"]) == 11  # every type the collection has, 0 or not
    assert nonzero(s42["sg2b_location_by_source"]) == {"care_home_nursing": {"other_known_to_individual": 1},
                                                       "hospital_mental_health": {"unknown_to_individual": 1}}
    assert len(s42["sg2b_location_by_source"]) == 9
    assert nonzero(s42["sg2c_risk_assessment_outcome"]) == {"risk_identified_action_taken": 1, "inconclusive_action_taken": 1}
    assert len(s42["sg2c_risk_assessment_outcome"]) == 7
    assert s42["sg2e_risk_outcome"] == {"remained": 0, "reduced": 1, "removed": 0}  # S1 only: a risk identified
    assert s42["sg3a_capacity"] == {"yes": 1, "no": 0, "dont_know": 1, "not_recorded": 0, "supported": 1}
    assert s42["sg4a_making_safeguarding_personal"] == {
        "asked": {"asked_outcomes_expressed": 1, "asked_no_outcomes_expressed": 0, "not_asked": 0, "dont_know": 0, "not_recorded": 1},
        "achieved": {"fully": 1, "partially": 0, "not_achieved": 0}}
    other = r["other_enquiries"]
    assert other["concluded"] == 1
    assert nonzero(other["sg2a_type_by_source"]) == {"psychological": {"service_provider": 1}}
    assert nonzero(other["sg2b_location_by_source"]) == {"own_home": {"service_provider": 1}}
    assert nonzero(other["sg2e_risk_outcome"]) == {} and other["sg3a_capacity"]["no"] == 1
    assert nonzero(other["sg4a_making_safeguarding_personal"]["asked"]) == {"asked_no_outcomes_expressed": 1}
    p = r["provider"]
    assert (p["concerns_raised"], p["not_referred"], p["referred"], p["referred_receipt_not_recorded"]) == (6, 1, 5, 1)
    assert r["services"] == [{"service_id": "SVC-ELM", "concerns_raised": 6, "concerns_received": 4,
                              "section_42_enquiries": 2, "enquiries_concluded": 3}]
    assert any("SG1a-SG1e" in line for line in r["not_produced"])
    # either side of 31 March: S1 received at 23:30 BST on 31 March 2027 is the year before's; S3's
    # enquiry, decided at 08:00 BST on 1 April 2028, is the year after's
    before, after = report_of(records, 2026), report_of(records, 2028)
    assert before["sg1f"] == {"concerns": 1, "section_42_enquiries": 0, "other_enquiries": 0}
    assert after["sg1f"] == {"concerns": 0, "section_42_enquiries": 1, "other_enquiries": 0}
    # aggregate: no case id, service user id or free text anywhere in it
    text = json.dumps(r)
    assert "SAC-" not in text and "A-" not in text and "lounge" not in text


def test_outside_the_organisation_small_counts_are_suppressed_as_nhs_england_publishes(records):
    assert [SUPPRESSION(n) for n in (0, 1, 4, 5, 7, 8, 12, 13, 102)] == ["[c]", "[c]", "[c]", 5, 5, 10, 10, 15, 100]
    seed(records)
    r = report_of(records, 2027, outside=True)
    assert r["suppressed"] is True and "services" not in r
    assert r["sg1f"] == {"concerns": "[c]", "section_42_enquiries": "[c]", "other_enquiries": "[c]"}
    assert r["year"] == "2027-28" and r["period"]["start"] == "2027-03-31T23:00:00+00:00"


def test_old_cases_are_counted_where_their_facts_allow_and_never_guessed():
    """Before pathway 2026.12.2 a location was "care_home" or "hospital" whole, and no case recorded
    the local authority's answer: such a location is its own row, never split by guess."""
    old = NationalCase(case_id="OLD-1", service_id="SVC-ELM", raised_at="2027-05-01T10:00:00+00:00", referred=True,
                       received_at="2027-05-01T10:00:00+00:00", la_decision="section_42_enquiry",
                       la_decided_at="2027-05-02T10:00:00+00:00", enquiry_concluded_at="2027-06-01T10:00:00+00:00",
                       type_of_risk="physical", location_of_risk="care_home", source_of_risk="service_provider")
    r = national_return([old], 2027)["section_42"]
    assert nonzero(r["sg2b_location_by_source"]) == {"care_home": {"service_provider": 1}}
    assert nonzero(r["sg2c_risk_assessment_outcome"]) == {"not_recorded": 1}
    assert nonzero(r["sg3a_capacity"]) == {"not_recorded": 1}


def test_the_command_prints_and_writes_one_private_csv_per_table(records, monkeypatch, tmp_path):
    seed(records)
    monkeypatch.setattr(report_cli.runtime, "records", lambda: records)
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == report_of(records, 2027)
    out = tmp_path / "return"
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert "SG1f: concerns 4, section 42 enquiries 2, other enquiries 1" in result.output and "A-" not in result.output
    assert sorted(p.name for p in out.iterdir())[:4] == ["SG1f.csv", "SG2_concluded.csv", "SG2a.csv", "SG2b.csv"]
    sg2a = list(csv.reader((out / "SG2a.csv").open()))
    assert sg2a[0] == ["Type of risk", "Service Provider", "Other - Known to Individual", "Other - Unknown to Individual"]
    assert ["Physical Abuse", "0", "1", "1"] in sg2a and ["Sexual Exploitation", "0", "1", "0"] in sg2a
    assert all(stat.S_IMODE((out / name).stat().st_mode) == 0o600 for name in ("SG1f.csv", "SG2a.csv"))
    # found by a trial: an outside export into the folder of an inside one left services.csv beside it
    mixed = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--csv", str(out), "--outside-organisation"])
    assert mixed.exit_code == 2 and "holds files this return does not write (services.csv): give an empty or new folder" in mixed.stderr
    assert list(csv.reader((out / "SG1f.csv").open()))[1] == ["Total Number of Safeguarding Concerns", "4"]  # untouched
    again = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--csv", str(out)])
    assert again.exit_code == 0, again.output  # the same return again into its own folder
    unwritable = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--csv", "/proc/nope"])
    assert unwritable.exit_code == 2 and "Traceback" not in unwritable.output
    shared = tmp_path / "shared"
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "2027", "--csv", str(shared), "--outside-organisation"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader((shared / "SG1f.csv").open()))[1] == ["Total Number of Safeguarding Concerns", "[c]"]
    assert not (shared / "services.csv").exists()
    result = CliRunner().invoke(main_app, ["report", "national", "--year", "27x"])
    assert result.exit_code == 2 and "--year" in result.output
