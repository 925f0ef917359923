"""What commissioners and contract managers ask of a provider-concern process."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.provider_concerns import Basis, ProcessRole


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    seal: str | None = Field(default=None, repr=False)  # proof it came through Safeguard (domain/seal.py)


class OpenProcess(Command):
    service_id: str = Field(min_length=1, max_length=128)
    role: ProcessRole
    actor: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2_000)
    request_id: str | None = Field(default=None, max_length=300)
    basis: Basis | None = None  # default: the proposal's level, or "commissioner"
    request_id: str | None = Field(default=None, max_length=300)  # the sender's key: sent again, answered once


class ProposeProcess(Command):
    service_id: str = Field(min_length=1, max_length=128)
    appendix_a: str
    criteria: tuple[str, ...] = ()


class RecordStep(Command):
    step: str
    role: ProcessRole
    actor: str = Field(min_length=1, max_length=64)
    record: Any = None  # checked against the step's fields by the decider
    request_id: str | None = Field(default=None, max_length=300)


class Decide(Command):
    outcome: str
    role: ProcessRole
    actor: str = Field(min_length=1, max_length=64)
    record: Any = None  # the evidence: checked against the outcome's items by the decider
    request_id: str | None = Field(default=None, max_length=300)


class DismissProposal(Command):
    """A commissioner's decision not to open a proposed process, with the reason (ids only)."""

    role: ProcessRole
    actor: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2_000)
    request_id: str | None = Field(default=None, max_length=300)
