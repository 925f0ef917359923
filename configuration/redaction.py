"""What the logs must never hold (a concern's summary, a record's text, anything but ids), and
how it is kept out of them.

Three layers, each cheap:
- keys: any log field named for personal text (`PERSONAL_KEYS`, taken from the domain: every
  text field a pathway step records, the free text of a concern, a development and an
  acknowledgement, and what carries them: record, facts, concern) is masked, however deep;
- text: in an exception's text (and any message that is not our own), the value after such a
  key (`summary='...'`, `"record": {...}`, pydantic's `input_value=...`) is masked;
- values: the personal text an activity of this worker was given lately is remembered
  (`remember_personal`, called by `PersonalTextInterceptor` for every activity's input), and any
  occurrence of it in an exception's text is masked, so `RuntimeError(summary)` logs no summary.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from typing import Any, Iterable

from pydantic import BaseModel
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

REDACTED = "[redacted]"
REMEMBERED = 1024  # personal strings remembered (the most recent): a failing activity's are among them
SHORTEST = 4  # a remembered string is at least this long (shorter ones would mask ordinary words)


def _domain_keys() -> tuple[frozenset[str], frozenset[str]]:
    """(keys under which every string was written by staff; every key to mask)."""
    from domain.concern import Acknowledgement, ConcernBody, Development
    from domain.pathway import current_pathway

    record_fields = {f.name for step in current_pathway().steps for f in step.record if f.type == "text"}
    free_text = {name for model in (ConcernBody, Development, Acknowledgement)
                 for name, field in model.model_fields.items()
                 if field.annotation in (str, str | None) and not name.endswith("id") and name != "actor"}
    text = record_fields | free_text | {"record", "summary", "description", "note", "notes", "lessons"}
    # also masked where they are log fields or appear in an exception's text, but not remembered:
    # each also names what the system writes (a StepOpened's reason, a batch's facts), and where
    # staff wrote it, it is a copy of a record's field
    system = {"reason", "facts", "development"}
    masked = text | system | {"concern", "body", "input", "input_value"}
    return frozenset(text - system), frozenset(masked)


TEXT_KEYS, PERSONAL_KEYS = _domain_keys()

_KEY = re.compile(r"""(?P<q>['"]?)\b(?P<key>%s)(?P=q)\s*[=:]\s*""" % "|".join(
    sorted(map(re.escape, PERSONAL_KEYS - {"concern", "body"}), key=len, reverse=True)))
_CLOSE = {"{": "}", "[": "]", "(": ")"}


def _value_end(text: str, i: int) -> int:
    """Where the value starting at `i` ends: a quoted string, a bracketed structure (quotes inside
    skipped), an object's repr, or else the rest of the line. Never past the end of its line."""
    n = len(text)
    if i >= n:
        return i
    first = text[i]
    if first in "'\"":
        j = i + 1
        while j < n and text[j] != first and text[j] != "\n":
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, n)
    if first in _CLOSE:
        depth, j, quote = 0, i, ""
        while j < n and text[j] != "\n":
            c = text[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c in _CLOSE:
                depth += 1
            elif c in _CLOSE.values():
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        return j
    name = re.match(r"[A-Za-z_][\w.]*\(", text[i:])  # an object's repr: Record(...)
    if name:
        return _value_end(text, i + name.end() - 1)
    end = text.find("\n", i)  # anything else, prose included: the rest of the line
    return n if end < 0 else end


def scrub_text(text: str) -> str:
    """`text` with the values of personal keys, and any personal text remembered, masked."""
    out, pos = [], 0
    for m in _KEY.finditer(text):
        if m.start() < pos:  # inside a value already masked
            continue
        end = _value_end(text, m.end())
        out += [text[pos:m.end()], REDACTED]
        pos = end
    text = "".join(out) + text[pos:]
    for value in _remembered():
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def scrub_value(key: str | None, value: Any, depth: int = 0) -> Any:
    """A log field's value with what is personal masked: by key, then within containers; any
    other object by its repr, scrubbed (a pydantic model's repr names its fields)."""
    if key in PERSONAL_KEYS:
        return REDACTED
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value
    if depth > 8:
        return REDACTED
    if isinstance(value, dict):
        return {k: scrub_value(k if isinstance(k, str) else None, v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub_value(None, v, depth + 1) for v in value]
    return scrub_text(repr(value))


# ---- personal text remembered from activities' inputs

_lock = threading.Lock()
_values: OrderedDict[str, None] = OrderedDict()
_snapshot: tuple[str, ...] = ()


def _remembered() -> tuple[str, ...]:
    return _snapshot


def remember_personal(obj: Any) -> None:
    """Remember the personal text in `obj` (models, dicts, lists) so no exception text logs it."""
    found: list[str] = []
    _collect(obj, False, found, 0)
    if not found:
        return
    global _snapshot
    with _lock:
        for text in found:
            for form in _forms(text):
                _values[form] = None
                _values.move_to_end(form)
        while len(_values) > REMEMBERED:
            _values.popitem(last=False)
        _snapshot = tuple(sorted(_values, key=len, reverse=True))  # longest first: a value before its parts


def forget_personal() -> None:
    global _snapshot
    with _lock:
        _values.clear()
        _snapshot = ()


def _forms(text: str) -> Iterable[str]:
    """The text as it may appear in an exception: itself, in a repr, in JSON."""
    yield text
    for quoted in (repr(text)[1:-1], json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]):
        if quoted != text:
            yield quoted


def _collect(obj: Any, personal: bool, found: list[str], depth: int) -> None:
    if depth > 12 or obj is None or isinstance(obj, (bool, int, float)):
        return
    if isinstance(obj, str):
        if personal and len(obj) >= SHORTEST:
            found.append(obj)
        return
    if isinstance(obj, BaseModel):
        items: Iterable[tuple[Any, Any]] = ((name, getattr(obj, name, None)) for name in type(obj).model_fields)
        if obj.model_extra:
            items = [*items, *obj.model_extra.items()]
    elif isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            _collect(v, personal, found, depth + 1)
        return
    else:
        return
    for k, v in items:
        _collect(v, personal or k in TEXT_KEYS, found, depth + 1)


class PersonalTextInterceptor(Interceptor):
    """Remembers the personal text in every activity's input (local ones too) before it runs."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _RememberInputs(next)


class _RememberInputs(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        remember_personal(input.args)
        return await self.next.execute_activity(input)
