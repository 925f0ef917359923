"""The commissioner's provider-concern process, transcribed from
`shared/seeds/004_989c72b12ad08607.txt` ("Process for suspending or terminating placements",
lines 119-150): how a commissioner raises concerns with a provider service, agrees and reviews
an action plan, and decides to continue, restrict admissions, suspend or terminate, with the
evidence trail that protects the decision "to avoid or minimise the risk of litigation" (line 121).

Read it top to bottom like the seed. Each tracked step is a named constant with the seed line it
comes from, the role that records it and its deadline; the decision's outcomes name the evidence
they need. 004 gives no timescales of its own except "as soon as possible" (line 134) and "by
the review date" (lines 136-138): the other deadlines are local configuration, marked as such.
Roles: `contract_manager` ("the person responsible for the contract", line 150) keeps the
process moving; `commissioner` decides, and receives what the contract manager leaves overdue.

Bump `version` whenever a step, deadline, role, field or outcome changes: every process records
the policy it was opened under (in its ProcessOpened fact) and keeps running on it.
"""

from __future__ import annotations

from domain.values import FILLER_WORDS

from typing import Annotated, Literal

from pydantic import Field

from domain.commissioning import SeedQuote
from domain.conditions import Frozen
from domain.deadlines import After, DeadlineRule, WorkingDays
from domain.policy import RecordField

ProcessRole = Literal["commissioner", "contract_manager"]
COMMISSIONER: ProcessRole = "commissioner"
CONTRACT_MANAGER: ProcessRole = "contract_manager"

# What starts a process: a commissioner's own judgement, or the Appendix A decision of the
# service's commissioner record (domain/commissioning.py) reaching these levels, which proposes one.
PROPOSING_LEVELS = ("caution", "suspension consideration")
Basis = Literal["commissioner", "caution", "suspension consideration"]


class ProposalDeadline(Frozen):
    """A proposed process is opened or dismissed by a commissioner within `within` of the proposal
    (clock time: a proposal has no working calendar until it is opened). Missed, it is recorded
    and escalated to `escalate_to` once. Each proposal records its due instant, so changing this
    changes only proposals made after."""

    item: str = "open_or_dismiss"
    role: ProcessRole = "commissioner"
    within: After
    escalate_to: str  # the organisation's quality and safeguarding lead reads the commissioner records
    note: str = ""


PROPOSAL_DEADLINE = ProposalDeadline(
    within=After(minutes=5 * 24 * 60), escalate_to="quality_safeguarding_lead",
    note="004 asks commissioners to 'Respond promptly and robustly to concerns' (line 63) and sets no timescale: "
         "five days is local configuration")


def q(line: int, text: str) -> SeedQuote:
    return SeedQuote(line=line, text=text)


def text(name: str, help: str = "", required: bool = True) -> RecordField:
    return RecordField(name=name, type="text", help=help, required=required)


def flag(name: str, help: str = "", required: bool = True) -> RecordField:
    return RecordField(name=name, type="bool", help=help, required=required)


def instant(name: str, help: str = "") -> RecordField:
    return RecordField(name=name, type="instant", help=help)


NOTES = RecordField(name="notes", type="text", required=False, help="free-text context, ids only")


# ---- the vocabulary ------------------------------------------------------------------------


class AtOpen(Frozen):
    """Opens when the process is opened; the clock runs from then."""

    kind: Literal["at_open"] = "at_open"


class AfterStep(Frozen):
    """Opens when `step` is recorded; the clock runs from `clock_field` of its record (an instant), or its recording."""

    kind: Literal["after_step"] = "after_step"
    step: str
    clock_field: str | None = None


class OnOutcome(Frozen):
    """Opens (once) when a decision, or an immediate action, takes one of these outcomes or actions."""

    kind: Literal["on_outcome"] = "on_outcome"
    outcomes: tuple[str, ...]


class WhenEvidence(Frozen):
    """Opens (once) when a decision or an immediate action records every one of these flags true, or
    (`or_record`) when a concern on the service's commissioner record, read at opening or deciding, says so."""

    kind: Literal["when_evidence"] = "when_evidence"
    flags: tuple[str, ...] = Field(min_length=1)
    or_record: str | None = None  # a key of the record's earlier concerns, true on any of them


class AnyTime(Frozen):
    """Recorded whenever it happens, as often as it happens (never tracked as overdue)."""

    kind: Literal["any_time"] = "any_time"
    after: str | None = None  # only once this step is recorded
    repeats: bool = True  # False: recorded once at most


Opening = AtOpen | AfterStep | OnOutcome | WhenEvidence | AnyTime


class ProcessStep(Frozen):
    id: str
    title: str
    seed: tuple[SeedQuote, ...] = Field(min_length=1)
    role: ProcessRole
    also: tuple[ProcessRole, ...] = ()  # other roles that may record it
    opens: Opening = Field(discriminator="kind")
    deadline: DeadlineRule | None = None
    deadline_note: str = ""  # where the deadline comes from when 004 gives none
    due_field: str | None = None  # the deadline is this instant of the opening step's record
    record: tuple[RecordField, ...]

    def cite(self) -> str:
        return "; ".join(s.cite() for s in self.seed)

    def roles(self) -> tuple[str, ...]:
        return (self.role, *self.also)


# ---- 1. concerns raised with the provider (lines 134) ---------------------------------------

CONCERN_FIELDS = (
    text("nature_of_concerns", "the nature of the concerns"),
    text("contract_clause", "what aspect of the contract they relate to"),
    text("action_needed", "the action needed to rectify the situation"),
    text("timescales", "the timescales within which this is to be achieved"),
    text("sanctions", "the sanctions applied in the case of non compliance with the contract"),
)
TOLD_AT = instant("told_at", "when the provider was told")
VERBAL_NOTICE = ProcessStep(
    id="verbal_notice",
    title="Concerns raised verbally with the responsible or registered manager",
    seed=(q(134, "The responsible manager and/or registered manager or owner of the service should be informed as soon as possible of the concerns. Initially this should be done verbally"),),
    role=CONTRACT_MANAGER,
    opens=AtOpen(),
    deadline=WorkingDays(days=1),
    deadline_note="004: 'as soon as possible'; one working day is local configuration",
    record=(TOLD_AT, RecordField(name="told", type="id", help="the manager or owner told (a staff id)"),
            *CONCERN_FIELDS, NOTES),
)

SENT_AT = instant("sent_at", "when the letter was sent")
RECTIFY_BY = instant("rectify_by", "the end of the timescale the letter gives the provider to rectify the situation")
WRITTEN_NOTICE_DAYS = 2  # the default; settings.provider_written_notice_working_days overrides it
WRITTEN_NOTICE = ProcessStep(
    id="written_notice",
    title="Concerns followed up in writing, by recorded delivery",
    seed=(q(134, "subsequently followed up in writing (a letter should be by recorded delivery). Both communications should explain the nature of the concerns, what aspect of the contract these relate to, the action needed to rectify the situation and the timescales within which this is to be achieved. The sanctions that will be applied in the case of non compliance with the contract should also be stated."),),
    role=CONTRACT_MANAGER,
    opens=AfterStep(step=VERBAL_NOTICE.id, clock_field=TOLD_AT.name),
    deadline=WorkingDays(days=WRITTEN_NOTICE_DAYS),
    deadline_note="004 sets no timescale; after the verbal notice, configurable (provider_written_notice_working_days)",
    record=(SENT_AT, text("recorded_delivery_ref", "the recorded delivery reference"), *CONCERN_FIELDS, RECTIFY_BY, NOTES),
)

# ---- 2. meeting and action plan (line 136) --------------------------------------------------

ACTIONS_FIELD = "actions"  # the plan's actions: [{"id", "action", "owner", "due"}], checked as `PlannedAction`
REVIEW_DATE = instant("review_date", "the date set at which progress is assessed")
PROVIDER_MEETING = ProcessStep(
    id="provider_meeting",
    title="Meeting with the provider, agreeing an action plan",
    seed=(q(136, "Following the letter, the provider may be invited to attend a specific meeting for further discussion about the concerns raised and to agree an action plan with specified timescales to rectify the situation. A review date will be set at which progress can be assessed."),),
    role=CONTRACT_MANAGER,
    opens=AnyTime(after=WRITTEN_NOTICE.id, repeats=False),  # optional ("may be invited"): never overdue
    record=(instant("held_at", "when the meeting was held"), REVIEW_DATE, NOTES),
)

ACTION_ID = RecordField(name="action_id", type="text", help="the action's id in the plan")
UNDERTAKEN = flag("undertaken", "whether the action has been undertaken")
ACTION_UPDATE = ProcessStep(
    id="action_update",
    title="Progress on one action of the plan",
    seed=(q(136, "to agree an action plan with specified timescales to rectify the situation"),),
    role=CONTRACT_MANAGER,
    opens=AnyTime(after=PROVIDER_MEETING.id),
    record=(ACTION_ID, UNDERTAKEN, NOTES),
)

# ---- 3. action plan review (line 138) -------------------------------------------------------

RISK_OUTCOMES = ("eliminated", "minimised", "managed", "not_managed")
ACTIONS_UNDERTAKEN = RecordField(name="actions_undertaken", type="object",
                                 help="for every action of the plan, by its id: true if undertaken")
ACTION_PLAN_REVIEW = ProcessStep(
    id="action_plan_review",
    title="Action plan review",
    seed=(q(138, "The action plan should be reviewed within a specified date to ascertain if the agreed action has been undertaken and that any risks have been eliminated, minimised and/or managed."),),
    role=CONTRACT_MANAGER,
    opens=AfterStep(step=PROVIDER_MEETING.id),
    due_field=REVIEW_DATE.name,  # by the review date the meeting set; missed, it escalates
    record=(ACTIONS_UNDERTAKEN, RecordField(name="risks", type="choice", choices=RISK_OUTCOMES), NOTES),
)

# what the evidence shows (lines 101, 103): a decision or an immediate action records it
SYSTEMIC = flag("systemic_abuse_or_neglect", "the evidence shows systemic abuse and neglect", required=False)
NON_COMPLIANT = flag("regulatory_non_compliance", "and non compliance with regulatory standards", required=False)
CRIMINAL = flag("potential_criminal_offence", "the evidence shows potential criminal offences, incl. wilful ill-treatment or neglect",
                required=False)
EVIDENCE_FLAGS = (SYSTEMIC, NON_COMPLIANT, CRIMINAL)

# ---- 5. immediate action in serious risk (line 123) -----------------------------------------

IMMEDIATE_ACTIONS = ("suspend_new_placements", "remove_alleged_perpetrator", "specialist_staff", "remove_service_users")
IMMEDIATE_ACTION_TAKEN = RecordField(name="action", type="choice", choices=IMMEDIATE_ACTIONS)  # sets informing in motion
SERIOUS_RISK = text("serious_risk", "the serious risk to life, health or well-being, or the severe risk")
IMMEDIATE_ACTION = ProcessStep(
    id="immediate_action",
    title="Immediate action in serious risk",
    seed=(q(123, "In the case of serious risk to the life, health or well being of a service user and/or severe risk immediate action should be taken as part of the coordinated safeguarding process to protect the safety and well being of service users such as suspending new placements, removal of the alleged perpetrator, bringing in specialist staff to address issues identified and removing service users based on evidence of risk."),),
    role=COMMISSIONER,
    also=(CONTRACT_MANAGER,),
    opens=AnyTime(),  # at once, before the process completes
    record=(SERIOUS_RISK, IMMEDIATE_ACTION_TAKEN, *EVIDENCE_FLAGS, NOTES),
)

# ---- 6. informing others (line 150) ---------------------------------------------------------

RESTRICTING = ("restrict_admissions", "suspend", "terminate", "suspend_new_placements")
WIDER_SHARING_FIELD = "wider_sharing"
WIDER_SHARING = ("service_users", "relatives", "further_authorities", "other_organisations", "public")
INFORM_NEIGHBOURS = ProcessStep(
    id="inform_neighbouring_commissioners",
    title="Neighbouring Local Authority and NHS commissioners informed; wider sharing decided",
    seed=(q(150, "If admissions are restricted or placements suspended and/or terminated, the person responsible for the contract should inform other neighbouring Local Authority and NHS commissioners. In addition, they should consider (on a case by case risk assessed basis) the need to share this information more widely, for example by informing service users, relatives, Local Authorities further a field, other organisations and the public."),),
    role=CONTRACT_MANAGER,
    opens=OnOutcome(outcomes=RESTRICTING),
    deadline=WorkingDays(days=2),
    deadline_note="004 sets no timescale; two working days is local configuration",
    record=(
        instant("informed_at", "when they were informed"),
        text("informed", "the neighbouring Local Authority and NHS commissioners informed"),
        RecordField(name=WIDER_SHARING_FIELD, type="object",
                    help="the case-by-case decision, for each of " + ", ".join(WIDER_SHARING) + ": true (share) or false"),
        text("wider_sharing_rationale", "the risk assessed basis for that decision"),
        NOTES,
    ),
)

# ---- 7. regulator and police (lines 101, 103) -----------------------------------------------

INFORMED_FIELDS = (instant("informed_at", "when they were informed"), text("reference", "their reference"), NOTES)
INFORM_CQC = ProcessStep(
    id="inform_cqc",
    title="CQC informed and requested to take action",
    seed=(q(101, "Equally, where there is evidence of systemic abuse and neglect and non compliance with regulatory standards, the CQC must be informed and requested to take action."),),
    role=CONTRACT_MANAGER,
    opens=WhenEvidence(flags=(SYSTEMIC.name, NON_COMPLIANT.name)),
    deadline=WorkingDays(days=1),
    deadline_note="004: 'must be informed'; one working day is local configuration",
    record=INFORMED_FIELDS,
)
INFORM_POLICE = ProcessStep(
    id="inform_police",
    title="Police informed and requested to take action",
    seed=(q(103, "Where there is evidence of potential criminal offences including offences relating to willful ill-treatment or neglect, the police must be informed and requested to take action."),),
    role=CONTRACT_MANAGER,
    opens=WhenEvidence(flags=(CRIMINAL.name,), or_record="crime_indicated"),  # a threshold decision indicating a crime
    deadline=WorkingDays(days=1),
    deadline_note="004: 'must be informed'; one working day is local configuration",
    record=INFORMED_FIELDS,
)

# ---- 8. the NHS commissioners, the adult, the provider's minutes (lines 40, 47, 65, 150) ------

INFORM_ICB = ProcessStep(
    id="inform_icb",
    title="NHS commissioners informed: the integrated care board (ICB), once the CCG",
    seed=(q(150, "the person responsible for the contract should inform other neighbouring Local Authority and NHS commissioners"),
          q(40, "The Local Authority must be informed as well as the CQC and also the CCG where the latter is the commissioner")),
    role=CONTRACT_MANAGER,
    opens=OnOutcome(outcomes=RESTRICTING),
    deadline=WorkingDays(days=2),
    deadline_note="004 sets no timescale; two working days is local configuration",
    record=(instant("informed_at", "when they were informed"), text("icb", "the integrated care board informed"),
            text("reference", "their reference"), NOTES),
)
ADULT_INFORMED_WHO = ("adult", "representative")
INFORM_ADULT = ProcessStep(
    id="inform_adult",
    title="The adults harmed, or their representatives, given information, advice and support",
    seed=(q(47, "information, advice and support is provided to the adult(s) harmed or their representative."),),
    role=CONTRACT_MANAGER,
    also=(COMMISSIONER,),
    opens=OnOutcome(outcomes=("continue", *RESTRICTING, *IMMEDIATE_ACTIONS)),
    deadline=WorkingDays(days=2),
    deadline_note="004 sets no timescale; two working days is local configuration",
    record=(instant("informed_at", "when they were informed"),
            RecordField(name="informed", type="choice", choices=ADULT_INFORMED_WHO,
                        help="the adult, or their representative"),
            text("support_offered", "the information, advice and support given"), NOTES),
)
SHARE_MINUTES = ProcessStep(
    id="share_minutes",
    title="Minutes of the meeting shared with the provider",
    seed=(q(65, "Inform providers at the onset about the nature of any concerns and share minutes of meetings as appropriate."),),
    role=CONTRACT_MANAGER,
    opens=AfterStep(step=PROVIDER_MEETING.id),
    deadline=WorkingDays(days=5),
    deadline_note="004 sets no timescale; five working days is local configuration",
    record=(instant("shared_at", "when the minutes were sent to the provider"), text("minutes_reference", "the minutes' reference"),
            NOTES),
)

# ---- 4. the decision (lines 121, 125-132, 140-144) ------------------------------------------

FROM_COMMISSIONER_RECORD = "commissioner record"


class EvidenceItem(Frozen):
    """One item of the evidence trail: the decision's record must give every field (or, for the
    history, the service's commissioner record must hold it)."""

    id: str
    title: str
    seed: SeedQuote
    fields: tuple[RecordField, ...] = ()
    source: Literal["decision record", "commissioner record"] = "decision record"


def ids(name: str, help: str) -> RecordField:
    """A list of people's ids: each checked as an id (`ProviderConcernProcess.id_lists`)."""
    return RecordField(name=name, type="id", help=help + " (a JSON list of ids, never names)")


# ---- 4a. a section 42 enquiry, as the process records it (line 125) ---------------------------

SECTION_42_CASE = RecordField(name="case_id", type="id", help="the case whose concern the local authority is enquiring into")
SECTION_42_ENQUIRY = ProcessStep(
    id="section_42_enquiry",
    title="Section 42 enquiry formally invoked by the local authority, for a case of the service",
    seed=(q(125, "The safeguarding process must be formally invoked (via a section 42 enquiry), be clearly documented"),),
    role=CONTRACT_MANAGER,
    also=(COMMISSIONER,),
    opens=AnyTime(),  # one record a case; the case's own record of the local authority's decision counts as well
    record=(SECTION_42_CASE, instant("invoked_at", "when the local authority invoked it"),
            text("la_reference", "the local authority's reference for the enquiry"), NOTES),
)

EVIDENCE_TRAIL: tuple[EvidenceItem, ...] = (
    EvidenceItem(id="cases", title="the cases the decision rests on (case ids on the service's commissioner record)",
                 seed=q(121, "making sure there is a clear evidence trail to justify the decision"),
                 fields=(ids("cases", "the cases the decision rests on"),)),
    EvidenceItem(id="nature_and_harm", title="the nature of the allegations and evidence of harm",
                 seed=q(127, "The nature of any allegations and evidence of harm arising from the neglect/poor practice alleged"),
                 fields=(text("nature_of_allegations"), text("evidence_of_harm"))),
    EvidenceItem(id="who_is_involved", title="who is involved (adults harmed and people alleged to have caused harm, as ids)",
                 seed=q(128, "Information about who is involved (adults harmed and people alleged to have caused harm)"),
                 fields=(ids("adults_harmed", "the adults harmed"), ids("alleged_sources", "the people alleged to have caused harm"))),
    EvidenceItem(id="period", title="the period in which the harm is thought to have been occurring",
                 seed=q(128, "the period of time in which the harm is thought to have been occurring"),
                 fields=(instant("period_from"), instant("period_to"))),
    EvidenceItem(id="history", title="the history of safeguarding concerns and their outcomes, from the commissioner record",
                 seed=q(129, "Any history of safeguarding concerns, subsequent interventions and the outcome of these"),
                 source="commissioner record"),
    # whether they were upheld is read from the cases' outcomes (a condition below), never ticked
    EvidenceItem(id="upheld_against_contract", title="an assessment of the allegations against the contract",
                 seed=q(130, "Whether the allegations/concerns have been upheld and an assessment of these in the context of the provider's contractual requirements"),
                 fields=(text("contract_assessment"),)),
    EvidenceItem(id="other_action", title="any other action taken to rectify the situation",
                 seed=q(131, "Any other action taken to rectify the situation"), fields=(text("other_action_taken"),)),
    EvidenceItem(id="risk_to_all", title="an assessment of the risks to all service users",
                 seed=q(132, "An assessment of the risks posed to the service user(s) by remaining in the placement including an assessment of the broad risks to **all** service users and how this informs the purchasing decision."),
                 fields=(text("risk_assessment_all_service_users"),)),
)
_TRAIL = {i.id: i for i in EVIDENCE_TRAIL}

# Restricting admissions needs its own evidence trail (line 121): what the concerns are, the
# cases and history they rest on, compared to the contract, and the risk to all service users.
RESTRICT_TRAIL: tuple[EvidenceItem, ...] = (
    _TRAIL["cases"], _TRAIL["nature_and_harm"], _TRAIL["history"],
    EvidenceItem(id="compared_to_contract", title="the issues and concerns compared to the requirements of the contract",
                 seed=q(121, "ensuring that issues and concerns are compared to the requirements of the contract"),
                 fields=(text("contract_assessment"),)),
    _TRAIL["risk_to_all"],
)

CONTINUE_PLAN: tuple[EvidenceItem, ...] = (
    EvidenceItem(id="written_risk_assessment", title="a full written risk assessment",
                 seed=q(144, "The decision to continue with a placement must be subject to a full written risk assessment"),
                 fields=(text("risk_assessment"),)),
    EvidenceItem(id="safeguarding_plan", title="a safeguarding plan detailing monitoring and review arrangements",
                 seed=q(144, "and the production of a safeguarding plan detailing monitoring and review arrangements."),
                 fields=(text("safeguarding_plan"), text("monitoring_arrangements"), text("review_arrangements"))),
)

# Words that fill a field without evidencing anything: "none recorded" is not evidence of harm.
NOT_EVIDENCE = FILLER_WORDS


# ---- 4b. what suspending or terminating needs beyond the trail (lines 125, 130, 134-140) --------


class CasesOnRecord(Frozen):
    """Every case the decision rests on is one of the service's, on its commissioner record."""

    kind: Literal["cases_on_record"] = "cases_on_record"
    id: str = "cases_on_record"
    title: str = "the cases it rests on are on the service's commissioner record"
    seed: SeedQuote
    cases_field: str = "cases"


class Section42Invoked(Frozen):
    """A case the decision rests on records a section 42 enquiry: on the case (the local
    authority's decision, read from the commissioner record), or on the process (`step`)."""

    kind: Literal["section_42_invoked"] = "section_42_invoked"
    id: str = "section_42_invoked"
    title: str = "a section 42 enquiry formally invoked on a case it rests on"
    seed: SeedQuote
    cases_field: str = "cases"
    step: str  # the process's own record of it, one case a record
    case_field: str = "case_id"


class AllegationsUpheld(Frozen):
    """Every case the decision rests on is closed with this outcome on the commissioner record."""

    kind: Literal["allegations_upheld"] = "allegations_upheld"
    id: str = "allegations_upheld"
    title: str = "the allegations upheld: the cases it rests on closed as substantiated"
    seed: SeedQuote
    cases_field: str = "cases"
    outcome: str = "substantiated"


class TimescaleRunOut(Frozen):
    """The timescale the written notice gave the provider (`field` of `step`'s record) has run out."""

    kind: Literal["timescale_run_out"] = "timescale_run_out"
    id: str = "timescale_run_out"
    title: str = "the timescale the written notice gave the provider has run out"
    seed: SeedQuote
    step: str
    field: str


class PlanNotMet(Frozen):
    """The action plan review recorded the plan not met: an action not undertaken, or risks `not_managed`."""

    kind: Literal["plan_not_met"] = "plan_not_met"
    id: str = "plan_not_met"
    title: str = "the action plan review recorded the plan as not met"
    seed: SeedQuote
    step: str
    actions_field: str
    risks_field: str = "risks"
    risks_not_managed: str = "not_managed"


DecisionCondition = Annotated[CasesOnRecord | Section42Invoked | AllegationsUpheld | TimescaleRunOut | PlanNotMet,
                              Field(discriminator="kind")]


class ImmediateRoute(Frozen):
    """Line 123: in serious risk, suspension need not wait for the allegations to be upheld or
    the provider's timescale to run out. Taken when the decision records `justification_field`
    and the process records the immediate action (`step`); it waives the conditions `waives`."""

    seed: SeedQuote
    justification_field: str
    step: str
    waives: tuple[str, ...]
    title: str = "the immediate route in serious risk"


CASES_ON_RECORD = CasesOnRecord(seed=q(121, "making sure there is a clear evidence trail to justify the decision"))
SECTION_42 = Section42Invoked(seed=q(125, "The safeguarding process must be formally invoked (via a section 42 enquiry)"),
                              step=SECTION_42_ENQUIRY.id)
UPHELD = AllegationsUpheld(seed=q(130, "Whether the allegations/concerns have been upheld"))
TIMESCALE = TimescaleRunOut(seed=q(140, "the action needed to rectify the situation requested within a reasonable timescale"),
                            step=WRITTEN_NOTICE.id, field=RECTIFY_BY.name)
NOT_MET = PlanNotMet(seed=q(140, "and the provider has not taken the necessary steps to rectify the concerns raised"),
                     step=ACTION_PLAN_REVIEW.id, actions_field=ACTIONS_UNDERTAKEN.name)
SUSPENSION_CONDITIONS: tuple[DecisionCondition, ...] = (CASES_ON_RECORD, SECTION_42, UPHELD, TIMESCALE, NOT_MET)
IMMEDIATE_ROUTE = ImmediateRoute(
    seed=q(123, "In the case of serious risk to the life, health or well being of a service user and/or severe risk immediate action should be taken"),
    justification_field="serious_risk_justification", step=IMMEDIATE_ACTION.id,
    waives=(UPHELD.id, TIMESCALE.id, NOT_MET.id))


class Outcome(Frozen):
    id: str
    title: str
    seed: SeedQuote
    requires: tuple[EvidenceItem, ...] = ()
    conditions: tuple[DecisionCondition, ...] = ()  # checked on the record, the process and the commissioner record


SUSPENSION_SEED = q(140, "If there is sufficient evidence of the harm/neglect/poor practice and the provider has not taken the necessary steps to rectify the concerns raised, placements can be suspended and/or terminated.")
OUTCOMES: tuple[Outcome, ...] = (
    Outcome(id="continue", title="continue with the placements", requires=CONTINUE_PLAN,
            seed=q(144, "The decision to continue with a placement must be subject to a full written risk assessment and the production of a safeguarding plan detailing monitoring and review arrangements.")),
    Outcome(id="restrict_admissions", title="restrict admissions", requires=RESTRICT_TRAIL, conditions=(CASES_ON_RECORD,),
            seed=q(121, "Restrictions on admissions or the suspension or termination of placements are consistent with the commissioner's duty of care")),
    Outcome(id="suspend", title="suspend placements", requires=EVIDENCE_TRAIL, conditions=SUSPENSION_CONDITIONS,
            seed=SUSPENSION_SEED),
    Outcome(id="terminate", title="terminate placements", requires=EVIDENCE_TRAIL, conditions=SUSPENSION_CONDITIONS,
            seed=SUSPENSION_SEED),
)
DECISION_SEED = q(140, "The above process must be clearly and properly documented so as to provide evidence that safeguarding/adult protection concerns have been formally raised with the provider")


class ProviderConcernProcess(Frozen):
    name: str
    version: str
    source: str
    steps: tuple[ProcessStep, ...]
    outcomes: tuple[Outcome, ...]
    decided_by: ProcessRole
    # a decision needs the concerns formally raised (line 140), and an agreed plan reviewed
    decision_needs: tuple[str, ...]
    decision_needs_if_recorded: dict[str, str]  # if the first step is recorded, the second must be too
    escalates_to: dict[str, ProcessRole]  # an overdue step goes to this role (once)
    evidence_flags: tuple[RecordField, ...]  # what a decision or immediate action may record
    id_lists: tuple[str, ...]  # record fields holding a list of ids
    planned_actions_field: str  # the meeting's list of actions (`PlannedAction`)
    action_plan_review: str  # the step whose record says, for every planned action, whether it was undertaken
    action_update: str
    wider_sharing_field: str
    future_instants: tuple[str, ...]  # record instants that may lie ahead (a review date); others may not
    wider_sharing: tuple[str, ...]  # who the wider-sharing decision covers, each true or false
    # from 2026.12.1 (absent from processes opened before: they keep deciding as they were opened)
    immediate_route: ImmediateRoute | None = None
    not_evidence: tuple[str, ...] = ()  # values that fill an evidence field without evidencing it
    section_42_step: str | None = None

    def step(self, step_id: str) -> ProcessStep | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def outcome(self, outcome_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == outcome_id), None)

    def record_fields(self, outcome: Outcome) -> tuple[RecordField, ...]:
        """What a decision of `outcome` may record: every outcome's evidence fields, and the flags."""
        seen: dict[str, RecordField] = {}
        for o in self.outcomes:
            for item in o.requires:
                for f in item.fields:
                    seen.setdefault(f.name, f.model_copy(update={"required": False}))
        route = self.immediate_route
        extra = (text(route.justification_field, "the serious risk that calls for suspension at once (004 line 123)",
                      required=False),) if route else ()
        return (*seen.values(), *extra, *self.evidence_flags, NOTES)


def provider_concern_process(written_notice_days: int = WRITTEN_NOTICE_DAYS) -> ProviderConcernProcess:
    """The process in force, with the organisation's written-notice deadline (settings)."""
    written = WRITTEN_NOTICE.model_copy(update={"deadline": WorkingDays(days=written_notice_days)})
    return ProviderConcernProcess(
        name="provider-concern-process",
        version="2026.12.1",
        source="004_989c72b12ad08607.txt",
        steps=(VERBAL_NOTICE, written, PROVIDER_MEETING, ACTION_UPDATE, ACTION_PLAN_REVIEW, IMMEDIATE_ACTION,
               SECTION_42_ENQUIRY, INFORM_NEIGHBOURS, INFORM_ICB, INFORM_CQC, INFORM_POLICE, INFORM_ADULT, SHARE_MINUTES),
        outcomes=OUTCOMES,
        decided_by=COMMISSIONER,
        decision_needs=(WRITTEN_NOTICE.id,),
        decision_needs_if_recorded={PROVIDER_MEETING.id: ACTION_PLAN_REVIEW.id},
        escalates_to={CONTRACT_MANAGER: COMMISSIONER},
        evidence_flags=EVIDENCE_FLAGS,
        id_lists=("adults_harmed", "alleged_sources", "cases"),
        planned_actions_field=ACTIONS_FIELD,
        action_plan_review=ACTION_PLAN_REVIEW.id,
        action_update=ACTION_UPDATE.id,
        wider_sharing_field=WIDER_SHARING_FIELD,
        future_instants=(REVIEW_DATE.name, RECTIFY_BY.name),
        wider_sharing=WIDER_SHARING,
        immediate_route=IMMEDIATE_ROUTE,
        not_evidence=NOT_EVIDENCE,
        section_42_step=SECTION_42_ENQUIRY.id,
    )
