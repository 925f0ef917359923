"""What starts (or continues) a case's workflow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.case import CaseState
from domain.concern import ConcernBody, Recovery


class CaseInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    concern: ConcernBody
    clock_offset: timedelta = timedelta(0)  # simulations run a case on a scenario's clock
    history_limit: int = 10_000  # continue as new beyond this many history events
    resume: CaseState | None = None  # set by continue-as-new
    seal: str | None = Field(default=None, repr=False)  # its concern sealed by Safeguard (encryption/seal.py)
    recovery: Recovery | None = None  # set when restarted from the store's facts after it stopped
    # set when a closed case is started again from the store's facts to take a correction (issue 22):
    # the run answers it and keeps the reviews it opens, then ends; sealed as a recovery is
    correction: bool = False

    @model_validator(mode="before")
    @classmethod
    def _clock_from_earlier_revision(cls, data: Any) -> Any:
        # the workflow before the decider carried its clock settings inside the resumed state
        if isinstance(data, dict) and isinstance(resume := data.get("resume"), dict) and "clock_offset" in resume:
            data = {**data, "clock_offset": resume["clock_offset"], "history_limit": resume.get("history_limit", 10_000)}
        return data
