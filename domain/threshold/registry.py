"""The profiles a service can be configured with, by name."""

from __future__ import annotations

from domain.threshold import guernsey, sussex
from domain.threshold.model import ThresholdProfile

_PROFILES: dict[str, ThresholdProfile] = {p.name: p for p in (sussex.PROFILE, guernsey.PROFILE)}


def profile_names() -> list[str]:
    return sorted(_PROFILES)


def load_profile(name: str) -> ThresholdProfile:
    try:
        return _PROFILES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown threshold profile {name!r}; known profiles: {', '.join(profile_names())}") from None
