"""The scan for personal data in every message the test servers take (issue 20): alerts go to
personal phones and mailboxes, so no summary, record text, service user's id, name or address may
be in one. Each server scans what it took when it stops, so every test that sends a message (and
the benchmark) fails if one leaks; `SCANNED` counts what was scanned over the run."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Iterable

ADULT_ID = re.compile(r"\bA-\d{1,6}\b")  # the suite's service users, ...
ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}|(?:\+44|\b0)7\d{3}\s?\d{6}\b")  # an email address, a UK mobile
SCANNED = {"messages": 0, "with_personal_data": 0}


@cache
def suite_texts() -> frozenset[str]:
    """The free text the suite records: the concern's words and every step's record text."""
    from tests.cases import RECORDS
    from tests.conftest import concern
    texts: set[str] = {"second incident in the lounge", "moved A-204 to the garden room"}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, v in value.items():
                if key != "service":  # the service's name is what a message names
                    walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, str) and " " in value.strip() and len(value) >= 8:
            texts.add(value)

    walk(concern("2027-01-01T00:00:00+00:00"))
    walk(RECORDS)
    return frozenset(texts)


def leaks(text: str) -> list[str]:
    """What in `text` is personal data."""
    found = [m.group(0) for m in ADULT_ID.finditer(text)] + [m.group(0) for m in ADDRESS.finditer(text)]
    return found + [t for t in suite_texts() if t.lower() in text.lower()]


def check(messages: Iterable[str]) -> None:
    problems = []
    for text in messages:
        SCANNED["messages"] += 1
        if found := leaks(text):
            problems.append(f"{found} in {text[:200]!r}")
            SCANNED["with_personal_data"] += 1
    assert not problems, "personal data in a message sent: " + "; ".join(problems)
