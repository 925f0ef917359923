"""The pages' words table (words.txt, beside this module) read into dicts: questions, hints and
labels by field, by step and field, and by threshold fact; choice values in words. web/pages/words.py
serves them; edit words.txt to change what a person reads.
"""

from __future__ import annotations

import re
from pathlib import Path

from web.pages.formats import REPORTER_WORDS, SOURCE_WORDS
from web.pages.word_types import Words

_TABLE = Path(__file__).with_name("words.txt")


def _rows() -> dict[str, list[list[str]]]:
    """words.txt by section: each row's cells."""
    sections: dict[str, list[list[str]]] = {}
    rows: list[list[str]] = []
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            rows = sections.setdefault(line.strip("[] "), [])
        else:
            rows.append([cell.strip() for cell in line.split("|")])
    return sections


def _words(cells: list[str]) -> Words:
    question, hint, label = (cells[1:] + ["", ""])[:3]
    return Words(question, hint, label)


def _fact_words(rows: list[list[str]]) -> dict[str, Words]:
    """The threshold tools' questions; a fact's label is the tool's own words where they are plain."""
    from domain.threshold.registry import load_profile, profile_names

    own = {f.name: re.sub(r"\s*\([^)]*\)", "", f.help)
           for n in profile_names() for c in load_profile(n).categories for f in c.facts}
    out = {}
    for cells in rows:
        w = _words(cells)
        tool = own.get(cells[0], "_")
        out[cells[0]] = w if w.label else Words(w.question, w.hint, tool if "_" not in tool and len(tool) <= 80
                                                else w.question.rstrip("?"))
    return out


_SECTIONS = _rows()
FIELD_WORDS: dict[str, Words] = {cells[0]: _words(cells) for cells in _SECTIONS["fields"]}
# the same field name asked otherwise at a step, where it means something else there
STEP_WORDS: dict[tuple[str, str], Words] = {tuple(cells[0].split(".", 1)): _words(cells)  # type: ignore[misc]
                                           for cells in _SECTIONS["steps"]}
FACT_WORDS: dict[str, Words] = _fact_words(_SECTIONS["facts"])
# choice values in words, for any field (CHOICE_WORDS) or one field (FIELD_CHOICE_WORDS)
CHOICE_WORDS: dict[str, str] = {}
FIELD_CHOICE_WORDS: dict[str, dict[str, str]] = {"source_kind": SOURCE_WORDS, "alleged_source": SOURCE_WORDS,
                                                 "reported_by": REPORTER_WORDS}
for _cells in _SECTIONS["choices"]:
    _field, _value = _cells[0].split(".", 1)
    (CHOICE_WORDS if _field == "*" else FIELD_CHOICE_WORDS.setdefault(_field, {}))[_value] = _cells[1]
