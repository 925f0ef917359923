"""Threshold decisions as policy data: the Sussex (seed 002) and Guernsey (seed 003)
threshold tools as versioned, traceable profiles."""

from domain.threshold.model import LEVELS, RAG, Category, Indicator, Level, Source, ThresholdProfile
from domain.threshold.registry import load_profile, profile_names

__all__ = ["LEVELS", "RAG", "Category", "Indicator", "Level", "Source", "ThresholdProfile", "load_profile", "profile_names"]
