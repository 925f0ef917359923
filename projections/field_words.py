"""What a person reads for each name the API uses, one table for the pages and the evidence pack
(field_words.txt, beside this module): a pathway record field, a threshold fact or a concern field
to its question, hint and label, with per-step wording where a name means something else at
another step; and choice values in words. The API and the records keep their field names.

Pure: the table and the policy data the domain already holds, read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from domain.threshold.registry import load_profile, profile_names
from projections.wording import humanise

_TABLE = Path(__file__).with_name("field_words.txt")


@dataclass(frozen=True)
class Words:
    question: str  # the field asked as a question: "When was the concern identified?"
    hint: str = ""  # one short hint sentence, or ""
    label: str = ""  # a short noun phrase for summary lists and error messages


# Who is alleged to have caused harm, and who first reported it, as the raise page asks
SOURCE_WORDS = {
    "service_user": "Someone who uses the service", "unknown_person": "A person not known to the adult",
    "online_contact": "Someone they know online or through social media", "visitor": "A visitor",
    "member_of_staff": "A member of staff", "other_person": "Someone else",
}
REPORTER_WORDS = {
    "staff": "Staff (you, or a colleague)", "adult_at_risk": "The adult at risk themselves",
    "relative_or_friend": "A relative or friend", "visiting_professional": "A visiting professional",
    "other_service_user": "Another person who uses the service", "member_of_the_public": "A member of the public",
}


def _rows() -> dict[str, list[list[str]]]:
    """field_words.txt by section: each row's cells."""
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


def bare(name: str) -> tuple[str, bool]:
    """A name without its `facts.` prefix, and whether it had one."""
    return (name[len("facts."):], True) if name.startswith("facts.") else (name, False)


def known(name: str, step: str | None = None) -> Words | None:
    """The table's words for `name` (at `step`), or None where there are none."""
    key, fact = bare(name)
    if fact:
        return FACT_WORDS.get(key)
    return STEP_WORDS.get((step or "", key)) or FIELD_WORDS.get(key) or FACT_WORDS.get(key)


def words_for(name: str, step: str | None = None) -> Words:
    """How a field is asked and named: its question, hint and label. A name the table does not hold
    is humanised, never shown as it is."""
    found = known(name, step)
    if found is None:
        plain = humanise(bare(name)[0].replace(".", " "))
        return Words(question=plain, label=plain)
    return found if found.label else Words(found.question, found.hint, found.question.rstrip("?"))


def known_choice(name: str, value: str) -> str | None:
    """The table's words for a choice's value, or None where it holds none (free text, say)."""
    key = bare(name)[0]
    return FIELD_CHOICE_WORDS.get(key, {}).get(value) or CHOICE_WORDS.get(value)


def choice_words(name: str, value: str) -> str:
    """A choice's value in words: 'section_42_enquiry' -> 'A section 42 enquiry'."""
    return known_choice(name, value) or humanise(str(value).replace("_", " "))
