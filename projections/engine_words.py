"""The engine's names in people's words: one table for roles, threshold levels, escalation causes,
step ids, threshold facts, categories and choices, with the phrases built from them (a calendar, an
indicator, a seed's place). The evidence pack's PDF and HTML are written in these words; a record's
fields and choices are worded by the pages' own table (projections/field_words.py) and roles as
domain/access.py names them. Only what a person reads changes: the records, the API and the pack's
JSON keep the engine's names and ISO instants.

Pure: no clock read, no I/O beyond the policy data the domain already holds.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache
from typing import Any, Collection, Mapping

from domain.access import ROLE_NAMES, role_name
from domain.national import LABELS
from domain.pathway import current_pathway
from domain.sources import SOURCES, code_of, passage_words, plain_citations, step_passages, source_words
from domain.threshold.registry import load_profile, profile_names
from domain.threshold.vocabulary import FACTS
from projections.field_words import known_choice, words_for
from projections.wording import humanise, uk_time

# ---- the table -------------------------------------------------------------------------------

ROLE_WORDS: dict[str, str] = ROLE_NAMES

LEVEL_WORDS: dict[str, str] = {"reportable": "reportable", "consultation": "requires consultation",
                               "non_reportable": "not reportable"}
# the design system's tag colours: the tools record consultation as yellow, the pages show it amber
RAG_WORDS: dict[str, str] = {"red": "red", "yellow": "amber", "amber": "amber", "green": "green"}

CAUSE_WORDS: dict[str, str] = {"missed_deadline": "Its deadline was missed",
                               "still_open": "Still not done after the last escalation",
                               "trigger": "Raised by what was recorded"}

# a step's deadline, as the evidence pack records its result
STEP_RESULT_WORDS: dict[str, str] = {"met": "met", "missed": "missed", "completed late": "done late",
                                     "pending": "not yet due", "withdrawn": "no longer needed",
                                     "no deadline": "no deadline"}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# where a calendar's bank holidays come from, by the `holidays` package's country and subdivision
REGION_WORDS: dict[tuple[str, str | None], str] = {
    ("GB", "ENG"): "England", ("GB", "WLS"): "Wales", ("GB", "SCT"): "Scotland", ("GB", "NIR"): "Northern Ireland",
    ("GB", None): "the United Kingdom", ("GG", None): "Guernsey", ("JE", None): "Jersey", ("IM", None): "the Isle of Man",
}


@cache
def step_titles() -> dict[str, str]:
    """Each step's id to its title, from the current pathway (a step it no longer has is humanised)."""
    return {s.id: s.title for s in current_pathway().steps}


@cache
def category_titles() -> dict[str, str]:
    """Each threshold category's key to its title (the first profile that has it names it)."""
    out: dict[str, str] = {}
    for name in sorted(profile_names(), key=lambda n: n != "sussex"):
        for c in load_profile(name).categories:
            out.setdefault(c.key, c.title)
    return out


def category_words(key: str, profile: str | None = None) -> str:
    """A threshold category by its title in the decision's tool ('Incidents between adults in a service')."""
    try:
        found = load_profile(profile).category(key) if profile else None
    except ValueError:
        found = None
    return found.title if found else category_titles().get(key) or humanise(key)


def fact_words(name: str) -> str:
    """A threshold fact as the tool's vocabulary describes it."""
    spec = FACTS.get(name)
    return spec.help if spec else humanise(name)


@cache
def _names() -> dict[str, str]:
    """Every engine name a recorded text may hold, to its words: steps, roles, choices, categories."""
    return {**{k: humanise(k) for k in FACTS}, **category_titles(), **LABELS, **ROLE_WORDS, **step_titles()}


# ---- the phrases -------------------------------------------------------------------------------

def role_words(role: str | None) -> str:
    """'designated_safeguarding_lead' -> 'designated safeguarding lead'."""
    return role_name(role) if role else ""


def who(actor: str | None, role: str | None) -> str:
    """'DSL-7 (designated safeguarding lead)'."""
    if not actor:
        return role_words(role) if role else ""
    return f"{actor} ({role_words(role)})" if role else actor


def when(value: datetime | str | None) -> str:
    """An instant in UK time with the zone named, 'Tue 12 Jan 2027, 09:50 GMT'; nothing for none."""
    return uk_time(value) if value not in (None, "") else ""


def day_words(value: date | str) -> str:
    """'Mon 3 May 2027'."""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d:%a} {d.day} {d:%b %Y}"


def level_words(level: str | None, rag: str | None = None) -> str:
    """'reportable (red)', 'requires consultation (amber)'."""
    words = LEVEL_WORDS.get(level or "") or humanise(level).lower()
    return f"{words} ({RAG_WORDS.get(rag, rag)})" if rag else words


def _clock(value: str | time) -> str:
    t = time.fromisoformat(value) if isinstance(value, str) else value
    return f"{t:%H:%M}"


def _days(weekdays: Collection[int]) -> str:
    days = sorted(set(weekdays))
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]} to {WEEKDAYS[days[-1]]}"
    names = [WEEKDAYS[d] for d in days]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def calendar_words(calendar: Mapping[str, Any]) -> str:
    """A working calendar (as recorded) in words: 'Monday to Friday, 09:00 to 17:00, excluding bank
    holidays in England'."""
    days = _days(calendar.get("working_weekdays") or (0, 1, 2, 3, 4))
    hours = f"{_clock(calendar.get('opens_at') or '09:00')} to {_clock(calendar.get('closes_at') or '17:00')}"
    country, sub = calendar.get("holiday_country") or "GB", calendar.get("holiday_subdivision")
    region = REGION_WORDS.get((country, sub)) or " ".join(x for x in (country, sub) if x)
    return f"{days}, {hours}, excluding bank holidays in {region}"


def shifts_words(calendar: Mapping[str, Any]) -> str:
    """'Shifts start at 08:00 and 20:00'."""
    starts = [_clock(t) for t in calendar.get("shift_starts") or ()]
    if not starts:
        return ""
    return "Shifts start at " + (starts[0] if len(starts) == 1 else f"{', '.join(starts[:-1])} and {starts[-1]}")


def seed_words(seed: str | Mapping[str, Any] | None) -> str:
    """Where an indicator or a step comes from, as a person names the document: 'Sussex threshold
    tool', 'Escalation pathway, phase 1, step 2'; never a file name."""
    if isinstance(seed, Mapping):
        code = code_of(str(seed.get("seed") or ""))
        return passage_words(code, seed.get("line")) if code else "Safeguard's configuration"
    return source_words(seed or "")


def step_source(step: str) -> str:
    """A step's place in its seed, 'Escalation pathway, phase 1, step 1' (nothing if none cited)."""
    s = current_pathway().step(step)
    found = step_passages(s.seed) if s else []
    return found[0].words if found else ""


def step_title(step: str | None) -> str:
    return step_titles().get(step or "") or humanise(step)


_PROPER = ("Children's", "Making", "Care", "Trading")


def in_sentence(title: str) -> str:
    """A title for the middle of a sentence: 'Police notified' -> 'police notified'; an acronym or a
    proper name keeps its case ('CQC notification ...', "Children's Services referral")."""
    first = title.split(" ", 1)[0]
    return title if not first[1:] or any(c.isupper() for c in first[1:]) or first in _PROPER else title[:1].lower() + title[1:]


def indicator_words(m: Mapping[str, Any]) -> str:
    """A matched indicator by its seed's wording and its level: 'Incidents between adults in a service:
    reportable (red): "The victim is ..." (Sussex threshold tool)', with the tool's note if any."""
    source = m.get("source") or {}
    category = source.get("category") if isinstance(source, Mapping) else None
    head = f"{category}: " if category else ""
    said = f"{head}{level_words(m.get('level'), m.get('rag'))}: \"{m.get('indicator', '')}\" ({seed_words(source)})"
    return f"{said}. {plain(m['note'])}" if m.get("note") else said


def profile_words(name: str, version: str | None = None) -> str:
    """A threshold profile by its document: 'Sussex threshold tool, version 1.0.0'."""
    try:
        title = source_words(load_profile(name).seed)
    except ValueError:
        title = humanise(name)
    return f"{title}, version {version}" if version else title


def pathway_words(source: str, version: str) -> str:
    """'Escalation pathway, version 2026.12.3'."""
    code = code_of(source)
    return f"{SOURCES[code].title if code else 'Pathway'}, version {version}"


def escalation_cause(cause: str, reason: str) -> str:
    """Why an escalation was raised: a missed deadline or a step still open with its due time, or a
    trigger's own reason."""
    if cause == "trigger":
        text = plain(reason)
        return text[:1].upper() + text[1:]
    due = re.search(r"\(due ([^)]+)\)", reason)
    words = CAUSE_WORDS.get(cause) or humanise(cause)
    return f"{words} (due {plain(due.group(1))})" if due else words


# ---- recorded text and values ----------------------------------------------------------------

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b(?!T)")
_RECORDED_FACT = re.compile(r"\brecorded fact ([a-z][a-z0-9_]*)\b")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def plain(text: str) -> str:
    """Recorded words with the engine's names in them put in words: seed files by their documents,
    ISO instants in UK time, dates in words, a recorded fact by the tool's words for it, step ids by
    their titles, roles and choices in words. Free text without such names is left as written."""
    text = plain_citations(text)
    text = _INSTANT.sub(lambda m: uk_time(m.group(0)), text)
    text = _DATE.sub(lambda m: day_words(m.group(0)), text)
    text = _RECORDED_FACT.sub(lambda m: f'recorded answer "{fact_words(m.group(1))}"', text)
    return _SNAKE.sub(lambda m: _names().get(m.group(0)) or humanise(m.group(0)).lower(), text)


def value_words(value: Any, facts: bool = False, name: str = "") -> str:
    """A recorded value as people read it: yes/no, instants in UK time, a field's choices as the
    pages word them, a record's fields as 'Label: value; ...' (a threshold facts record labelled as
    the pages ask the tool's questions)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date)):
        return when(value) if isinstance(value, datetime) else day_words(value)
    if isinstance(value, str):
        return known_choice(name, value) or plain(value)
    if isinstance(value, Mapping):
        return "; ".join(f"{label}: {text}" for label, text in record_words(value, facts=facts))
    if isinstance(value, (list, tuple)):
        return ", ".join(value_words(v, facts, name) for v in value)
    return str(value)


def record_words(record: Mapping[str, Any], leave_out: Collection[str] = (), facts: bool = False,
                 step: str | None = None) -> list[tuple[str, str]]:
    """A record's fields as (label, words), each labelled as the pages label it at `step`; empty
    ones and those in `leave_out` left out."""
    rows = []
    for k, v in record.items():
        if k in leave_out or v in (None, "", [], {}):
            continue
        name = f"facts.{k}" if facts and k in FACTS else k
        rows.append((words_for(name, step).label, value_words(v, facts=facts or k == "facts", name=name)))
    return rows
