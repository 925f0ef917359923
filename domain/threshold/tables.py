"""A small builder so profile modules read like the seed tables they transcribe.

Indicator ids are `<category>.<level letter><marker><n>`, numbered in seed order:
`incidents_between_adults.r2` is the second reportable example of that table,
`physical.nq1` the first non-reportable qualifier, `falls.rh` the reportable column
heading, `incidents_between_adults.rx1` the first reportable cross-reference.
"""

from __future__ import annotations

from collections import defaultdict

from domain.conditions import Condition
from domain.threshold.model import Category, Indicator, IndicatorKind, Level, LevelGuidance, Notification, Source
from domain.threshold.vocabulary import category_facts

_LETTER = {"non_reportable": "n", "consultation": "c", "reportable": "r"}
_MARKER = {"example": "", "qualifier": "q", "level_header": "h", "cross_reference": "x", "local_rule": "l"}


class Table:
    def __init__(self, *, seed: str, columns: dict[Level, str], actions_row: str, key: str, title: str, low_level_wording: str):
        self.seed = seed
        self.columns = columns
        self.actions_row = actions_row
        self.key = key
        self.title = title
        self.low_level_wording = low_level_wording
        self._indicators: list[Indicator] = []
        self._levels: list[LevelGuidance] = []
        self._counts: dict[str, int] = defaultdict(int)

    def source(self, line: int, level: Level, *, category: str | None = None, column: str | None = None, seed: str | None = None) -> Source:
        return Source(seed=seed or self.seed, category=category or self.title, column=column or self.columns[level], line=line)

    def _add(self, kind: IndicatorKind, level: Level, line: int, wording: str, when: Condition | None, *, note: str = "",
             notify: tuple[Notification, ...] = (), source: Source | None = None) -> None:
        prefix = _LETTER[level] + _MARKER[kind]
        if kind == "level_header":
            ident = f"{self.key}.{prefix}"
        else:
            self._counts[prefix] += 1
            ident = f"{self.key}.{prefix}{self._counts[prefix]}"
        self._indicators.append(
            Indicator(id=ident, level=level, wording=wording, kind=kind, when=when, note=note, notify=notify,
                      source=source or self.source(line, level))
        )

    # examples from the table, in seed order
    def n(self, line: int, wording: str, when: Condition, **kw) -> None:
        self._add("example", "non_reportable", line, wording, when, **kw)

    def c(self, line: int, wording: str, when: Condition, **kw) -> None:
        self._add("example", "consultation", line, wording, when, **kw)

    def r(self, line: int, wording: str, when: Condition, **kw) -> None:
        self._add("example", "reportable", line, wording, when, **kw)

    def qualifier(self, level: Level, line: int, wording: str, note: str = "") -> None:
        self._add("qualifier", level, line, wording, None, note=note)

    def header(self, level: Level, line: int, wording: str, when: Condition) -> None:
        self._add("level_header", level, line, wording, when)

    def cross(self, level: Level, line: int, wording: str, when: Condition, *, category: str, note: str,
              column: str | None = None, seed: str | None = None) -> None:
        src = self.source(line, level, category=category, column=column, seed=seed)
        self._add("cross_reference", level, line, wording, when, note=note, source=src)

    def local(self, level: Level, line: int, wording: str, when: Condition, *, category: str, column: str, note: str,
              seed: str | None = None) -> None:
        src = self.source(line, level, category=category, column=column, seed=seed)
        self._add("local_rule", level, line, wording, when, note=note, source=src)

    def level(self, level: Level, line: int, guidance: str, actions_line: int, actions: tuple[str, ...]) -> None:
        self._levels.append(
            LevelGuidance(
                level=level,
                column=self.columns[level],
                guidance=guidance,
                guidance_source=self.source(line, level),
                actions=actions,
                actions_source=self.source(actions_line, level, column=f"{self.actions_row} / {self.columns[level]}"),
            )
        )

    def build(self, low_level_line: int, notes: tuple[str, ...] = ()) -> Category:
        return Category(
            key=self.key,
            title=self.title,
            facts=category_facts(self.key),
            indicators=tuple(self._indicators),
            levels=tuple(self._levels),
            low_level_wording=self.low_level_wording,
            low_level_source=self.source(low_level_line, "non_reportable"),
            notes=notes,
        )
