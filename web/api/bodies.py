"""The API's request bodies as pydantic models: the OpenAPI document is generated from them. They
check the shape of a request; what the case or process then checks under the input rules in force
(ids, sizes, instants, a step's record) is casework's, in the same words for every face."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, Field, StrictInt, model_validator
from pydantic.json_schema import SkipJsonSchema

from domain.concern import ConcernBody, RaisedBy
from domain.provider_concerns import Basis
from web.api.strict import Body


class NewConcern(Body, ConcernBody):
    """A concern to raise. Who raised it is who is signed in, in a role they hold at its service."""

    what: ClassVar[str] = "concern"
    raised_by: SkipJsonSchema[RaisedBy | None] = None

    @model_validator(mode="before")
    @classmethod
    def _raised_by_is_who_asks(cls, data: Any) -> Any:
        if isinstance(data, dict) and "raised_by" in data:
            raise ValueError("raised_by comes from who you are signed in as: leave it out of the concern")
        return data


class Completion(Body):
    what: ClassVar[str] = "step completion"
    record: dict[str, Any] = Field(description="the step's record: its fields as the pathway gives them")
    occurrence: StrictInt | None = Field(None, ge=1, description="which occurrence of a recurring step (default: the earliest open)")


class NewDevelopment(Body):
    what: ClassVar[str] = "development"
    kind: Literal["new_incident", "agency_contact", "other"] = Field(validation_alias=AliasChoices("kind", "type"))
    summary: str = Field(max_length=4000, validation_alias=AliasChoices("summary", "description"))


class Acknowledgement(Body):
    what: ClassVar[str] = "acknowledgement"
    note: str | None = Field(None, description="what was done about the escalation (required: refused without it)")


class Note(Body):
    what: ClassVar[str] = "note"
    text: str = Field(description="the note, as free text (at most 2,000 characters)")


class Amendment(Body):
    """A correction to a completed step's record: the fields changed and why. The original stays as
    recorded; which fields may be corrected is the pathway's (ids, times and free text by default)."""

    what: ClassVar[str] = "amendment"
    changes: dict[str, Any] = Field(description="the fields corrected, each with its new value as the step's record "
                                                "takes it (null takes an answer away)")
    reason: str = Field(description="why the record is corrected, as free text (at most 2,000 characters)")


class ActionCompletion(Body):
    what: ClassVar[str] = "completion"
    evidence: str = Field(description="what was done: who was retrained, what changed")


class OpenProcess(Body):
    what: ClassVar[str] = "the process"
    reason: str | None = Field(None, description="why the process is opened (ids only)")
    basis: Basis | None = Field(None, description="default: the proposal's level, else commissioner")


class Dismissal(Body):
    what: ClassVar[str] = "the dismissal"
    reason: str | None = Field(None, description="why the proposal is not taken up (ids only)")


class ProcessStep(Body):
    what: ClassVar[str] = "the process step"
    record: Any = Field(None, description="the step's record (GET /provider-processes/steps lists the fields)")


class Decision(Body):
    what: ClassVar[str] = "the decision"
    outcome: str | None = Field(None, description="continue, restrict_admissions, suspend or terminate")
    record: dict[str, Any] | None = Field(None, description="the evidence the outcome needs")


class ThresholdRequest(Body):
    what: ClassVar[str] = "the threshold request"
    category: str
    facts: dict[str, Any]
    prior: dict[str, Any] | None = Field(None, description="same_source, same_pair, same_service, source_note")


class SignIn(Body):
    """A local account's sign-in, sent as JSON or as a form."""

    what: ClassVar[str] = "the sign-in"
    user_id: str
    password: str


class PasswordChange(Body):
    what: ClassVar[str] = "the password change"
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000, description="at least 12 characters, and not easy to guess")


class NewToken(Body):
    what: ClassVar[str] = "the token request"
    name: str = Field(max_length=200)
    days: int | None = Field(None, ge=1, le=366, description="days until it expires (default: the setting)")
    scope: list[str] | None = Field(None, description='roles it may act as: "role" or "role@SERVICE" (default: all yours)')
