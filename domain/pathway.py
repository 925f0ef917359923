"""The peer-to-peer escalation pathway, transcribed from
`shared/seeds/001_83683b439f7bdd5b.txt` ("How to Escalate a Safeguarding Concern When
Peer-to-Peer Harm, Bullying or Targeting May Be Occurring in Adult Social Care").

Read it top to bottom like the seed: three operational examples of five steps each.
Step 5 of each example (the weekly, fortnightly and monthly audits) spans cases and
lives with the governance audits, not here. `implementation_check` and
`follow_up_review` are the checks the seed attaches to a step ("checks implementation
before the current shift ends", "reviews it at the end of every working day until
stabilised"), given their own deadlines so they cannot be silently skipped.

Each step is a named constant, and so is every record field that code elsewhere reads (the
read models, the audits, the commissioner records): they take step ids and field names from
here, never as literals. Bump `version` whenever a step, deadline, role, field or trigger
changes: every case records the pathway it was started under and keeps running on it.
"""

from __future__ import annotations

from domain.conditions import any_, count_true, is_
from domain.deadlines import (
    After,
    EndOfShift,
    EndOfWorkingDay,
    Immediately,
    WorkingDays,
    WorkingHours,
)
from domain.policy import (
    ThresholdPolicy,
    AfterStep,
    AtStart,
    Cadence,
    Escalate,
    OnDevelopment,
    Pathway,
    RecordField,
    Step,
    UntilRecorded,
)

CARE_ACT_CATEGORIES = (
    "physical",
    "sexual",
    "psychological",
    "financial_or_material",
    "discriminatory",
    "organisational",
    "neglect_and_acts_of_omission",
    "self_neglect",
    "domestic_abuse",
    "modern_slavery",
)
SUBSTANTIATION_OUTCOMES = ("substantiated", "unsubstantiated", "undetermined")


def text(name: str, help: str = "") -> RecordField:
    return RecordField(name=name, type="text", help=help)


def flag(name: str, help: str = "") -> RecordField:
    return RecordField(name=name, type="bool", help=help)


NOTES = RecordField(name="notes", type="text", required=False, help="free-text context, ids only")

# ---- Example 1: recognising when peer behaviour has become a safeguarding concern

BEHAVIOUR_OBSERVED = text("behaviour_observed", "exact behaviour observed")
INITIATED_BY = RecordField(name="initiated_by", type="id", help="who initiated the interaction (an id)")
RECORD_CONCERN = Step(
    id="record_concern",
    title="Record the initial peer-to-peer concern",
    seed="001 example 1 step 1: within fifteen minutes of identification",
    role="senior_support_worker",
    opens=AtStart(),
    deadline=After(minutes=15),
    record=(
        BEHAVIOUR_OBSERVED,
        INITIATED_BY,
        text("presentation", "the adult's immediate emotional or physical presentation"),
        NOTES,
    ),
)

SOURCE_STILL_HAS_ACCESS = flag("source_still_has_access")
PEER_RISK_REVIEW = Step(
    id="peer_risk_review",
    title="Immediate peer-risk review",
    seed="001 example 1 step 2: within thirty minutes; escalates instantly where live risk remains",
    role="team_leader",
    opens=AfterStep(step=RECORD_CONCERN.id),  # "flags the entry for same-shift Team Leader review"
    deadline=After(minutes=30),
    record=(SOURCE_STILL_HAS_ACCESS, flag("repeated_or_targeted"), flag("other_adult_affected"), NOTES),
    triggers=(
        Escalate(
            when=is_(SOURCE_STILL_HAS_ACCESS.name),
            to_role="designated_safeguarding_lead",
            reason="live risk: the alleged source still has access",
        ),
    ),
)

SIMILAR_INCIDENTS = RecordField(name="frequency_of_similar_incidents", type="int")
FEAR_OR_AVOIDANCE = flag("fear_or_avoidance")
THRESHOLD_CATEGORY = RecordField(name="category", type="text", required=False,
                                 help="threshold tool category; incidents_between_adults by default")
THRESHOLD_FACTS = RecordField(name="facts", type="object", required=False,
                              help="threshold facts (`safeguard threshold profiles` lists them)")
SERIOUSNESS_ASSESSMENT = Step(
    id="seriousness_assessment",
    title="Same-day seriousness assessment (threshold matrix)",
    seed="001 example 1 step 3: same-day, before the end of the working day",
    role="registered_manager",
    opens=AfterStep(step=RECORD_CONCERN.id),
    deadline=EndOfWorkingDay(),
    record=(
        SIMILAR_INCIDENTS,
        RecordField(name="power_imbalance", type="choice", choices=("none", "some", "significant")),
        FEAR_OR_AVOIDANCE,
        THRESHOLD_CATEGORY,
        THRESHOLD_FACTS,
        NOTES,
    ),
    effect="files_threshold_decision",
)

ABUSE_CATEGORY = RecordField(name="abuse_category", type="choice", choices=CARE_ACT_CATEGORIES)
HIGH_RISK_INDICATORS = (flag("humiliation"), flag("coercion"), flag("exploitation"))
EXPLOITATION = HIGH_RISK_INDICATORS[2]
EXTERNAL_THRESHOLD_MET = flag("external_threshold_met")
OVERRIDE_REASON = RecordField(name="override_reason", type="text", required=False,
                              help="why the threshold is not met although the threshold tool says reportable")
ROUTE_DECISION = Step(
    id="route_decision",
    title="Safeguarding route decision",
    seed="001 example 1 step 4: within four working hours; two or more high-risk indicators trigger urgent escalation",
    role="designated_safeguarding_lead",
    opens=AfterStep(step=RECORD_CONCERN.id),
    deadline=WorkingHours(hours=4),
    record=(ABUSE_CATEGORY, *HIGH_RISK_INDICATORS, EXTERNAL_THRESHOLD_MET, OVERRIDE_REASON, NOTES),
    triggers=(
        Escalate(
            when=count_true(tuple(f.name for f in HIGH_RISK_INDICATORS), 2),
            to_role="operations_director",
            reason="urgent escalation: two or more high-risk indicators",
        ),
    ),
)

# ---- Example 2: securing separation, reviewing pattern, testing for wider targeting

PROTECTION_PLAN = Step(
    id="protection_plan",
    title="Peer-protection plan",
    seed="001 example 2 step 1: within one working hour of managerial review",
    role="team_leader",
    opens=AfterStep(step=SERIOUSNESS_ASSESSMENT.id),
    deadline=WorkingHours(hours=1),
    record=(text("separation_measures"), text("shared_space_restrictions"), text("supervision_arrangements"), NOTES),
)

IMPLEMENTED = flag("implemented")
IMPLEMENTATION_CHECK = Step(
    id="implementation_check",
    title="Protection plan implementation check",
    seed="001 example 2 step 1: checks implementation before the current shift ends",
    role="team_leader",
    opens=AfterStep(step=PROTECTION_PLAN.id),
    deadline=EndOfShift(),
    record=(IMPLEMENTED, NOTES),
)

CHRONOLOGY_UPDATE = Step(
    id="chronology_update",
    title="Chronology update",
    seed="001 example 2 step 2: within four working hours",
    role="safeguarding_administrator",
    opens=AfterStep(step=PROTECTION_PLAN.id),
    deadline=WorkingHours(hours=4),
    record=(text("prior_linked_incidents"), text("access_changes"), text("previous_interventions"), NOTES),
)

SOURCE_TARGETED_OTHERS_BEFORE = flag("source_targeted_others_before")
PATTERN_IMPACT_REVIEW = Step(
    id="pattern_impact_review",
    title="Pattern and impact review",
    seed="001 example 2 step 3: within the same working day; repeated targeting flags immediate senior review",
    role="registered_manager",
    opens=AfterStep(step=PROTECTION_PLAN.id),
    deadline=EndOfWorkingDay(),
    record=(SOURCE_TARGETED_OTHERS_BEFORE, flag("routines_changed"), flag("wellbeing_deteriorated"), NOTES),
    triggers=(
        Escalate(
            when=is_(SOURCE_TARGETED_OTHERS_BEFORE.name),
            to_role="operations_director",
            reason="repeated targeting: immediate senior review",
        ),
    ),
)

MORE_THAN_ONE_ADULT_AFFECTED = flag("more_than_one_adult_affected")
SERVICE_RISK_REVIEW = Step(
    id="service_risk_review",
    title="Wider service risk review",
    seed="001 example 2 step 4: within one working day; escalates where wider exposure appears possible",
    role="operations_director",
    opens=AfterStep(step=PATTERN_IMPACT_REVIEW.id),
    deadline=WorkingDays(days=1),
    record=(flag("staffing_adequate"), flag("environment_contributed"), MORE_THAN_ONE_ADULT_AFFECTED, NOTES),
    triggers=(
        Escalate(
            when=is_(MORE_THAN_ONE_ADULT_AFFECTED.name),
            to_role="nominated_individual",
            reason="wider exposure: more than one adult may be affected",
        ),
    ),
)

# ---- Example 3: escalating externally, maintaining safe support, learning

EXTERNAL_REFERRAL = Step(
    id="external_referral",
    title="External safeguarding referral",
    seed="001 example 3 step 1: within twenty-four hours where threshold is met",
    role="designated_safeguarding_lead",
    opens=AfterStep(step=ROUTE_DECISION.id, when=is_(EXTERNAL_THRESHOLD_MET.name)),
    deadline=After(minutes=24 * 60),
    record=(
        RecordField(name="referred_at", type="instant"),
        text("receiving_authority"),
        text("rationale"),
        flag("receipt_confirmed"),
        NOTES,
    ),
)

FOLLOW_UP_PLAN = Step(
    id="follow_up_plan",
    title="Live follow-up plan",
    seed="001 example 3 step 2: immediately after referral",
    role="registered_manager",
    opens=AfterStep(step=EXTERNAL_REFERRAL.id),
    deadline=Immediately(),
    record=(text("supervision_arrangements"), text("contact_restrictions"), text("welfare_review_frequency"), NOTES),
)

STABILISED = flag("stabilised")
FOLLOW_UP_REVIEW = Step(
    id="follow_up_review",
    title="End-of-day follow-up review",
    seed="001 example 3 step 2: reviews it at the end of every working day until stabilised",
    role="registered_manager",
    opens=AfterStep(step=FOLLOW_UP_PLAN.id),
    deadline=EndOfWorkingDay(),
    repeat=UntilRecorded(condition=is_(STABILISED.name)),
    record=(STABILISED, NOTES),
)

CHRONOLOGY_DEVELOPMENT = Step(
    id="chronology_development",
    title="Chronology update for a development",
    seed="001 example 3 step 3: within one working day of every development",
    role="safeguarding_administrator",
    opens=OnDevelopment(),
    deadline=WorkingDays(days=1),
    record=(text("development"), text("agency_contact"), text("action_deadlines"), NOTES),
)

OVERSIGHT_RISK_FLAGS = (flag("unresolved_targeting_risk"), flag("overdue_protective_actions"), flag("supervision_weak"))
LIVE_CASE_OVERSIGHT = Step(
    id="live_case_oversight",
    title="Live case oversight",
    seed="001 example 3 step 4: every seventy-two hours; escalates where open risk remains beyond agreed timescales",
    role="operations_director",
    opens=AfterStep(step=RECORD_CONCERN.id),
    deadline=After(minutes=72 * 60),
    repeat=Cadence(),
    record=(*OVERSIGHT_RISK_FLAGS, NOTES),
    triggers=(
        Escalate(
            when=any_(*(is_(f.name) for f in OVERSIGHT_RISK_FLAGS)),
            to_role="nominated_individual",
            reason="open risk beyond agreed protective timescales",
        ),
    ),
)

CONCLUSION_REASON = text("reason")
CONCLUDE_CASE = Step(
    id="conclude_case",
    title="Case conclusion",
    seed="001 example 3 step 5: case conclusion starts the closure clock",
    role="designated_safeguarding_lead",
    opens=AfterStep(step=ROUTE_DECISION.id),
    deadline=None,
    record=(CONCLUSION_REASON, NOTES),
    effect="concludes_case",
    effect_field=CONCLUSION_REASON.name,
)

SUBSTANTIATION_OUTCOME = RecordField(name="substantiation_outcome", type="choice", choices=SUBSTANTIATION_OUTCOMES)
ACTION_COMPLETION_RATE = RecordField(name="action_completion_rate", type="percent")
LESSONS = text("lessons")
CLOSURE_LEARNING_REVIEW = Step(
    id="closure_learning_review",
    title="Closure and learning review",
    seed="001 example 3 step 5: within five working days of case conclusion",
    role="quality_safeguarding_lead",
    opens=AfterStep(step=CONCLUDE_CASE.id),
    deadline=WorkingDays(days=5),
    record=(SUBSTANTIATION_OUTCOME, ACTION_COMPLETION_RATE, LESSONS, NOTES),
    effect="closes_case",
    effect_field=SUBSTANTIATION_OUTCOME.name,
)


PEER_TO_PEER = Pathway(
    name="peer-to-peer-escalation",
    version="2026.11.3",  # 2026.11.3: initiated_by is an id (issue 8)
    source="001_83683b439f7bdd5b.txt",
    escalation_chain=(
        "senior_support_worker",
        "team_leader",
        "registered_manager",
        "designated_safeguarding_lead",
        "operations_director",
    ),
    reports_to={
        "safeguarding_administrator": "designated_safeguarding_lead",
        "quality_safeguarding_lead": "operations_director",
        # above the chain: the provider's nominated individual (CQC) receives what the
        # operations director leaves open or escalates
        "operations_director": "nominated_individual",
    },
    steps=(
        RECORD_CONCERN, PEER_RISK_REVIEW, SERIOUSNESS_ASSESSMENT, ROUTE_DECISION,  # example 1
        PROTECTION_PLAN, IMPLEMENTATION_CHECK, CHRONOLOGY_UPDATE, PATTERN_IMPACT_REVIEW, SERVICE_RISK_REVIEW,  # example 2
        EXTERNAL_REFERRAL, FOLLOW_UP_PLAN, FOLLOW_UP_REVIEW, CHRONOLOGY_DEVELOPMENT, LIVE_CASE_OVERSIGHT,  # example 3
        CONCLUDE_CASE, CLOSURE_LEARNING_REVIEW,
    ),
    threshold=ThresholdPolicy(
        # 001 example 1 step 3: "files the matrix in the safeguarding decision folder"
        assessed_at=SERIOUSNESS_ASSESSMENT.id,
        facts_field=THRESHOLD_FACTS.name,
        category_field=THRESHOLD_CATEGORY.name,
        default_category="incidents_between_adults",
        facts_from_record={
            SIMILAR_INCIDENTS.name: "prior_incidents_same_source",
            FEAR_OR_AVOIDANCE.name: "victim_fearful_or_adapting",
        },
        # 001 example 1 step 4: "whether external safeguarding threshold may already be met"
        decided_at=ROUTE_DECISION.id,
        decision_field=EXTERNAL_THRESHOLD_MET.name,
        override_reason_field=OVERRIDE_REASON.name,
        referral_step=EXTERNAL_REFERRAL.id,
        referral_level="reportable",
        urgent_escalation_to="operations_director",
    ),
)


def current_pathway() -> Pathway:
    """The one place the pathway in force is read from."""
    return PEER_TO_PEER
