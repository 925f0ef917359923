"""What input from outside must be: ids that are ids, bounded text, plausible instants.

The default rules are domain data. An organisation overrides them in its settings, which only
the edges read (the CLI, the worker); the worker puts the rules in force into a new case's
policy, so the case's update validators apply the same rules with no settings read inside the
workflow. A case raised before there were rules (its policy has none) keeps deciding as it
began, so its replay never refuses what its history accepted; the CLI checks its input anyway.

Models apply these checks when validated with `InputRules.context()` (pydantic validation
context) and never otherwise, so facts and histories recorded before the limits still load.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

# no spaces, at least one digit: 1-64 of letters, digits and - _ . : /  (A-117, SSW-14, 9434765919)
DEFAULT_ID_PATTERN = r"[A-Za-z0-9_.:/-]*[0-9][A-Za-z0-9_.:/-]*"
MAX_ID = 64  # whatever an organisation's pattern allows
MAX_SUMMARY = 4_000
MAX_TEXT = 2_000
MAX_RECORD_BYTES = 64 * 1024  # a step's record as JSON
MAX_INT = 10_000  # a count in a record or a threshold fact
MAX_OCCURRENCE = 10_000
CLOCK_SKEW = timedelta(minutes=5)  # an instant this far ahead of now is a clock difference, not the future

Who = Literal["person", "staff", "service"]
_EXAMPLE = {"person": "give the service user's id (e.g. A-117), never a name",
            "staff": "give the staff member's id (e.g. SSW-14), never a name",
            "service": "give the service's id (e.g. SVC-ELM): letters, digits and - _ . only"}
# a service's id: the organisation's own code for it, with no digit needed (SVC-ELM), never a path
SERVICE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"


def a_pattern(pattern: str) -> str:
    """`pattern` if it is a regular expression, else ValueError saying so."""
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"{pattern!r} is not a regular expression ({e})") from None
    return pattern


class InputRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id_pattern: str = DEFAULT_ID_PATTERN  # the whole id must match
    nhs_number_ids: bool = False  # a 10-digit person id must then be a valid NHS number
    late_report_days: int = Field(default=30, ge=0)  # identified longer ago than this needs late_report_reason

    _compiles = field_validator("id_pattern")(a_pattern)

    def context(self, now: datetime | None = None) -> dict[str, Any]:
        """The pydantic validation context that makes models check themselves as input;
        with `now`, instants are also checked against it (not in the future, not too old)."""
        return {"input_rules": self, "now": now}

    def id_problem(self, value: str, who: Who) -> str | None:
        """None for a good id, else why not, as "is not an id: give ..."."""
        if len(value) > MAX_ID:
            return f"is not an id: ids are at most {MAX_ID} characters"
        pattern = SERVICE_ID_PATTERN if who == "service" else self.id_pattern
        if any(not c.isprintable() or c.isspace() for c in value) or not re.fullmatch(pattern, value):
            return f"is not an id: {_EXAMPLE[who]}"
        if who == "person" and self.nhs_number_ids and re.fullmatch(r"[0-9]{10}", value) and not nhs_number_valid(value):
            return "is not a valid NHS number: its check digit does not match"
        return None


DEFAULT_RULES = InputRules()



def nhs_number_valid(number: str) -> bool:
    """The NHS number's modulus 11 check: the first nine digits weighted 10 down to 2 and
    summed; 11 minus the sum's remainder by 11 is the check digit (11 counts as 0; 10 means
    no valid number has these nine digits)."""
    if not re.fullmatch(r"[0-9]{10}", number):
        return False
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1))) % 11
    return {11: 0}.get(check, check) == int(number[9])


def rules_in(info: ValidationInfo) -> tuple[InputRules | None, datetime | None]:
    """The rules (and now) a model is being validated as input under, or (None, None)."""
    context = info.context if isinstance(info.context, dict) else {}
    return context.get("input_rules"), context.get("now")


def shown(value: Any, limit: int = 40) -> str:
    """A value in a message: quoted, control characters escaped, long ones cut short."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    cut = f"... ({len(text):,} characters)" if len(text) > limit else ""
    return repr(text[:limit]) + cut


def text_problem(value: str, limit: int = MAX_TEXT) -> str | None:
    """None for acceptable text, else what is wrong with it. Newlines and tabs are allowed
    (every text output escapes them); NUL and other control characters are not."""
    if "\x00" in value:
        return "contains a NUL character"
    if not value.strip():
        return "is empty or only spaces"
    if len(value) > limit:
        return f"is {len(value):,} characters: at most {limit:,}"
    bad = next((c for c in value if _control(c)), None)
    if bad is not None:
        return f"contains a control character ({bad.encode('unicode_escape').decode()})"
    return None


def _control(c: str) -> bool:
    return (c < " " and c not in "\t\n\r") or "\x7f" <= c <= "\x9f"


def not_epoch(value: Any) -> Any:
    """Before an instant is parsed: pydantic takes a number as seconds since 1970; people never mean one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number: give an ISO 8601 date-time with a UTC offset "
                         "(2027-01-12T09:30:00+00:00), not an epoch time")
    return value


def describe(e: ValidationError, what: str) -> str:
    """A pydantic error as one sentence: "what: field: problem; field: problem"."""
    parts = []
    for err in e.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = _plain(err["type"], err["msg"].removeprefix("Value error, "))
        parts.append(f"{loc}: {msg}" if loc else msg)
    return f"{what}: " + "; ".join(parts)


def _plain(kind: str, msg: str) -> str:
    """The validation library's words where they name its classes: what a person should send instead."""
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "should be a JSON object, e.g. {\"kind\": ...}"
    if kind == "extra_forbidden":
        return "is not a field here: remove it"
    return msg


M = TypeVar("M", bound=BaseModel)


def as_input(model: M, rules: InputRules, now: datetime | None = None) -> M:
    """`model` checked again as input under `rules` (by a case's update validators: what came
    through Temporal was validated without them). Raises ValidationError."""
    return type(model).model_validate(model.model_dump(), context=rules.context(now))
