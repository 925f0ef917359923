"""Threshold decisions as policy data: the Sussex (seed 002) and Guernsey (seed 003)
threshold tools as versioned, traceable profiles, and a deterministic engine.

    profile = load_profile("sussex")
    decision = assess(profile, "incidents_between_adults", {"impact": "some"}, PriorConcerns(same_pair=2))
"""

from domain.threshold.engine import (
    AppliedRule,
    MatchedIndicator,
    PriorConcerns,
    ThresholdDecision,
    ThresholdFactsError,
    assess,
    validate_facts,
)
from domain.threshold.model import LEVELS, RAG, Category, Indicator, Level, Source, ThresholdProfile
from domain.threshold.registry import load_profile, profile_names

__all__ = [
    "LEVELS",
    "RAG",
    "AppliedRule",
    "Category",
    "Indicator",
    "Level",
    "MatchedIndicator",
    "PriorConcerns",
    "Source",
    "ThresholdDecision",
    "ThresholdFactsError",
    "ThresholdProfile",
    "assess",
    "load_profile",
    "profile_names",
    "validate_facts",
]
