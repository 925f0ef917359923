"""The peer-to-peer escalation pathway, transcribed from
`shared/seeds/001_83683b439f7bdd5b.txt` ("How to Escalate a Safeguarding Concern When
Peer-to-Peer Harm, Bullying or Targeting May Be Occurring in Adult Social Care").

Read it top to bottom like the seed: three operational examples of five steps each.
Step 5 of each example (the weekly, fortnightly and monthly audits) spans cases and
lives with the governance audits, not here. `implementation_check` and
`follow_up_review` are the checks the seed attaches to a step ("checks implementation
before the current shift ends", "reviews it at the end of every working day until
stabilised"), given their own deadlines so they cannot be silently skipped.

Bump `version` whenever a step, deadline, role, field or trigger changes: every case
records the pathway it was started under and keeps running on it.
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

PEER_TO_PEER = Pathway(
    name="peer-to-peer-escalation",
    version="2026.11.2",
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
        # ---- Example 1: recognising when peer behaviour has become a safeguarding concern
        Step(
            id="record_concern",
            title="Record the initial peer-to-peer concern",
            seed="001 example 1 step 1: within fifteen minutes of identification",
            role="senior_support_worker",
            opens=AtStart(),
            deadline=After(minutes=15),
            record=(
                text("behaviour_observed", "exact behaviour observed"),
                text("initiated_by", "who initiated the interaction (an id)"),
                text("presentation", "the adult's immediate emotional or physical presentation"),
                NOTES,
            ),
        ),
        Step(
            id="peer_risk_review",
            title="Immediate peer-risk review",
            seed="001 example 1 step 2: within thirty minutes; escalates instantly where live risk remains",
            role="team_leader",
            opens=AfterStep(step="record_concern"),  # "flags the entry for same-shift Team Leader review"
            deadline=After(minutes=30),
            record=(
                flag("source_still_has_access"),
                flag("repeated_or_targeted"),
                flag("other_adult_affected"),
                NOTES,
            ),
            triggers=(
                Escalate(
                    when=is_("source_still_has_access"),
                    to_role="designated_safeguarding_lead",
                    reason="live risk: the alleged source still has access",
                ),
            ),
        ),
        Step(
            id="seriousness_assessment",
            title="Same-day seriousness assessment (threshold matrix)",
            seed="001 example 1 step 3: same-day, before the end of the working day",
            role="registered_manager",
            opens=AfterStep(step="record_concern"),
            deadline=EndOfWorkingDay(),
            record=(
                RecordField(name="frequency_of_similar_incidents", type="int"),
                RecordField(name="power_imbalance", type="choice", choices=("none", "some", "significant")),
                flag("fear_or_avoidance"),
                RecordField(name="category", type="text", required=False,
                            help="threshold tool category; incidents_between_adults by default"),
                RecordField(name="facts", type="object", required=False,
                            help="threshold facts (`safeguard threshold profiles` lists them)"),
                NOTES,
            ),
            effect="files_threshold_decision",
        ),
        Step(
            id="route_decision",
            title="Safeguarding route decision",
            seed="001 example 1 step 4: within four working hours; two or more high-risk indicators trigger urgent escalation",
            role="designated_safeguarding_lead",
            opens=AfterStep(step="record_concern"),
            deadline=WorkingHours(hours=4),
            record=(
                RecordField(name="abuse_category", type="choice", choices=CARE_ACT_CATEGORIES),
                flag("humiliation"),
                flag("coercion"),
                flag("exploitation"),
                flag("external_threshold_met"),
                RecordField(name="override_reason", type="text", required=False,
                            help="why the threshold is not met although the threshold tool says reportable"),
                NOTES,
            ),
            triggers=(
                Escalate(
                    when=count_true(("humiliation", "coercion", "exploitation"), 2),
                    to_role="operations_director",
                    reason="urgent escalation: two or more high-risk indicators",
                ),
            ),
        ),
        # ---- Example 2: securing separation, reviewing pattern, testing for wider targeting
        Step(
            id="protection_plan",
            title="Peer-protection plan",
            seed="001 example 2 step 1: within one working hour of managerial review",
            role="team_leader",
            opens=AfterStep(step="seriousness_assessment"),
            deadline=WorkingHours(hours=1),
            record=(
                text("separation_measures"),
                text("shared_space_restrictions"),
                text("supervision_arrangements"),
                NOTES,
            ),
        ),
        Step(
            id="implementation_check",
            title="Protection plan implementation check",
            seed="001 example 2 step 1: checks implementation before the current shift ends",
            role="team_leader",
            opens=AfterStep(step="protection_plan"),
            deadline=EndOfShift(),
            record=(flag("implemented"), NOTES),
        ),
        Step(
            id="chronology_update",
            title="Chronology update",
            seed="001 example 2 step 2: within four working hours",
            role="safeguarding_administrator",
            opens=AfterStep(step="protection_plan"),
            deadline=WorkingHours(hours=4),
            record=(
                text("prior_linked_incidents"),
                text("access_changes"),
                text("previous_interventions"),
                NOTES,
            ),
        ),
        Step(
            id="pattern_impact_review",
            title="Pattern and impact review",
            seed="001 example 2 step 3: within the same working day; repeated targeting flags immediate senior review",
            role="registered_manager",
            opens=AfterStep(step="protection_plan"),
            deadline=EndOfWorkingDay(),
            record=(
                flag("source_targeted_others_before"),
                flag("routines_changed"),
                flag("wellbeing_deteriorated"),
                NOTES,
            ),
            triggers=(
                Escalate(
                    when=is_("source_targeted_others_before"),
                    to_role="operations_director",
                    reason="repeated targeting: immediate senior review",
                ),
            ),
        ),
        Step(
            id="service_risk_review",
            title="Wider service risk review",
            seed="001 example 2 step 4: within one working day; escalates where wider exposure appears possible",
            role="operations_director",
            opens=AfterStep(step="pattern_impact_review"),
            deadline=WorkingDays(days=1),
            record=(
                flag("staffing_adequate"),
                flag("environment_contributed"),
                flag("more_than_one_adult_affected"),
                NOTES,
            ),
            triggers=(
                Escalate(
                    when=is_("more_than_one_adult_affected"),
                    to_role="nominated_individual",
                    reason="wider exposure: more than one adult may be affected",
                ),
            ),
        ),
        # ---- Example 3: escalating externally, maintaining safe support, learning
        Step(
            id="external_referral",
            title="External safeguarding referral",
            seed="001 example 3 step 1: within twenty-four hours where threshold is met",
            role="designated_safeguarding_lead",
            opens=AfterStep(step="route_decision", when=is_("external_threshold_met")),
            deadline=After(minutes=24 * 60),
            record=(
                RecordField(name="referred_at", type="instant"),
                text("receiving_authority"),
                text("rationale"),
                flag("receipt_confirmed"),
                NOTES,
            ),
        ),
        Step(
            id="follow_up_plan",
            title="Live follow-up plan",
            seed="001 example 3 step 2: immediately after referral",
            role="registered_manager",
            opens=AfterStep(step="external_referral"),
            deadline=Immediately(),
            record=(
                text("supervision_arrangements"),
                text("contact_restrictions"),
                text("welfare_review_frequency"),
                NOTES,
            ),
        ),
        Step(
            id="follow_up_review",
            title="End-of-day follow-up review",
            seed="001 example 3 step 2: reviews it at the end of every working day until stabilised",
            role="registered_manager",
            opens=AfterStep(step="follow_up_plan"),
            deadline=EndOfWorkingDay(),
            repeat=UntilRecorded(condition=is_("stabilised")),
            record=(flag("stabilised"), NOTES),
        ),
        Step(
            id="chronology_development",
            title="Chronology update for a development",
            seed="001 example 3 step 3: within one working day of every development",
            role="safeguarding_administrator",
            opens=OnDevelopment(),
            deadline=WorkingDays(days=1),
            record=(text("development"), text("agency_contact"), text("action_deadlines"), NOTES),
        ),
        Step(
            id="live_case_oversight",
            title="Live case oversight",
            seed="001 example 3 step 4: every seventy-two hours; escalates where open risk remains beyond agreed timescales",
            role="operations_director",
            opens=AfterStep(step="record_concern"),
            deadline=After(minutes=72 * 60),
            repeat=Cadence(),
            record=(
                flag("unresolved_targeting_risk"),
                flag("overdue_protective_actions"),
                flag("supervision_weak"),
                NOTES,
            ),
            triggers=(
                Escalate(
                    when=any_(is_("unresolved_targeting_risk"), is_("overdue_protective_actions"), is_("supervision_weak")),
                    to_role="nominated_individual",
                    reason="open risk beyond agreed protective timescales",
                ),
            ),
        ),
        Step(
            id="conclude_case",
            title="Case conclusion",
            seed="001 example 3 step 5: case conclusion starts the closure clock",
            role="designated_safeguarding_lead",
            opens=AfterStep(step="route_decision"),
            deadline=None,
            record=(text("reason"), NOTES),
            effect="concludes_case",
        ),
        Step(
            id="closure_learning_review",
            title="Closure and learning review",
            seed="001 example 3 step 5: within five working days of case conclusion",
            role="quality_safeguarding_lead",
            opens=AfterStep(step="conclude_case"),
            deadline=WorkingDays(days=5),
            record=(
                RecordField(name="substantiation_outcome", type="choice", choices=SUBSTANTIATION_OUTCOMES),
                RecordField(name="action_completion_rate", type="percent"),
                text("lessons"),
                NOTES,
            ),
            effect="closes_case",
        ),
    ),
    threshold=ThresholdPolicy(
        # 001 example 1 step 3: "files the matrix in the safeguarding decision folder"
        assessed_at="seriousness_assessment",
        facts_field="facts",
        category_field="category",
        default_category="incidents_between_adults",
        facts_from_record={
            "frequency_of_similar_incidents": "prior_incidents_same_source",
            "fear_or_avoidance": "victim_fearful_or_adapting",
        },
        # 001 example 1 step 4: "whether external safeguarding threshold may already be met"
        decided_at="route_decision",
        decision_field="external_threshold_met",
        override_reason_field="override_reason",
        referral_step="external_referral",
        referral_level="reportable",
        urgent_escalation_to="operations_director",
    ),
)


def current_pathway() -> Pathway:
    """The one place the pathway in force is read from."""
    return PEER_TO_PEER


# ---- TEMPORARY (replaced when the steps become named constants) ----
LIVE_CASE_OVERSIGHT = PEER_TO_PEER.step("live_case_oversight")
OVERSIGHT_RISK_FLAGS = ("unresolved_targeting_risk", "overdue_protective_actions", "supervision_weak")
PEER_RISK_REVIEW = PEER_TO_PEER.step("peer_risk_review")
ROUTE_DECISION = PEER_TO_PEER.step("route_decision")
SERVICE_RISK_REVIEW = PEER_TO_PEER.step("service_risk_review")
CHRONOLOGY_DEVELOPMENT = PEER_TO_PEER.step("chronology_development")
CHRONOLOGY_UPDATE = PEER_TO_PEER.step("chronology_update")
CLOSURE_LEARNING_REVIEW = PEER_TO_PEER.step("closure_learning_review")
IMPLEMENTATION_CHECK = PEER_TO_PEER.step("implementation_check")
PROTECTION_PLAN = PEER_TO_PEER.step("protection_plan")
RECORD_CONCERN = PEER_TO_PEER.step("record_concern")
SERIOUSNESS_ASSESSMENT = PEER_TO_PEER.step("seriousness_assessment")
