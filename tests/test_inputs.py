"""Input rules (issue 8): ids that are ids, bounded text, plausible instants. The rules on
their own, in the decider (under the rules a case's policy carries, so its update validators
apply them with no settings read), and in a running case."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError

from bootstrap import build_worker, open_records
from configuration.settings import Settings
from domain import values
from domain.case import Rejected, decide_development
from domain.concern import ConcernBody, Development
from domain.inputs import DEFAULT_RULES, InputRules, nhs_number_valid
from domain.pathway import RECORD_CONCERN
from domain.records import RecordError, validate_record
from tests.cases import CaseDriver
from tests.conftest import concern
from tests.pure_case import PureCase, policy_for

NOW = datetime(2027, 1, 12, 10, 0, tzinfo=timezone.utc)


# ---- the rules on their own ------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("value", ["A-117", "SSW-14", "9434765919", "urn:nhs:9434765919", "T.1/2_b", "7", "A" * 63 + "1"])
def test_the_default_id_rule_takes_ids(value):
    assert DEFAULT_RULES.id_problem(value, "person") is None


@pytest.mark.unit
@pytest.mark.parametrize("value, problem", [
    ("Mary Smith", "is not an id: give the service user's id (e.g. A-117), never a name"),
    ("SMITH", "is not an id"),  # no digit
    ("A-117 ", "is not an id"),
    ("A-117\n", "is not an id"),
    ("A\u2013117", "is not an id"),  # an en dash
    ("", "is not an id"),
    ("A" * 64 + "1", "is not an id: ids are at most 64 characters"),
])
def test_the_default_id_rule_refuses_names_and_the_rest(value, problem):
    assert DEFAULT_RULES.id_problem(value, "person").startswith(problem)


@pytest.mark.unit
def test_an_organisations_pattern_narrows_ids_but_never_admits_spaces_or_control_characters():
    rules = InputRules(id_pattern=r".+")
    assert rules.id_problem("SMITHJ", "staff") is None
    assert rules.id_problem("J Smith", "staff") == "is not an id: give the staff member's id (e.g. SSW-14), never a name"
    assert rules.id_problem("J\x1b[0m", "staff") is not None
    assert InputRules(id_pattern=r"P[0-9]{6}").id_problem("A-117", "person") is not None
    with pytest.raises(ValidationError, match="'P\\[0-9' is not a regular expression"):
        InputRules(id_pattern="P[0-9")


@pytest.mark.unit
def test_nhs_numbers_pass_the_modulus_11_check():
    # 9434765919: 9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2 = 299; 299 mod 11 = 2; 11 - 2 = 9
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    # 1234567890: the sum is 210, 210 mod 11 = 1, 11 - 1 = 10: no valid number starts 123456789
    assert not any(nhs_number_valid(f"123456789{d}") for d in range(10))
    # a remainder of 0 gives 11, which counts as 0
    assert not nhs_number_valid("943476591") and not nhs_number_valid("94347659190") and not nhs_number_valid("943476591X")
    nhs = InputRules(nhs_number_ids=True)
    assert nhs.id_problem("9434765918", "person") == "is not a valid NHS number: its check digit does not match"
    assert nhs.id_problem("9434765918", "staff") is None  # staff ids are not NHS numbers
    assert nhs.id_problem("A-117", "person") is None  # only a 10-digit id is taken for one
    assert DEFAULT_RULES.id_problem("9434765918", "person") is None  # off by default


@pytest.mark.unit
def test_the_check_digit_when_the_remainder_is_zero():
    nine = next(f"{n:09d}" for n in range(100_000_000, 200_000_000)
                if sum(int(d) * w for d, w in zip(f"{n:09d}", range(10, 1, -1))) % 11 == 0)
    assert nhs_number_valid(nine + "0") and not nhs_number_valid(nine + "1")


@pytest.mark.unit
@pytest.mark.parametrize("type, value, problem", [
    ("id", "Mary Smith", "is not an id: give the service user's id (e.g. A-117), never a name; got \"Mary Smith\" (string)"),
    ("text", "a\x00b", "contains a NUL character"),
    ("text", "x" * 2001, "is 2,001 characters: at most 2,000"),
    ("text", "red \x1b[31m", "contains a control character (\\x1b)"),
    ("int", 10_001, "expects a whole number from 0 to 10,000, got 10001 (number)"),
    ("int", 10**29, "expects a whole number from 0 to 10,000, got 100000000000000000000000000000 (number)"),
    ("instant", 1732368000, "expects an ISO 8601 date-time with a UTC offset, got 1732368000 (number): epoch numbers are not accepted"),
    ("instant", "2027-01-13T10:00:00+00:00", "is in the future: 2027-01-13T10:00:00+00:00 is after now (2027-01-12T10:00:00+00:00)"),
])
def test_values_as_input(type, value, problem):
    assert values.check(type, value, rules=DEFAULT_RULES, now=NOW) == (value, problem)


@pytest.mark.unit
def test_values_as_input_take_good_values():
    assert values.check("text", "line one\nline two", rules=DEFAULT_RULES) == ("line one\nline two", None)
    assert values.check("int", 10_000, rules=DEFAULT_RULES) == (10_000, None)
    assert values.check("instant", "2027-01-12T10:04:00+00:00", rules=DEFAULT_RULES, now=NOW)[1] is None  # clock skew
    assert values.check("id", "A-204") == ("A-204", None)


@pytest.mark.unit
def test_a_long_value_is_cut_short_in_a_message():
    _, problem = values.check("bool", "x" * 100_000)
    assert len(problem) < 200 and "100,000 characters" in problem


@pytest.mark.unit
def test_record_fields_typed_id_refuse_names_whoever_checks():
    with pytest.raises(RecordError, match="field 'initiated_by' is not an id"):
        validate_record(RECORD_CONCERN, {"behaviour_observed": "pushed", "initiated_by": "Mary", "presentation": "calm"})


@pytest.mark.unit
def test_what_was_recorded_before_the_checks_still_loads():
    """Facts and histories hold concerns validated without the rules: they load as they were."""
    old = concern("1900-01-01T00:00:00+00:00", adult_at_risk="Mary Smith", summary=" ", case_id="OLD-1")
    assert ConcernBody.model_validate(old).adult_at_risk.id == "Mary Smith"
    with pytest.raises(ValidationError, match="adult_at_risk"):
        ConcernBody.model_validate(old, context=DEFAULT_RULES.context(NOW))


# ---- in the decider: the rules a case's policy carries ---------------------------------------


def raised(rules: InputRules | None) -> PureCase:
    policy = policy_for(datetime(2027, 1, 12, 9, 30, tzinfo=timezone.utc))
    case = PureCase(concern("2027-01-12T09:30:00+00:00"), policy.model_copy(update={"inputs": rules}))
    case.at("2027-01-12T09:35:00+00:00")
    return case


@pytest.mark.unit
def test_the_decider_refuses_a_name_for_an_actor_under_the_cases_rules():
    case = raised(DEFAULT_RULES)
    with pytest.raises(Rejected, match="step completion: actor: 'John Brown' is not an id"):
        case.complete("record_concern", actor="John Brown")
    with pytest.raises(Rejected, match="development: actor: 'Jane Doe' is not an id"):
        decide_development(case.state, Development(kind="other", summary="called", actor="Jane Doe"), case.now)
    case.complete("record_concern", actor="SSW-14")
    case.complete("peer_risk_review", source_still_has_access=True)  # escalated to the DSL at once: E1
    with pytest.raises(Rejected, match="acknowledgement: actor: 'S-1\\\\n' is not an id"):
        case.acknowledge("E1", "designated_safeguarding_lead", actor="S-1\n")
    case.acknowledge("E1", "designated_safeguarding_lead", actor="DSL-1")


@pytest.mark.unit
def test_a_case_raised_before_the_rules_decides_as_it_began():
    """Its replay must never refuse what its history accepted (the CLI checks its input anyway)."""
    case = raised(None)
    case.complete("record_concern", actor="John Brown", notes="x" * 5000)
    assert next(f for f in case.facts if f.type == "StepCompleted").actor == "John Brown"


@pytest.mark.unit
def test_record_instants_may_not_be_after_the_cases_clock():
    case = raised(DEFAULT_RULES)
    case.complete("record_concern")
    case.at("2027-01-12T10:00:00+00:00")
    case.complete("route_decision", external_threshold_met=True)
    with pytest.raises(Rejected, match="field 'referred_at' is in the future: 2027-01-12T11:00:00"):
        case.complete("external_referral", referred_at="2027-01-12T11:00:00+00:00")
    case.at("2027-01-12T11:30:00+00:00")
    case.complete("external_referral", referred_at="2027-01-12T11:00:00+00:00")


# ---- in a running case ---------------------------------------------------------------------


async def test_a_running_case_refuses_a_name_for_an_actor_and_records_nothing(driver):
    case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00"))
    await case.at("2027-01-12T09:35:00+00:00")
    before = len(case.facts())
    for actor, message in [("John Brown", "actor: 'John Brown' is not an id"),
                           ("S-1\n  9 CaseClosed (quality_safeguarding_lead)", "actor: 'S-1\\n  9 CaseClosed")]:
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await case.complete("record_concern", actor=actor)
        assert message in caught.value.cause.message
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await case.complete("record_concern", initiated_by="the other resident")
    assert "field 'initiated_by' is not an id" in caught.value.cause.message
    assert len(case.facts()) == before
    await case.complete("record_concern", actor="SSW-14")


async def test_the_organisations_id_pattern_travels_in_the_case_policy(env, tmp_path):
    settings = Settings(data_dir=tmp_path, task_queue=f"test-{uuid.uuid4().hex[:8]}", workflow_sandbox=True,
                        id_pattern=r"P[0-9]{6}")
    records = open_records(settings)
    async with build_worker(env.client, records, settings):
        driver = CaseDriver(env, settings, records)
        case = await driver.raise_concern(concern("2027-01-12T09:30:00+00:00", adult_at_risk="P000117", alleged_source="P000204"))
        await case.at("2027-01-12T09:35:00+00:00")
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await case.complete("record_concern", actor="STAFF-1", initiated_by="P000204")
        assert "actor: 'STAFF-1' is not an id" in caught.value.cause.message
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await case.complete("record_concern", actor="P000001", initiated_by="A-204")
        assert "field 'initiated_by' is not an id" in caught.value.cause.message
        await case.complete("record_concern", actor="P000001", initiated_by="P000204")
        await driver.terminate_open_cases()


@pytest.mark.parametrize("text", ["0001-01-01", "1999-12-31", "9999-12-31", "0001-01-01T00:00:00+00:00"])
def test_a_date_outside_any_record_is_refused_in_plain_words(text):
    """The trial's year 1 (an overflow, answered 500) and year 9999 (its day's end is no date)."""
    from casework.inputs import parse_as_at, parse_date
    from casework.refusals import Invalid

    with pytest.raises(Invalid, match="Safeguard holds no records from then"):
        parse_as_at(text, option="as_at")
    if len(text) == 10:
        with pytest.raises(Invalid, match="Safeguard holds no records from then"):
            parse_date(text, "as_of")


@pytest.mark.parametrize("service_id, ok", [("SVC-ELM", True), ("svc_oak.2", True), ("../../etc", False),
                                            ("SVC ELM", False), ("SVC/ELM", False), ("-SVC", False)])
def test_a_service_id_is_an_id_never_a_path(service_id, ok):
    """The trial raised a concern at service "../../etc" and granted a role there."""
    from domain.access import Assignment, assignment_problem
    from domain.concern import Service
    from domain.inputs import DEFAULT_RULES

    def raised():
        Service.model_validate({"id": service_id, "name": "Elm House", "provider": "Northgate", "client_group": "LD"},
                               context=DEFAULT_RULES.context())
    if ok:
        raised()
        assert assignment_problem(Assignment("team_leader", service_id)) is None
    else:
        with pytest.raises(ValueError, match="give the service's id"):
            raised()
        assert "give the service's id" in assignment_problem(Assignment("team_leader", service_id))


@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_an_instant_its_offset_takes_off_the_calendar_is_refused_not_a_fault(instant):
    """The trial's: these raised OverflowError (a 500, a traceback) in a concern, a step's record, a page."""
    from datetime import datetime

    from casework.inputs import parse_as_at
    from casework.refusals import Invalid
    from domain.concern import ConcernBody
    from domain.inputs import DEFAULT_RULES
    from domain.values import check
    from tests.conftest import concern
    from web.pages.formats import from_london_input

    with pytest.raises(ValueError, match="not a date and time Safeguard can hold"):
        ConcernBody.model_validate(concern(instant), context=DEFAULT_RULES.context(datetime.now().astimezone()))
    assert check("instant", instant)[1] is not None  # refused, with what is wrong
    with pytest.raises(ValueError):
        from_london_input(instant)
    with pytest.raises(Invalid, match="Safeguard holds no records from then"):
        parse_as_at(instant, option="as_at")
