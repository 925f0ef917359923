"""What every fact is: a frozen record of something that happened, at an instant. Its own module so
that the modules holding facts (`domain/facts.py`, `domain/services.py`, ...) can all import it, and
`domain/facts.py` can list theirs in `FACT_TYPES` without importing itself round in a circle."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    at: datetime
