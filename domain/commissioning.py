"""Commissioner records (seed 004) as policy data: what commissioners record for each provider
service, which patterns of concerns raise a service review, and which Appendix A criteria point
to a caution or to considering the suspension of placements. Pure: the record is a function of
the concerns folded so far, never of the clock.

What the record counts (004 lines 107-115), read from the case events:

    reviewed     a concern is reviewed once its seriousness_assessment (the registered manager's
                 threshold assessment) or its route_decision (the DSL's safeguarding decision) is
                 completed; "service users reviewed" counts the distinct adults at risk with a
                 reviewed concern (line 114)
    meetings     completed live_case_oversight (the 72-hourly senior oversight review of a live
                 case) and closure_learning_review steps (line 115)
    actions      completed protection_plan, follow_up_plan, external_referral and
                 service_risk_review steps (line 115)
    outcomes     CaseClosed.outcome: substantiated / unsubstantiated / undetermined (line 107)

Pattern rules (line 117: "Any repeating and/or escalating pattern of concerns within a service
should trigger a review") each raise a service review at the instant the pattern became evident
on the record; their counts and windows are local configuration, not seed text. Appendix A
(lines 152-164) is transcribed row by row; criteria the case events cannot evidence are kept with
evidence "not recorded in Safeguard" and never match. Adult ids are held only to count distinct
adults and to see the same adult or alleged source again; nothing here returns them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from datetime import datetime, timedelta
from typing import Iterable, Literal, Sequence

from pydantic import Field, model_validator

from domain.conditions import Condition, FactSpec, FactValue, Frozen, all_, any_, eq, ge
from domain.pathway import (
    CLOSURE_LEARNING_REVIEW,
    EXTERNAL_REFERRAL,
    FOLLOW_UP_PLAN,
    LA_DECISION,
    LA_DECISIONS,
    LA_RESPONSE,
    LIVE_CASE_OVERSIGHT,
    PROTECTION_PLAN,
    ROUTE_DECISION,
    SERIOUSNESS_ASSESSMENT,
    SERVICE_RISK_REVIEW,
    SUBSTANTIATION_OUTCOMES,
)

SEED = "004_989c72b12ad08607.txt"
NOT_RECORDED = "not recorded in Safeguard"
# The local authority's decision on a referred concern, as the case records it (the pathway's
# `la_response` after external_referral): a section 42 enquiry formally invoked (004 line 125). A
# provider-concern process reads it from the commissioner record to decide a suspension.
LA_DECISION_STEPS = {LA_RESPONSE.id: LA_DECISION.name}  # step -> its decision field
SECTION_42_DECISIONS = tuple(d for d in LA_DECISIONS if d == "section_42_enquiry")
assert SECTION_42_DECISIONS, "the pathway's local-authority decisions no longer name a section 42 enquiry"
FROM_EVENTS = "case events"
FROM_PROCESS = "the provider-concern process"  # what the service's latest process (004 lines 134-140) recorded


class SeedQuote(Frozen):
    line: int = Field(ge=1)
    text: str  # verbatim from the seed line

    def cite(self) -> str:
        return f'004 line {self.line}: "{self.text}"'


# ---- what the record counts -------------------------------------------------------------


class CountedSteps(Frozen):
    """A figure of 004's list counted from completed pathway steps."""

    figure: str
    steps: tuple[str, ...]
    seed: SeedQuote
    reading: str


REVIEWED = CountedSteps(
    figure="service_users_reviewed", steps=(SERIOUSNESS_ASSESSMENT.id, ROUTE_DECISION.id),
    seed=SeedQuote(line=114, text="Number of service users reviewed"),
    reading="distinct adults at risk with a concern whose seriousness assessment or route decision is completed",
)
MEETINGS = CountedSteps(
    figure="meetings", steps=(LIVE_CASE_OVERSIGHT.id, CLOSURE_LEARNING_REVIEW.id),
    seed=SeedQuote(line=115, text="Number of meetings and action taken."),
    reading="completed senior oversight reviews of live cases and closure and learning reviews",
)
ACTIONS = CountedSteps(
    figure="actions_taken",
    steps=(PROTECTION_PLAN.id, FOLLOW_UP_PLAN.id, EXTERNAL_REFERRAL.id, SERVICE_RISK_REVIEW.id),
    seed=SeedQuote(line=115, text="Number of meetings and action taken."),
    reading="completed protection plans, follow-up plans, external referrals and wider service risk reviews",
)
COUNTED_STEPS = (REVIEWED, MEETINGS, ACTIONS)
OUTCOMES = SUBSTANTIATION_OUTCOMES  # line 107
# the threshold decision's facts the figures read (a category may lack some: absent reads as no)
THRESHOLD_FACTS_READ = ("impact", "medical_attention_required", "intentional_harm", "exploitation", "crime_indicated")


class ConcernFacts(Frozen):
    """What the record keeps of one concern, from its events (the read model's case document)."""

    case_id: str
    raised_at: datetime
    adult_at_risk: str  # ids only, never output: distinct counts and same-adult patterns
    alleged_source: str | None  # None: not a service user, never "the same" as another
    steps: dict[str, int] = {}  # completed steps, by step
    abuse_category: str | None = None  # route_decision
    route_exploitation: bool = False
    threshold_level: str | None = None
    threshold_category: str | None = None
    threshold_at: datetime | None = None
    threshold_notifications: tuple[str, ...] = ()
    threshold_facts: dict[str, FactValue] = {}  # THRESHOLD_FACTS_READ only
    risk_open: bool = False  # the latest peer-risk review or live-case oversight found risk
    wider_exposure: bool = False  # service_risk_review: more than one adult affected
    mutual_harm: bool = False  # peer_risk_review: the alleged source is also an adult at risk (000 procedure 3)
    missed_deadlines: int = 0
    section_42: bool = False  # the local authority's decision on it: a section 42 enquiry (004 line 125)
    status: Literal["open", "concluded", "closed"] = "open"
    outcome: str | None = None
    closed_at: datetime | None = None

    def completed(self, counted: CountedSteps) -> int:
        return sum(self.steps.get(s, 0) for s in counted.steps)


class ProcessFacts(Frozen):
    """What the service's latest provider-concern process recorded, as Appendix A reads it: the
    provider's engagement with the plan agreed at the meeting (004 line 136), the review of it (line
    138), and a decision to suspend or terminate. Folded from the process's facts, so Appendix A is
    decided again whenever the process records something new."""

    process_id: str
    plan_agreed: bool = False  # the provider met the commissioner and agreed an action plan
    actions_missed: int = 0  # actions of the plan past due and not undertaken, or reported not undertaken
    reviewed_at: datetime | None = None
    plan_met: bool | None = None  # the review's finding (None: not yet reviewed)
    suspended: bool = False  # placements suspended or terminated by the process's decision
    decision: str | None = None


# ---- patterns that raise a service review -----------------------------------------------

LINE_117 = SeedQuote(line=117, text="Any repeating and/or escalating pattern of concerns within a service should trigger a review")


class PatternRule(Frozen):
    """`at_least` concerns within `within_days` (the latest included) of the same kind raise a review.

    The window is measured on each concern's own event instant (`instant`), so a review is
    dated when the last concern of the pattern reached the record.
    """

    id: str
    title: str
    seed: tuple[SeedQuote, ...] = Field(min_length=1)
    reading: str
    instant: Literal["raised", "threshold_filed", "closed"]
    at_least: int = Field(ge=2)
    within_days: int = Field(ge=1)
    same: Literal["alleged_source", "adult_at_risk"] | None = None
    outcome: str | None = None  # only concerns closed with this outcome
    latest_levels: tuple[str, ...] = ()  # the latest concern's threshold level is one of these
    earlier_levels: tuple[str, ...] = ()  # the earlier concerns' levels are among these

    def cite(self) -> str:
        return "; ".join(q.cite() for q in self.seed)


PATTERN_RULES: tuple[PatternRule, ...] = (
    PatternRule(
        id="same_source_repeated", title="two or more concerns about the same alleged source within 30 days",
        seed=(LINE_117, SeedQuote(line=128, text="Information about who is involved (adults harmed and people alleged to have caused harm), the period of time in which the harm is thought to have been occurring")),
        reading="a repeating pattern: the same person alleged to have caused harm again within 30 days",
        instant="raised", at_least=2, within_days=30, same="alleged_source",
    ),
    PatternRule(
        id="same_adult_repeated", title="two or more concerns for the same adult at risk within 30 days",
        seed=(LINE_117,),
        reading="a repeating pattern: the same adult harmed again within 30 days",
        instant="raised", at_least=2, within_days=30, same="adult_at_risk",
    ),
    PatternRule(
        id="frequent_concerns", title="three or more concerns in the service within a rolling 90 days",
        seed=(LINE_117, SeedQuote(line=158, text="Concerns have occurred in the past, but at lengthy and infrequent intervals")),
        reading="a repeating pattern: concerns at short and frequent intervals, whoever is involved (the opposite of line 158)",
        instant="raised", at_least=3, within_days=90,
    ),
    PatternRule(
        id="substantiated_recurring", title="two or more concerns closed as substantiated within 180 days",
        seed=(LINE_117, SeedQuote(line=107, text="These records will indicate whether the concerns raised were substantiated, unsubstantiated or undetermined.")),
        reading="an escalating pattern: concerns upheld again within the 180 days the threshold tools look back over",
        instant="closed", at_least=2, within_days=180, outcome="substantiated",
    ),
    PatternRule(
        id="threshold_escalating", title="a reportable threshold decision after a lower one within 180 days",
        seed=(LINE_117,),
        reading="an escalating pattern: a concern reaching the reporting threshold after an earlier one below it",
        instant="threshold_filed", at_least=2, within_days=180,
        latest_levels=("reportable",), earlier_levels=("non_reportable", "consultation"),
    ),
)


class ServiceReview(Frozen):
    rule: str
    raised_at: datetime
    case_id: str  # the concern that completed the pattern
    cases: tuple[str, ...]  # every concern of the pattern, earliest first


def _at(c: ConcernFacts, which: str) -> datetime | None:
    return {"raised": c.raised_at, "threshold_filed": c.threshold_at, "closed": c.closed_at}[which]


def _counts(rule: PatternRule, c: ConcernFacts, levels: tuple[str, ...]) -> bool:
    return (_at(c, rule.instant) is not None and (rule.outcome is None or c.outcome == rule.outcome)
            and (not levels or c.threshold_level in levels))


def service_reviews(concerns: Sequence[ConcernFacts]) -> list[ServiceReview]:
    """Every review the rules raise, oldest first. Depends only on the set of concerns, so the
    order events reach the read model (live, rebuilt, or "as at") cannot change it."""
    out = []
    for rule in PATTERN_RULES:
        window = timedelta(days=rule.within_days)
        # the concerns that count as earlier ones, by what must be the same, in (instant, case id) order
        earlier_by: dict[str | None, list[tuple[datetime, str]]] = {}
        for p in concerns:
            if rule.same and _same(rule, p) is None:
                continue
            if _counts(rule, p, rule.earlier_levels):
                earlier_by.setdefault(_same(rule, p), []).append((_at(p, rule.instant), p.case_id))
        for candidates in earlier_by.values():
            candidates.sort()
        for c in concerns:
            if not _counts(rule, c, rule.latest_levels) or (rule.same and _same(rule, c) is None):
                continue
            at = _at(c, rule.instant)
            candidates = earlier_by.get(_same(rule, c), [])
            # those within the window before c: from `at - window` up to, not including, c itself
            earlier = candidates[bisect_left(candidates, (at - window, "")):bisect_left(candidates, (at, c.case_id))]
            if len(earlier) + 1 >= rule.at_least:
                out.append(ServiceReview(rule=rule.id, raised_at=at, case_id=c.case_id,
                                         cases=(*(case for _, case in earlier), c.case_id)))
    order = [r.id for r in PATTERN_RULES]
    return sorted(out, key=lambda r: (r.raised_at, order.index(r.rule), r.case_id))


def _same(rule: PatternRule, c: ConcernFacts) -> str | None:
    return getattr(c, rule.same) if rule.same else None


# ---- the figures criteria read ----------------------------------------------------------


def _int(name: str, help: str) -> FactSpec:
    return FactSpec(name=name, type="int", help=help)


FIGURES: tuple[FactSpec, ...] = (
    _int("concerns", "concerns recorded for the service"),
    _int("open_concerns", "concerns not yet closed"),
    _int("service_users_referred", "distinct adults at risk with a concern"),
    _int("service_users_reviewed", REVIEWED.reading),
    _int("concerns_reviewed", "concerns whose seriousness assessment or route decision is completed"),
    _int("meetings", MEETINGS.reading),
    _int("actions_taken", ACTIONS.reading),
    *(_int(o, f"concerns closed as {o}") for o in OUTCOMES),
    _int("service_reviews", "service reviews raised by the pattern rules"),
    _int("organisational_concerns", "concerns the route decision categorised as organisational abuse"),
    _int("consultation_decisions", "threshold decisions at 'requires consultation'"),
    _int("reportable_decisions", "threshold decisions at 'reportable'"),
    _int("external_referrals", "concerns referred to the local authority (external_referral completed)"),
    _int("crime_indicated_concerns", "threshold decisions indicating a crime (police to be consulted)"),
    _int("serious_harm_concerns", "threshold decisions recording significant impact or medical attention"),
    _int("intent_to_harm_concerns", "intentional harm or exploitation recorded (threshold facts or route decision)"),
    _int("ongoing_risk_concerns", "open concerns whose latest peer-risk review or oversight found risk remaining"),
    _int("wider_exposure_concerns", "service risk reviews finding more than one adult affected"),
    _int("referred_with_wider_exposure", "concerns referred externally whose service risk review found others affected"),
    _int("concerns_with_missed_deadlines", "concerns with at least one missed deadline"),
    _int("substantiated_after_earlier_substantiated", "substantiated concerns raised after an earlier substantiated one had closed"),
    _int("shortest_gap_days", "fewest whole days between two consecutive concerns (0 with fewer than two)"),
    _int("process_plan_agreed", "the latest provider-concern process agreed an action plan with the provider (1 or 0)"),
    _int("process_actions_missed", "actions of that plan missed or reported not undertaken"),
    _int("process_plan_met", "its review found the plan met (1 or 0)"),
    _int("process_plan_not_met", "its review found the plan not met (1 or 0)"),
    _int("concerns_after_plan_met", "concerns raised after a review found the plan met"),
    _int("process_suspended", "placements suspended or terminated by the provider-concern process (1 or 0)"),
    _int("caution_criteria_matched", "Appendix A caution criteria matched"),
    _int("suspension_criteria_matched", "Appendix A suspension criteria matched"),
)
VOCABULARY = {f.name: f for f in FIGURES}


def _harmful(c: ConcernFacts) -> bool:
    f = c.threshold_facts
    return f.get("impact") == "significant" or f.get("medical_attention_required") is True


def _intent(c: ConcernFacts) -> bool:
    f = c.threshold_facts
    return c.route_exploitation or f.get("intentional_harm") is True or f.get("exploitation") is True


def _crime(c: ConcernFacts) -> bool:
    return "police" in c.threshold_notifications or c.threshold_facts.get("crime_indicated") is True


crime_indicated = _crime  # a criminal offence may have been committed (Appendix A line 159): read by a provider-concern process


def figures(concerns: Sequence[ConcernFacts], reviews: Sequence[ServiceReview],
            process: ProcessFacts | None = None) -> dict[str, int]:
    def n(pred) -> int:
        return sum(1 for c in concerns if pred(c))

    reviewed = [c for c in concerns if c.completed(REVIEWED)]
    outcomes = Counter(c.outcome for c in concerns if c.status == "closed")
    substantiated_closed = [c.closed_at for c in concerns if c.outcome == "substantiated" and c.closed_at]
    raised = sorted(c.raised_at for c in concerns)
    gaps = [(b - a) // timedelta(days=1) for a, b in zip(raised, raised[1:])]
    return {
        "concerns": len(concerns),
        "open_concerns": n(lambda c: c.status != "closed"),
        "service_users_referred": len({c.adult_at_risk for c in concerns}),
        "service_users_reviewed": len({c.adult_at_risk for c in reviewed}),
        "concerns_reviewed": len(reviewed),
        "meetings": sum(c.completed(MEETINGS) for c in concerns),
        "actions_taken": sum(c.completed(ACTIONS) for c in concerns),
        **{o: outcomes.get(o, 0) for o in OUTCOMES},
        "service_reviews": len(reviews),
        "organisational_concerns": n(lambda c: c.abuse_category == "organisational"),
        "consultation_decisions": n(lambda c: c.threshold_level == "consultation"),
        "reportable_decisions": n(lambda c: c.threshold_level == "reportable"),
        "external_referrals": n(lambda c: c.steps.get(EXTERNAL_REFERRAL.id, 0) > 0),
        "crime_indicated_concerns": n(_crime),
        "serious_harm_concerns": n(_harmful),
        "intent_to_harm_concerns": n(_intent),
        "ongoing_risk_concerns": n(lambda c: c.status != "closed" and c.risk_open),
        "wider_exposure_concerns": n(lambda c: c.wider_exposure),
        "referred_with_wider_exposure": n(lambda c: c.wider_exposure and c.steps.get(EXTERNAL_REFERRAL.id, 0) > 0),
        "concerns_with_missed_deadlines": n(lambda c: c.missed_deadlines > 0),
        "substantiated_after_earlier_substantiated": n(
            lambda c: c.outcome == "substantiated" and any(at < c.raised_at for at in substantiated_closed)),
        "shortest_gap_days": min(gaps, default=0),
        **_process_figures(concerns, process),
    }


def _process_figures(concerns: Sequence[ConcernFacts], p: ProcessFacts | None) -> dict[str, int]:
    met_at = p.reviewed_at if p and p.plan_met else None
    return {
        "process_plan_agreed": int(bool(p and p.plan_agreed)),
        "process_actions_missed": p.actions_missed if p else 0,
        "process_plan_met": int(bool(p and p.plan_met)),
        "process_plan_not_met": int(bool(p and p.plan_met is False)),
        "concerns_after_plan_met": sum(1 for c in concerns if met_at and c.raised_at > met_at),
        "process_suspended": int(bool(p and p.suspended)),
    }


# ---- Appendix A: suggested criteria for placing cautions or suspending placements -------

Column = Literal["caution", "suspension"]


class Criterion(Frozen):
    id: str
    column: Column
    wording: str  # verbatim from its Appendix A cell
    line: int = Field(ge=152)
    when: Condition | None = None
    evidence: str = FROM_EVENTS
    reading: str = ""  # how the figures stand for the wording

    @model_validator(mode="after")
    def _evidenced_or_never_matches(self) -> "Criterion":
        if (self.when is None) != (self.evidence == NOT_RECORDED):
            raise ValueError(f"criterion {self.id}: a condition exactly when the events can evidence it")
        if self.when is not None:
            self.when.check(VOCABULARY, f"criterion {self.id}")
        return self

    def matches(self, figs: dict[str, int]) -> bool:
        return self.when is not None and self.when.holds(figs)


def _c(line: int, id: str, wording: str, when: Condition | None, reading: str = "", evidence: str = FROM_EVENTS) -> Criterion:
    return Criterion(id=f"caution.{id}", column="caution", line=line, wording=wording, when=when,
                     evidence=evidence if when else NOT_RECORDED, reading=reading)


def _s(line: int, id: str, wording: str, when: Condition | None, reading: str = "", evidence: str = FROM_EVENTS) -> Criterion:
    return Criterion(id=f"suspension.{id}", column="suspension", line=line, wording=wording, when=when,
                     evidence=evidence if when else NOT_RECORDED, reading=reading)


CRITERIA: tuple[Criterion, ...] = (
    _c(155, "single_issue", "Single issue rather than systemic",
       all_(eq("organisational_concerns", 0), eq("wider_exposure_concerns", 0), eq("service_reviews", 0)),
       "no organisational abuse, no other adult affected, no pattern review"),
    _c(156, "no_pattern", "Not part of an apparent pattern of abuse", eq("service_reviews", 0),
       "no pattern rule has raised a service review"),
    _c(157, "no_previous_history", "No previous history of similar incidents recorded for the service provider",
       eq("concerns", 1), "the record holds this one concern only (records are kept per service)"),
    _c(158, "lengthy_intervals", "Concerns have occurred in the past, but at lengthy and infrequent intervals",
       all_(ge("concerns", 2), ge("shortest_gap_days", 180)),
       "every two consecutive concerns at least 180 days apart (the threshold tools' look-back)"),
    _c(159, "police_investigating", "Police investigation to establish if a crime has been committed", None,
       "Safeguard records whether the police must be consulted, not whether they are investigating"),
    _c(160, "no_clear_offence", "No clear criminal offence described in the safeguarding concern",
       eq("crime_indicated_concerns", 0), "no threshold decision indicates a crime"),
    _c(161, "no_ongoing_risk", "No indication of on-going risk to the adult or other service users",
       all_(eq("ongoing_risk_concerns", 0), eq("wider_exposure_concerns", 0)),
       "no open concern with risk remaining, no other adult affected"),
    _c(162, "cooperative", "Provider co-operative and willing to engage",
       all_(ge("process_plan_agreed", 1), eq("process_actions_missed", 0), eq("process_plan_not_met", 0)),
       "the provider agreed an action plan with the commissioner, missed none of its actions, and no review found it "
       "not met", FROM_PROCESS),
    _c(163, "managed_appropriately", "Incident being managed appropriately by the service provider",
       eq("concerns_with_missed_deadlines", 0), "every pathway deadline met"),
    _c(164, "limited_involvement", "Limited involvement with the safeguarding process",
       eq("external_referrals", 0), "no concern needed a referral to the local authority"),
    _s(155, "organisational_pattern",
       "Concerns form part of a pattern of organisational abuse placing service users at significant risk",
       all_(ge("organisational_concerns", 1), ge("service_reviews", 1), ge("reportable_decisions", 1)),
       "organisational abuse alleged, a pattern review raised, and a concern at the reporting threshold"),
    _s(156, "enquiry_finds_risk_to_others",
       "Section 42 enquiry relating to an individual service user identifies serious concerns for others",
       ge("referred_with_wider_exposure", 1), "a referred concern whose service risk review found other adults affected"),
    _s(157, "serious_harm", "Serious harm, injury or fatality involved", ge("serious_harm_concerns", 1),
       "the threshold decision records significant impact or medical attention"),
    _s(158, "deliberate_intent", "Deliberate intent to exploit/harm indicated", ge("intent_to_harm_concerns", 1),
       "intentional harm or exploitation recorded"),
    _s(159, "criminal_offences", "Criminal offences may have been committed", ge("crime_indicated_concerns", 1),
       "the threshold decision indicates a crime (police to be consulted)"),
    _s(160, "care_standards",
       "Care/clinical/nursing standards fall well below accepted standards placing service users at significant risk",
       None, "care standards are inspected, not recorded by the safeguarding pathway"),
    _s(161, "duty_of_care", "Significant breach of an implied or actual 'duty of care'", None,
       "a breach of duty of care is a finding outside the case events"),
    _s(162, "systemic_poor_management",
       "Systemic and on-going poor management of service placing service users at significant risk",
       all_(ge("concerns_with_missed_deadlines", 2), ge("ongoing_risk_concerns", 1)),
       "deadlines missed on two or more concerns while risk remains open on one"),
    _s(163, "improvements_not_sustained", "Inability of provider to sustain improvements",
       any_(ge("substantiated_after_earlier_substantiated", 1), ge("concerns_after_plan_met", 1)),
       "a concern upheld again after an earlier upheld concern was closed with its lessons, or a concern raised after "
       "the provider-concern process's review found the action plan met", f"{FROM_EVENTS} and {FROM_PROCESS}"),
    _s(164, "unwilling_to_engage", "Inability or unwillingness of provider to engage in the safeguarding process",
       all_(ge("process_plan_not_met", 1), ge("process_actions_missed", 1)),
       "the provider-concern process's review found the action plan not met, with actions of it not undertaken",
       FROM_PROCESS),
)

DecisionName = Literal["suspended", "suspension consideration", "caution", "recommendation", "none"]


class DecisionLevel(Frozen):
    level: DecisionName
    seed: SeedQuote
    when: Condition | None  # None: the level when nothing above applies
    reading: str


# First match wins. Safeguard only points commissioners at a decision that is theirs (lines 121, 142).
DECISION_LEVELS: tuple[DecisionLevel, ...] = (
    DecisionLevel(
        level="suspended", when=ge("process_suspended", 1),
        seed=SeedQuote(line=140, text="placements can be suspended and/or terminated."),
        reading="placements are suspended or terminated by the provider-concern process: a caution no longer applies",
    ),
    DecisionLevel(
        level="suspension consideration", when=ge("suspension_criteria_matched", 1),
        seed=SeedQuote(line=150, text="Please refer to Appendix A for suggested criteria for placing cautions or suspending placements."),
        reading="a suspension criterion of Appendix A matches: consider suspending placements",
    ),
    DecisionLevel(
        level="caution", when=any_(ge("substantiated", 1), ge("reportable_decisions", 1)),
        seed=SeedQuote(line=152, text="Appendix A: Suggested criteria for placing cautions or suspending placements"),
        reading="a concern was substantiated or met the reporting threshold and no suspension criterion matches; "
                "the caution criteria that match are its evidence",
    ),
    DecisionLevel(
        level="recommendation",
        when=any_(ge("service_reviews", 1), ge("undetermined", 1), ge("consultation_decisions", 1)),
        seed=SeedQuote(line=64, text="Make available a continuum of responses in order to ensure responses are proportionate to the nature and level of concerns raised"),
        reading="a pattern review, an undetermined outcome or a consultation-level concern: recommend improvement actions",
    ),
    DecisionLevel(
        level="none", when=None,
        seed=SeedQuote(line=14, text="Proportionality – least intrusive responses appropriate to presenting risks"),
        reading="nothing recorded calls for a commissioning response",
    ),
)

for _level in DECISION_LEVELS:
    if _level.when is not None:
        _level.when.check(VOCABULARY, f"decision {_level.level}")


# At these levels the caution column no longer applies: its criteria are set aside, never "matched".
CAUTION_SET_ASIDE_AT = ("suspended", "suspension consideration")


class Decision(Frozen):
    level: DecisionName
    because: DecisionLevel
    matched: tuple[Criterion, ...]
    not_matched: tuple[Criterion, ...]
    not_evidenced: tuple[Criterion, ...]
    set_aside: tuple[Criterion, ...] = ()  # caution criteria whose condition holds, at a suspension level


def decide(figs: dict[str, int]) -> tuple[Decision, dict[str, int]]:
    """The decision and the figures it was taken on (with the criteria counts added)."""
    evidenced = [c for c in CRITERIA if c.evidence != NOT_RECORDED]
    holding = tuple(c for c in evidenced if c.matches(figs))
    counts = {f"{col}_criteria_matched": sum(c.column == col for c in holding) for col in ("caution", "suspension")}
    level = next(d for d in DECISION_LEVELS if d.when is None or d.when.holds({**figs, **counts}))
    set_aside = tuple(c for c in holding if c.column == "caution") if level.level in CAUTION_SET_ASIDE_AT else ()
    matched = tuple(c for c in holding if c not in set_aside)
    figs = {**figs, **{f"{col}_criteria_matched": sum(c.column == col for c in matched) for col in ("caution", "suspension")}}
    return Decision(
        level=level.level, because=level, matched=matched, set_aside=set_aside,
        not_matched=tuple(c for c in evidenced if c not in holding),
        not_evidenced=tuple(c for c in CRITERIA if c.evidence == NOT_RECORDED),
    ), figs


class ServiceAssessment(Frozen):
    figures: dict[str, int]
    reviews: tuple[ServiceReview, ...]
    decision: Decision


def assess_service(concerns: Iterable[ConcernFacts], process: ProcessFacts | None = None) -> ServiceAssessment:
    concerns = sorted(concerns, key=lambda c: (c.raised_at, c.case_id))
    reviews = service_reviews(concerns)
    decision, figs = decide(figures(concerns, reviews, process))
    return ServiceAssessment(figures=figs, reviews=tuple(reviews), decision=decision)
