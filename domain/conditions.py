"""The one condition language: what a threshold indicator, a commissioning criterion or a
pathway step (trigger, opening, repeat) matches on.

Conditions are data, not code, so a profile or a pathway can be dumped to JSON, read by
an inspector and diffed between versions. Their JSON shapes are:

    {"fact": "impact", "equals": "significant"}
    {"fact": "impact", "one_of": ["some", "significant"]}
    {"fact": "prior_incidents_same_source", "at_least": 1}
    {"count_true": ["humiliation", "coercion", "exploitation"], "at_least": 2}
    {"all": [<condition>, ...]}
    {"any": [<condition>, ...]}

They hold on threshold facts (every fact present, defaults filled) and on a step's record,
where optional fields may be missing: a missing value never matches and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag

from domain import values

FactValue = Union[bool, int, str]
FactType = Literal["bool", "int", "choice"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FactSpec(Frozen):
    """One fact a category's indicators can be asked about.

    Missing facts take the default: false, 0, or the first choice (always "none").
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: FactType
    help: str
    choices: tuple[str, ...] = ()

    @property
    def default(self) -> FactValue:
        return {"bool": False, "int": 0}.get(self.type, self.choices[0] if self.choices else "")


def _check_value(spec: FactSpec, value: Any, where: str) -> None:
    _, problem = values.check(spec.type, value, spec.choices)
    if problem:
        raise ValueError(f"{where}: condition on fact {spec.name!r} {problem}")


class Equals(Frozen):
    fact: str
    equals: FactValue

    def holds(self, facts: Mapping[str, Any]) -> bool:
        value = facts.get(self.fact)
        # bool is an int in Python: never let True == 1 match across types (nor a missing None)
        return type(value) is type(self.equals) and value == self.equals

    def check(self, vocab: Mapping[str, FactSpec], where: str) -> None:
        _check_value(_spec(vocab, self.fact, where), self.equals, where)

    def facts_used(self) -> set[str]:
        return {self.fact}

    def describe(self) -> str:
        if self.equals is True:
            return self.fact
        if self.equals is False:
            return f"not {self.fact}"
        return f"{self.fact} = {self.equals}"


class OneOf(Frozen):
    fact: str
    one_of: tuple[str, ...] = Field(min_length=1)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return facts.get(self.fact) in self.one_of

    def check(self, vocab: Mapping[str, FactSpec], where: str) -> None:
        spec = _spec(vocab, self.fact, where)
        if spec.type != "choice":
            raise ValueError(f"{where}: one_of needs a choice fact, {self.fact!r} is {spec.type}")
        for value in self.one_of:
            _check_value(spec, value, where)

    def facts_used(self) -> set[str]:
        return {self.fact}

    def describe(self) -> str:
        return f"{self.fact} in ({', '.join(self.one_of)})"


class AtLeast(Frozen):
    fact: str
    at_least: int = Field(ge=1)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        value = facts.get(self.fact)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= self.at_least

    def check(self, vocab: Mapping[str, FactSpec], where: str) -> None:
        spec = _spec(vocab, self.fact, where)
        if spec.type != "int":
            raise ValueError(f"{where}: at_least needs an int fact, {self.fact!r} is {spec.type}")

    def facts_used(self) -> set[str]:
        return {self.fact}

    def describe(self) -> str:
        return f"{self.fact} >= {self.at_least}"


class CountTrue(Frozen):
    count_true: tuple[str, ...] = Field(min_length=2)
    at_least: int = Field(ge=1)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return sum(facts.get(f) is True for f in self.count_true) >= self.at_least

    def check(self, vocab: Mapping[str, FactSpec], where: str) -> None:
        for name in self.count_true:
            if _spec(vocab, name, where).type != "bool":
                raise ValueError(f"{where}: count_true needs bool facts, {name!r} is not")

    def facts_used(self) -> set[str]:
        return set(self.count_true)

    def describe(self) -> str:
        return f"at least {self.at_least} of ({', '.join(self.count_true)})"


class AllOf(Frozen):
    all: tuple[Condition, ...] = Field(min_length=1)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return all(c.holds(facts) for c in self.all)

    def check(self, vocab: Mapping[str, FactSpec], where: str) -> None:
        for c in self.all:
            c.check(vocab, where)

    def facts_used(self) -> set[str]:
        return set().union(*(c.facts_used() for c in self.all))

    def describe(self) -> str:
        return "(" + " and ".join(c.describe() for c in self.all) + ")"


class AnyOf(Frozen):
    any: tuple[Condition, ...] = Field(min_length=1)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return any(c.holds(facts) for c in self.any)

    def check(self, vocab: Mapping[str, FactSpec], where: str) -> None:
        for c in self.any:
            c.check(vocab, where)

    def facts_used(self) -> set[str]:
        return set().union(*(c.facts_used() for c in self.any))

    def describe(self) -> str:
        return "(" + " or ".join(c.describe() for c in self.any) + ")"


def _spec(vocab: Mapping[str, FactSpec], name: str, where: str) -> FactSpec:
    if name not in vocab:
        raise ValueError(f"{where}: condition refers to unknown fact {name!r}")
    return vocab[name]


def _shape(value: Any) -> str | None:
    keys = value.keys() if isinstance(value, dict) else value.__class__.model_fields.keys()
    if "count_true" in keys:
        return "count_true"
    for key in ("equals", "one_of", "at_least", "all", "any"):
        if key in keys:
            return key
    return None


def _upcast(value: Any) -> Any:
    """Pathways recorded in workflow histories before the pathway and threshold conditions
    were one language carry the pathway's old `kind` shapes; read them as today's so
    those histories replay."""
    kind = value.get("kind") if isinstance(value, dict) else None
    if kind == "is_true":
        return {"fact": value["field"], "equals": True}
    if kind == "any_true":
        return {"any": [{"fact": f, "equals": True} for f in value["fields"]]}
    if kind == "count_true":
        return {"count_true": value["fields"], "at_least": value["at_least"]}
    return value


Condition = Annotated[
    Union[
        Annotated[Equals, Tag("equals")],
        Annotated[OneOf, Tag("one_of")],
        Annotated[AtLeast, Tag("at_least")],
        Annotated[CountTrue, Tag("count_true")],
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
    ],
    Discriminator(_shape),
    BeforeValidator(_upcast),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()


# Short constructors so profile tables and the pathway read like the seed documents.
def is_(fact: str) -> Equals:
    return Equals(fact=fact, equals=True)


def not_(fact: str) -> Equals:
    return Equals(fact=fact, equals=False)


def eq(fact: str, value: FactValue) -> Equals:
    return Equals(fact=fact, equals=value)


def one_of(fact: str, *values: str) -> OneOf:
    return OneOf(fact=fact, one_of=values)


def ge(fact: str, n: int) -> AtLeast:
    return AtLeast(fact=fact, at_least=n)


def all_(*conditions: Condition) -> AllOf:
    return AllOf(all=conditions)


def any_(*conditions: Condition) -> AnyOf:
    return AnyOf(any=conditions)


def count_true(facts: tuple[str, ...], n: int) -> CountTrue:
    return CountTrue(count_true=facts, at_least=n)
