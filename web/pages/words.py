"""The pages' words for what the API names by field. The table itself (questions, hints, labels and
choices in words) is projections/field_words.py, which the evidence pack reads too, and roles are
named as domain/access.py names them; this module serves both to the pages and rewrites the
validators' problems (the API's words) as the design system's error messages. The API and the
records keep their field names: only what a person reads changes.
"""

from __future__ import annotations

import re

from domain.inputs import MAX_INT
from projections.engine_words import role_words
from projections.field_words import (CHOICE_WORDS, FACT_WORDS, FIELD_CHOICE_WORDS, FIELD_WORDS, STEP_WORDS,  # noqa: F401
                                     Words, choice_words, known, words_for)
from projections.field_words import bare as _key
from projections.wording import humanise, uk_time

__all__ = ["Words", "words_for", "page_error", "choice_words", "role_words", "known", "scrubbed"]


# ---- the validators' problems as error messages ---------------------------------------------------------

_QUOTED = re.compile(r"'([a-z][a-z0-9]*(?:_[a-z0-9]+)+)'|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
_JSON_TYPE = re.compile(r"\s*\((?:string|number|boolean|array|object|null|text|bool|int|choice|choices|instant|"
                        r"percent|id)\)")
_PROPER = ("Children's", "Care Act", "Trading Standards", "COVID", "DASH", "CQC", "NHS")
_STARTS = ("the ", "a ", "an ", "what ", "who ", "why ", "how ", "when ", "where ", "whether ", "which ", "any ",
           "their ", "its ", "your ")


def _lower(label: str) -> str:
    """A label for the middle of a sentence: 'Date of contact' -> 'date of contact'; 'CQC ...' kept."""
    if label.startswith(_PROPER) or not label[1:2].islower():
        return label
    return label[:1].lower() + label[1:]


def _the(label: str) -> str:
    words = _lower(label)
    return words if words.lower().startswith(_STARTS) else "the " + words


def _field_type(name: str, step: str | None) -> str:
    """The field's value type, from the pathway (at `step`, else any step), the threshold tools or the concern."""
    from domain.pathway import current_pathway  # the pages' forms import this module; the pathway is data

    bare, fact = _key(name)
    if not fact:
        steps = current_pathway().steps
        for s in sorted(steps, key=lambda s: s.id != step):
            for f in s.record:
                if f.name == bare:
                    return f.type
    spec = _FACT_TYPES.get(bare)
    return spec or {"identified_at": "instant", "adult_at_risk": "id", "alleged_source": "id"}.get(bare, "text")


def _fact_types() -> dict[str, str]:
    from domain.threshold.registry import load_profile, profile_names

    return {f.name: f.type for n in profile_names() for c in load_profile(n).categories for f in c.facts}


_FACT_TYPES = _fact_types()


def _missing(label: str, kind: str) -> str:
    if kind == "bool":
        return f"Select yes or no for {_lower(label)}"
    if kind in ("choice", "choices"):
        return f"Select {_the(label)}"
    return f"Enter {_the(label)}"


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def page_error(name: str, problem: str, step: str | None = None) -> str:
    """A validator's problems with one field (the API's words, several joined by '; ') as the design
    system words an error: "missing field 'x' (text)" -> 'Enter the ...'. Never a field name, JSON
    type or ISO instant."""
    said: list[str] = []
    for part in problem.split("; "):
        words = _one_error(name, part, step)
        if said and words == scrubbed(part, step):
            continue  # more of the problem just worded (the value as sent, what to do): not a problem of its own
        if words not in said:
            said.append(words)
    return ". ".join(said) if said else _one_error(name, "", step)


def _one_error(name: str, problem: str, step: str | None) -> str:
    words = words_for(name, step)
    label, kind = words.label, _field_type(name, step)
    bare = _key(name)[0]
    text = problem.strip()
    for prefix in (f"field {bare!r} ", f"fact {bare!r} ", f"{name}: ", f"{bare}: ", f"{bare} "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    part = re.match(rf"{re.escape(bare)}\.(\w+): ", text)  # a part of the field: the service's name
    if part:
        text = text[part.end():]
        if part.group(1) not in ("id", "kind"):
            label, kind = f"{label}'s {humanise(part.group(1)).lower()}", "text"
    low = text.lower()
    if low.startswith(("missing field", "missing", "field required", "is empty or only spaces", "expects non-empty",
                       "string should have at least 1 character")) or low in ("", "missing"):
        return _missing(label, kind)
    if "which does not answer it" in low or " says " in low and "does not answer" in low:
        return f"{label} needs a real answer, not a word like none or n/a"
    if "adult_at_risk and alleged_source must be different" in low:
        return "The adult at risk and the alleged source must be different people"
    if "service user is named by id" in low:
        return "Enter the id of the service user alleged to have caused the harm, like A-204, or choose who they are"
    if "only a service user has an id here" in low:
        return "Only someone who uses the service has an id: leave the id empty, and do not make one up"
    if "is in the future" in low:
        return f"{label} must be today or in the past"
    if "days ago, more than" in low:
        days = re.search(r"more than (\d+)", low)
        return (f"{label} is more than {days.group(1) if days else 30} days ago: check the date, or say why the "
                "concern is only being raised now")
    if "is before the concern was identified" in low:
        return f"{label} must be after the concern was identified"
    later = re.match(r"^\(?[^)]*\)? is before ([a-z_]+)", text)
    if later:
        return f"{label} must be after {_the(words_for(later.group(1), step).label)}"
    if "is not a valid nhs number" in low:
        return f"{label} must be a valid NHS number: check the digits"
    if "is not an id" in low or "never a name" in low or "referred to by id only" in low:
        if "service's id" in low or bare == "service":
            return f"{label} must be the service's id, using only letters, numbers and - _ ."
        if "staff" in low:
            return f"{label} must be a staff id like SSW-14, not a name"
        return f"{label} must be an id like A-117, not a name"
    size = re.search(r"is ([\d,]+) characters: at most ([\d,]+)", text)
    if size:
        return f"{label} must be {size.group(2)} characters or fewer"
    if "nul character" in low or "control character" in low:
        return f"{label} must only contain letters, numbers, spaces and punctuation"
    if "whole number from 0 to" in low:
        return f"{label} must be {MAX_INT:,} or fewer"
    if "whole number" in low:
        return f"{label} must be a whole number, like 2"
    if "number from 0 to 100" in low:
        return f"{label} must be a number from 0 to 100"
    if "true or false" in low or kind == "bool" and low.startswith("expects"):
        return _missing(label, "bool")
    if "expects one of" in low or "expects a list of" in low or kind in ("choice", "choices") and low.startswith("expects"):
        return _missing(label, kind)
    if ("date" in low or "iso 8601" in low or "epoch" in low or kind == "instant") and (
            low.startswith(("expects", "input should", "is not a date", "'")) or "not a date" in low):
        return f"{label} must be a real date, and the time like 14:30"
    if low.startswith("input should be ") and " or " in low:  # the validator's list of choices (a development's kind)
        return _missing(label, "choice")
    if kind == "object" or "json object" in low:
        return "Answer the threshold tool's questions"
    if "unknown field" in low or "unknown fact" in low or "is not a field here" in low:
        return f"{label} is not asked here"
    if low.startswith(("must ", "is ", "should ")):
        return scrubbed(f"{label} {text}", step)
    return scrubbed(text, step)


def scrubbed(text: str, step: str | None = None) -> str:
    """Any other problem with the engine's words taken out: field names as their labels, no JSON
    types, instants in UK time."""
    override = re.search(r"threshold decision \([^)]*\) is (\w+): record (\w+) true, or give (\w+)", text)
    if override:
        return (f"The threshold tool says this concern is {choice_words('level', override.group(1)).lower()}: select "
                f"yes for {_lower(words_for(override.group(2), step).label)}, or enter "
                f"{_the(words_for(override.group(3), step).label)}")
    if re.search(r"\bmust be different adults", text):
        return "The adult at risk and the alleged source must be different people"
    text = _JSON_TYPE.sub("", text)
    text = _INSTANT.sub(lambda m: uk_time(m.group(0) if _OFFSET.search(m.group(0)) else m.group(0) + "+00:00"), text)
    text = _QUOTED.sub(lambda m: _lower(words_for(m.group(1) or m.group(2), step).label), text)
    return _sentence(text)
