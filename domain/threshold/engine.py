"""The decision engine: facts in, decision out, deterministic.

The highest level any matched indicator (or a rule's minimum level) reaches wins.
Earlier concerns from the event store are fed in before matching, so a run of
low-level incidents is lifted to consultation however each one was recorded.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from domain import values
from domain.conditions import FactValue, Frozen
from domain.inputs import DEFAULT_RULES, describe
from domain.threshold.model import (
    NOTIFICATIONS,
    RAG,
    Category,
    IndicatorKind,
    Level,
    Notification,
    Rag,
    Source,
    ThresholdProfile,
    level_rank,
)
from domain.threshold.rationale import Accumulation, Scope, write_rationale

Count = Annotated[int, Strict(), Field(ge=0)]


class ThresholdFactsError(ValueError):
    """Bad input to a threshold assessment; the message names the problem."""


class PriorConcerns(BaseModel):
    """Counts of earlier concerns, taken from the event store by the caller over the
    profile's `low_level.lookback_days`. The current concern is not counted.

    same_source   earlier concerns with the same alleged source and a different harmed adult
    same_pair     earlier concerns between the same two adults, in either direction
    same_service  earlier concerns in the same service, whoever was involved
    source_note   where the counts came from (query, window), quoted in the rationale
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    same_source: Count = 0
    same_pair: Count = 0
    same_service: Count = 0
    source_note: str = ""


class MatchedIndicator(Frozen):
    id: str
    indicator: str  # the seed's wording
    level: Level
    rag: Rag
    kind: IndicatorKind
    source: Source
    note: str = ""


class AppliedRule(Frozen):
    id: str
    wording: str
    source: Source
    notify: tuple[Notification, ...]
    urgent_escalation: bool
    minimum_level: Level | None


class ThresholdDecision(Frozen):
    level: Level
    rag: Rag
    matched: list[MatchedIndicator]
    rationale: str
    alternative_actions: list[str]
    required_notifications: list[Notification]
    urgent_escalation: bool
    profile: str
    profile_version: str
    profile_digest: str
    category: str
    category_title: str
    facts: dict[str, FactValue]  # the validated facts used, defaults filled, earlier concerns fed in
    facts_from_prior: list[str]  # facts whose value was raised by `prior`
    prior: PriorConcerns | None
    applied_rules: list[AppliedRule]
    level_guidance: str


def assess(
    profile: ThresholdProfile,
    category: str,
    facts: dict,
    prior: PriorConcerns | Mapping[str, Any] | None = None,
) -> ThresholdDecision:
    cat = profile.category(category) if isinstance(category, str) else None
    if cat is None:
        raise ThresholdFactsError(
            f"unknown category {category!r} for profile {profile.name!r}; known categories: {', '.join(profile.category_keys())}"
        )
    prior = _prior(prior)
    validated = validate_facts(profile, cat, facts)
    used, fed = _feed_prior(profile, cat, validated, prior)

    order = {ind.id: n for n, ind in enumerate(cat.indicators)}
    matched = [_matched(ind.id, ind.wording, ind.level, ind.kind, ind.source, ind.note)
               for ind in cat.indicators if ind.when is not None and ind.when.holds(used)]
    accumulation = _accumulation(profile, cat, used, prior)
    if accumulation.reached:
        matched.append(_matched(f"{cat.key}.several_low_level_concerns", cat.low_level_wording, "consultation",
                                "local_rule", cat.low_level_source, accumulation.describe()))
        order[matched[-1].id] = len(order)
    # highest level first, then the order of the seed table
    matched.sort(key=lambda m: (-level_rank(m.level), order[m.id]))

    rules = [AppliedRule(id=r.id, wording=r.wording, source=r.source, notify=r.notify,
                         urgent_escalation=r.urgent_escalation, minimum_level=r.minimum_level)
             for r in profile.rules if r.when.holds(used)]
    levels = [m.level for m in matched] + [r.minimum_level for r in rules if r.minimum_level]
    level: Level = max(levels, key=level_rank, default="non_reportable")

    wanted = {n for r in rules for n in r.notify} | {
        n for ind in cat.indicators if ind.when is not None and ind.notify and ind.when.holds(used) for n in ind.notify
    }
    notifications = [n for n in NOTIFICATIONS if n in wanted]
    guidance = cat.guidance(level)
    return ThresholdDecision(
        level=level,
        rag=RAG[level],
        matched=matched,
        rationale=write_rationale(profile, cat, level, matched, rules, accumulation, fed, prior, notifications),
        alternative_actions=list(guidance.actions),
        required_notifications=notifications,
        urgent_escalation=any(r.urgent_escalation for r in rules),
        profile=profile.name,
        profile_version=profile.version,
        profile_digest=profile.digest,
        category=cat.key,
        category_title=cat.title,
        facts=used,
        facts_from_prior=sorted(fed),
        prior=prior,
        applied_rules=rules,
        level_guidance=guidance.guidance,
    )


def validate_facts(profile: ThresholdProfile, cat: Category, facts: Any) -> dict[str, FactValue]:
    """Check facts against the category's vocabulary; return them in vocabulary order with defaults filled."""
    where = f"category {cat.key!r} (profile {profile.name})"
    if not isinstance(facts, Mapping):
        raise ThresholdFactsError(f"facts for {where} must be an object of fact names to values, got {values.json_type(facts)}")
    vocab = cat.vocabulary
    problems = []
    checked = {}
    for name, value in facts.items():
        spec = vocab.get(name)
        if spec is None:
            hint = difflib.get_close_matches(str(name), list(vocab), n=1)
            problems.append(f"unknown fact {name!r} for {where}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
            continue
        checked[name], problem = values.check(spec.type, value, spec.choices, DEFAULT_RULES)  # counts bounded
        if problem:
            problems.append(f"fact {name!r} in {where} {problem}")
    if problems:
        raise ThresholdFactsError("; ".join(problems))
    return {name: checked.get(name, spec.default) for name, spec in vocab.items()}


def _prior(prior: PriorConcerns | Mapping[str, Any] | None) -> PriorConcerns | None:
    if prior is None or isinstance(prior, PriorConcerns):
        return prior
    try:
        return PriorConcerns.model_validate(prior)
    except ValidationError as exc:
        raise ThresholdFactsError(describe(exc, "invalid prior concerns")) from exc


def _feed_prior(profile: ThresholdProfile, cat: Category, facts: dict[str, FactValue],
                prior: PriorConcerns | None) -> tuple[dict[str, FactValue], set[str]]:
    """Raise the peer count facts to the event store's counts where those are higher."""
    used, fed = dict(facts), set()
    if prior is None:
        return used, fed
    for count, name in ((prior.same_source, profile.low_level.source_fact), (prior.same_pair, profile.low_level.pair_fact)):
        if name in used and count > used[name]:
            used[name] = count
            fed.add(name)
    return used, fed


def _accumulation(profile: ThresholdProfile, cat: Category, used: dict[str, FactValue],
                  prior: PriorConcerns | None) -> Accumulation:
    """Count earlier concerns per scope, saying for each where the count came from."""
    cfg = profile.low_level
    p = prior or PriorConcerns()
    note = f"the event store [{p.source_note}]" if p.source_note else "the event store"

    def scope(label: str, stored: int, fact: str | None, threshold: int) -> Scope:
        recorded = int(used[fact]) if fact in used else 0
        if fact is None or (prior is not None and stored >= recorded):
            return Scope(label=label, count=stored, threshold=threshold, origin=note)
        return Scope(label=label, count=recorded, threshold=threshold, origin=f"the recorded fact {fact}")

    return Accumulation(scopes=(
        scope("involving the same alleged source with other adults", p.same_source, cfg.source_fact, cfg.same_source_at_least),
        scope("between the same two adults", p.same_pair, cfg.pair_fact, cfg.same_pair_at_least),
        scope("in the same service", p.same_service, None, cfg.same_service_at_least),
    ))


def _matched(ident: str, wording: str, level: Level, kind: IndicatorKind, source: Source, note: str) -> MatchedIndicator:
    return MatchedIndicator(id=ident, indicator=wording, level=level, rag=RAG[level], kind=kind, source=source, note=note)

