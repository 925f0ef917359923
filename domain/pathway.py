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

from domain.conditions import all_, any_, count_true, eq, ge, is_, not_, one_of
from domain.values import FILLER_WORDS
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
    OnThresholdDecision,
    Pathway,
    InOrder,
    RecordCheck,
    RecordedInterval,
    RecordField,
    Requirement,
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
# the national Safeguarding Adults Collection's categories (NHS England, SAC guidance): type of
# risk is CARE_ACT_CATEGORIES; these are where the risk was, who it came from, and how it ended.
# Their wording, quoted with its source, is in docs/sac.md.
# SG2a: a case may have several types of risk, each counted (pathways from 2026.12.2)
TYPES_OF_RISK = (*CARE_ACT_CATEGORIES, "sexual_exploitation")
# SG2b: care home split into nursing and residential, hospital into acute, mental health and
# community (pathways from 2026.12.2; before, "care_home" and "hospital" whole)
LOCATIONS_OF_RISK = ("own_home", "community", "service_in_the_community", "care_home_nursing", "care_home_residential",
                     "hospital_acute", "hospital_mental_health", "hospital_community", "other")
LOCATIONS_BEFORE_2026_12_2 = ("care_home", "hospital")
SOURCES_OF_RISK = ("service_provider", "other_known_to_individual", "unknown_to_individual")
RISK_OUTCOMES = ("removed", "reduced", "remains")
# Making Safeguarding Personal, as the collection asks it: were outcomes asked about, expressed,
# achieved ("dont_know" from 2026.12.2)
MSP_ASKED = ("yes_outcomes_expressed", "yes_no_outcomes_expressed", "no_lacked_capacity", "no_other_reason", "dont_know")
MSP_ACHIEVED = ("fully", "partially", "not_achieved")
# What the local authority did with a referral, and how its enquiry ended (SG1f, SG2c, SG2e, SG3a)
LA_DECISIONS = ("section_42_enquiry", "other_enquiry", "no_further_action")
LA_ENQUIRIES = ("section_42_enquiry", "other_enquiry")
RISK_ASSESSMENT_OUTCOMES = (  # SG2c, in the collection's order
    "risk_identified_action_taken", "risk_identified_no_action_taken",
    "inconclusive_action_taken", "inconclusive_no_action_taken",
    "no_risk_identified_action_taken", "no_risk_identified_no_action_taken",
    "ceased_at_individuals_request_no_action_taken",
)
RISK_IDENTIFIED = RISK_ASSESSMENT_OUTCOMES[:2]
ENQUIRY_RISK_OUTCOMES = ("remained", "reduced", "removed")  # SG2e
CAPACITY_ANSWERS = ("yes", "no", "dont_know")  # SG3a ("not recorded" is the absence of an answer)
# No seed gives the local authority's answer a deadline: a reminder to chase it after this many
# working days (SAFEGUARD_STEP_DEADLINES can change it; each case records the one it ran under)
LA_CHASE_WORKING_DAYS = 5


def text(name: str, help: str = "") -> RecordField:
    return RecordField(name=name, type="text", help=help)


def flag(name: str, help: str = "") -> RecordField:
    return RecordField(name=name, type="bool", help=help)


NOTES = RecordField(name="notes", type="text", required=False, help="free-text context, ids only")

# ---- Example 1: recognising when peer behaviour has become a safeguarding concern

BEHAVIOUR_OBSERVED = text("behaviour_observed", "exact behaviour observed")
# the word an id field takes for an alleged source who is not a service user (pathways from 2026.12.2)
SOURCE_WITHOUT_ID = "alleged_source"
INITIATED_BY = RecordField(name="initiated_by", type="id", help="who initiated the interaction (an id; "
                                                                "alleged_source for a source who is not a service user)")
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
# 000 procedure 3 (line 48): "where there might be mutual abuse or harm"; 002 line 289: abuse by
# adults "who also have care and support needs themselves" (pathways from 2026.12.1)
SOURCE_ALSO_ADULT_AT_RISK = flag("source_also_adult_at_risk", "is the person causing harm also an adult at risk?")
PEER_RISK_REVIEW = Step(
    id="peer_risk_review",
    title="Immediate peer-risk review",
    seed="001 example 1 step 2: within thirty minutes; escalates instantly where live risk remains",
    role="team_leader",
    opens=AfterStep(step=RECORD_CONCERN.id),  # "flags the entry for same-shift Team Leader review"
    deadline=After(minutes=30),
    record=(SOURCE_STILL_HAS_ACCESS, flag("repeated_or_targeted"), flag("other_adult_affected"), SOURCE_ALSO_ADULT_AT_RISK, NOTES),
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
LOCATION_OF_RISK = RecordField(name="location_of_risk", type="choice", choices=LOCATIONS_OF_RISK,
                               help="national Safeguarding Adults Collection: where the risk was")
SOURCE_OF_RISK = RecordField(name="source_of_risk", type="choice", choices=SOURCES_OF_RISK,
                             help="national Safeguarding Adults Collection: who the risk came from")
FURTHER_TYPES_OF_RISK = RecordField(name="further_types_of_risk", type="choices", choices=TYPES_OF_RISK, required=False,
                                    help="national Safeguarding Adults Collection: any other types of risk in this case (each is counted)")
OVERRIDE_REASON = RecordField(name="override_reason", type="text", required=False,
                              help="why the threshold is not met although the threshold tool says reportable")
ROUTE_DECISION = Step(
    id="route_decision",
    title="Safeguarding route decision",
    seed="001 example 1 step 4: within four working hours; two or more high-risk indicators trigger urgent escalation",
    role="designated_safeguarding_lead",
    opens=AfterStep(step=RECORD_CONCERN.id),
    deadline=WorkingHours(hours=4),
    record=(ABUSE_CATEGORY, FURTHER_TYPES_OF_RISK, LOCATION_OF_RISK, SOURCE_OF_RISK, *HIGH_RISK_INDICATORS,
            EXTERNAL_THRESHOLD_MET, OVERRIDE_REASON, NOTES),
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

# ---- The person at the centre (000; pathways from 2026.12.1)

# 000 General Approach 4 (line 30): "the views and wishes of the distressed individual concerned".
# Asked by the protection plan (both are due within one working hour of the seriousness assessment),
# by the registered manager, the policy's Responsible Person (000 line 56).
ASKED_ABOUT_OUTCOMES = RecordField(name="asked_about_outcomes", type="choice", choices=MSP_ASKED,
                                   help="was the adult at risk asked what outcomes they want?")
OUTCOMES_EXPRESSED = RecordField(name="outcomes_expressed", type="text", required=False,
                                 help="what the adult at risk said they want (or their advocate for them)")
NOT_ASKED_REASON = RecordField(name="not_asked_reason", type="text", required=False,
                               help="why the adult at risk could not be asked")
VIEWS_AND_WISHES = Step(
    id="views_and_wishes",
    title="Views and wishes of the adult at risk (Making Safeguarding Personal)",
    seed="000 General Approach 4 (line 30): the process depends on the views and wishes of the distressed individual; due by the protection plan; owned by the registered manager, 000's Responsible Person (line 56)",
    role="registered_manager",
    opens=AfterStep(step=SERIOUSNESS_ASSESSMENT.id),
    deadline=WorkingHours(hours=1),
    record=(ASKED_ABOUT_OUTCOMES, OUTCOMES_EXPRESSED, NOT_ASKED_REASON, NOTES),
    requires=(
        Requirement(fields=(OUTCOMES_EXPRESSED.name,), when=eq(ASKED_ABOUT_OUTCOMES.name, "yes_outcomes_expressed"),
                    reason="record what the adult at risk expressed"),
        Requirement(fields=(NOT_ASKED_REASON.name,), when=one_of(ASKED_ABOUT_OUTCOMES.name, "no_lacked_capacity", "no_other_reason", "dont_know"),
                    reason="record why the adult at risk could not be asked"),
    ),
)

# 000 Policy Statement 5 and 6 (lines 22-23): capacity for the decisions in hand, of the victim and
# of the alleged perpetrator; where it is in doubt, "the services of independent advocates".
ADULT_MAY_LACK_CAPACITY = flag("adult_may_lack_capacity", "the adult at risk may lack capacity for the decisions in hand")
SOURCE_MAY_LACK_CAPACITY = flag("source_may_lack_capacity", "the alleged source may lack capacity for the decisions in hand")
ADVOCATE_ARRANGED = RecordField(name="advocate_arranged", type="bool", required=False,
                                help="an independent advocate was arranged")
ADVOCATE_NOT_ARRANGED_REASON = RecordField(name="advocate_not_arranged_reason", type="text", required=False,
                                           help="why no independent advocate was arranged")
SOURCE_VIEWS = RecordField(name="source_views", type="text", required=False,
                           help="the alleged source's experiences and views, and how they were found out (e.g. with an advocate)")
CAPACITY_IN_DOUBT = any_(is_(ADULT_MAY_LACK_CAPACITY.name), is_(SOURCE_MAY_LACK_CAPACITY.name))
CAPACITY_AND_ADVOCACY = Step(
    id="capacity_and_advocacy",
    title="Capacity and advocacy",
    seed="000 Policy Statement 5 and 6 (lines 22-23): mental capacity principles; independent advocates for a victim or alleged perpetrator who might lack capacity",
    role="registered_manager",
    opens=AfterStep(step=SERIOUSNESS_ASSESSMENT.id),
    deadline=WorkingHours(hours=1),
    record=(text("decisions_in_hand"), ADULT_MAY_LACK_CAPACITY, SOURCE_MAY_LACK_CAPACITY, ADVOCATE_ARRANGED,
            ADVOCATE_NOT_ARRANGED_REASON, SOURCE_VIEWS, NOTES),
    requires=(
        # 000 line 23: "ascertaining the experiences and views of any victim or indeed alleged perpetrator
        # who might lack capacity" (2026.12.2)
        Requirement(fields=(SOURCE_VIEWS.name,), when=is_(SOURCE_MAY_LACK_CAPACITY.name),
                    reason="000 line 23: the alleged source may lack capacity: record their experiences and views, "
                           "and how they were found out"),
        Requirement(fields=(ADVOCATE_ARRANGED.name,), when=CAPACITY_IN_DOUBT,
                    reason="capacity is in doubt: record whether an independent advocate was arranged"),
        Requirement(fields=(ADVOCATE_NOT_ARRANGED_REASON.name,), when=all_(CAPACITY_IN_DOUBT, not_(ADVOCATE_ARRANGED.name)),
                    reason="capacity is in doubt and no advocate was arranged: record why not"),
    ),
)

# 000 procedure 4 (line 49): "consult all those affected directly and indirectly by the behaviour".
# Informing the adult's family or representative is tracked, with the reason when it is not done
# (pathways from 2026.12.2). No seed gives a deadline: one working day is local configuration.
FAMILY_INFORMED = flag("family_informed", "the adult's family or representative was informed")
FAMILY_WHO = RecordField(name="who_was_informed", type="text", required=False,
                         help="who was informed: their relationship to the adult (e.g. daughter, advocate), no names")
FAMILY_INFORMED_AT = RecordField(name="informed_at", type="instant", required=False)
FAMILY_NOT_INFORMED_REASON = RecordField(name="not_informed_reason", type="text", required=False,
                                         help="why not (e.g. the adult, with capacity, asked that they were not told)")
INFORM_FAMILY = Step(
    id="inform_family",
    title="Informing the adult's family or representative",
    seed="000 procedure 4 (line 49): consult all those affected directly and indirectly; no seed deadline (one working day, local configuration)",
    role="registered_manager",
    opens=AfterStep(step=SERIOUSNESS_ASSESSMENT.id),
    deadline=WorkingDays(days=1),
    record=(FAMILY_INFORMED, FAMILY_WHO, FAMILY_INFORMED_AT, FAMILY_NOT_INFORMED_REASON, NOTES),
    requires=(
        Requirement(fields=(FAMILY_WHO.name, FAMILY_INFORMED_AT.name), when=is_(FAMILY_INFORMED.name),
                    reason="record who was informed and when"),
        Requirement(fields=(FAMILY_NOT_INFORMED_REASON.name,), when=not_(FAMILY_INFORMED.name),
                    reason="record why the adult's family or representative was not informed"),
    ),
)

# 000 procedure 3 (line 48): mutual harm. Both adults' protection is tracked, and mediation is a
# recorded option with its outcome.
SOURCE_PROTECTION_PLAN = Step(
    id="source_protection_plan",
    title="Protection plan for the alleged source, also an adult at risk",
    seed="000 procedure 3 (line 48): mutual abuse or harm; 002 line 289: adults who also have care and support needs; due within one working hour, as the protection plan (001 example 2 step 1)",
    role="team_leader",
    opens=AfterStep(step=PEER_RISK_REVIEW.id, when=is_(SOURCE_ALSO_ADULT_AT_RISK.name)),
    deadline=WorkingHours(hours=1),
    record=(text("protection_measures"), flag("care_plan_updated"), NOTES),
)

MEDIATION_OFFERED = flag("mediation_offered")
MEDIATION_BY = RecordField(name="mediation_by", type="choice", choices=("internal", "outside_agency"), required=False)
MEDIATION_OUTCOME = RecordField(name="mediation_outcome", type="text", required=False)
MEDIATION_NOT_OFFERED_REASON = RecordField(name="mediation_not_offered_reason", type="text", required=False)
MEDIATION = Step(
    id="mediation",
    title="Mediation between the adults (mutual harm)",
    seed="000 procedure 3 (line 48): 'might attempt some form of mediation or arrange for the parties to receive mediation from an outside agency'; deadline a local default",
    role="registered_manager",
    opens=AfterStep(step=SOURCE_PROTECTION_PLAN.id),
    deadline=WorkingDays(days=10),
    record=(MEDIATION_OFFERED, MEDIATION_BY, MEDIATION_OUTCOME, MEDIATION_NOT_OFFERED_REASON, NOTES),
    requires=(
        Requirement(fields=(MEDIATION_BY.name, MEDIATION_OUTCOME.name), when=is_(MEDIATION_OFFERED.name),
                    reason="mediation was offered: record who provided it and its outcome"),
        Requirement(fields=(MEDIATION_NOT_OFFERED_REASON.name,), when=not_(MEDIATION_OFFERED.name),
                    reason="mediation was not offered: record why not"),
    ),
)

# ---- The lower-level route (000 procedure 2; the non-reportable and consultation levels of 002/003)

CONSULTATION_DECISIONS = ("lower_level_plan", "raise_safeguarding_concern")
CONSULTATION_DECISION = RecordField(name="decision", type="choice", choices=CONSULTATION_DECISIONS,
                                    help="raise_safeguarding_concern opens the external referral")
LA_CONSULTATION = Step(
    id="la_consultation",
    title="Consultation with the local authority",
    seed="002 line 146 and the 'Requires consultation' column (line 171): consultation with the local authority Adult Social Care department; 003 line 128; 000 procedure 4 (line 49): professional advice from the local safeguarding adults authority",
    role="designated_safeguarding_lead",
    opens=OnThresholdDecision(levels=("consultation",)),
    deadline=WorkingDays(days=1),
    record=(text("consulted", "who was consulted (role and team, no personal details)"),
            RecordField(name="consulted_at", type="instant"), text("advice"),
            CONSULTATION_DECISION, NOTES),
)

REVIEW_INTERVAL_DAYS = RecordField(name="review_interval_days", type="int", help="working days between reviews")
ADDED_TO_CARE_PLAN = flag("added_to_care_plan", "the actions are on the person's care or support plan")
NOT_ON_CARE_PLAN_REASON = RecordField(name="not_on_care_plan_reason", type="text", required=False,
                                      help="why the actions are not on the person's care or support plan")
INTERVENTION_PLAN = Step(
    id="intervention_plan",
    title="Intervention and safeguarding plan (lower-level route)",
    seed="000 procedure 2 (line 47): an intervention/safeguarding plan, included on the person's care or support plan; 002 line 171: an internal written record of what happened and what action was taken",
    role="registered_manager",
    opens=OnThresholdDecision(levels=("non_reportable", "consultation")),
    deadline=WorkingDays(days=1),
    record=(text("intervention"), ADDED_TO_CARE_PLAN, NOT_ON_CARE_PLAN_REASON, REVIEW_INTERVAL_DAYS, NOTES),
    checks=(RecordCheck(must=ge(REVIEW_INTERVAL_DAYS.name, 1), reason="review_interval_days must be 1 or more working days"),),
    # 000 line 47: "The actions to be taken are then included on the person's care or support plan" (2026.12.2)
    requires=(Requirement(fields=(NOT_ON_CARE_PLAN_REASON.name,), when=not_(ADDED_TO_CARE_PLAN.name),
                          reason="000 line 47 puts the actions on the person's care or support plan: record why they are not"),),
)

NO_LONGER_NEEDED = flag("no_longer_needed")
INTERVENTION_REVIEW = Step(
    id="intervention_review",
    title="Intervention plan review",
    seed="000 procedure 2 (line 47): implemented, monitored and reviewed accordingly; at the interval the plan records, until no longer needed",
    role="registered_manager",
    opens=AfterStep(step=INTERVENTION_PLAN.id),
    deadline=WorkingDays(days=5),  # used only if the plan's interval could not be read
    interval=RecordedInterval(step=INTERVENTION_PLAN.id, field=REVIEW_INTERVAL_DAYS.name),
    repeat=UntilRecorded(condition=is_(NO_LONGER_NEEDED.name)),
    record=(NO_LONGER_NEEDED, text("review"), NOTES),
)

# ---- Notifications as tracked steps (pathways from 2026.12.1): the threshold tool's required
# notifications (002/003 "Reportable" column, e.g. 002 line 172: "the police MUST be consulted")
# and the regulator's statutory notification (CQC Regulation 18).

NOTIFICATION_RECORD = (text("reference", "reference number given"), text("contacted", "who was contacted (role or desk)"),
                       RecordField(name="contacted_at", type="instant"), text("response"), NOTES)


def notification(id: str, title: str, seed: str, notice: str, deadline) -> Step:
    return Step(id=id, title=title, seed=seed, role="designated_safeguarding_lead",
                opens=OnThresholdDecision(notification=notice), deadline=deadline, record=NOTIFICATION_RECORD)


NOTIFY_POLICE = notification("notify_police", "Police notified", "002 line 172 / 003 line 140: 'If there is an indication a criminal act has occurred, the police MUST be consulted'; within one hour (local default)",
                             "police", After(minutes=60))
NOTIFY_EMERGENCY_SERVICES = notification("notify_emergency_services", "Emergency services contacted", "002 line 171 'Reportable': whether the police or other emergency services need to be contacted; someone in immediate danger",
                                         "emergency_services", Immediately())
NOTIFY_CHILDRENS_SERVICES = notification("notify_childrens_services", "Children's Services referral", "002 line 136: 'Are there children also at risk? If so, contact the relevant local authority Children's Services department'; within one working day (local default)",
                                         "childrens_services", WorkingDays(days=1))
NOTIFICATION_STEPS = {"police": NOTIFY_POLICE, "emergency_services": NOTIFY_EMERGENCY_SERVICES,
                      "childrens_services": NOTIFY_CHILDRENS_SERVICES}

NOTIFY_REGULATOR = Step(
    id="notify_regulator",
    title="CQC notification of an abuse allegation (Regulation 18)",
    seed="Care Quality Commission (Registration) Regulations 2009, Regulation 18(2)(e): notify 'without delay' any abuse or allegation of abuse, for the adult at risk and the adult alleged to have caused harm; same working day by default (configurable)",
    role="registered_manager",
    opens=AfterStep(step=RECORD_CONCERN.id),
    deadline=EndOfWorkingDay(),
    record=(text("reference", "CQC notification reference for the adult at risk"),
            text("source_reference", "CQC notification reference for the adult alleged to have caused harm"),
            *NOTIFICATION_RECORD[1:]),
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
    # 002 line 171 "Requires consultation": "Following this you may be requested to formally raise a
    # safeguarding concern" (pathways from 2026.12.1)
    also_opens=(AfterStep(step=LA_CONSULTATION.id, when=eq(CONSULTATION_DECISION.name, "raise_safeguarding_concern")),),
    deadline=After(minutes=24 * 60),
    record=(
        RecordField(name="referred_at", type="instant"),
        text("receiving_authority"),
        text("rationale"),
        flag("receipt_confirmed"),
        NOTES,
    ),
)

# ---- What the local authority did with the referral (issue 19; the SAC counts concerns the local
# authority received and the enquiries it made: docs/sac.md)

REFERRAL_RECEIVED_AT = RecordField(name="referral_received_at", type="instant",
                                   help="when the local authority received the referral (the national return counts the concern from then)")
LA_DECISION = RecordField(name="la_decision", type="choice", choices=LA_DECISIONS,
                          help="what the local authority decided: a section 42 enquiry, another enquiry, or no further action")
LA_DECIDED_AT = RecordField(name="la_decided_at", type="instant", help="when the local authority decided (an enquiry counts from then)")
LA_RESPONSE = Step(
    id="la_response",
    title="Local authority's decision on the referral",
    seed="issue 19 (national Safeguarding Adults Collection, docs/sac.md): no seed gives a deadline; a reminder to chase the local authority after 5 working days",
    role="designated_safeguarding_lead",
    opens=AfterStep(step=EXTERNAL_REFERRAL.id),
    deadline=WorkingDays(days=LA_CHASE_WORKING_DAYS),
    record=(REFERRAL_RECEIVED_AT, LA_DECISION, LA_DECIDED_AT, NOTES),
    in_order=(
        InOrder(earlier="referred_at", on_step=EXTERNAL_REFERRAL.id, later=REFERRAL_RECEIVED_AT.name,
                reason="the local authority cannot receive the referral before it was made"),
        InOrder(earlier=REFERRAL_RECEIVED_AT.name, later=LA_DECIDED_AT.name,
                reason="the local authority decides after it receives the referral"),
    ),
)

ENQUIRY_CONCLUDED_AT = RecordField(name="enquiry_concluded_at", type="instant",
                                   help="when the local authority's enquiry concluded (its case details count in that year)")
RISK_ASSESSMENT_OUTCOME = RecordField(name="risk_assessment_outcome", type="choice", choices=RISK_ASSESSMENT_OUTCOMES,
                                      help="the enquiry's risk assessment outcome, as the local authority recorded it")
ENQUIRY_RISK_OUTCOME = RecordField(name="enquiry_risk_outcome", type="choice", choices=ENQUIRY_RISK_OUTCOMES, required=False,
                                   help="where a risk was identified: whether it remained, was reduced or was removed")
LACKED_CAPACITY = RecordField(name="lacked_capacity", type="choice", choices=CAPACITY_ANSWERS,
                              help="did the adult lack capacity to make decisions about the enquiry?")
CAPACITY_SUPPORTED = RecordField(name="supported_by_advocate_family_or_friend", type="bool", required=False,
                                 help="where the adult lacked capacity: were they supported by an advocate, family or friend?")
LA_ENQUIRY_OUTCOME = Step(
    id="la_enquiry_outcome",
    title="Local authority's enquiry concluded",
    seed="issue 19 (national Safeguarding Adults Collection, docs/sac.md): SG2 to SG4 count enquiries when they conclude; no seed gives a deadline",
    role="designated_safeguarding_lead",
    opens=AfterStep(step=LA_RESPONSE.id, when=one_of(LA_DECISION.name, *LA_ENQUIRIES)),
    deadline=None,
    record=(ENQUIRY_CONCLUDED_AT, RISK_ASSESSMENT_OUTCOME, ENQUIRY_RISK_OUTCOME, LACKED_CAPACITY, CAPACITY_SUPPORTED, NOTES),
    in_order=(InOrder(earlier=LA_DECIDED_AT.name, on_step=LA_RESPONSE.id, later=ENQUIRY_CONCLUDED_AT.name,
                      reason="an enquiry concludes after the local authority decided to make it"),),
    requires=(
        Requirement(fields=(ENQUIRY_RISK_OUTCOME.name,), when=one_of(RISK_ASSESSMENT_OUTCOME.name, *RISK_IDENTIFIED),
                    reason="a risk was identified: record whether it remained, was reduced or was removed"),
        Requirement(fields=(CAPACITY_SUPPORTED.name,), when=eq(LACKED_CAPACITY.name, "yes"),
                    reason="the adult lacked capacity: record whether an advocate, family or friend supported them"),
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
OUTCOMES_ACHIEVED = RecordField(name="outcomes_achieved", type="choice", choices=MSP_ACHIEVED, required=False,
                                help="Making Safeguarding Personal: were the outcomes the adult expressed achieved?")
RISK_OUTCOME = RecordField(name="risk_outcome", type="choice", choices=RISK_OUTCOMES,
                           help="national Safeguarding Adults Collection: the risk at closure")
RISK_REMAINS_REASON = RecordField(name="risk_remains_reason", type="text", required=False)
CLOSURE_LEARNING_REVIEW = Step(
    id="closure_learning_review",
    title="Closure and learning review",
    seed="001 example 3 step 5: within five working days of case conclusion",
    role="quality_safeguarding_lead",
    opens=AfterStep(step=CONCLUDE_CASE.id),
    deadline=WorkingDays(days=5),
    record=(SUBSTANTIATION_OUTCOME, ACTION_COMPLETION_RATE, LESSONS, OUTCOMES_ACHIEVED, RISK_OUTCOME,
            RISK_REMAINS_REASON, NOTES),
    requires=(
        Requirement(fields=(OUTCOMES_ACHIEVED.name,), on_step=VIEWS_AND_WISHES.id,
                    when=eq(ASKED_ABOUT_OUTCOMES.name, "yes_outcomes_expressed"),
                    reason="the adult at risk expressed outcomes (views_and_wishes): record whether they were achieved"),
        Requirement(fields=(RISK_REMAINS_REASON.name,), when=eq(RISK_OUTCOME.name, "remains"),
                    reason="the risk remains: record why"),
    ),
    effect="closes_case",
    effect_field=SUBSTANTIATION_OUTCOME.name,
)


PEER_TO_PEER = Pathway(
    name="peer-to-peer-escalation",
    # 2026.11.3: initiated_by is an id (issue 8). 2026.12.1 (issue 12): views and wishes, capacity
    # and advocacy, mutual harm and mediation, the lower-level route, notifications as steps, the
    # national categories (route decision, closure). 2026.12.2 (issue 19): the local authority's
    # decision and enquiry outcome, several types of risk, the collection's locations; informing the
    # family or representative, the source's views, a reason for an intervention off the care plan.
    # 2026.12.3 (issue 21): the frequency of similar incidents answers the pair's count, not the source's
    version="2026.12.3",
    source="001_83683b439f7bdd5b.txt",
    instants_from_identification=True,
    not_answers=FILLER_WORDS,
    source_without_id=SOURCE_WITHOUT_ID,
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
        VIEWS_AND_WISHES, CAPACITY_AND_ADVOCACY, SOURCE_PROTECTION_PLAN, MEDIATION,  # the person at the centre (000)
        LA_CONSULTATION, INTERVENTION_PLAN, INTERVENTION_REVIEW,  # the lower-level route (000 procedure 2; 002/003)
        NOTIFY_POLICE, NOTIFY_EMERGENCY_SERVICES, NOTIFY_CHILDRENS_SERVICES, NOTIFY_REGULATOR,  # notifications
        LA_RESPONSE, LA_ENQUIRY_OUTCOME,  # what the local authority did (national return; 2026.12.2)
        INFORM_FAMILY,  # 000 line 49 (2026.12.2)
    ),
    threshold=ThresholdPolicy(
        # 001 example 1 step 3: "files the matrix in the safeguarding decision folder"
        assessed_at=SERIOUSNESS_ASSESSMENT.id,
        facts_field=THRESHOLD_FACTS.name,
        category_field=THRESHOLD_CATEGORY.name,
        default_category="incidents_between_adults",
        facts_from_record={
            # similar incidents between these two adults (001 step 3: "between the adults"), which the store's
            # same-pair count also finds: never as incidents with other adults, counted again (2026.12.3)
            SIMILAR_INCIDENTS.name: "prior_incidents_between_pair",
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


def counts_working_time(step_id: str) -> bool:
    """Whether staff count a step's time left in working time (its deadline rule in the pathway in force;
    a decision's review, opened by a correction and not in the pathway, by its own rule)."""
    step = current_pathway().step(step_id)
    if step is None:
        from domain.amendments import REVIEW_DEADLINE, REVIEW_STEP  # it reads this module's pathway when loaded

        return step_id == REVIEW_STEP and REVIEW_DEADLINE.in_working_time
    return bool(step.deadline and step.deadline.in_working_time)
