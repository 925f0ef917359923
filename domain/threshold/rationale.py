"""The plain-English rationale a registered manager can paste into the threshold matrix.

Every claim cites the seed line it rests on, so the record stands on its own in
front of an inspector.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.threshold.model import LEVEL_LABEL, NOTIFICATIONS, RAG, Category, Level, Source, ThresholdProfile

if TYPE_CHECKING:
    from domain.threshold.engine import AppliedRule, MatchedIndicator, PriorConcerns


@dataclass(frozen=True)
class Scope:
    label: str
    count: int
    threshold: int
    origin: str

    @property
    def reached(self) -> bool:
        return self.count >= self.threshold

    def describe(self) -> str:
        return f"{self.count} earlier {_plural(self.count)} {self.label}, counted from {self.origin} (threshold {self.threshold})"


@dataclass(frozen=True)
class Accumulation:
    scopes: tuple[Scope, ...]

    @property
    def reached(self) -> bool:
        return any(s.reached for s in self.scopes)

    def counted(self) -> list[Scope]:
        return [s for s in self.scopes if s.count > 0]

    def describe(self) -> str:
        return "Several low-level concerns: " + "; ".join(s.describe() for s in self.scopes if s.reached) + "."


def _plural(n: int) -> str:
    return "concern" if n == 1 else "concerns"


def cite(source: Source) -> str:
    return f"{source.seed} line {source.line}"


def write_rationale(
    profile: ThresholdProfile,
    cat: Category,
    level: Level,
    matched: Sequence[MatchedIndicator],
    rules: Sequence[AppliedRule],
    accumulation: Accumulation,
    fed: set[str],
    prior: PriorConcerns | None,
    notifications: Sequence[str],
) -> str:
    label = LEVEL_LABEL[level]
    parts = [
        f"Threshold decision: {label} ({RAG[level]}), using the {profile.title} (profile {profile.name}, "
        f"version {profile.version}), table '{cat.title}'."
    ]
    top = [m for m in matched if m.level == level]
    if top:
        reasons = "; ".join(f'"{m.indicator}" [{cite(m.source)}]' for m in top)
        parts.append(f"It is {label.lower()} because the recorded facts match: {reasons}.")
    elif level != "non_reportable":
        floor = [r for r in rules if r.minimum_level == level]
        parts.append("No example in the table reaches this level; it is set by: "
                     + "; ".join(f'"{r.wording}" [{cite(r.source)}]' for r in floor) + ".")
    else:
        parts.append("No example in the table matched the recorded facts, so the concern is non-reportable by default: "
                     "keep an internal written record of what happened and the action taken.")
    lower = [m for m in matched if m.level != level]
    if lower:
        parts.append("Also matched, at a lower level: "
                     + "; ".join(f'"{m.indicator}" ({LEVEL_LABEL[m.level].lower()}, {cite(m.source)})' for m in lower) + ".")

    counted = accumulation.counted()
    if counted:
        sentence = "Earlier concerns counted: " + "; ".join(s.describe() for s in counted) + "."
        if accumulation.reached:
            sentence += (f' Under "{cat.low_level_wording}" [{cite(cat.low_level_source)}] this profile treats that as several '
                         "low-level concerns, so the concern needs at least consultation.")
        parts.append(sentence)
    elif prior is not None:
        parts.append("No earlier concerns were found" + (f" ({prior.source_note})." if prior.source_note else "."))
    if fed:
        parts.append("Facts raised to the event store's counts: " + ", ".join(sorted(fed)) + ".")

    for rule in rules:
        if rule.urgent_escalation:
            parts.append(f'Urgent escalation: two or more of humiliation, coercion and exploitation are present ("{rule.wording}" [{cite(rule.source)}]).')
        for code in rule.notify:
            parts.append(f'{NOTIFICATIONS[code]} ("{rule.wording}" [{cite(rule.source)}]).')
    from_indicators = [n for n in notifications if not any(n in r.notify for r in rules)]
    for code in from_indicators:
        parts.append(f"{NOTIFICATIONS[code]} (required by a matched example above).")

    guidance = cat.guidance(level)
    parts.append(f"At this level: {guidance.guidance} [{cite(guidance.guidance_source)}]")
    parts.append(f"This decision supports, and does not replace, professional judgement: \"{profile.judgement}\" [{cite(profile.judgement_source)}]")
    return " ".join(parts)
