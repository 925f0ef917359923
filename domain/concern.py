"""What staff send in: a concern being raised, a step being completed, a development.

These are the public vocabulary of the CLI, scenario files and workflow updates. Adults are
referred to by id only: the event store and the logs never hold a service user's name.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.policy import Role


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


class Service(Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    client_group: str = Field(min_length=1)
    company: str | None = None  # the registered company, where it differs from the provider's trading name


class AdultRef(Model):
    """An adult named by id only; `"A-17"` and `{"id": "A-17"}` are both accepted."""

    id: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"id": value}
        if isinstance(value, dict) and set(value) - {"id"}:
            extra = ", ".join(sorted(set(value) - {"id"}))
            raise ValueError(f"adults are referred to by id only; remove {extra}")
        return value


class ConcernBody(Model):
    identified_at: AwareDatetime
    service: Service
    adult_at_risk: AdultRef
    alleged_source: AdultRef
    summary: str = Field(min_length=1)
    case_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$")

    _utc = field_validator("identified_at")(_utc)

    @model_validator(mode="after")
    def _two_adults(self) -> "ConcernBody":
        if self.adult_at_risk.id == self.alleged_source.id:
            raise ValueError("adult_at_risk and alleged_source must be different adults")
        return self


class StepCompletion(Model):
    step: str
    role: Role
    actor: str = Field(min_length=1)
    record: Any  # checked against the step's fields by the workflow, which names each problem
    occurrence: int | None = None  # for recurring steps; the earliest open one by default


class Development(Model):
    """A new incident or agency contact on a live case."""

    kind: Literal["new_incident", "agency_contact", "other"] = Field(validation_alias=AliasChoices("kind", "type"))
    summary: str = Field(min_length=1, validation_alias=AliasChoices("summary", "description"))
    actor: str | None = None
    role: Role | None = None


class Acknowledgement(Model):
    escalation_id: str
    role: Role
    actor: str = Field(min_length=1)
    note: str | None = None
