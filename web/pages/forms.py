"""Forms generated from policy data: a step's record fields (domain/pathway.py) and a threshold
tool's questions (domain/threshold). Each field becomes a typed input; a posted form becomes the
record the API takes. Checking the values is left to the case (its validators word every problem,
as they do for the API and the CLI): a value that is not what its field expects is passed on as
typed, so the case names the problem, and `errors_by_field` puts each problem next to its field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from domain.pathway import current_pathway
from domain.policy import RecordField, Step
from domain.sources import step_passages
from domain.threshold.model import FactSpec, ThresholdProfile
from web.pages.formats import LONDON, from_london_input
from web.pages.words import choice_words, page_error, scrubbed, words_for

FACTS_PREFIX = "facts."


@dataclass
class FormField:
    name: str  # the form's field name (threshold facts: "facts.<name>")
    label: str
    type: str
    required: bool
    help: str = ""
    choices: tuple[str, ...] = ()
    value: Any = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^a-zA-Z0-9_-]", "-", self.name)


def from_record_field(f: RecordField, step: str | None = None) -> FormField:
    """A record field asked as the pages ask it (web/pages/words.py): its question, hint and choices in words."""
    words = words_for(f.name, step)
    return FormField(name=f.name, label=words.question, type=f.type, required=f.required, help=words.hint,
                     choices=tuple(f.choices), extra={"choice_words": {c: choice_words(f.name, c) for c in f.choices}})


def from_fact(f: FactSpec) -> FormField:
    # a threshold fact left unanswered takes the tool's default: never required in the form
    words = words_for(FACTS_PREFIX + f.name)
    return FormField(name=FACTS_PREFIX + f.name, label=words.question, type=f.type, required=False, help=words.hint,
                     choices=tuple(f.choices), extra={"choice_words": {c: choice_words(f.name, c) for c in f.choices}})


def step_fields(step: Step) -> list[FormField]:
    return [from_record_field(f, step.id) for f in step.record]


def step_help(step: Step) -> dict[str, Any]:
    """What the step comes from, quoted as its help (each seed passage its citation names), with the citation."""
    return {"citation": step.seed, "quotes": [{"seed": p.code, "line": p.line, "text": p.text, "words": p.words,
                                               "href": f"/sources/{p.code}/{p.line}"} for p in step_passages(step.seed)]}


def threshold_questions(profile: ThresholdProfile, category: str, asked: Iterable[str] = ()) -> list[FormField]:
    """The chosen category's questions, less those the step's own record already asks (`asked`: the
    facts the pathway takes from the record), so each thing is asked once."""
    cat = profile.category(category)
    skip = set(asked)
    return [from_fact(f) for f in cat.facts if f.name not in skip] if cat else []


def asked_by_the_record() -> tuple[str, ...]:
    """The threshold facts the assessing step's record answers (the pathway's facts_from_record)."""
    threshold = current_pathway().threshold
    return tuple(threshold.facts_from_record.values()) if threshold else ()


DATE_PARTS = ("day", "month", "year", "time")


def joined_instants(form: Mapping[str, str]) -> dict[str, str]:
    """The form with each date and time asked as its parts (NAME-day, -month, -year, -time: the
    design system's date input and a 24-hour time) joined into NAME, as 'YYYY-MM-DDTHH:MM' in UK
    time. Parts that do not make a date and time are joined as typed, so the case's check names
    the problem; nothing typed leaves NAME empty."""
    out = dict(form)
    for key in list(out):
        if not key.endswith("-day"):
            continue
        name = key[: -len("-day")]
        day, month, year, time = (str(form.get(f"{name}-{p}", "") or "").strip() for p in DATE_PARTS)
        if not any((day, month, year, time)):
            out.setdefault(name, "")
            continue
        hours, _, minutes = time.replace(".", ":").partition(":")
        if all(x.isdigit() for x in (day, month, year, hours)) and (minutes.isdigit() or not minutes) and len(year) == 4:
            out[name] = f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hours):02d}:{int(minutes or 0):02d}"
        else:
            out[name] = f"{day}/{month}/{year} {time}".strip()
    return out


def date_parts(value: Any, form: Mapping[str, str], name: str) -> dict[str, str]:
    """What a date and time's parts show: as typed (a refused form), else from its value."""
    typed = {p: form.get(f"{name}-{p}") for p in DATE_PARTS}
    if any(v is not None for v in typed.values()):
        return {p: v or "" for p, v in typed.items()}
    if not value:
        return {}
    try:
        local = from_london_input(str(value)).astimezone(LONDON)
    except ValueError:
        return {}
    return {"day": str(local.day), "month": str(local.month), "year": str(local.year), "time": f"{local:%H:%M}"}


def _typed(kind: str, raw: str) -> Any:
    """A posted string as the value its field type expects, where it reads as one; otherwise the
    string itself (the case's validator then says what is wrong with it)."""
    text = raw.strip()
    if text == "":
        return None
    if kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    if kind in ("int", "percent"):
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if kind == "instant":
        try:
            return from_london_input(text).isoformat()
        except ValueError:
            return text
    if kind == "object":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def record_from(form: Mapping[str, str], fields: Iterable[FormField], facts: Iterable[FormField] = ()) -> dict[str, Any]:
    """The record a posted form gives: each answered field typed; unanswered ones left out. Threshold
    questions (`facts.*`) answered become the record's `facts` object."""
    record: dict[str, Any] = {}
    for f in fields:
        if f.type == "object" and f.name == "facts" and facts:
            answered = {q.name[len(FACTS_PREFIX):]: _typed(q.type, form.get(q.name, "")) for q in facts}
            answered = {k: v for k, v in answered.items() if v is not None}
            if answered:
                record["facts"] = answered
            continue
        if f.type == "choices":  # ticked boxes: one value each
            ticked = [v.strip() for v in _all(form, f.name) if v.strip()]
            if ticked:
                record[f.name] = ticked
            continue
        value = _typed(f.type, form.get(f.name, ""))
        if value is not None:
            record[f.name] = value
    return record


def _all(form: Mapping[str, str], name: str) -> list[str]:
    """Every value posted under `name` (a form's several ticked boxes), or its one value."""
    several = getattr(form, "lists", {}).get(name)
    if several:
        return list(several)
    value = form.get(name)
    return [value] if isinstance(value, str) and value else []


def fill(fields: Iterable[FormField], form: Mapping[str, str], errors: Mapping[str, str]) -> list[FormField]:
    """The fields again with what was typed and each one's error (a refused form keeps its values)."""
    out = []
    for f in fields:
        f.value = (_all(form, f.name) or f.value) if f.type == "choices" else form.get(f.name, f.value)
        if f.type == "instant":
            f.extra["parts"] = date_parts(f.value, form, f.name)
        f.error = errors.get(f.name)
        out.append(f)
    return out


# "record for route_decision: missing field 'abuse_category' (choice); field 'x' expects ..."
_FIELD = re.compile(r"^(?:missing |unknown )?field '([^']+)'")
_NAMED = re.compile(r"^([a-z][a-z0-9_]*)(?=[.:]| \(| says | must | is | \d{4}-)")


def worded_errors(message: str, names: Iterable[str], prefix: str = "",
                  step: str | None = None) -> tuple[dict[str, str], list[str]]:
    """`errors_by_field`, each problem worded as the pages word errors (web/pages/words.py page_error):
    'Enter the ...', never a field name, a JSON type or an ISO instant."""
    by_field, rest = errors_by_field(message, names, prefix)
    return ({name: page_error(name, problem, step) for name, problem in by_field.items()},
            [scrubbed(r, step) for r in rest])


def errors_by_field(message: str, names: Iterable[str], prefix: str = "") -> tuple[dict[str, str], list[str]]:
    """Split a refusal (the API's words, problems joined by '; ') into the problems of each named
    field and the rest. `prefix` is what the message starts with ("record for STEP: ", "concern: ")."""
    names = set(names)
    body = message[len(prefix):] if prefix and message.startswith(prefix) else message
    by_field: dict[str, str] = {}
    rest: list[str] = []
    last: str | None = None
    for part in body.split("; "):
        m = _FIELD.match(part)
        first = _NAMED.match(part)  # "name: ...", "name.part: ...", "name (when) is before ...", "name says ..."
        key = m.group(1) if m else first.group(1) if first and first.group(1) in names else None
        if key in names:
            by_field[key] = f"{by_field[key]}; {part}" if key in by_field else part
            last = key
        elif last is not None and not m and ":" not in part:
            by_field[last] += "; " + part  # a problem's own wording went on after a '; '
        else:
            rest.append(part)
            last = None
    return by_field, rest
