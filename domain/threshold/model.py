"""The shape of a threshold profile: a local threshold tool transcribed as typed data.

Every indicator, level text and rule carries a `Source` pointing at the seed line it
was transcribed from, so a decision can be traced back to the document that
justified it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from domain.conditions import Condition, FactSpec, Frozen

Level = Literal["non_reportable", "consultation", "reportable"]
Rag = Literal["green", "yellow", "red"]

LEVELS: tuple[Level, ...] = ("non_reportable", "consultation", "reportable")
RAG: dict[str, Rag] = {"non_reportable": "green", "consultation": "yellow", "reportable": "red"}
LEVEL_LABEL = {"non_reportable": "Non-reportable", "consultation": "Requires consultation", "reportable": "Reportable"}


def level_rank(level: Level) -> int:
    return LEVELS.index(level)


Notification = Literal["police", "emergency_services", "childrens_services", "position_of_trust_procedure"]

NOTIFICATIONS: dict[str, str] = {
    "police": "Consult the police: a criminal act is indicated",
    "emergency_services": "Contact the emergency services: someone is in immediate danger",
    "childrens_services": "Refer to Children's Services: a child may be at risk",
    "position_of_trust_procedure": "Follow the People in Positions of Trust (PIPOT) procedure",
}

IndicatorKind = Literal["example", "qualifier", "level_header", "cross_reference", "local_rule"]


class Cached(Frozen):
    """A frozen model with cached_property values: copies must recompute them."""

    def model_copy(self, *, update=None, deep: bool = False):
        copy = super().model_copy(update=update, deep=deep)
        for name, attr in type(self).__dict__.items():
            if isinstance(attr, cached_property):
                copy.__dict__.pop(name, None)
        return copy


class Source(Frozen):
    """Where a piece of policy text came from: seed file, table, column and line (1-based)."""

    seed: str
    category: str
    column: str
    line: int = Field(ge=1)

    def cite(self) -> str:
        return f"{self.seed} line {self.line}, {self.category}: {self.column}"


class Indicator(Frozen):
    """One example from a threshold table.

    kind:
      example          a bullet from the table, evaluated against the facts
      qualifier        a bullet that describes the level rather than the incident
                       (e.g. "Robust recording is in place"); kept for completeness,
                       never evaluated
      level_header     the column heading ("Significant harm or risk of harm")
      cross_reference  an example from another table of the same seed that the seed
                       says applies here (see `note`)
      local_rule       wording from a non-table part of the seeds applied to a table
    """

    id: str
    level: Level
    wording: str
    source: Source
    kind: IndicatorKind = "example"
    when: Condition | None = None
    note: str = ""
    notify: tuple[Notification, ...] = ()

    @model_validator(mode="after")
    def _qualifiers_only_are_unevaluated(self) -> Indicator:
        if (self.when is None) != (self.kind == "qualifier"):
            raise ValueError(f"indicator {self.id}: only qualifiers have no condition")
        return self


class LevelGuidance(Frozen):
    """What a column of the table says to do, and its alternative actions."""

    level: Level
    column: str
    guidance: str
    guidance_source: Source
    actions: tuple[str, ...]
    actions_source: Source


class Category(Cached):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    facts: tuple[FactSpec, ...]
    indicators: tuple[Indicator, ...]
    levels: tuple[LevelGuidance, ...]
    # the "several low-level concerns" sentence of this table's non-reportable column
    low_level_wording: str
    low_level_source: Source
    notes: tuple[str, ...] = ()

    @cached_property
    def vocabulary(self) -> dict[str, FactSpec]:
        return {f.name: f for f in self.facts}

    def guidance(self, level: Level) -> LevelGuidance:
        return next(g for g in self.levels if g.level == level)

    @model_validator(mode="after")
    def _consistent(self) -> Category:
        names = [f.name for f in self.facts]
        if len(names) != len(set(names)):
            raise ValueError(f"category {self.key}: duplicate fact names")
        ids = [i.id for i in self.indicators]
        if len(ids) != len(set(ids)):
            raise ValueError(f"category {self.key}: duplicate indicator ids")
        if tuple(g.level for g in self.levels) != LEVELS:
            raise ValueError(f"category {self.key}: needs guidance for {LEVELS} in that order")
        vocab = {f.name: f for f in self.facts}
        for ind in self.indicators:
            if ind.when is not None:
                ind.when.check(vocab, f"{self.key}/{ind.id}")
        return self


class NotificationRule(Frozen):
    """A cross-cutting rule that applies whatever the table says."""

    id: str
    wording: str
    source: Source
    when: Condition
    notify: tuple[Notification, ...] = ()
    urgent_escalation: bool = False
    # the least level a decision can have when this rule fires (None: no effect on level)
    minimum_level: Level | None = None


class LowLevelConcerns(Frozen):
    """How earlier concerns lift a run of low-level incidents to consultation.

    Both seeds say only "where there are several low-level concerns, consideration
    should be given as to whether the threshold may be met"; the counts below are
    this profile's reading of "several" and are local configuration, not seed text.
    The caller counts earlier concerns over `lookback_days` from the event store.
    """

    same_source_at_least: int = Field(ge=1)
    same_pair_at_least: int = Field(ge=1)
    same_service_at_least: int = Field(ge=1)
    lookback_days: int = Field(ge=1)
    # facts that earlier-concern counts feed, where a category has them
    source_fact: str = "prior_incidents_same_source"
    pair_fact: str = "prior_incidents_between_pair"
    basis: str


class ThresholdProfile(Cached):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str
    title: str
    seed: str
    document: str  # the seed's own title and version
    columns: dict[Level, str]
    common_facts: tuple[str, ...]
    categories: tuple[Category, ...]
    rules: tuple[NotificationRule, ...]
    low_level: LowLevelConcerns
    judgement: str
    judgement_source: Source

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def category_keys(self) -> list[str]:
        return [c.key for c in self.categories]

    @cached_property
    def digest(self) -> str:
        """sha256 of the profile's canonical JSON: proves which data produced a decision."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @model_validator(mode="after")
    def _consistent(self) -> ThresholdProfile:
        keys = self.category_keys()
        if len(keys) != len(set(keys)):
            raise ValueError(f"profile {self.name}: duplicate category keys")
        for cat in self.categories:
            missing = set(self.common_facts) - set(cat.vocabulary)
            if missing:
                raise ValueError(f"profile {self.name}: category {cat.key} lacks common facts {sorted(missing)}")
        common = {f.name: f for f in self.categories[0].facts if f.name in self.common_facts}
        for rule in self.rules:
            # rules apply to every category, so they may only use the common facts
            rule.when.check(common, f"{self.name}/rule {rule.id}")
        return self
