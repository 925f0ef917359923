"""A case's chronology, and what a development, a note, an amendment or an acknowledgement answers."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from web.api.responses.base import Answer


class ChronologyEntry(Answer):
    seq: int
    at: str
    type: str = Field(description="what was recorded (the fact's name)")
    recorded_at: str
    actor: str | None
    role: str | None
    step: str | None
    occurrence: int | None
    deadline: str | None
    deadline_met: bool | None
    details: dict[str, Any]


class DevelopmentRecorded(Answer):
    case_id: str
    development: int = Field(description="its number among the case's developments")


class NoteAdded(Answer):
    case_id: str
    note: int = Field(description="its number among the case's notes")


class StepAmendmentRecorded(Answer):
    case_id: str
    step: str
    occurrence: int
    amendment: int = Field(description="its number among the case's amendments")


class EscalationAcknowledged(Answer):
    case_id: str
    escalation_id: str
    acknowledged: bool
