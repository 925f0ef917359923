"""The vocabulary the pathway data is written in: roles, record fields, openings, repeats.

Conditions on a step's record are the one condition language of `domain.conditions`.

Everything here is a frozen pydantic model so a pathway can be serialised into a
workflow's history and replayed exactly as it was decided.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.conditions import Condition
from domain.deadlines import DeadlineRule
from domain.values import ValueType


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Role = Literal[
    "senior_support_worker",
    "team_leader",
    "registered_manager",
    "designated_safeguarding_lead",
    "operations_director",
    "safeguarding_administrator",
    "quality_safeguarding_lead",
    "nominated_individual",
]


ROLES: tuple[str, ...] = get_args(Role)


class RecordField(Policy):
    name: str
    type: ValueType
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""
    # whether a completed record's value may be corrected by an amendment (issue 22); None: the default
    # rule of domain/amendments.py (ids, times and free text, never a decision). Left out of the JSON when
    # None, so recorded pathways (and their digests) are as they were
    amendable: bool | None = Field(default=None, exclude_if=lambda v: v is None)


# --- when a step opens, and from which instant its clock runs --------------------------


class AtStart(Policy):
    """Opens when the case is raised; the clock runs from when the concern was identified."""

    kind: Literal["at_start"] = "at_start"


class AfterStep(Policy):
    """Opens when `step` is completed (optionally only if its record meets `when`);
    the clock runs from that completion."""

    kind: Literal["after_step"] = "after_step"
    step: str
    when: Condition | None = None


class OnDevelopment(Policy):
    """Opens once per development recorded on the case; the clock runs from the development."""

    kind: Literal["on_development"] = "on_development"


class OnAmendment(Policy):
    """Opens when a record a decision rested on is amended (a decision's review, issue 22); never
    in a pathway's steps: the review step is made by `domain/amendments.py` and recorded with the
    amendment that opened it."""

    kind: Literal["on_amendment"] = "on_amendment"


class OnThresholdDecision(Policy):
    """Opens when the threshold decision is filed, if its level is one of `levels` or it requires
    `notification`; the clock runs from the filing."""

    kind: Literal["on_threshold_decision"] = "on_threshold_decision"
    levels: tuple[str, ...] = ()
    notification: str | None = None

    def holds(self, level: str, notifications: list[str] | tuple[str, ...]) -> bool:
        return level in self.levels or (self.notification is not None and self.notification in notifications)


Opening = Annotated[Union[AtStart, AfterStep, OnDevelopment, OnThresholdDecision, OnAmendment], Field(discriminator="kind")]


class Cadence(Policy):
    """A fresh occurrence opens when the previous one falls due, whether or not it was done."""

    kind: Literal["cadence"] = "cadence"


class UntilRecorded(Policy):
    """After each completion a fresh occurrence opens, until a record meets `condition`.
    Its clock runs from the later of the previous due instant and the completion."""

    kind: Literal["until_recorded"] = "until_recorded"
    condition: Condition


Repeat = Annotated[Union[Cadence, UntilRecorded], Field(discriminator="kind")]


class Escalate(Policy):
    """A trigger: when a completed record meets `when`, escalate to `to_role` at once."""

    when: Condition
    to_role: Role
    reason: str


class Requirement(Policy):
    """Fields a step's record must give when `when` holds: on this record, or (with `on_step`) on
    that step's latest completed record. Says what the policy asks, in `reason`."""

    fields: tuple[str, ...]
    when: Condition
    on_step: str | None = None
    reason: str


class RecordCheck(Policy):
    """A rule a step's record must meet (`must`), with the reason given when it does not."""

    must: Condition
    reason: str


class InOrder(Policy):
    """Two instants a record gives (`later` on this record; `earlier` on it too, or on `on_step`'s
    latest completed record) that must come in that order (pathways from 2026.12.2)."""

    earlier: str
    later: str
    on_step: str | None = None
    reason: str


class RecordedInterval(Policy):
    """A deadline of `field` working days, read from `step`'s latest record (an interval the
    staff set, e.g. how often a lower-level plan is reviewed)."""

    step: str
    field: str


# acts_on_new_decision: a decision's review (issue 22) whose changed decision opens what the new one asks
# for (reviews recorded before it do not, and replay as they were decided)
Effect = Literal["files_threshold_decision", "concludes_case", "closes_case", "acts_on_new_decision"]
# the record field an effect takes: the conclusion's reason, the closure's outcome (pathways
# recorded before this was data named none, and used these)
_EFFECT_FIELDS = {"concludes_case": "reason", "closes_case": "substantiation_outcome"}


class Step(Policy):
    id: str
    title: str
    seed: str  # where the step comes from, e.g. "001 example 1 step 1"
    role: Role
    opens: Opening
    deadline: DeadlineRule | None
    record: tuple[RecordField, ...]
    repeat: Repeat | None = None
    triggers: tuple[Escalate, ...] = ()
    effect: Effect | None = None
    effect_field: str | None = None  # the record field the effect takes
    requires: tuple[Requirement, ...] = ()  # fields required only in some cases (pathways from 2026.12.1)
    checks: tuple[RecordCheck, ...] = ()  # rules the record must meet (pathways from 2026.12.1)
    interval: RecordedInterval | None = None  # a deadline set by a record, in place of `deadline`
    also_opens: tuple[AfterStep, ...] = ()  # further steps whose completion opens it (pathways from 2026.12.1)
    in_order: tuple[InOrder, ...] = ()  # instants that must come in order (pathways from 2026.12.2)
    # its people are told its deadline is near when this share of its time is left (None: the alert
    # policy's; 0: never), issue 20
    approaching_share: float | None = Field(default=None, ge=0, lt=1)

    @model_validator(mode="before")
    @classmethod
    def _effect_field_of_earlier_pathways(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("effect") in _EFFECT_FIELDS and data.get("effect_field") is None:
            data = {**data, "effect_field": _EFFECT_FIELDS[data["effect"]]}
        return data

    def field(self, name: str) -> RecordField | None:
        return next((f for f in self.record if f.name == name), None)


class ThresholdPolicy(Policy):
    """How the pathway uses the service's threshold tool (issue 3; profiles in domain/threshold)."""

    assessed_at: str  # the step whose completion files the decision
    facts_field: str  # that step's record field holding the threshold facts
    category_field: str
    default_category: str
    facts_from_record: dict[str, str]  # record field -> threshold fact, used unless the facts give it
    decided_at: str  # the step where the DSL decides the route
    decision_field: str  # its bool: external threshold met
    override_reason_field: str  # required to record the decision below the tool's level
    referral_step: str  # opens when the decision reaches `referral_level`, even if not ticked
    referral_level: str
    urgent_escalation_to: Role

    def category_of(self, record: dict[str, Any]) -> str:
        return record.get(self.category_field) or self.default_category

    def facts_given(self, record: dict[str, Any]) -> dict[str, Any]:
        return dict(record.get(self.facts_field) or {})

    def facts_answered(self, record: dict[str, Any]) -> dict[str, Any]:
        """Facts the step's own fields answer; used where the category has them and the facts do not."""
        return {fact: record[field] for field, fact in self.facts_from_record.items() if field in record}


class Pathway(Policy):
    name: str
    version: str
    source: str
    escalation_chain: tuple[Role, ...]
    reports_to: dict[str, Role]  # for roles outside the chain
    steps: tuple[Step, ...]
    threshold: ThresholdPolicy | None = None  # None for cases raised before threshold decisions
    # pathways from 2026.12.2: a record's instants may not be before the concern was identified, and
    # these words do not answer a field a requirement asks for ("n/a" is not a reason)
    instants_from_identification: bool = False
    not_answers: tuple[str, ...] = ()
    # an id field may name the alleged source by this word when they are not a service user and so
    # have no id (000 line 27: never invent one)
    source_without_id: str | None = None

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def role_above(self, role: str) -> str | None:
        if role in self.reports_to:
            return self.reports_to[role]
        chain = list(self.escalation_chain)
        if role in chain and chain.index(role) + 1 < len(chain):
            return chain[chain.index(role) + 1]
        return None

    def with_deadline(self, step_id: str, rule: DeadlineRule) -> Pathway:
        """This pathway with one step's deadline set by configuration (the whole pathway is
        recorded with each case, so a case keeps the deadline it was raised under)."""
        if self.step(step_id) is None:
            raise ValueError(f"unknown step {step_id!r}")
        steps = tuple(s.model_copy(update={"deadline": rule}) if s.id == step_id else s for s in self.steps)
        return self.model_copy(update={"steps": steps})

    def openings_after(self, step_id: str) -> list[tuple[Step, AfterStep]]:
        """The steps `step_id`'s completion may open, each with the opening that names it."""
        return [(s, o) for s in self.steps for o in (s.opens, *s.also_opens)
                if isinstance(o, AfterStep) and o.step == step_id]

    def opened_by(self, step_id: str) -> list[Step]:
        return [s for s in self.steps if isinstance(s.opens, AfterStep) and s.opens.step == step_id]
