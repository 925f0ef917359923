"""What staff send in: a concern being raised, a step being completed, a development.

These are the public vocabulary of the CLI, scenario files and workflow updates. Adults are
referred to by id only: the event store and the logs never hold a service user's name.

Validated with `InputRules.context()` (by the CLI, and by a case's update validators with the
rules in its policy), they also check ids, sizes and characters (`domain/inputs.py`); without
it, as when facts and histories are read back, they take what was recorded.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from domain.inputs import CLOCK_SKEW, MAX_ID, MAX_OCCURRENCE, MAX_RECORD_BYTES, MAX_SUMMARY, MAX_TEXT, Who, not_epoch, rules_in, shown, text_problem
from domain.policy import Role

MAX_REQUEST_ID = 300  # an API user's id and their Idempotency-Key (at most 200)
CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}")
# The ids of Safeguard's other workflows begin so (governance audits and actions, provider-concern
# processes): a case id may not, so a workflow id tells whether it is a case's (whose payloads take
# the case's own key: encryption/payload_codec.py).
RESERVED_WORKFLOW_PREFIXES = ("governance-", "provider-process-")


def is_case_workflow(workflow_id: str) -> bool:
    return not workflow_id.startswith(RESERVED_WORKFLOW_PREFIXES)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:  # a year-1 or year-9999 instant, its offset taking it off the calendar
        raise ValueError(f"{value.isoformat()} is not a date and time Safeguard can hold") from None


def _staff_id(value: str | None, info: ValidationInfo) -> str | None:
    """An actor: a staff id, never a name (shared by every command's `actor`)."""
    return _id(value, info, "staff")


def _request(value: str | None, info: ValidationInfo) -> str | None:
    """A request id: the sender's key, or the one a seal gives (shared by every command's `request_id`)."""
    return _text(value, info, MAX_REQUEST_ID)


def _text(value: str | None, info: ValidationInfo, limit: int = MAX_TEXT) -> str | None:
    """Text as input: bounded, no NUL or control characters, not blank."""
    if value is not None and rules_in(info)[0] is not None:
        problem = text_problem(value, limit)
        if problem:
            raise ValueError(problem)
    return value


def _id(value: str | None, info: ValidationInfo, who: Who) -> str | None:
    rules = rules_in(info)[0]
    if value is not None and rules is not None:
        problem = rules.id_problem(value, who)
        if problem:
            raise ValueError(f"{shown(value)} {problem}")
    return value


class Service(Model):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    client_group: str = Field(min_length=1)
    company: str | None = None  # the registered company, where it differs from the provider's trading name

    @field_validator("id")
    @classmethod
    def _service_id(cls, value: str, info: ValidationInfo) -> str:
        return _id(_text(value, info, MAX_ID), info, "service")

    @field_validator("name", "provider", "client_group", "company")
    @classmethod
    def _bounded(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _text(value, info)


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


# 000 General Approach 1 (line 27): harm from "the social contacts and relationships of the people
# using the service, including those formed through internet and social media use". Someone who is
# not a service user is recorded by kind alone, never with an invented id (issue 19).
SOURCE_KINDS = ("service_user", "unknown_person", "online_contact", "visitor", "member_of_staff", "other_person")
SourceKind = Literal["service_user", "unknown_person", "online_contact", "visitor", "member_of_staff", "other_person"]


class AllegedSource(Model):
    """Who is alleged to have caused harm: a service user by id (`"A-204"` or `{"id": "A-204"}`), or
    anyone else by kind alone (`{"kind": "online_contact"}`). A service user's record is unchanged
    from before kinds existed: the kind is left out of its JSON, so its case id digest is too."""

    kind: SourceKind = Field(default="service_user", exclude_if=lambda k: k == "service_user")
    id: str | None = Field(default=None, exclude_if=lambda v: v is None)

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"id": value}
        if isinstance(value, dict) and set(value) - {"id", "kind"}:
            extra = ", ".join(sorted(set(value) - {"id", "kind"}))
            raise ValueError(f"the alleged source is given by id, or by kind if not a service user; remove {extra}")
        return value

    @model_validator(mode="after")
    def _id_for_service_users_only(self) -> "AllegedSource":
        if self.kind == "service_user" and not self.id:
            raise ValueError("a service user is named by id (e.g. A-204); for anyone else give their kind, one of "
                             + ", ".join(SOURCE_KINDS[1:]))
        if self.kind != "service_user" and self.id is not None:
            raise ValueError(f"{self.kind.replace('_', ' ')}: only a service user has an id here; leave id out "
                             "(never invent one)")
        return self

    @property
    def is_service_user(self) -> bool:
        return self.kind == "service_user"

    def described(self) -> str:
        """The source as the record shows it: the id, or what kind of person (not a service user)."""
        return self.id if self.id else f"{self.kind.replace('_', ' ')} (not a service user)"


# 000 Policy Statement 2 (line 19): "staff, people using the service and others feel able to discuss
# their concerns". Staff record a concern on its reporter's behalf, with the reporter's kind (issue 19).
REPORTER_KINDS = ("staff", "adult_at_risk", "relative_or_friend", "visiting_professional", "other_service_user",
                  "member_of_the_public")
ReporterKind = Literal["staff", "adult_at_risk", "relative_or_friend", "visiting_professional", "other_service_user",
                       "member_of_the_public"]


class ReportedBy(Model):
    """Who first reported the concern, by kind only (no name): the staff member who records it is `raised_by`."""

    kind: ReporterKind


class RaisedBy(Model):
    """Who raised the concern: a staff id and the role they raised it in."""

    actor: str = Field(min_length=1)
    role: Role

    _actor = field_validator("actor")(_staff_id)


RAISED_BY_EXAMPLE = '{"actor": "SSW-14", "role": "senior_support_worker"}'


class ConcernBody(Model):
    identified_at: AwareDatetime
    service: Service
    adult_at_risk: AdultRef
    alleged_source: AllegedSource
    summary: str = Field(min_length=1)
    case_id: str | None = None
    # why a concern identified long ago (InputRules.late_report_days) is only raised now; recorded with it
    late_report_reason: str | None = None
    # required of input; concerns recorded before 2026-11-23 have none
    raised_by: RaisedBy | None = None
    # who first reported it, when not the staff member raising it (left out of the JSON when absent,
    # so a concern's case id digest is as before)
    reported_by: ReportedBy | None = Field(default=None, exclude_if=lambda v: v is None)

    _epoch = field_validator("identified_at", mode="before")(not_epoch)
    _utc = field_validator("identified_at")(_utc)

    @field_validator("case_id")
    @classmethod
    def _case_id(cls, value: str | None) -> str | None:
        if value is not None and not CASE_ID.fullmatch(value):
            raise ValueError(f"{shown(value)} is not a case id: 3 to 64 letters, digits and - _ . : "
                             "starting with a letter or digit (e.g. SG-20261224-ABC123)")
        if value is not None and not is_case_workflow(value):
            raise ValueError(f"{shown(value)} is not a case id: ids beginning {' or '.join(RESERVED_WORKFLOW_PREFIXES)} "
                             "are Safeguard's own workflows")
        return value

    @field_validator("adult_at_risk", "alleged_source")
    @classmethod
    def _adult_id(cls, value: AdultRef | AllegedSource, info: ValidationInfo) -> AdultRef | AllegedSource:
        if value.id is not None:
            _id(value.id, info, "person")
        return value

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info, MAX_SUMMARY)

    @field_validator("late_report_reason")
    @classmethod
    def _reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _text(value, info)

    @model_validator(mode="after")
    def _two_adults(self) -> "ConcernBody":
        if self.adult_at_risk.id == self.alleged_source.id:
            raise ValueError("adult_at_risk and alleged_source must be different adults")
        return self

    @model_validator(mode="after")
    def _who_raised_it(self, info: ValidationInfo) -> "ConcernBody":
        if self.raised_by is None and rules_in(info)[0] is not None:
            raise ValueError(f"raised_by is required: who raised the concern, as {RAISED_BY_EXAMPLE}")
        return self

    @model_validator(mode="after")
    def _plausible_identification(self, info: ValidationInfo) -> "ConcernBody":
        rules, now = rules_in(info)
        if rules is None or now is None:
            return self
        if self.identified_at > now + CLOCK_SKEW:
            raise ValueError(f"identified_at {self.identified_at.isoformat()} is in the future")
        if now - self.identified_at > timedelta(days=rules.late_report_days) and not self.late_report_reason:
            raise ValueError(f"identified_at {self.identified_at.isoformat()} is {(now - self.identified_at).days:,} days ago, "
                             f"more than {rules.late_report_days}: check the date, or give late_report_reason "
                             "saying why it is reported this late")
        return self


Channel = Literal["cli", "api", "web"]


class Via(Model):
    """How a request reached the case: the channel and, from the CLI, the operating-system user
    running it (issue 9). Optional, so commands and facts recorded before carry none."""

    channel: Channel | None = None
    os_user: str | None = None
    seal: str | None = Field(default=None, repr=False)  # proof it came through Safeguard (domain/seal.py)

    @field_validator("os_user")
    @classmethod
    def _os_user(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _text(value, info, MAX_ID)

    def via(self) -> dict[str, str]:
        return {k: v for k, v in (("channel", self.channel), ("os_user", self.os_user)) if v is not None}


class StepCompletion(Via):
    step: str
    role: Role
    actor: str = Field(min_length=1)
    record: Any  # checked against the step's fields by the workflow, which names each problem
    occurrence: int | None = None  # for recurring steps; the earliest open one by default
    # the sender's key for this request (an Idempotency-Key, a page's form): sent again, it is answered
    # from what it recorded, never recorded twice
    request_id: str | None = None

    _actor = field_validator("actor")(_staff_id)

    @field_validator("step")
    @classmethod
    def _step(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info, MAX_ID)

    @field_validator("record")
    @classmethod
    def _size(cls, value: Any, info: ValidationInfo) -> Any:
        if rules_in(info)[0] is not None:
            size = len(json.dumps(value, separators=(",", ":"), default=str).encode())
            if size > MAX_RECORD_BYTES:
                raise ValueError(f"the record is {size / 1024:,.0f} KB: at most {MAX_RECORD_BYTES // 1024} KB")
        return value

    @field_validator("occurrence")
    @classmethod
    def _occurrence(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and rules_in(info)[0] is not None and not 1 <= value <= MAX_OCCURRENCE:
            raise ValueError(f"{value} is not an occurrence: 1 to {MAX_OCCURRENCE:,}")
        return value

    _request_id = field_validator("request_id")(_request)


class Development(Via):
    """A new incident or agency contact on a live case."""

    kind: Literal["new_incident", "agency_contact", "other"] = Field(validation_alias=AliasChoices("kind", "type"))
    summary: str = Field(min_length=1, validation_alias=AliasChoices("summary", "description"))
    actor: str | None = None
    role: Role | None = None
    # the sender's key for this request (the API's Idempotency-Key): sent again, it records nothing more
    request_id: str | None = None

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info, MAX_SUMMARY)

    _actor = field_validator("actor")(_staff_id)

    _request_id = field_validator("request_id")(_request)


class Acknowledgement(Via):
    escalation_id: str
    role: Role
    actor: str = Field(min_length=1)
    note: str | None = None
    request_id: str | None = None

    @field_validator("escalation_id")
    @classmethod
    def _escalation_id(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info, MAX_ID)

    _actor = field_validator("actor")(_staff_id)

    @field_validator("note")
    @classmethod
    def _note(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _text(value, info)

    _request_id = field_validator("request_id")(_request)


class CaseNote(Via):
    """A note added to a case by someone who may read it (its text bounded as any other text)."""

    text: str
    actor: str = Field(min_length=1)
    role: Role
    request_id: str | None = None

    @field_validator("text")
    @classmethod
    def _bounded(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info)

    _actor = field_validator("actor")(_staff_id)

    _request_id = field_validator("request_id")(_request)


class Recovery(Via):
    """A case's workflow restarted from the event store's facts after it stopped without closing."""

    actor: str = Field(min_length=1)
    role: str | None = None
    reason: str
    stopped_run_id: str | None = None

    _actor = field_validator("actor")(_staff_id)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info)


class StepAmendment(Via):
    """A completed step's record corrected by an addendum (issue 22): the fields changed (a value of
    None takes an answer away), and why. The original record stays as it was."""

    step: str
    occurrence: int
    changes: dict[str, Any]
    reason: str
    actor: str = Field(min_length=1)
    role: Role
    request_id: str | None = None

    @field_validator("step")
    @classmethod
    def _step(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info, MAX_ID)

    @field_validator("occurrence")
    @classmethod
    def _occurrence(cls, value: int, info: ValidationInfo) -> int:
        if rules_in(info)[0] is not None and not 1 <= value <= MAX_OCCURRENCE:
            raise ValueError(f"{value} is not an occurrence: 1 to {MAX_OCCURRENCE:,}")
        return value

    @field_validator("changes")
    @classmethod
    def _size(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        if rules_in(info)[0] is not None:
            size = len(json.dumps(value, separators=(",", ":"), default=str).encode())
            if size > MAX_RECORD_BYTES:
                raise ValueError(f"the changes are {size / 1024:,.0f} KB: at most {MAX_RECORD_BYTES // 1024} KB")
        return value

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, info)

    _actor = field_validator("actor")(_staff_id)

    _request_id = field_validator("request_id")(_request)
