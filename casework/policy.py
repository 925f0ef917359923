"""Policy as data, read by anyone signed in: the pathway in force, the threshold tools (their
categories, facts and indicators), and a threshold tool applied to a concern's facts. No case
data, so nothing here is audited."""

from __future__ import annotations

from typing import Any

from casework.refusals import Invalid, NotFound
from domain.pathway import current_pathway
from domain.policy import Pathway
from domain.threshold import PriorConcerns, ThresholdDecision, ThresholdProfile, assess, load_profile, profile_names

REQUEST_KEYS = ("category", "facts", "prior")


def pathway() -> Pathway:
    return current_pathway()


def request_parts(data: Any, where: str) -> tuple[str, Any, PriorConcerns | None]:
    """A threshold request's category, facts and prior concerns, or Invalid saying what is wrong."""
    if not isinstance(data, dict):
        raise Invalid(f'{where}: expected an object {{"category": ..., "facts": {{...}}}}, got {type(data).__name__}')
    unknown = sorted(set(data) - set(REQUEST_KEYS))
    if unknown:
        raise Invalid(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(REQUEST_KEYS)})")
    if "category" not in data:
        raise Invalid(f"{where}: missing 'category'")
    if not isinstance(data["category"], str):
        raise Invalid(f"{where}: 'category' must be a string")
    if "facts" not in data:
        raise Invalid(f"{where}: missing 'facts'")
    prior = data.get("prior")
    if prior is not None and not isinstance(prior, dict):
        raise Invalid(f"{where}: 'prior' must be an object with same_source, same_pair, same_service, source_note")
    return data["category"], data["facts"], prior


def assess_threshold(profile: str, request: Any, where: str) -> ThresholdDecision:
    """The threshold tool `profile` applied to a request's facts: the level, why, and what must happen."""
    category, facts, prior = request_parts(request, where)
    try:
        return assess(load_profile(profile), category, facts, prior)
    except ValueError as e:  # unknown profile, category or fact; a fact of the wrong type
        raise Invalid(str(e)) from None


def profiles(profile: str | None = None, category: str | None = None) -> list[ThresholdProfile]:
    """The threshold profiles (or one), refused as NotFound when unknown or without `category`."""
    try:
        chosen = [load_profile(profile)] if profile is not None else [load_profile(n) for n in profile_names()]
    except ValueError as e:
        raise NotFound(str(e)) from None
    if category is not None and not any(p.category(category) for p in chosen):
        raise NotFound(f"unknown category {category!r}; known categories: "
                       + ", ".join(sorted({k for p in chosen for k in p.category_keys()})))
    return chosen


def profile_json(p: ThresholdProfile, only: str | None) -> dict[str, Any]:
    """A profile as data, with its digest; with `only`, that category alone."""
    data = p.model_dump(mode="json")
    data["digest"] = p.digest
    if only:
        data["categories"] = [c for c in data["categories"] if c["key"] == only]
    return data
