"""Commissioner records (004 lines 107-117, Appendix A): real cases in several services, closed with
different outcomes, folded into one record per service; pattern reviews, the Appendix A decision,
the history a new case is given, and the same documents live, rebuilt or "as at" an instant."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.commissioner as commissioner_cli
from domain.commissioning import (
    CRITERIA,
    DECISION_LEVELS,
    FIGURES,
    NOT_RECORDED,
    PATTERN_RULES,
    COUNTED_STEPS,
    decide,
)
from domain.pathway import current_pathway
from projections.commissioner import CommissionerRecords, commissioner_records, service_history
from projections.feed import ProjectionFeed, as_at
from projections.registry import open_documents
from tests.conftest import concern

SEED = Path("/work/shared/seeds/004_989c72b12ad08607.txt").read_text(encoding="utf-8").splitlines()
VIEW = CommissionerRecords.name
ADULT_ID = re.compile(r"\bA-\d+")

# seriousness assessments: the Sussex tool's level follows from these facts
LOW = {"frequency_of_similar_incidents": 0, "fear_or_avoidance": False, "facts": {"mutual_dislike_no_abuse": True}}
SERIOUS = {"facts": {"impact": "significant", "intentional_harm": True, "weapon_or_object_used": True}}
NOT_REFERRED = {"humiliation": False, "external_threshold_met": False}


def service(code: str, name: str, provider: str, company: str | None = None) -> dict:
    return {"id": f"SVC-{code}-{uuid.uuid4().hex[:6]}", "name": name, "provider": provider,
            "client_group": "learning disability", **({"company": company} if company else {})}


async def run_case(driver, svc, identified_at, adult, source, *, assessment=None, route=None, steps=(), outcome=None):
    """Raise, assess and route a concern at `identified_at`, complete `steps`, and close it with `outcome`."""
    case = await driver.raise_concern(concern(identified_at, service=svc, adult_at_risk=adult, alleged_source=source))
    await case.complete("record_concern")
    if assessment is not False:
        await case.complete("seriousness_assessment", **(assessment or {}))
        await case.complete("route_decision", **(route or {}))
    for step in steps:  # a referral is made after the concern was identified (pathway 2026.12.2 checks)
        await case.complete(step, **({"referred_at": identified_at} if step == "external_referral" else {}))
    if outcome:
        await case.complete("conclude_case")
        await case.complete("closure_learning_review", substantiation_outcome=outcome)
    return case


def raised_at(case) -> datetime:
    return case.facts()[0].at


def filed_at(case) -> datetime:
    return next(f.at for f in case.facts() if f.type == "ThresholdDecisionFiled")


def by_id(records: list[dict]) -> dict[str, dict]:
    return {r["service_id"]: r for r in records}


def documents(docs) -> dict:
    return dict(docs.scan(VIEW))


def summary(record: dict) -> dict:
    keys = ("concerns", "open_concerns", "service_users_referred", "service_users_reviewed", "concerns_reviewed",
            "concern_types", "threshold_categories", "outcomes")
    return {k: record[k] for k in keys} | {"meetings": record["meetings"]["total"], "actions": record["actions_taken"]["total"]}


async def test_records_per_service_with_patterns_and_decisions(driver):
    ash = service("ASH", "Ash Court", "Northgate Care", company="Northgate Care Holdings Ltd")
    oak = service("OAK", "Oak Lodge", "Riverside Homes")
    # small batches: documents already saved are read back and changed, as when the worker follows the log
    feed = ProjectionFeed(driver.records, open_documents(driver.records), [CommissionerRecords()], batch_size=7)

    a1 = await run_case(driver, ash, "2027-03-01T10:00:00+00:00", "A-1", "A-2",
                        steps=("protection_plan", "pattern_impact_review", "service_risk_review", "external_referral",
                               "follow_up_plan"), outcome="substantiated")
    o1 = await run_case(driver, oak, "2027-03-02T09:30:00+00:00", "A-11", "A-20", assessment=LOW,
                        route=NOT_REFERRED, outcome="undetermined")
    feed.catch_up()
    o2 = await run_case(driver, oak, "2027-03-10T11:00:00+00:00", "A-12", "A-20", assessment=SERIOUS,
                        route={"abuse_category": "physical"},
                        steps=("protection_plan", "external_referral", "follow_up_plan", "live_case_oversight"),
                        outcome="substantiated")
    o3 = await run_case(driver, oak, "2027-03-20T15:00:00+00:00", "A-11", "A-20")  # left open
    a2 = await run_case(driver, ash, "2027-09-15T10:00:00+00:00", "A-3", "A-4", assessment=LOW,
                        route={"abuse_category": "physical", **NOT_REFERRED}, outcome="unsubstantiated")
    assert feed.catch_up() > 0
    records = commissioner_records(feed.documents)
    assert [r["service_id"] for r in records] == sorted([ash["id"], oak["id"]])
    got = by_id(records)

    # --- Ash Court: two unrelated concerns 198 days apart, one substantiated: a caution
    r = got[ash["id"]]
    assert (r["service_name"], r["provider"], r["company"], r["client_group"]) == (
        "Ash Court", "Northgate Care", "Northgate Care Holdings Ltd", "learning disability")
    assert summary(r) == {
        "concerns": 2, "open_concerns": 0, "service_users_referred": 2, "service_users_reviewed": 2, "concerns_reviewed": 2,
        "concern_types": {"physical": 1, "psychological": 1}, "threshold_categories": {"incidents_between_adults": 2},
        "outcomes": {"substantiated": 1, "unsubstantiated": 1, "undetermined": 0}, "meetings": 2, "actions": 4,
    }
    assert r["meetings"]["by_step"] == {"live_case_oversight": 0, "closure_learning_review": 2}
    assert r["actions_taken"]["by_step"] == {"protection_plan": 1, "follow_up_plan": 1, "external_referral": 1,
                                             "service_risk_review": 1}
    assert r["service_reviews"] == []
    d = r["decision"]
    assert d["level"] == "caution" and d["seed"].startswith("004 line 152")
    assert [c["id"] for c in d["matched"]] == [
        "caution.single_issue", "caution.no_pattern", "caution.lengthy_intervals", "caution.no_clear_offence",
        "caution.no_ongoing_risk", "caution.managed_appropriately"]
    assert r["figures"]["shortest_gap_days"] == 198 and r["figures"]["reportable_decisions"] == 1

    # --- Oak Lodge: the same alleged source three times in 18 days, serious harm: suspension consideration
    r = got[oak["id"]]
    assert summary(r) == {
        "concerns": 3, "open_concerns": 1, "service_users_referred": 2, "service_users_reviewed": 2, "concerns_reviewed": 3,
        "concern_types": {"physical": 1, "psychological": 2}, "threshold_categories": {"incidents_between_adults": 3},
        "outcomes": {"substantiated": 1, "unsubstantiated": 0, "undetermined": 1}, "meetings": 3, "actions": 3,
    }
    assert r["company"] is None
    reviews = [(s["rule"], s["case_id"], s["cases"], datetime.fromisoformat(s["raised_at"])) for s in r["service_reviews"]]
    assert reviews == [
        ("same_source_repeated", o2.id, [o1.id, o2.id], raised_at(o2)),
        ("threshold_escalating", o2.id, [o1.id, o2.id], filed_at(o2)),
        ("same_source_repeated", o3.id, [o1.id, o2.id, o3.id], raised_at(o3)),
        ("same_adult_repeated", o3.id, [o1.id, o3.id], raised_at(o3)),
        ("frequent_concerns", o3.id, [o1.id, o2.id, o3.id], raised_at(o3)),
        ("threshold_escalating", o3.id, [o1.id, o3.id], filed_at(o3)),
    ]
    assert all(s["seed"].startswith('004 line 117: "Any repeating and/or escalating pattern') for s in r["service_reviews"])
    d = r["decision"]
    assert d["level"] == "suspension consideration"
    assert [c["id"] for c in d["matched"] if c["column"] == "suspension"] == ["suspension.serious_harm", "suspension.deliberate_intent"]
    assert [(c["id"], c["line"]) for c in d["matched"] if c["id"] == "suspension.serious_harm"] == [("suspension.serious_harm", 157)]
    # criteria the events cannot evidence are listed, and said to be so
    assert [(c["line"], c["column"]) for c in d["not_evidenced"]] == [(159, "caution"), (160, "suspension"), (161, "suspension")]
    # the columns apart: at suspension consideration the caution criteria that hold are set aside, not matched
    assert d["caution"]["matched"] == [] and d["caution"]["set_aside"] and d["set_aside_because"]
    assert [c["id"] for c in d["suspension"]["matched"]] == ["suspension.serious_harm", "suspension.deliberate_intent"]
    assert d["suspension"]["matched"][0]["matched_by"] == {"serious_harm_concerns": 1}
    assert all(c["column"] == "suspension" for c in d["matched"])
    assert {c["evidence"] for c in d["not_evidenced"]} == {NOT_RECORDED}

    # --- the service is named, never a service user: the documents hold adult ids, the answers do not
    assert ADULT_ID.search(json.dumps(documents(feed.documents)))
    assert not ADULT_ID.search(json.dumps(records))

    # --- what a new case in Oak Lodge is told: earlier concerns, their outcomes, case ids only
    history = service_history(feed.documents, oak["id"], exclude_case=o3.id)
    assert {k: history[k] for k in ("service_id", "service_name", "concerns", "open_concerns", "outcomes", "decision")} == {
        "service_id": oak["id"], "service_name": "Oak Lodge", "concerns": 2, "open_concerns": 0,
        "outcomes": {"substantiated": 1, "unsubstantiated": 0, "undetermined": 1}, "decision": "suspension consideration",
    }
    assert [(c["case_id"], c["status"], c["outcome"], c["threshold_level"], c["abuse_category"])
            for c in history["earlier_concerns"]] == [
        (o1.id, "closed", "undetermined", "non_reportable", "psychological"),
        (o2.id, "closed", "substantiated", "reportable", "physical")]
    assert [s["rule"] for s in history["service_reviews"]] == ["same_source_repeated", "threshold_escalating"]
    text = json.dumps(history)
    assert not ADULT_ID.search(text) and "blocked" not in text  # no adult ids, no summaries
    assert service_history(feed.documents, oak["id"])["concerns"] == 3
    assert service_history(feed.documents, "SVC-NONE") is None
    assert [(c["case_id"], c["outcome"]) for c in service_history(feed.documents, ash["id"])["earlier_concerns"]] == [
        (a1.id, "substantiated"), (a2.id, "unsubstantiated")]

    # --- rebuilt from zero, and folded in memory to the end: the same documents
    live = documents(feed.documents)
    assert feed.rebuild(VIEW) > 0
    assert documents(feed.documents) == live
    assert documents(as_at(driver.records, [CommissionerRecords()], datetime.fromisoformat("2030-01-01T00:00:00+00:00"))) == live

    # --- as at 15 March 2027: Oak Lodge's third concern and Ash Court's second had not happened
    earlier = by_id(commissioner_records(as_at(driver.records, [CommissionerRecords()],
                                               datetime.fromisoformat("2027-03-15T00:00:00+00:00"))))
    assert summary(earlier[ash["id"]]) == {
        "concerns": 1, "open_concerns": 0, "service_users_referred": 1, "service_users_reviewed": 1, "concerns_reviewed": 1,
        "concern_types": {"psychological": 1}, "threshold_categories": {"incidents_between_adults": 1},
        "outcomes": {"substantiated": 1, "unsubstantiated": 0, "undetermined": 0}, "meetings": 1, "actions": 4,
    }
    assert earlier[ash["id"]]["decision"]["level"] == "caution"
    assert "caution.no_previous_history" in [c["id"] for c in earlier[ash["id"]]["decision"]["matched"]]
    assert summary(earlier[oak["id"]]) == {
        "concerns": 2, "open_concerns": 0, "service_users_referred": 2, "service_users_reviewed": 2, "concerns_reviewed": 2,
        "concern_types": {"physical": 1, "psychological": 1}, "threshold_categories": {"incidents_between_adults": 2},
        "outcomes": {"substantiated": 1, "unsubstantiated": 0, "undetermined": 1}, "meetings": 3, "actions": 3,
    }
    assert [s["rule"] for s in earlier[oak["id"]]["service_reviews"]] == ["same_source_repeated", "threshold_escalating"]


async def test_recommendation_none_and_improvements_not_sustained(driver):
    pine = service("PINE", "Pine View", "Northgate Care")
    birch = service("BIRCH", "Birch House", "Birch Care")
    cedar = service("CEDAR", "Cedar Court", "Cedar Group", company="Cedar Group plc")
    # Pine View: the same alleged source twice in 17 days, neither upheld: a recommendation
    await run_case(driver, pine, "2027-05-03T10:00:00+00:00", "A-31", "A-32", assessment=LOW, route=NOT_REFERRED,
                   outcome="unsubstantiated")
    p2 = await run_case(driver, pine, "2027-05-20T10:00:00+00:00", "A-33", "A-32", assessment=LOW, route=NOT_REFERRED,
                        outcome="unsubstantiated")
    # Birch House: one concern just recorded: nothing to act on yet
    await run_case(driver, birch, "2027-05-04T10:00:00+00:00", "A-41", "A-42", assessment=False)
    # Cedar Court: upheld, closed with its lessons, then upheld again: improvements not sustained
    c1 = await run_case(driver, cedar, "2027-01-11T10:00:00+00:00", "A-51", "A-52", outcome="substantiated")
    c2 = await run_case(driver, cedar, "2027-04-20T10:00:00+00:00", "A-53", "A-54", outcome="substantiated")
    feed = ProjectionFeed(driver.records, open_documents(driver.records), [CommissionerRecords()])
    feed.catch_up()
    got = by_id(commissioner_records(feed.documents))

    r = got[pine["id"]]
    assert (r["decision"]["level"], [s["rule"] for s in r["service_reviews"]]) == ("recommendation", ["same_source_repeated"])
    assert r["service_reviews"][0]["case_id"] == p2.id
    assert (r["outcomes"], r["figures"]["reportable_decisions"]) == (
        {"substantiated": 0, "unsubstantiated": 2, "undetermined": 0}, 0)

    r = got[birch["id"]]
    assert (r["decision"]["level"], r["concerns"], r["open_concerns"], r["service_users_referred"],
            r["service_users_reviewed"], r["concern_types"]) == ("none", 1, 1, 1, 0, {})
    assert "caution.no_previous_history" in [c["id"] for c in r["decision"]["matched"]]

    r = got[cedar["id"]]
    assert r["decision"]["level"] == "suspension consideration"
    assert [c["id"] for c in r["decision"]["matched"] if c["column"] == "suspension"] == ["suspension.improvements_not_sustained"]
    assert [(s["rule"], s["cases"]) for s in r["service_reviews"]] == [("substantiated_recurring", [c1.id, c2.id])]
    history = service_history(feed.documents, cedar["id"], exclude_case=c2.id)
    assert (history["company"], history["concerns"], history["outcomes"]["substantiated"], history["decision"]) == (
        "Cedar Group plc", 1, 1, "caution")
    assert [(c["case_id"], c["outcome"]) for c in history["earlier_concerns"]] == [(c1.id, "substantiated")]


async def test_cli_records_current_and_as_at(driver, monkeypatch):
    ash = service("ASHCLI", "Ash Court", "Northgate Care")
    first = await run_case(driver, ash, "2027-03-01T10:00:00+00:00", "A-1", "A-2", outcome="substantiated")
    await run_case(driver, ash, "2027-03-12T10:00:00+00:00", "A-3", "A-2", assessment=LOW, route=NOT_REFERRED)
    monkeypatch.setattr(commissioner_cli.runtime, "records", lambda: driver.records)
    monkeypatch.setattr("cli.common.now", lambda: datetime(2027, 4, 1, tzinfo=timezone.utc))  # the cases' clock
    run = CliRunner().invoke

    result = run(commissioner_cli.app, ["records", "--json"])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.output)
    assert (record["concerns"], record["open_concerns"], record["decision"]["level"]) == (2, 1, "caution")
    assert not ADULT_ID.search(result.output)

    result = run(commissioner_cli.app, ["records", "--as-at", "2027-03-05", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["concerns"] == 1

    result = run(commissioner_cli.app, ["records"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{ash['id']}  Ash Court - Northgate Care - learning disability")
    assert "decision: CAUTION" in result.output and "same_source_repeated" in result.output
    assert "3 criteria not recorded in Safeguard" in result.output and not ADULT_ID.search(result.output)

    result = run(commissioner_cli.app, ["history", ash["id"], "--json"])
    assert result.exit_code == 0, result.output
    assert [c["case_id"] for c in json.loads(result.output)["earlier_concerns"]][0] == first.id

    for args, message in [
        (["records", "--as-at", "15/03/2027"], "is not an ISO date"),
        (["history", "SVC-NONE"], "no concerns recorded for service 'SVC-NONE'"),
    ]:
        result = run(commissioner_cli.app, args)
        assert result.exit_code == 2 and message in result.output, (args, result.output)


# ---- the policy data, traced to seed 004 ----------------------------------------------------


def cell(line: int, column: str) -> str:
    caution, suspension = SEED[line - 1].split("\t")
    return caution if column == "caution" else suspension


@pytest.mark.unit
def test_every_appendix_a_cell_is_a_criterion_quoted_from_its_line():
    assert SEED[151] == "Appendix A: Suggested criteria for placing cautions or suspending placements"
    assert sorted((c.line, c.column) for c in CRITERIA) == [(n, col) for n in range(155, 165) for col in ("caution", "suspension")]
    for c in CRITERIA:
        assert c.wording == cell(c.line, c.column).strip(), c.id
    assert len({c.id for c in CRITERIA}) == len(CRITERIA)


@pytest.mark.unit
def test_criteria_the_events_cannot_evidence_never_match():
    silent = [c for c in CRITERIA if c.evidence == NOT_RECORDED]
    assert [c.id for c in silent] == ["caution.police_investigating", "suspension.care_standards", "suspension.duty_of_care"]
    for value in (0, 1, 1000):
        figs = {f.name: value for f in FIGURES}
        decision, _ = decide(figs)
        assert not set(decision.matched) & set(silent)
        assert decision.not_evidenced == tuple(silent)


@pytest.mark.unit
def test_pattern_rules_and_decision_levels_quote_the_seed():
    quotes = [q for r in PATTERN_RULES for q in r.seed] + [d.seed for d in DECISION_LEVELS] + [c.seed for c in COUNTED_STEPS]
    for q in quotes:
        assert q.text in SEED[q.line - 1], q.cite()
    assert [d.level for d in DECISION_LEVELS] == ["suspended", "suspension consideration", "caution", "recommendation", "none"]
    steps = {s.id for s in current_pathway().steps}
    assert all(set(c.steps) <= steps for c in COUNTED_STEPS)
