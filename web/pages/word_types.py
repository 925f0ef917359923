"""What the pages say for one field: its question, hint and label (web/pages/words.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    question: str  # the field asked as a question: "When was the concern identified?"
    hint: str = ""  # one short hint sentence, or ""
    label: str = ""  # a short noun phrase for summary lists and error messages
